"""`python -m kdemo pretrain`: reproducibly make the committed pretrained/ weights and their manifest.

Every entry is an ordinary Run of the engine (method "ce" for teachers, KD for the lab's default students), so
what the manifest reports is what the project's own loop achieves, measured on the full test set.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

from ..zoo.checkpoints import MANIFEST, PRETRAINED_DIR, read_manifest, save_train_logits, sha256
from ..settings.config import TrainConfig
from ..train.engine import Run
from ..zoo.models import count_parameters
from ..train.progress import RUN_HEADER, follow, run_rows


@dataclass(frozen=True)
class Entry:
    name: str                 # file stem in pretrained/
    role: str                 # "teacher" or "student" (the Temperature lab's default student)
    target: float | None      # minimum test accuracy this entry must reach, or None
    config: dict = field(default_factory=dict)


_TEACHER = dict(method="ce", twin=False, seeds=1, optimizer="sgd", momentum=0.9, batch_size=64, schedule="cosine",
                n_labeled=None, eval_samples=None)
ENTRIES = [
    Entry("mnist_lenet5", "teacher", 0.990, dict(_TEACHER, dataset="mnist", student="lenet5", lr=0.05, epochs=8)),
    Entry("mnist_mlp_1200", "teacher", 0.985,
          dict(_TEACHER, dataset="mnist", student="mlp_1200", lr=0.05, batch_size=128, epochs=20)),
    Entry("mnist_lenet5_half", "student", None,
          dict(dataset="mnist", teacher="lenet5", student="lenet5_half", method="kd", temperature=4.0, twin=False,
               seeds=1, lr=0.01, epochs=4, schedule="cosine", n_labeled=None, eval_samples=None)),
    Entry("fashion_mnist_lenet5", "teacher", 0.88,
          dict(_TEACHER, dataset="fashion_mnist", student="lenet5", lr=0.05, epochs=10)),
    Entry("fashion_mnist_lenet5_half", "student", None,
          dict(dataset="fashion_mnist", teacher="lenet5", student="lenet5_half", method="kd", temperature=4.0,
               twin=False, seeds=1, lr=0.01, epochs=4, schedule="cosine", n_labeled=None, eval_samples=None)),
]


def _write_manifest(entries: list[dict]):
    order = {e.name: i for i, e in enumerate(ENTRIES)}
    entries = sorted(entries, key=lambda e: order.get(e["name"], 99))
    MANIFEST.write_text(json.dumps({"entries": entries}, indent=2) + "\n")


def make(entry: Entry, quiet: bool = False) -> dict:
    cfg = TrainConfig(**entry.config)
    if not quiet:
        print(f"== {entry.name}: {cfg.student} on {cfg.dataset} ({cfg.method}, {cfg.epochs:g} epochs)", file=sys.stderr)
    run = Run(cfg)
    follow(run, quiet=quiet, header=RUN_HEADER, rows=run_rows)
    summary = run.summary()
    if summary["status"] != "done":
        raise RuntimeError(f"{entry.name}: run {summary['status']}: {summary['error'] or summary['message']}")
    acc = summary["kd_acc"]
    if entry.target is not None and acc < entry.target:
        raise RuntimeError(f"{entry.name}: test accuracy {acc:.4f} is below its target {entry.target}")
    path = PRETRAINED_DIR / f"{entry.name}.safetensors"
    run.save_student(path, role=entry.role)
    final = run.snapshot()["final"]["kd"]
    out = {"name": entry.name, "file": path.name, "model": cfg.student, "dataset": cfg.dataset,
           "role": entry.role, "test_acc": round(acc, 4), "per_class": [round(a, 4) for a in final["per_class"]],
           "class_counts": final["class_counts"], "params": count_parameters(run.model()),
           "sha256": sha256(path), "teacher": cfg.teacher if cfg.uses_teacher else None,
           "command": f"python -m kdemo pretrain --only {entry.name}", "train_seconds": summary["elapsed_s"]}
    if entry.role == "teacher":  # runs distilling from this teacher then skip the teacher pass entirely
        out["train_logits"] = save_train_logits(out, run.model()).name
    return out


def cmd(args) -> int:
    names = args.only or [e.name for e in ENTRIES]
    unknown = sorted(set(names) - {e.name for e in ENTRIES})
    if unknown:
        raise ValueError(f"unknown entries {unknown}; choose from {[e.name for e in ENTRIES]}")
    PRETRAINED_DIR.mkdir(exist_ok=True)
    kept = {e["name"]: e for e in read_manifest()["entries"]}
    for entry in ENTRIES:  # in order: students are distilled from the teachers made before them
        if entry.name in names:
            kept[entry.name] = make(entry, quiet=args.quiet)
            _write_manifest(list(kept.values()))
            print(f"   {entry.name}: test accuracy {100 * kept[entry.name]['test_acc']:.2f}%", file=sys.stderr)
    return 0


def add_parser(sub, common):
    p = sub.add_parser("pretrain", parents=[common], help="(re)make the pretrained/ teachers and default students + manifest")
    p.add_argument("--only", nargs="+", metavar="NAME", help=f"entries to make: {', '.join(e.name for e in ENTRIES)}")
    p.add_argument("--quiet", action="store_true")
