"""`python -m kdemo train|pretrain|bench|experiment|report|sweep|params`: the command line face of the engine.

This is a process entry point: torch's thread count is set here (`--threads`), once, before any work.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import torch

from . import bench, experiment, params, pretrain, sweep
from ..teach import report
from ..data.datasets import load_dataset
from .distributed import is_distributed, train_distributed
from ..figures.tracking import RunFeed, open_tracker
from ..train.engine import Run
from ..train.outputs import save_run
from ..train.progress import RUN_HEADER, follow, run_rows
from ..settings.text import add_flags, cli_command, config_from_args
from ..train.teachers import check_available


def check_inputs(cfg):
    """Fail before starting, in one line, when the data or the pretrained teacher cannot be had."""
    load_dataset(cfg.dataset, "train")   # raises DatasetUnavailable naming where it looked
    check_available(cfg)


NAMES = {"kd": "student", "scratch": "twin", "teacher": "teacher"}


def finish_line(summary: dict) -> str:
    """'done in 7.2s: teacher 99.05%  student 93.47%  twin 75.87%', then the verdict (means over seeds)."""
    accs = "  ".join(f"{NAMES.get(k[:-4], k[:-4])} {100 * v:.2f}%" for k, v in summary.items()
                     if k.endswith("_acc") and k[:-4] in NAMES and isinstance(v, float))
    line = f"{summary['status']} in {summary['elapsed_s']:.1f}s: {accs}"
    return line + (f"\n{summary['verdict']}" if summary.get("verdict") else "")


def cmd_train(args) -> int:
    cfg = config_from_args(args)
    if args.export:  # validated above, so the file always holds a config that runs
        Path(args.export).write_text(cfg.to_json() + "\n")
        print(f"wrote {args.export}; run it with: torchrun --nproc_per_node N -m kdemo train --config "
              f"{args.export}", file=sys.stderr)
        return 0
    if is_distributed():
        if cfg.track != "none":
            raise ValueError("--track logs single-process runs; run it without torchrun")
        summary = train_distributed(cfg, save=args.save, quiet=args.json)
    else:
        check_inputs(cfg)
        run = Run(cfg)
        feed = None
        if cfg.track != "none":   # opened before training, so a missing tracker costs no run
            name = args.track_name or f"{cfg.method}-{run.id}"
            feed = RunFeed(open_tracker(cfg.track, args.track_dir, name, None, cfg.to_dict()),
                           [cfg.seed + i for i in range(cfg.seeds)])
        if not args.json:
            print(f"# {cli_command(cfg)}", file=sys.stderr)
        try:
            follow(run, quiet=args.json, header=RUN_HEADER, rows=run_rows, watch=feed and feed.update)
        finally:
            summary = run.summary()
            if feed is not None:
                feed.finish(summary, run.snapshot())
        if args.save and summary["status"] in ("done", "stopped") and run.has_model():
            run.save_student(args.save)
        if args.out and summary["status"] in ("done", "stopped"):
            save_run(run, args.out)     # for `python -m kdemo report RUN_DIR`
    if summary is None:  # a non-zero rank in a distributed run: rank 0 reports
        return 0
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(finish_line(summary), file=sys.stderr)
    if summary["status"] == "failed":
        print(f"error: {summary['error']}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threads", type=int, help="torch CPU threads for this process (default: torch's own)")
    prog = "kdemo" if Path(sys.argv[0]).name == "kdemo" else "python -m kdemo"   # the console script, or -m
    p = argparse.ArgumentParser(prog=prog, description="kdemo: knowledge distillation lab")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", parents=[common], help="train a student from a teacher (and its from-scratch twin)")
    add_flags(t)
    t.add_argument("--json", action="store_true", help="print the summary as JSON on stdout (no table)")
    t.add_argument("--save", type=Path, help="save the KD student as .safetensors (+ .json)")
    t.add_argument("--export", type=Path, help="write the resolved config as JSON and exit (for torchrun --config)")
    t.add_argument("--track-dir", type=Path, help="with --track: TensorBoard's log folder (default: runs), or "
                   "Trackio's TRACKIO_DIR (default: Trackio's own)")
    t.add_argument("--track-name", help="with --track: the run's name there (default: METHOD-RUNID)")
    t.add_argument("--out", type=Path, help="folder for config.json, summary.json and every model's test-set logits "
                   "(python -m kdemo report reads it)")
    for module in (pretrain, bench, experiment, report, sweep, params):
        module.add_parser(sub, common)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    commands = {"train": cmd_train, "pretrain": pretrain.cmd, "bench": bench.cmd, "experiment": experiment.cmd,
                "report": report.cmd, "sweep": sweep.cmd, "params": params.cmd}
    try:
        if args.threads is not None:
            if not 1 <= args.threads <= 256:
                raise ValueError("--threads must be between 1 and 256")
            torch.set_num_threads(args.threads)   # the process entry point: the one place that sets it
        return commands[args.cmd](args)
    except (ValueError, RuntimeError) as e:  # bad input, DatasetUnavailable: one clear line, no traceback
        if os.environ.get("RANK", "0") == "0":  # under torchrun, once, not once per process
            print(f"error: {e}", file=sys.stderr)
        return 2
