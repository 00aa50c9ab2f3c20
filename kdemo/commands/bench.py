"""`python -m kdemo bench`: the engine against a loop written the way the original notebooks wrote it.

Both sides train the same student from the same pretrained teacher with the same loss for one epoch and then
measure test accuracy, one after the other in this one process. The reference uses torchvision's MNIST Dataset
with per-sample ToTensor/Normalize, a shuffling DataLoader, and a teacher forward on every batch. The speed-up is
the ratio of epoch times: from "start with the files on disk" to "last optimizer step", evaluation excluded on
both sides (each side's test pass is timed and printed on its own). Peak memory is the resident set above the
process's level when the side started, sampled every 5 ms.

A third measurement, the floor, runs only the student's forward, loss, backward and optimizer step over tensors
already in memory. Both loops must do that work, so reference / floor bounds the speed-up any loop could show
on this machine, and engine / floor is what the engine's own bookkeeping costs.
"""
from __future__ import annotations

import gzip
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from ..methods import losses
from .bench_members import bench_members, print_rows
from .benchkit import CASES, PeakRSS
from ..settings.config import TrainConfig
from ..data.datasets import MNIST_ASSETS, _load_cached, load_dataset, select_indices
from ..train.engine import Run
from ..zoo.models import build_for
from ..train.teachers import load_shared
from ..train.batches import TeacherOutputs, make_optimizer, training_split

def _engine_side(case: dict, n_train: int | None, seed: int) -> dict:
    # one student, as the reference trains (the Train tab's default of 3 seeds would be 3 students)
    cfg = TrainConfig(dataset="mnist", **case, epochs=1.0, twin=False, seeds=1, seed=seed, n_labeled=n_train,
                      eval_points=2, log_points=10, device="cpu")
    _load_cached.cache_clear()   # start cold, as a fresh process would: reading the files is part of the epoch
    with PeakRSS() as mem:
        summary = Run(cfg).run()
    if summary["status"] != "done":
        raise RuntimeError(summary["error"])
    return {"epoch_seconds": summary["elapsed_s"] - summary["eval_s"], "eval_seconds": summary["eval_s"],
            "test_acc": summary["kd_acc"], "peak_mb": mem.mb, "members": summary["members"],
            "loop_seconds": summary["loop_s"]}   # the training loop alone: no file reading, no setup


def _case_loss(case: dict, s_logits, t_logits, y):
    """Cross-entropy plus the case's distillation loss: what both hand-written loops (floor, reference) use."""
    T = case["temperature"]
    if case["method"] == "dkd":
        kd = losses.dkd_loss(s_logits, t_logits, y, case["alpha"], case["beta"], T)
    else:
        kd = losses.kd_loss(s_logits, t_logits, T)
    return F.cross_entropy(s_logits, y) + kd


def _floor_side(case: dict, n_train: int | None, seed: int) -> dict:
    """The least any loop can do: the same student, loss and optimizer stepping over in-memory tensors.

    Data, teacher logits and batch order are prepared untimed; the timed part is only index -> forward ->
    loss -> backward -> optimizer step, the work both the engine and the reference must do for each batch.
    reference time / this time is therefore the highest speed-up any training loop can reach on this machine
    with these PyTorch kernels.
    """
    cfg = TrainConfig(dataset="mnist", **case, epochs=1.0, twin=False, seeds=1, seed=seed, n_labeled=n_train,
                      device="cpu")
    train = training_split(cfg, load_dataset("mnist", "train"))   # the engine's data, the engine's cache
    teacher, _ = load_shared(case["teacher"], "mnist")
    touts = TeacherOutputs(teacher, train, "cpu", needs_features=False, mode="eager")
    student = build_for(case["student"], "mnist", torch.Generator().manual_seed(seed))
    opt = make_optimizer(cfg, student.parameters())
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))
    bs = case["batch_size"]
    t0 = time.perf_counter()
    for start in range(0, len(order), bs):
        b = order[start:start + bs]
        x, y = train.batch(b)
        out = student(x)
        opt.zero_grad(set_to_none=True)
        _case_loss(case, out, touts(b, x)[0], y).backward()
        opt.step()
    return {"epoch_seconds": time.perf_counter() - t0}


def _torchvision_root(tmp: Path) -> Path:
    """torchvision's MNIST layout (un-gzipped raw files) made from the bundled assets."""
    raw = tmp / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in MNIST_ASSETS.glob("*.gz"):
        with gzip.open(gz) as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return tmp


def _reference_side(case: dict, n_train: int | None, seed: int) -> dict:
    """The notebooks' way: PIL per sample, DataLoader, teacher forward on every batch."""
    import torchvision     # local: a heavy import only the reference side needs
    from torch.utils.data import DataLoader, Subset
    from torchvision import transforms
    with tempfile.TemporaryDirectory() as tmp, PeakRSS() as mem:
        root = _torchvision_root(Path(tmp))   # decompressing the files is not timed: the engine reads .gz
        t0 = time.perf_counter()
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        train = torchvision.datasets.MNIST(root, train=True, download=False, transform=tf)
        test = torchvision.datasets.MNIST(root, train=False, download=False, transform=tf)
        if n_train is not None:
            train = Subset(train, select_indices(train.targets, n_labeled=n_train, seed=seed).tolist())
        teacher, _ = load_shared(case["teacher"], "mnist")
        torch.manual_seed(seed)     # the notebooks' way (the only process-wide seed in kdemo, in this reference)
        student = build_for(case["student"], "mnist")
        if case["optimizer"] == "adam":
            opt = torch.optim.Adam(student.parameters(), lr=case["lr"])
        else:
            opt = torch.optim.SGD(student.parameters(), lr=case["lr"], momentum=case["momentum"])
        student.train()
        for x, y in DataLoader(train, batch_size=case["batch_size"], shuffle=True):
            with torch.no_grad():
                t_logits = teacher(x)
            s_logits = student(x)
            loss = _case_loss(case, s_logits, t_logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        t1 = time.perf_counter()
        student.eval()
        correct = 0
        with torch.no_grad():
            for x, y in DataLoader(test, batch_size=1000):
                correct += (student(x).argmax(1) == y).sum().item()
        t2 = time.perf_counter()
    return {"epoch_seconds": t1 - t0, "eval_seconds": t2 - t1, "test_acc": correct / len(test), "peak_mb": mem.mb}


def _round(case: str, n_train: int | None, seed: int, tick) -> dict:
    # The floor runs first and last and the faster run counts: the machine's speed drifts over a minute
    # (shared cores), and the faster floor makes the printed ceiling the more generous one.
    sides = {}
    for side, fn in (("floor", _floor_side), ("engine", _engine_side), ("reference", _reference_side),
                     ("floor again", _floor_side)):
        sides[side] = fn(CASES[case], n_train, seed)
        tick()
    eng, ref = sides["engine"], sides["reference"]
    floor = min(sides["floor"], sides["floor again"], key=lambda s: s["epoch_seconds"])
    return {"reference": ref, "engine": eng, "floor": floor,
            "speedup": ref["epoch_seconds"] / eng["epoch_seconds"],
            "ceiling": ref["epoch_seconds"] / floor["epoch_seconds"],
            "engine_over_floor": eng["epoch_seconds"] / floor["epoch_seconds"],
            # like with like: the floor's data is in memory before its clock starts; so is the loop's
            "loop_over_floor": eng["loop_seconds"] / floor["epoch_seconds"],
            "memory_ratio": eng["peak_mb"] / max(ref["peak_mb"], 1e-9)}


def bench(cases: list[str], n_train: int | None = None, seed: int = 0, progress: bool = True,
          repeat: int = 1) -> list[dict]:
    """Each case, `repeat` rounds of floor, engine, reference, floor in this process; per case the round with
    the median speed-up is reported in full, and every round's ratios under "rounds"."""
    import torch
    from tqdm import tqdm
    # The reference's first torch.optim optimizer imports torch._dynamo (seconds; kdemo's own steps never do,
    # kdemo/train/batches.py): pay it before timing either side.
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    import torchvision  # noqa: F401  (likewise an import, not part of the reference's epoch)
    results = []
    with tqdm(total=4 * repeat * len(cases), desc="bench", disable=not progress, file=sys.stderr) as bar:
        for case in cases:
            rounds = [_round(case, n_train, seed, bar.update) for _ in range(repeat)]
            median = sorted(rounds, key=lambda r: r["speedup"])[len(rounds) // 2]
            results.append({"case": case, "config": CASES[case], "train_samples": n_train or 60000,
                            "torch_threads": torch.get_num_threads(), **median,
                            "rounds": [{k: r[k] for k in ("speedup", "ceiling", "engine_over_floor",
                                                          "loop_over_floor")}
                                       for r in rounds]})
    return results


def cmd(args) -> int:
    unknown = sorted(set(args.cases) - set(CASES) - set(EXTRA))
    if unknown:
        raise ValueError(f"unknown bench cases {unknown}; choose from {sorted(CASES) + list(EXTRA)}")
    if "memory" in args.cases:
        from . import bench_memory     # local: only this subcommand starts a server
        return bench_memory.cmd(args)
    if "class" in args.cases:
        from . import bench_class      # local: it starts a server and its API clients
        return bench_class.cmd(args)
    if "views" in args.cases:
        from . import bench_views      # local: only this subcommand needs the views (and plotly
        rows = bench_views.bench_views()
        print(json.dumps(rows, indent=2)) if args.json else bench_views.print_rows(rows, torch.get_num_threads())
        return 0
    if args.train_samples is not None and args.train_samples < 10:
        raise ValueError("--train-samples must be at least 10")
    if not 1 <= args.repeat <= 20:
        raise ValueError("--repeat must be between 1 and 20")
    if "members" in args.cases:
        cases = [c for c in args.cases if c != "members"] or list(CASES)
        rows = bench_members(cases, n_train=args.train_samples or 10_000, seed=args.seed, repeat=args.repeat,
                             progress=not args.json)
        print(json.dumps(rows, indent=2)) if args.json else print_rows(rows)
        return 0
    results = bench(args.cases, args.train_samples, args.seed, progress=not args.json, repeat=args.repeat)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'case':10} {'side':9} {'epoch s':>8} {'eval s':>7} {'test acc':>9} {'peak MB':>8}")
    for r in results:
        for side in ("reference", "engine"):
            s = r[side]
            print(f"{r['case']:10} {side:9} {s['epoch_seconds']:8.2f} {s['eval_seconds']:7.2f} "
                  f"{100 * s['test_acc']:8.2f}% {s['peak_mb']:8.0f}")
        print(f"{r['case']:10} {'floor':9} {r['floor']['epoch_seconds']:8.2f} {'-':>7} {'-':>9} {'-':>8}")
        print(f"{r['case']:10} speed-up {r['speedup']:.2f}x (reference epoch time / engine epoch time); "
              f"peak memory ratio {r['memory_ratio']:.2f} (engine / reference); {r['train_samples']} training "
              f"samples, {r['torch_threads']} torch threads")
        print(f"{'':10} floor: the student's own steps alone take {r['floor']['epoch_seconds']:.2f} s, so no loop "
              f"can beat {r['ceiling']:.2f}x here; the engine takes {r['engine_over_floor']:.2f}x the floor "
              f"({r['loop_over_floor']:.2f}x for its training loop alone, without reading the files)")
        if len(r["rounds"]) > 1:
            print(f"{'':10} {len(r['rounds'])} rounds (the median one above): speed-ups "
                  + ", ".join(f"{x['speedup']:.2f}x" for x in r["rounds"]) + "; ceilings "
                  + ", ".join(f"{x['ceiling']:.2f}x" for x in r["rounds"]))
    return 0


EXTRA = ("members", "views", "memory", "class")


def add_parser(sub, common):
    p = sub.add_parser("bench", parents=[common], help="engine vs a notebook-style loop: one epoch each, side by "
                       "side; 'bench members': what several seeds cost; 'bench views': the Teaching views' time; "
                       "'bench memory': what a server keeps after its visitors leave; 'bench class': a class at once")
    p.add_argument("cases", nargs="*", default=list(CASES),
                   help=f"default: all of {', '.join(CASES)}; 'members' [cases]: 1, 2, 6, 16 members per case; "
                        "'views': the Teaching views' server time; 'memory': a server's RSS after warm-up, rounds "
                        "of visitors and varied runs; 'class': N students training at once (--students)")
    p.add_argument("--train-samples", type=int, default=None, help="class-balanced subset (default: all 60000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=1, help="rounds per case; the median is reported (default 1)")
    p.add_argument("--json", action="store_true")
    m = p.add_argument_group("bench memory")
    m.add_argument("--rounds", type=int, default=4, help="rounds of visitors, each followed by expiry (default 4)")
    m.add_argument("--visitors", type=int, default=50, help="API visitors per round (default 50)")
    m.add_argument("--runs", type=int, default=30, help="runs of varied configs after the rounds (default 30)")
    p.add_argument("--students", type=int, default=30, help="'bench class': students joining one class (default 30)")
    p.add_argument("--lesson", default="", help="'bench class': the lesson's link query (default: the defaults)")
