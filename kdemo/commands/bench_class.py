"""`python -m kdemo bench class --students 30`: a whole class at once, measured through the API.

Starts the app in a subprocess (a fresh data folder, the server's limits from the environment: KDEMO_MAX_RUNS
and the rest as a host would set them), starts a class for a lesson (default: the default settings), and has N
students join it and press Train at the same moment, each from their own API client, polling once a second like
the page does. Prints runs finished, refused, the median and worst wait (Train pressed -> the run is running),
the total time (first press -> last result) and the rows on the board.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import threading
import time

from .bench_memory import serve  # noqa: F401 - the one way a bench starts a server
from .benchkit import visitor


def status_of(html: str) -> str:
    found = html.split("kd-status ", 1)[1].split("'", 1)[0] if "kd-status " in str(html) else ""
    return found


def student(url: str, code: str, settings: dict, go: threading.Event, out: dict, poll_s: float = 1.0):
    """One student: join, wait for the signal, press Train, poll until the run ends."""
    c = visitor(url)
    c.predict(code, "", api_name="/class_join")
    go.wait()
    t0 = time.time()
    first = c.predict(**settings, api_name="/train")[0]
    out.update(pressed=t0, queued=status_of(first) == "queued", positions=[])
    state = status_of(first)
    if state not in ("queued", "running"):
        out.update(refused=True, message=first[:300])
        return
    while state in ("queued", "running", "pending"):
        if state == "queued":
            out["positions"].append(first.split("slot · ", 1)[1].split(" in line", 1)[0] if "slot · " in first
                                    else "?")
        elif "started" not in out:
            out["started"] = time.time()
        time.sleep(poll_s)
        first = c.predict(api_name="/poll")[0]
        state = status_of(first)
    out.setdefault("started", time.time())
    out.update(ended=time.time(), status=state)


def bench_class(students: int = 30, lesson: str = "", poll_s: float = 1.0) -> dict:
    """Run the simulation; returns the measurements (see the module's docstring)."""
    from ..settings.lessons import parse_link
    from ..settings.params import PARAMS
    cfg = parse_link(lesson).cfg
    settings = {p.name: getattr(cfg, p.name) for p in PARAMS if p.control}
    settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()}
    with tempfile.TemporaryDirectory(prefix="kdemo-bench-class-") as data:
        proc, url = serve({"KDEMO_DATA_DIR": data})
        try:
            teacher = visitor(url)
            link = teacher.predict(**settings, question="", api_name="/class_start")[1]
            code = link.split("board=", 1)[1]
            go, outs = threading.Event(), [{} for _ in range(students)]
            threads = [threading.Thread(target=student, args=(url, code, settings, go, o, poll_s), daemon=True)
                       for o in outs]
            for t in threads:
                t.start()
                time.sleep(0.05)     # clients connect; the presses below happen together
            time.sleep(2.0)
            go.set()
            t0 = time.time()
            for t in threads:
                t.join()
            board = teacher.predict(code, "", "gain", api_name="/class_board")
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    waits = [o["started"] - o["pressed"] for o in outs if "started" in o and "pressed" in o]
    done = [o for o in outs if o.get("status") == "done"]
    return {"students": students, "lesson": lesson or "(the default settings)",
            "max_runs": int(os.environ.get("KDEMO_MAX_RUNS") or 2), "cpu_cores": os.cpu_count(),
            "finished": len(done), "refused": sum(bool(o.get("refused")) for o in outs),
            "saw_a_queue_position": sum(bool(o.get("positions")) for o in outs),
            "median_wait_s": round(statistics.median(waits), 1) if waits else None,
            "worst_wait_s": round(max(waits), 1) if waits else None,
            "median_run_s": round(statistics.median(o["ended"] - o["started"] for o in done), 1) if done else None,
            "total_s": round(max((o.get("ended", t0) for o in outs), default=t0) - t0, 1),
            "board_rows": len(board["rows"]), "board_sentence": board["summary"]["sentence"]}


def cmd(args) -> int:
    if not 1 <= args.students <= 200:
        raise ValueError("--students must be between 1 and 200")
    r = bench_class(args.students, args.lesson or "")
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"{r['students']} students, one class, lesson {r['lesson']}; KDEMO_MAX_RUNS={r['max_runs']}, "
          f"{r['cpu_cores']} CPU cores")
    print(f"runs finished {r['finished']}, refused {r['refused']}, saw a queue position {r['saw_a_queue_position']}")
    print(f"wait (Train -> running): median {r['median_wait_s']} s, worst {r['worst_wait_s']} s; "
          f"one run takes {r['median_run_s']} s (median)")
    print(f"total {r['total_s']} s from the first press to the last result; {r['board_rows']} rows on the board")
    print(f"board: {r['board_sentence']}")
    return 0
