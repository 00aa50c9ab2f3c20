"""SGD with momentum and Adam: torch.optim's own update functions, stepped over kdemo's param groups.

Why not the torch.optim.SGD and Adam classes: their methods are wrapped for torch.compile, and the first call of
one imports torch._dynamo. That import is 2-3 s of CPU in every process's first run (a `python -m kdemo`
command, a server's start, the first visitor's run) for a compiler kdemo never uses. The step below calls the
same functions those classes call (`torch.optim.sgd.sgd`, `torch.optim.adam.adam`), with their defaults and the
same state per parameter, so the weights are the same, bit for bit (tests/test_members.py).
"""
from __future__ import annotations

import torch
from torch.optim.adam import adam
from torch.optim.sgd import sgd

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
