"""`python -m kdemo bench`: the engine against a loop written the way the original notebooks wrote it.

Both sides train the same student from the same pretrained teacher with the same loss for one epoch and then
measure test accuracy. The reference uses torchvision's MNIST Dataset with per-sample ToTensor/Normalize, a
shuffling DataLoader, and a teacher forward on every batch. Each side runs in its own fresh process, one after
the other, so the peak memory of each is its own; the ratio of wall times is the speed-up.
"""
from __future__ import annotations

import gzip
import json
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    # The two notebooks' settings (issue 3): LeNet-5 -> half LeNet with DKD, and MLP 1200-1200 -> MLP 20-20 with KD.
    "lenet_dkd": dict(teacher="lenet5", student="lenet5_half", method="dkd", batch_size=64, optimizer="sgd",
                      lr=0.01, momentum=0.5, temperature=4.0, alpha=1.0, beta=2.0),
    "mlp_kd": dict(teacher="mlp_1200", student="mlp_20", method="kd", batch_size=32, optimizer="adam", lr=1e-4,
                   temperature=10.0),
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _engine_side(case: dict, n_train: int | None, seed: int) -> dict:
    from .config import TrainConfig
    from .engine import Run
    t0 = time.perf_counter()
    cfg = TrainConfig(dataset="mnist", **case, epochs=1.0, twin=False, seed=seed, n_labeled=n_train,
                      evals_per_epoch=1, logs_per_epoch=1, device="cpu")
    summary = Run(cfg).run()
    if summary["status"] != "done":
        raise RuntimeError(summary["error"])
    return {"seconds": time.perf_counter() - t0, "test_acc": summary["kd_acc"], "peak_rss_mb": _peak_mb()}


def _torchvision_root(tmp: Path) -> Path:
    """torchvision's MNIST layout (un-gzipped raw files) made from the bundled assets."""
    from .data import MNIST_ASSETS
    raw = tmp / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in MNIST_ASSETS.glob("*.gz"):
        with gzip.open(gz) as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return tmp


def _reference_side(case: dict, n_train: int | None, seed: int) -> dict:
    """The notebooks' way: PIL per sample, DataLoader, teacher forward on every batch."""
    import torch
    import torch.nn.functional as F
    import torchvision
    from torch.utils.data import DataLoader, Subset
    from torchvision import transforms

    from . import losses
    from .checkpoints import load_pretrained
    from .data import select_indices
    from .models import create_model
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = _torchvision_root(Path(tmp))
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        train = torchvision.datasets.MNIST(root, train=True, download=False, transform=tf)
        test = torchvision.datasets.MNIST(root, train=False, download=False, transform=tf)
        if n_train is not None:
            train = Subset(train, select_indices(train.targets, n_labeled=n_train, seed=seed).tolist())
        torch.manual_seed(seed)
        teacher, _ = load_pretrained(case["teacher"], "mnist")
        torch.manual_seed(seed)
        student = create_model(case["student"], num_classes=10, in_channels=1, image_size=28)
        if case["optimizer"] == "adam":
            opt = torch.optim.Adam(student.parameters(), lr=case["lr"])
        else:
            opt = torch.optim.SGD(student.parameters(), lr=case["lr"], momentum=case["momentum"])
        T = case["temperature"]
        student.train()
        for x, y in DataLoader(train, batch_size=case["batch_size"], shuffle=True):
            with torch.no_grad():
                t_logits = teacher(x)
            s_logits = student(x)
            if case["method"] == "dkd":
                kd = losses.dkd_loss(s_logits, t_logits, y, case["alpha"], case["beta"], T)
            else:
                kd = losses.kd_loss(s_logits, t_logits, T)
            loss = F.cross_entropy(s_logits, y) + kd
            opt.zero_grad()
            loss.backward()
            opt.step()
        student.eval()
        correct = 0
        with torch.no_grad():
            for x, y in DataLoader(test, batch_size=1000):
                correct += (student(x).argmax(1) == y).sum().item()
    return {"seconds": time.perf_counter() - t0, "test_acc": correct / len(test), "peak_rss_mb": _peak_mb()}


def _in_fresh_process(fn, *args) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


def bench(cases: list[str], n_train: int | None = None, seed: int = 0, progress: bool = True) -> list[dict]:
    from tqdm import tqdm
    rows = []
    steps = [(c, side) for c in cases for side in ("reference", "engine")]
    for case, side in tqdm(steps, desc="bench", disable=not progress, file=sys.stderr):
        fn = _reference_side if side == "reference" else _engine_side
        rows.append({"case": case, "side": side, **_in_fresh_process(fn, CASES[case], n_train, seed)})
    results = []
    for case in cases:
        ref, eng = (next(r for r in rows if r["case"] == case and r["side"] == s) for s in ("reference", "engine"))
        results.append({"case": case, "config": CASES[case], "train_samples": n_train or 60000,
                        "reference": ref, "engine": eng, "speedup": ref["seconds"] / eng["seconds"],
                        "memory_ratio": eng["peak_rss_mb"] / ref["peak_rss_mb"]})
    return results


def cmd(args) -> int:
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        raise ValueError(f"unknown bench cases {unknown}; choose from {sorted(CASES)}")
    if args.train_samples is not None and args.train_samples < 10:
        raise ValueError("--train-samples must be at least 10")
    results = bench(args.cases, args.train_samples, args.seed, progress=not args.json)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'case':10} {'side':9} {'seconds':>8} {'test acc':>9} {'peak RSS MB':>12}")
    for r in results:
        for side in ("reference", "engine"):
            s = r[side]
            print(f"{r['case']:10} {side:9} {s['seconds']:8.2f} {100 * s['test_acc']:8.2f}% {s['peak_rss_mb']:12.0f}")
        print(f"{r['case']:10} speed-up {r['speedup']:.2f}x (reference time / engine time), "
              f"memory ratio {r['memory_ratio']:.2f} (engine / reference), {r['train_samples']} training samples")
    return 0


def add_parser(sub):
    p = sub.add_parser("bench", help="engine vs a notebook-style loop: one epoch each, side by side")
    p.add_argument("cases", nargs="*", default=list(CASES), help=f"default: all of {', '.join(CASES)}")
    p.add_argument("--train-samples", type=int, default=None, help="class-balanced subset (default: all 60000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
