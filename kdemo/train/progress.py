"""The command line's progress printer, shared by every command that runs a worker (train, pretrain, experiment):
a tqdm bar, optional table rows as records arrive, health warnings, Ctrl-C to stop (what was learned is kept)."""
from __future__ import annotations

import sys
import time
from typing import Callable


def pct(v) -> str:
    """'93.45' for 0.9345; '-' for nothing."""
    return "-" if v is None else f"{100 * v:.2f}"


def follow(worker, quiet: bool = False, out=sys.stderr, header: str | None = None,
           rows: Callable[[dict, int], tuple[list[str], int]] | None = None, every: float = 0.2,
           watch: Callable[[dict], None] | None = None) -> dict:
    """Start `worker` (if it is not running yet), show its progress until it ends, return its last snapshot.

    rows(snapshot, printed) -> (new lines, new printed count): what to print as the snapshot grows.
    watch(snapshot): also shown every snapshot (a tracker's feed, kdemo.figures.tracking).
    """
    from tqdm import tqdm    # local: the app never needs it, and it costs start-up time there
    if worker._thread is None:
        worker.start()
    bar = tqdm(total=100, unit="%", file=out, disable=quiet, bar_format="{l_bar}{bar}| {elapsed}<{remaining} {postfix}")
    if header and not quiet:
        bar.write(header, file=out)
    printed, warned = 0, []
    try:
        while True:
            alive = worker.alive
            snap = worker.snapshot()
            bar.n = round(100 * snap["progress"])
            bar.set_postfix_str(str(snap["phase"])[:60])
            if rows is not None and not quiet:
                lines, printed = rows(snap, printed)
                for line in lines:
                    bar.write(line, file=out)
            health = snap.get("health", [])
            for i, event in enumerate(health):   # new events; and a collapse that recovered says so again
                if i >= len(warned) or event["message"] != warned[i]:
                    bar.write(f"{'warning' if i >= len(warned) else 'note'}: {event['message']}", file=out)
            warned = [e["message"] for e in health]     # also under --json: stderr
            if watch is not None:
                watch(snap)
            if not alive:
                break
            time.sleep(every)
    except KeyboardInterrupt:
        worker.stop()
        worker.join()
    except Exception:           # e.g. a tracker that cannot write: the run's thread ends with the command
        worker.stop()
        worker.join()
        raise
    snap = worker.snapshot()
    bar.n = round(100 * snap["progress"])
    bar.close()
    return snap


RUN_HEADER = f"{'phase':>8} {'epoch':>7} {'KD acc%':>8} {'twin%':>8} {'teacher%':>8} {'time s':>7}"


def run_rows(snap: dict, printed: int) -> tuple[list[str], int]:
    """One line per evaluation of a Run: KD student (or the teacher in its phase) vs the twin (means over seeds)."""
    lines = []
    for r in snap["records"][printed:]:
        if r["kind"] == "eval":
            kd = r.get("kd/test_acc", r.get("teacher/test_acc"))
            lines.append(f"{r['phase']:>8} {r['epoch']:7.2f} {pct(kd):>8} {pct(r.get('scratch/test_acc')):>8} "
                         f"{pct(snap['teacher_acc']):>8} {r['elapsed']:7.1f}")
    return lines, len(snap["records"])
