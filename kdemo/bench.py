"""`python -m kdemo bench`: the engine against a loop written the way the original notebooks wrote it.

Both sides train the same student from the same pretrained teacher with the same loss for one epoch and then
measure test accuracy, one after the other in this one process. The reference uses torchvision's MNIST Dataset
with per-sample ToTensor/Normalize, a shuffling DataLoader, and a teacher forward on every batch. The speed-up is
the ratio of epoch times: from "start with the files on disk" to "last optimizer step", evaluation excluded on
both sides (each side's test pass is timed and printed on its own). Peak memory is the resident set above the
process's level when the side started, sampled every 5 ms.
"""
from __future__ import annotations

import ctypes
import gc
import gzip
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

CASES = {
    # The two notebooks' settings (issue 3): LeNet-5 -> half LeNet with DKD, and MLP 1200-1200 -> MLP 20-20 with KD.
    "lenet_dkd": dict(teacher="lenet5", student="lenet5_half", method="dkd", batch_size=64, optimizer="sgd",
                      lr=0.01, momentum=0.5, temperature=4.0, alpha=1.0, beta=2.0),
    "mlp_kd": dict(teacher="mlp_1200", student="mlp_20", method="kd", batch_size=32, optimizer="adam", lr=1e-4,
                   temperature=10.0),
}


class PeakRSS:
    """Resident memory above the level at entry, sampled by a thread: torch allocations are invisible to tracemalloc."""

    def __enter__(self):
        gc.collect()
        try:  # hand freed heap back to the OS, so the second side does not reuse the first side's pages
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass
        self.base = self.peak = self._rss()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self):
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self._rss())

    @property
    def mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _engine_side(case: dict, n_train: int | None, seed: int) -> dict:
    from .config import TrainConfig
    from .engine import Run
    cfg = TrainConfig(dataset="mnist", **case, epochs=1.0, twin=False, seed=seed, n_labeled=n_train,
                      evals_per_epoch=1, logs_per_epoch=1, device="cpu")
    with PeakRSS() as mem:
        summary = Run(cfg).run()
    if summary["status"] != "done":
        raise RuntimeError(summary["error"])
    return {"epoch_seconds": summary["elapsed_s"] - summary["eval_s"], "eval_seconds": summary["eval_s"],
            "test_acc": summary["kd_acc"], "peak_mb": mem.mb}


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
    with tempfile.TemporaryDirectory() as tmp, PeakRSS() as mem:
        root = _torchvision_root(Path(tmp))   # decompressing the files is not timed: the engine reads .gz
        t0 = time.perf_counter()
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        train = torchvision.datasets.MNIST(root, train=True, download=False, transform=tf)
        test = torchvision.datasets.MNIST(root, train=False, download=False, transform=tf)
        if n_train is not None:
            train = Subset(train, select_indices(train.targets, n_labeled=n_train, seed=seed).tolist())
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
        t1 = time.perf_counter()
        student.eval()
        correct = 0
        with torch.no_grad():
            for x, y in DataLoader(test, batch_size=1000):
                correct += (student(x).argmax(1) == y).sum().item()
        t2 = time.perf_counter()
    return {"epoch_seconds": t1 - t0, "eval_seconds": t2 - t1, "test_acc": correct / len(test), "peak_mb": mem.mb}


def bench(cases: list[str], n_train: int | None = None, seed: int = 0, progress: bool = True) -> list[dict]:
    """Each case: the engine, then the reference, in this process; returns both sides and their ratios."""
    import torch
    from tqdm import tqdm
    # The first optimizer imports torch._dynamo (seconds): pay it before timing either side.
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    import torchvision  # noqa: F401  (likewise an import, not part of the reference's epoch)
    results = []
    steps = [(c, side) for c in cases for side in ("engine", "reference")]
    sides: dict = {}
    for case, side in tqdm(steps, desc="bench", disable=not progress, file=sys.stderr):
        fn = _engine_side if side == "engine" else _reference_side
        sides[case, side] = fn(CASES[case], n_train, seed)
    for case in cases:
        eng, ref = sides[case, "engine"], sides[case, "reference"]
        results.append({"case": case, "config": CASES[case], "train_samples": n_train or 60000,
                        "torch_threads": __import__("torch").get_num_threads(),
                        "reference": ref, "engine": eng, "speedup": ref["epoch_seconds"] / eng["epoch_seconds"],
                        "memory_ratio": eng["peak_mb"] / max(ref["peak_mb"], 1e-9)})
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
    print(f"{'case':10} {'side':9} {'epoch s':>8} {'eval s':>7} {'test acc':>9} {'peak MB':>8}")
    for r in results:
        for side in ("reference", "engine"):
            s = r[side]
            print(f"{r['case']:10} {side:9} {s['epoch_seconds']:8.2f} {s['eval_seconds']:7.2f} "
                  f"{100 * s['test_acc']:8.2f}% {s['peak_mb']:8.0f}")
        print(f"{r['case']:10} speed-up {r['speedup']:.2f}x (reference epoch time / engine epoch time); "
              f"peak memory ratio {r['memory_ratio']:.2f} (engine / reference); {r['train_samples']} training "
              f"samples, {r['torch_threads']} torch threads")
    return 0


def add_parser(sub):
    p = sub.add_parser("bench", help="engine vs a notebook-style loop: one epoch each, side by side")
    p.add_argument("cases", nargs="*", default=list(CASES), help=f"default: all of {', '.join(CASES)}")
    p.add_argument("--train-samples", type=int, default=None, help="class-balanced subset (default: all 60000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
