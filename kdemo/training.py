"""Building blocks of the training loop: evaluation, seeded model construction, the student's data split,
optimizers, and the teacher-output cache. The loop itself is in engine.py."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import torch
import torch.nn as nn

from .config import TrainConfig
from .data import ImageData, select_indices
from .distillers import Distiller
from .models import create_model

# Model construction seeds torch's global RNG; this lock keeps two visitors' runs from interleaving there.
_INIT_LOCK = threading.Lock()
# Feature caches above this size are recomputed per batch instead (a CIFAR hint map for 50k images is GBs).
FEATURE_CACHE_BYTES = 512 * 2**20


@torch.no_grad()
def evaluate(model: nn.Module, data: ImageData, device, batch_size: int = 1000, ctx=None) -> dict:
    """Accuracy and per-class accuracy of `model` on `data` (each rank counts its share, then they add up)."""
    was_training = model.training
    model.eval()
    k = data.info.num_classes
    rank, world = (ctx.rank, ctx.world_size) if ctx is not None else (0, 1)
    mine = torch.arange(rank, len(data), world)
    counts = torch.zeros(2, k, dtype=torch.float64, device=device)   # row 0 correct, row 1 total
    for start in range(0, len(mine), batch_size):
        x, y = data.batch(mine[start:start + batch_size], device=device)
        counts[0].index_add_(0, y, (model(x).argmax(dim=1) == y).double())
        counts[1].index_add_(0, y, torch.ones_like(y, dtype=torch.float64))
    if ctx is not None:
        counts = ctx.all_reduce_sum(counts)
    model.train(was_training)
    correct, total = counts.cpu()
    return {"acc": float(correct.sum() / total.sum().clamp(min=1)),
            "per_class": (correct / total.clamp(min=1)).tolist(), "class_counts": total.long().tolist()}


def build_model(key: str, info, seed: int) -> nn.Module:
    with _INIT_LOCK:
        torch.manual_seed(seed)
        return create_model(key, num_classes=info.num_classes, in_channels=info.in_channels,
                            image_size=info.image_size)


def split_indices(cfg: TrainConfig, train: ImageData) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices into `train` the student trains on (omitted classes dropped) and their labels (-1 = unlabeled)."""
    keep = select_indices(train.labels, omit_classes=cfg.omit_classes, seed=cfg.seed)
    if cfg.n_labeled is None:
        return keep, train.labels[keep]
    labeled = select_indices(train.labels, n_labeled=cfg.n_labeled, omit_classes=cfg.omit_classes, seed=cfg.seed)
    if cfg.transfer_set == "labeled":
        return labeled, train.labels[labeled]
    labels = torch.full_like(train.labels, -1)
    labels[labeled] = train.labels[labeled]
    return keep, labels[keep]


def assemble_split(train: ImageData, idx: torch.Tensor, labels: torch.Tensor) -> ImageData:
    """`train` itself when nothing changes (no copy), else the chosen images with their (maybe -1) labels.

    Both conditions matter: a transfer set can cover every image yet hide most labels.
    """
    if len(idx) == len(train) and torch.equal(labels, train.labels):
        return train
    return ImageData(train.images[idx], labels, train.info)


def training_split(cfg: TrainConfig, train: ImageData) -> ImageData:
    """The student's training data: omitted classes dropped, labels outside the labeled subset set to -1."""
    return assemble_split(train, *split_indices(cfg, train))


@dataclass
class Member:
    """One model being trained in the loop: its distiller, optimizer and running loss sums."""
    name: str
    distiller: Distiller
    model: nn.Module            # the distiller itself, or its DistributedDataParallel wrapper
    optimizer: torch.optim.Optimizer
    keys: tuple = ()                    # names of the loss parts, in the order of `sums`
    sums: torch.Tensor | None = None    # running totals of the loss parts since the last log
    count: int = 0
    correct: int = 0
    seen: int = 0


def make_optimizer(cfg: TrainConfig, params) -> torch.optim.Optimizer:
    params = list(params)
    # The fused kernels update every parameter in one call: for small models the per-parameter Python loop of
    # the default implementation costs as much as the arithmetic (SGD 81 -> 37 us, Adam 269 -> 77 us a step for
    # half LeNet on a 2-core CPU). Available on CPU and CUDA for floating-point parameters.
    fused = bool(params) and all(p.device.type in ("cpu", "cuda") and p.is_floating_point() for p in params)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused or None)
    return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay,
                           fused=fused or None)


class TeacherOutputs:
    """Teacher logits (and features when the method needs them) per training index.

    Eager: computed for the whole set in large batches before training (one process). Lazy: filled on first
    sight of each index, so a distributed rank caches exactly the samples of its shards. Off: recomputed every
    batch (augmented inputs differ each time, so a cache would be wrong).
    """

    def __init__(self, teacher: nn.Module | None, data: ImageData, device, needs_features: bool,
                 mode: str = "eager", precomputed: torch.Tensor | None = None):
        self.teacher, self.needs_features, self.mode = teacher, needs_features, mode
        self.logits = self.feats = self.filled = None
        if teacher is None or mode == "off":
            return
        if precomputed is not None and not needs_features:  # logits saved next to the pretrained weights
            self.logits = precomputed.to(device)
            self.filled = torch.ones(len(data), dtype=torch.bool)
            return
        with torch.no_grad():
            x0, _ = data.batch(torch.arange(1), device=device)
            logits0, f0 = teacher.forward_features(x0)
        per_sample = sum(v[0].numel() * v.element_size() for v in f0.values())
        self.keep_feats = needs_features and per_sample * len(data) <= FEATURE_CACHE_BYTES
        if needs_features and not self.keep_feats:
            self.mode = "off"   # too large to cache: the teacher runs on every batch
            return
        n = len(data)
        self.logits = torch.zeros(n, logits0.shape[1], device=device)
        if self.keep_feats:
            self.feats = {k: torch.zeros(n, *v.shape[1:], device=device) for k, v in f0.items()}
        self.filled = torch.zeros(n, dtype=torch.bool)
        if mode == "eager":
            for start in range(0, n, 1000):
                idx = torch.arange(start, min(start + 1000, n))
                self._fill(idx, data.batch(idx, device=device)[0])

    @torch.no_grad()
    def _fill(self, idx: torch.Tensor, x: torch.Tensor):
        if self.keep_feats:
            out, f = self.teacher.forward_features(x)
            for k in self.feats:
                self.feats[k][idx.to(self.feats[k].device)] = f[k]
        else:
            out = self.teacher(x)
        self.logits[idx.to(self.logits.device)] = out
        self.filled[idx] = True

    def __call__(self, idx: torch.Tensor, x: torch.Tensor):
        if self.teacher is None:
            return None, None
        if self.mode == "off":
            with torch.no_grad():
                return self.teacher.forward_features(x) if self.needs_features else (self.teacher(x), None)
        if self.mode == "lazy":    # eager caches are complete: no per-step check
            missing = ~self.filled[idx]
            if missing.any():
                self._fill(idx[missing], x[missing.to(x.device)])
        i = idx.to(self.logits.device)
        logits = self.logits.index_select(0, i)
        return logits, ({k: v.index_select(0, i) for k, v in self.feats.items()} if self.feats is not None else None)
