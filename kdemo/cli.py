"""`python -m kdemo train|pretrain|bench|experiment`: the command line face of the engine."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import MISSING, fields
from pathlib import Path

from .config import TrainConfig


def _parse_classes(text: str) -> tuple[int, ...]:
    return tuple(int(c) for c in text.replace(" ", "").split(",") if c != "")


def _field_type(f) -> type:
    hint = str(f.type)
    for name, typ in (("bool", bool), ("tuple", _parse_classes), ("int", int), ("float", float)):
        if hint.startswith(name):
            return typ
    return str


def add_config_flags(p: argparse.ArgumentParser):
    """One flag per TrainConfig field; defaults stay unset so --config values are only overridden when given."""
    g = p.add_argument_group("run configuration (defaults from TrainConfig)")
    g.add_argument("--config", type=Path, help="JSON file with TrainConfig fields (flags override it)")
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        typ = _field_type(f)
        default = f.default if f.default is not MISSING else None
        if typ is bool:
            g.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                           help=f"default: {default}")
        else:
            g.add_argument(flag, dest=f.name, type=typ, default=argparse.SUPPRESS, help=f"default: {default}")


def config_from_args(args) -> TrainConfig:
    base = {}
    if getattr(args, "config", None):
        try:
            base = json.loads(Path(args.config).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"cannot read config {args.config}: {e}") from None
        if not isinstance(base, dict):
            raise ValueError(f"{args.config}: a config must be a JSON object")
    names = {f.name for f in fields(TrainConfig)}
    base.update({k: v for k, v in vars(args).items() if k in names})
    return TrainConfig.from_dict(base)


def _fmt(v, pct=True):
    return "   -  " if v is None else (f"{100 * v:6.2f}" if pct else f"{v:.4f}")


def follow(run, quiet: bool = False, out=sys.stderr) -> dict:
    """Start `run`, show a tqdm bar and a per-epoch table (KD student vs scratch twin), return its summary."""
    from tqdm import tqdm
    run.start()
    printed, last_epoch = 0, -1
    bar = tqdm(total=100, unit="%", file=out, disable=quiet, bar_format="{l_bar}{bar}| {elapsed}<{remaining} {postfix}")
    if not quiet:
        print(f"{'phase':>8} {'epoch':>6} {'KD acc%':>8} {'scratch%':>8} {'teacher%':>8} {'time s':>7}", file=out)
    try:
        while True:
            alive = run.alive
            s = run.snapshot()
            bar.n = round(100 * s["progress"])
            bar.set_postfix_str(s["phase"])
            for r in s["records"][printed:]:
                if r["kind"] == "eval" and (int(r["epoch"]) != last_epoch and r["epoch"] == int(r["epoch"])
                                            or r is s["records"][-1] and not alive):
                    last_epoch = int(r["epoch"])
                    kd = r.get("kd/test_acc", r.get("teacher/test_acc"))
                    if not quiet:
                        bar.write(f"{r['phase']:>8} {r['epoch']:6.2f} {_fmt(kd):>8} "
                                  f"{_fmt(r.get('scratch/test_acc')):>8} {_fmt(s['teacher_acc']):>8} "
                                  f"{r['elapsed']:7.1f}", file=out)
            printed = len(s["records"])
            if not alive:
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        run.stop()
        run.join()
    bar.n = round(100 * run.snapshot()["progress"])
    bar.close()
    return run.summary()


def check_available(cfg: TrainConfig):
    """Fail before starting, in one line, when the data or the pretrained teacher cannot be had."""
    from .checkpoints import find_pretrained
    from .data import load_dataset
    load_dataset(cfg.dataset, "train")   # raises DatasetUnavailable naming where it looked
    if cfg.uses_teacher and cfg.teacher_source == "pretrained" and find_pretrained(cfg.teacher, cfg.dataset) is None:
        raise ValueError(f"no pretrained {cfg.teacher} for {cfg.dataset}; use --teacher-source train "
                         f"(or make one with python -m kdemo pretrain)")


def cmd_train(args) -> int:
    from .engine import Run
    cfg = config_from_args(args)
    if args.export:  # validated above, so the file always holds a config that runs
        Path(args.export).write_text(cfg.to_json() + "\n")
        print(f"wrote {args.export}; run it with: torchrun --nproc_per_node N -m kdemo train --config "
              f"{args.export}", file=sys.stderr)
        return 0
    from .distributed import is_distributed
    if is_distributed():
        from .distributed import train_distributed
        summary = train_distributed(cfg, save=args.save, quiet=args.json)
    else:
        check_available(cfg)
        run = Run(cfg)
        summary = follow(run, quiet=args.json)
        if args.save and summary["status"] in ("done", "stopped") and run.has_model():
            run.save_student(args.save)
    if summary is None:  # a non-zero rank in a distributed run: rank 0 reports
        return 0
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        accs = "  ".join(f"{k[:-4]} {100 * v:.2f}%" for k, v in summary.items() if k.endswith("_acc") and v is not None)
        print(f"{summary['status']} in {summary['elapsed_s']:.1f}s: {accs}", file=sys.stderr)
    if summary["status"] == "failed":
        print(f"error: {summary['error']}", file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m kdemo", description="kdemo: knowledge distillation lab")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train a student from a teacher (and its from-scratch twin)")
    add_config_flags(t)
    t.add_argument("--json", action="store_true", help="print the summary as JSON on stdout (no table)")
    t.add_argument("--save", type=Path, help="save the KD student as .safetensors (+ .json)")
    t.add_argument("--export", type=Path, help="write the resolved config as JSON and exit (for torchrun --config)")
    from . import bench, experiments, pretrain
    pretrain.add_parser(sub)
    bench.add_parser(sub)
    experiments.add_parser(sub)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return {"train": cmd_train, "pretrain": pretrain.cmd, "bench": bench.cmd,
                "experiment": experiments.cmd}[args.cmd](args)
    except (ValueError, RuntimeError) as e:  # bad input, DatasetUnavailable: one clear line, no traceback
        if os.environ.get("RANK", "0") == "0":  # under torchrun, once, not once per process
            print(f"error: {e}", file=sys.stderr)
        return 2
