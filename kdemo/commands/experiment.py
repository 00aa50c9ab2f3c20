"""`python -m kdemo experiment NAME`: run an experiment with a progress bar, print its table, save its figures."""
from __future__ import annotations

import csv
import json
import sys
import uuid
from pathlib import Path

from ..figures.tracking import TRACKERS, require, track_run
from ..train.progress import follow
from ..experiments.registry import EXPERIMENTS, experiment_figures, get_experiment, start_experiment


def add_parser(sub, common):
    p = sub.add_parser("experiment", parents=[common], help="run a classroom experiment ('python -m kdemo experiment list')",
                       description="Run one of the classroom experiments and print its results table.")
    p.add_argument("name", nargs="?", help="experiment key, or 'list' to show them")
    p.add_argument("--list", action="store_true", help="list the experiments and exit")
    p.add_argument("--budget", default="quick",
                   help="quick (under a minute on 2 CPU cores) or full (the README numbers, 1-2 minutes)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the results table as JSON on stdout")
    p.add_argument("--out", type=Path, help="folder for NAME.csv, NAME.json (snapshot) and NAME.html (figures)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--track", choices=TRACKERS, help="also log each run to TensorBoard or Trackio, one group per "
                   "experiment (pip install 'kdemo[tensorboard]' or 'kdemo[trackio]')")
    p.add_argument("--track-dir", type=Path, help="with --track: TensorBoard's log folder (default: runs), or "
                   "Trackio's TRACKIO_DIR (default: Trackio's own)")


def list_text() -> str:
    width = max(len(k) for k in EXPERIMENTS)
    return "\n".join(f"{k:<{width}}  {e.title}" for k, e in EXPERIMENTS.items())


def cmd(args) -> int:
    if args.list or args.name in (None, "list"):
        print(list_text())
        return 0
    get_experiment(args.name)          # unknown name: ValueError, printed by the CLI as one line
    after_run = None
    if args.track:
        require(args.track)       # a missing tracker fails before the job starts
        group = f"{args.name}-seed{args.seed}-{uuid.uuid4().hex[:6]}"   # one group per job: its runs side by side
        after_run = lambda label, run: track_run(run, args.track, args.track_dir, label.replace("/", "_"), group)
    job = start_experiment(args.name, budget=args.budget, seed=args.seed, after_run=after_run)
    snap = follow(job, quiet=args.quiet)
    if args.out:
        save(snap, args.out)
    if args.json:
        print(json.dumps(snap["table"], indent=2))
    else:
        print(format_table(snap["table"]))
    print(f"{snap['status']} in {snap['elapsed']:.1f}s ({args.name}, budget {args.budget}, seed {args.seed})"
          + (f": {snap['message']}" if snap["message"] else ""), file=sys.stderr)
    if snap["status"] == "failed":
        print(f"error: {snap['error']}", file=sys.stderr)
        return 1
    return 0 if snap["status"] == "done" else 130


def columns(table: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in table:
        cols += [k for k in row if k not in cols]
    return cols


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
    return str(v)


def format_table(table: list[dict]) -> str:
    """A plain-text table (a markdown one, so it pastes into the README)."""
    if not table:
        return "(no finished runs)"
    cols = columns(table)
    cells = [[_cell(r.get(c)) for c in cols] for r in table]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"
    return "\n".join([line(cols), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def save(snap: dict, folder: Path) -> list[Path]:
    """NAME.csv (the table), NAME.json (the whole snapshot) and NAME.html (every figure, plotly.js inlined once)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = snap["key"]
    paths = [folder / f"{key}.csv", folder / f"{key}.json", folder / f"{key}.html"]
    with open(paths[0], "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns(snap["table"]))
        w.writeheader()
        w.writerows(snap["table"])
    paths[1].write_text(json.dumps(snap, indent=1))
    figs = experiment_figures(key, snap)
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figs)]
    paths[2].write_text(f"<html><head><meta charset='utf-8'><title>{snap['title']}</title></head><body>"
                        + "".join(parts) + "</body></html>")
    return paths
