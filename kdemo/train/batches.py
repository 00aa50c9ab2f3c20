"""Building blocks of the training loop: the student's data split, the optimizer, the teacher-output cache, and
the batch schedule of several seeds. The loop itself is in engine.py, the models it trains in members.py."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
from torch.optim.adam import adam
from torch.optim.sgd import sgd

from ..data.datasets import ImageData, select_indices

# Feature caches above this size are recomputed per batch instead (a CIFAR hint map for 50k images is GBs).
FEATURE_CACHE_BYTES = 512 * 2**20


def split_indices(cfg, train: ImageData) -> tuple[torch.Tensor, torch.Tensor]:
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


def training_split(cfg, train: ImageData) -> ImageData:
    """The student's training data: omitted classes dropped, labels outside the labeled subset set to -1."""
    return assemble_split(train, *split_indices(cfg, train))


# Why kdemo steps SGD and Adam itself: the torch.optim.SGD and Adam classes wrap their methods for torch.compile,
# and the first call of one imports torch._dynamo, 2-3 s of CPU in every process's first run (a `python -m kdemo`
# command, a server's start, the first visitor's run) for a compiler kdemo never uses. Optimizer.step calls the
# same update functions those classes call (torch.optim.sgd.sgd, torch.optim.adam.adam), with their defaults and
# the same state per parameter: the same weights, bit for bit (tests/test_members.py).
BETAS, EPS = (0.9, 0.999), 1e-8      # torch.optim.Adam's defaults


class Optimizer:
    """One optimizer over param groups ({"params": [...], "lr": ...}): the parts of torch.optim.Optimizer kdemo
    uses (`param_groups` with a rate each that a schedule may change, `zero_grad`, `step`)."""

    def __init__(self, kind: str, groups: list[dict], *, momentum: float, weight_decay: float, fused: bool | None):
        if kind not in ("sgd", "adam"):
            raise ValueError(f"unknown optimizer {kind!r}")
        self.kind, self.momentum, self.weight_decay, self.fused = kind, momentum, weight_decay, fused
        self.param_groups = [{"params": list(g["params"]), "lr": g["lr"]} for g in groups]
        self.state: dict[torch.Tensor, dict] = {}

    def zero_grad(self, set_to_none: bool = True):
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                (self._sgd if self.kind == "sgd" else self._adam)(params, [p.grad for p in params], group["lr"])

    def _sgd(self, params, grads, lr):
        buffers = [self.state.get(p, {}).get("momentum_buffer") for p in params]
        sgd(params, grads, buffers, weight_decay=self.weight_decay, momentum=self.momentum, lr=lr, dampening=0.0,
            nesterov=False, maximize=False, has_sparse_grad=False, foreach=None, fused=self.fused)
        if self.momentum != 0:                      # the first step creates the buffers in the list
            for p, b in zip(params, buffers):
                self.state.setdefault(p, {})["momentum_buffer"] = b

    def _adam(self, params, grads, lr):
        for p in params:
            if p not in self.state:
                step = torch.zeros((), dtype=torch.float32, device=p.device) if self.fused else \
                    torch.tensor(0.0, dtype=torch.float32)  # as torch.optim.Adam keeps it (on the CPU unless fused)
                self.state[p] = {"step": step, "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                                 "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format)}
        s = [self.state[p] for p in params]
        adam(params, grads, [x["exp_avg"] for x in s], [x["exp_avg_sq"] for x in s], [], [x["step"] for x in s],
             foreach=None, fused=self.fused, amsgrad=False, beta1=BETAS[0], beta2=BETAS[1], lr=lr,
             weight_decay=self.weight_decay, eps=EPS, maximize=False)


def make_optimizer(cfg, params) -> Optimizer:
    """The config's optimizer over `params`: tensors, or param groups ({"params": [...], "lr": ...}) where members
    train at different rates (the twin at its own)."""
    params = list(params)
    groups = params if params and isinstance(params[0], dict) else [{"params": params, "lr": cfg.lr}]
    tensors = [p for g in groups for p in g["params"]]
    # The fused kernels update every parameter in one call: for small models the per-parameter Python loop of
    # the default implementation costs as much as the arithmetic (SGD 81 -> 37 us, Adam 269 -> 77 us a step for
    # half LeNet on a 2-core CPU). Available on CPU and CUDA for floating-point parameters.
    fused = bool(tensors) and all(p.device.type in ("cpu", "cuda") and p.is_floating_point() for p in tensors)
    return Optimizer(cfg.optimizer, groups, momentum=cfg.momentum if cfg.optimizer == "sgd" else 0.0,
                     weight_decay=cfg.weight_decay, fused=fused or None)


def lr_scale(cfg, step: int, steps: int) -> float:
    """The schedule's multiplier of every rate at `step` of `steps`: 1 (constant), or annealed to 0 (cosine:
    Loshchilov & Hutter 2017)."""
    if cfg.schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * step / steps))
    return 1.0


def cosine_lr(cfg, step: int, steps: int) -> float:
    """The learning rate at `step` of `steps` for the config's own rate."""
    return cfg.lr * lr_scale(cfg, step, steps)


class Batches:
    """The batch indices of each seed: every seed its own seeded order per epoch, this rank's shard of it."""

    def __init__(self, n: int, batch_size: int, seeds: list[int], ctx):
        self.n, self.bs, self.seeds, self.ctx = n, batch_size, seeds, ctx
        self.per_epoch = math.ceil(ctx.shard_size(n) / batch_size)
        self._epoch, self._orders = -1, None

    def __call__(self, step: int) -> torch.Tensor:
        """Indices (S, B) of step `step` (B is the same for every seed: the same number of images)."""
        epoch, i = divmod(step, self.per_epoch)
        if epoch != self._epoch:   # a new epoch: each seed's shard, reshuffled with seed + epoch
            self._epoch = epoch
            self._orders = torch.stack([self.ctx.shard(self.n, s, epoch) for s in self.seeds])
        return self._orders[:, i * self.bs:(i + 1) * self.bs]


class TeacherOutputs:
    """Teacher logits (and features when the method needs them) per training index.

    Eager: computed for the whole set in large batches before training (one process). Lazy: filled on first
    sight of each index, so a distributed rank caches exactly the samples of its shards. Off: recomputed every
    batch (augmented inputs differ each time, so a cache would be wrong). Calls take indices (S, B) and images
    (S, B, C, H, W) of every seed at once and give (S, B, K).
    """

    def __init__(self, teacher: nn.Module | None, data: ImageData, device, needs_features: bool,
                 mode: str = "eager", precomputed: torch.Tensor | None = None):
        self.teacher, self.needs_features, self.mode = teacher, needs_features, mode
        self.logits = self.feats = self.filled = None
        if teacher is None or mode == "off":
            return
        if precomputed is not None and not needs_features:  # logits saved next to the pretrained weights
            self.logits = precomputed.to(device)
            self.mode = "eager"
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
        lead = idx.shape
        flat_idx, flat_x = idx.reshape(-1), x.reshape(-1, *x.shape[len(lead):])
        if self.mode == "off":
            with torch.no_grad():
                logits, feats = self.teacher.forward_features(flat_x) if self.needs_features \
                    else (self.teacher(flat_x), None)
        else:
            if self.mode == "lazy":    # eager caches are complete: no per-step check
                missing = ~self.filled[flat_idx]
                if missing.any():
                    self._fill(flat_idx[missing], flat_x[missing.to(flat_x.device)])
            i = flat_idx.to(self.logits.device)
            logits = self.logits.index_select(0, i)
            feats = {k: v.index_select(0, i) for k, v in self.feats.items()} if self.feats is not None else None
        unflat = (lambda t: t.view(*lead, *t.shape[1:]))
        return unflat(logits), ({k: unflat(v) for k, v in feats.items()} if feats is not None else None)
