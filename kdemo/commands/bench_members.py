"""`python -m kdemo bench members`: what several seeds cost. One process, one row per case and member count.

Members: 1 = one KD student; 2 = it and its twin (one seed); 6 = three seeds; 16 = eight seeds. Each count is
timed on both paths, stacked (one grouped model) and loop (member by member), and `path` says which one the
engine chooses (kdemo.train.members.choose_mode); `over_one` = training time / the time of one member (which always
trains on its own). Each case starts with an untimed warm-up.
Training time excludes evaluation (reported apart: it is shared by all members too). Peak memory is the resident
set above the level at the start of each run.
"""
from __future__ import annotations

import sys

from .benchkit import CASES, PeakRSS
from ..settings.config import TrainConfig
from ..train.engine import Run

MEMBER_COUNTS = (1, 2, 6, 16)


def _config(case: str, members: int, n_train: int, seed: int) -> TrainConfig:
    seeds, twin = (1, False) if members == 1 else (members // 2, True)
    return TrainConfig(dataset="mnist", **CASES[case], epochs=1.0, twin=twin, seeds=seeds, seed=seed,
                       n_labeled=n_train, eval_points=2, log_points=10, device="cpu")


def _time(cfg: TrainConfig, stack: bool) -> dict:
    with PeakRSS() as mem:
        summary = Run(cfg, stack=stack).run()
    if summary["status"] != "done":
        raise RuntimeError(summary["error"])
    return {"epoch_s": summary["elapsed_s"] - summary["eval_s"], "eval_s": summary["eval_s"],
            "mode": summary["mode"], "peak_mb": mem.mb, "kd_acc": summary["kd_acc"]}


def _warm_up(case: str, n_train: int, seed: int):
    """Untimed: the first runs in a process pay for oneDNN's kernel setup and cold caches (measured: a first
    one-member epoch of lenet_dkd took 1.95 s, the next 0.53 s), which would inflate whichever count ran first."""
    for stack in (True, False):
        Run(_config(case, 2, n_train, seed).replace(epochs=0.2), stack=stack).run()


def bench_members(cases: list[str], counts=MEMBER_COUNTS, n_train: int = 10_000, seed: int = 0, repeat: int = 1,
                  progress: bool = True) -> list[dict]:
    import torch
    from tqdm import tqdm   # local, as in bench: only commands print progress
    rows = []
    with tqdm(total=len(cases) * (2 * len(counts) - 1) * repeat, desc="members", disable=not progress,
              file=sys.stderr) as bar:
        for case in cases:
            _warm_up(case, n_train, seed)
            one = {}
            for m in counts:
                cfg = _config(case, m, n_train, seed)
                sides = {}
                # one member always trains on its own (kdemo.train.members.choose_mode): one timing serves both paths
                for stack in ((False,) if m == 1 else (True, False)):
                    runs = []
                    for _ in range(repeat):
                        runs.append(_time(cfg, stack))
                        bar.update()
                    sides["stacked" if stack else "loop"] = sorted(runs, key=lambda r: r["epoch_s"])[len(runs) // 2]
                sides.setdefault("stacked", sides["loop"])
                if m == counts[0]:
                    one = {k: v["epoch_s"] for k, v in sides.items()}
                chosen = "stacked" if sides["stacked"]["mode"] == "stacked" else "loop"
                rows.append({"case": case, "members": m, "path": chosen, "train_samples": n_train,
                             "epoch_s": sides[chosen]["epoch_s"], "over_one": sides[chosen]["epoch_s"] / one[chosen],
                             "eval_s": sides[chosen]["eval_s"], "peak_mb": sides[chosen]["peak_mb"],
                             "stacked_epoch_s": sides["stacked"]["epoch_s"], "loop_epoch_s": sides["loop"]["epoch_s"],
                             "loop_over_one": sides["loop"]["epoch_s"] / one["loop"],
                             "torch_threads": torch.get_num_threads()})
    return rows


def print_rows(rows: list[dict]):
    print(f"{'case':10} {'members':>7} {'path':>8} {'epoch s':>8} {'x one':>6} {'loop s':>7} {'loop x':>7} "
          f"{'eval s':>7} {'peak MB':>8}")
    for r in rows:
        print(f"{r['case']:10} {r['members']:7d} {r['path']:>8} {r['epoch_s']:8.2f} {r['over_one']:6.2f} "
              f"{r['loop_epoch_s']:7.2f} {r['loop_over_one']:7.2f} {r['eval_s']:7.2f} {r['peak_mb']:8.0f}")
