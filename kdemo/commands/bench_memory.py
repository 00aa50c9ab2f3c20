"""`python -m kdemo bench memory`: what a server keeps after its visitors leave.

A real server process (`python app.py`, short session idle time) is driven through its API by gradio_client, as
strangers use it. Its resident memory is read from /proc after each step, once every session of the step has
expired (their folders gone, their memory handed back):

1. warm-up: one visitor of each kind (a run, the lab, a lesson link, a teaching view), so lazy models, caches and
   the first use of each code path are paid before anything is counted;
2. rounds of mixed API visitors, each round followed by expiry: a cache grows in the first round and then stays,
   a leak grows every round, so the figure that matters is the growth per round after the first;
3. runs of varied configs (datasets, methods, students, seeds), then their expiry: what stays is the read-only
   per-process caches (datasets, pretrained teachers and their logits), each bounded.

tests/test_memory.py runs a small version and asserts the growth per round.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .benchkit import visitor

ROOT = Path(__file__).resolve().parents[2]
TINY_RUN = dict(n_labeled=64, epochs=1.0, seeds=1, twin=False, eval_samples=100, eval_points=2)   # ~1 s of CPU
# Runs of varied configs: every dataset that ships, methods with and without features, stacked and looped members
VARIED = [
    dict(dataset="mnist", method="kd", seeds=2),
    dict(dataset="mnist", method="dkd", seeds=3),
    dict(dataset="fashion_mnist", method="kd", seeds=2),
    dict(dataset="mnist", method="fitnets", student="lenet5_half", seeds=1),
    dict(dataset="fashion_mnist", method="dist", seeds=2),
    dict(dataset="mnist", method="ce", student="mlp_20", seeds=3),
    dict(dataset="mnist", method="rkd", seeds=1),
    dict(dataset="mnist", method="cosine", seeds=1),
    dict(dataset="mnist", method="kd", student="mlp_20", teacher="mlp_1200", seeds=2),
    dict(dataset="fashion_mnist", method="dkd", seeds=1, n_labeled=500),
]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env_extra: dict | None = None, wait_s: float = 120) -> tuple[subprocess.Popen, str]:
    """`python app.py` on a free loopback port; returns (process, url) once it answers. Its output goes to a file
    (`proc.log_path`), never to a pipe nobody reads: a full pipe would stall the server."""
    import httpx
    port = str(free_port())
    env = {**os.environ, "GRADIO_SERVER_PORT": port, "GRADIO_SERVER_NAME": "127.0.0.1", **(env_extra or {})}
    env.pop("GRADIO_TEMP_DIR", None)
    fd, log_path = tempfile.mkstemp(prefix="kdemo-server-log-", suffix=".txt")
    with os.fdopen(fd, "w") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                text=True)
    proc.log_path = log_path
    url, t0 = f"http://127.0.0.1:{port}/", time.time()
    while time.time() - t0 < wait_s and proc.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app did not start: " + Path(log_path).read_text()[-2000:])


def stop(proc: subprocess.Popen):
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    Path(proc.log_path).unlink(missing_ok=True)


def server_root(pid: int) -> Path:
    """A kdemo server's own folder (kdemo.app.sessions.Registry.root)."""
    roots = list(Path(tempfile.gettempdir()).glob(f"kdemo-server-{pid}-*"))
    if len(roots) != 1:
        raise RuntimeError(f"expected one folder of server {pid}, found {len(roots)}")
    return roots[0]


def status_of(html) -> str:
    if isinstance(html, dict):
        html = html.get("value")
    found = re.search(r"kd-status (\w+)", html if isinstance(html, str) else "")
    return found.group(1) if found else ""


def train_to_the_end(client, settings: dict, every: float = 0.5, limit: float = 300) -> str:
    out = client.predict(**settings, api_name="/train")
    for _ in range(int(limit / every)):
        if status_of(out[0]) in ("done", "stopped", "failed"):
            return status_of(out[0])
        if status_of(out[0]) == "":
            raise RuntimeError("the run is gone: its session expired while it was polled (a longer idle limit)")
        time.sleep(every)
        out = client.predict(api_name="/poll")
    raise RuntimeError("a run did not end")


def digit_png(folder: Path) -> Path:
    import numpy as np
    from PIL import Image
    img = np.full((280, 280, 4), 255, np.uint8)
    img[40:240, 130:150, :3] = 0
    path = folder / "digit.png"
    Image.fromarray(img).save(path)
    return path


class Visitors:
    """API-only visitors of one server: one in six trains a tiny run and opens a teaching view, one in six only
    makes a lesson link, the others draw in the lab and make a lesson link. Each is a fresh session
    (gradio_client's reset_session)."""

    def __init__(self, url: str, pid: int, root: Path, folder: Path, idle_s: float, sweep=None):
        from gradio_client import handle_file
        self.url, self.pid, self.root, self.idle_s, self._local = url, pid, root, idle_s, threading.local()
        self.sweep = sweep          # a server in this process: expire its sessions now instead of waiting
        self.last = time.time()     # the last request any visitor made
        self.sketch = {"background": None, "layers": [], "composite": handle_file(str(digit_png(folder)))}

    def client(self):
        if not hasattr(self._local, "c"):
            self._local.c = visitor(self.url)
        self._local.c.reset_session()
        return self._local.c

    def one(self, k: int, run: dict | None = None) -> str:
        try:
            return self._visit(k, run)
        finally:
            self.last = max(self.last, time.time())

    def _visit(self, k: int, run: dict | None) -> str:
        c = self.client()
        if run is not None or k % 6 == 0:
            status = train_to_the_end(c, run or TINY_RUN)
            c.predict(T=4.0, api_name="/similarity")       # the run's test-set logits, cached with the run
            return status
        if k % 6 != 3:      # one in six only asks for a lesson link: a session kdemo itself never needs
            c.predict(self.sketch, 4.0, "auto", "lenet5", "yours", api_name="/lab")
        return "done" if c.predict(question="Why?", api_name="/share")[0] else "no link"

    def expire(self, limit: float = 120.0) -> float:
        """Wait until every session has expired (folders gone, and the idle limit past the last request, for the
        sessions that have no folder), then a little for the sweep's release; RSS."""
        t0 = time.time()
        if self.sweep is not None:    # the sweeper's own call, with its clock past the idle limit
            self.sweep(max(time.time(), self.last) + self.idle_s + 1)
        while (self.sessions() or (self.sweep is None and time.time() < self.last + self.idle_s + 1)) \
                and time.time() - t0 < limit:
            time.sleep(0.5)
        if self.sessions():
            raise RuntimeError("expired sessions kept their folders")
        time.sleep(0 if self.sweep else 1.5)
        return rss_mb(self.pid)

    def sessions(self) -> list[Path]:
        return list(self.root.glob("s-*"))

    def round(self, n: int, parallel: int = 4) -> tuple[float, float]:
        """n visitors, `parallel` at a time; (RSS while they are open, RSS after they expired)."""
        with ThreadPoolExecutor(parallel) as pool:
            statuses = set(pool.map(self.one, range(n)))
        if statuses != {"done"}:
            raise RuntimeError(f"visitors ended with {statuses}")
        return rss_mb(self.pid), self.expire()

    def runs(self, configs: list[dict], parallel: int = 2) -> float:
        with ThreadPoolExecutor(parallel) as pool:
            statuses = list(pool.map(lambda c: self.one(0, {**TINY_RUN, "n_labeled": 200, "epochs": 0.5, **c}),
                                     configs))
        if set(statuses) != {"done"}:
            raise RuntimeError(f"runs ended with {statuses}")
        return self.expire()


def measure(rounds: int = 4, per_round: int = 50, varied: int = 30, idle_s: float = 8.0,
            progress=None) -> dict:
    """Start a server, warm it, run `rounds` of `per_round` visitors and `varied` runs of varied configs; RSS in MB
    after each step (every step's sessions expired)."""
    say = progress or (lambda *_: None)
    proc, url = serve({"KDEMO_SESSION_IDLE_S": str(idle_s), "KDEMO_MAX_RUNS": "4"})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            v = Visitors(url, proc.pid, server_root(proc.pid), Path(tmp), idle_s)
            out = {"start_mb": rss_mb(proc.pid)}
            for k in (0, 1, 3):            # one visitor of each kind
                v.one(k)
            out["warm_mb"] = v.expire()
            say(f"warm: {out['warm_mb']:.0f} MB (started at {out['start_mb']:.0f} MB)")
            out["rounds"] = []
            for r in range(rounds):
                t0 = time.time()
                open_mb, after = v.round(per_round)
                out["rounds"].append({"open_mb": round(open_mb, 1), "after_expiry_mb": round(after, 1),
                                      "seconds": round(time.time() - t0, 1)})
                say(f"round {r + 1}: {per_round} visitors: {open_mb:.0f} MB open, {after:.0f} MB after expiry")
            after = [r["after_expiry_mb"] for r in out["rounds"]]
            out["per_round_mb"] = [round(b - a, 1) for a, b in zip([out["warm_mb"]] + after, after)]
            configs = [VARIED[i % len(VARIED)] | {"seed": i} for i in range(varied)]
            if varied:
                out["after_runs_mb"] = round(v.runs(configs), 1)
                say(f"{varied} varied runs: {out['after_runs_mb']:.0f} MB after expiry")
                out["runs_over_warm_mb"] = round(out["after_runs_mb"] - out["warm_mb"], 1)
            out.update(visitors_per_round=per_round, varied_runs=varied)
            return out
    finally:
        stop(proc)


def print_report(r: dict):
    print(f"server RSS at start {r['start_mb']:.0f} MB; warm (one visitor of each kind) {r['warm_mb']:.0f} MB")
    for i, (row, d) in enumerate(zip(r["rounds"], r["per_round_mb"])):
        print(f"round {i + 1}: {r['visitors_per_round']} visitors, {row['open_mb']:.0f} MB while open, "
              f"{row['after_expiry_mb']:.0f} MB after expiry ({d:+.1f} MB), {row['seconds']:.0f} s")
    rest = r["per_round_mb"][1:]
    if rest:
        print(f"growth per round after the first: {', '.join(f'{d:+.1f}' for d in rest)} MB "
              f"(a leak grows every round; a cache only in the first)")
    if "after_runs_mb" in r:
        print(f"after {r['varied_runs']} runs of varied configs and their expiry: {r['after_runs_mb']:.0f} MB "
              f"({r['runs_over_warm_mb']:+.0f} MB over warm)")


def cmd(args) -> int:
    r = measure(rounds=args.rounds, per_round=args.visitors, varied=args.runs,
                progress=None if args.json else (lambda s: print(s, file=sys.stderr)))
    print(json.dumps(r, indent=2)) if args.json else print_report(r)
    return 0
