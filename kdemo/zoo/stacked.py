"""Several same-shaped zoo models trained as one: grouped convolutions and batched matrix products.

A run's members (one KD student per seed and its twins) have one architecture and differ only in weights, so one
op can compute all of them: a convolution with `groups=M` over their channels side by side, a `baddbmm` over
their stacked linear layers. This is what torch.func's `vmap` would do, written out: measured on a 2-core CPU
(kdemo bench members), vmap over half-LeNets gave no gain (its convolution batching and kl_div fall back to
loops), while grouped convolutions here train 2 members in about 2x the time of one and MLP members far below
that. Plain layers only (Conv2d, Linear, ReLU, pooling, Flatten); a net with batch norm, dropout or residual
blocks is trained member by member instead (`unsupported` says why).

Layout: member m belongs to input group m // (M / G). In training, G = seeds and each seed's KD student and twin
share their batch; in evaluation G = 1 and every member sees the same images. Conv activations are
(B, M*C, H, W), member-major in channels; linear activations (M, B, D).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .nets import Dropout, SplitNet

PLAIN = (nn.Conv2d, nn.Linear, nn.ReLU, nn.MaxPool2d, nn.AvgPool2d, nn.Flatten, nn.Identity)


def _layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The forward order of a SplitNet as (qualified name, leaf module), nested Sequentials flattened."""
    out: list[tuple[str, nn.Module]] = []

    def walk(prefix: str, m: nn.Module):
        if isinstance(m, nn.Sequential):
            for name, child in m.named_children():
                walk(f"{prefix}.{name}", child)
        else:
            out.append((prefix, m))
    for part in ("stem", "trunk", "drop", "fc"):
        walk(part, getattr(model, part))
    return out


def unsupported(model: nn.Module) -> str | None:
    """Why `model` cannot be stacked, or None when it can."""
    if not isinstance(model, SplitNet):
        return "it is not a zoo network"
    for _, m in _layers(model):
        if isinstance(m, Dropout) and m.p > 0:
            return "it uses dropout (each member would need its own draws)"
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            return "it uses batch norm (running statistics per member)"
        if not isinstance(m, PLAIN + (Dropout,)):
            return f"its {type(m).__name__} blocks are not plain layers"
        if isinstance(m, nn.Conv2d) and (m.groups != 1 or m.padding_mode != "zeros"):
            return "it has grouped or padded-mode convolutions"
        if isinstance(m, nn.Flatten) and m.start_dim != 1:
            return "it flattens from another dimension"
    return None


def _plain_2x2(mod: nn.MaxPool2d) -> bool:
    return mod.kernel_size in (2, (2, 2)) and mod.stride in (2, (2, 2)) and mod.padding in (0, (0, 0)) \
        and mod.dilation in (1, (1, 1)) and not mod.ceil_mode


def _max2x2(x: torch.Tensor) -> torch.Tensor:
    """2x2 max-pool as the maximum of four strided views: the same values, about 6x faster than CPU max_pool2d
    for inference (which computes indices it then throws away). Training keeps max_pool2d: its backward wins."""
    h, w = x.shape[-2] // 2 * 2, x.shape[-1] // 2 * 2
    x = x[..., :h, :w]
    return torch.maximum(torch.maximum(x[..., 0::2, 0::2], x[..., 0::2, 1::2]),
                         torch.maximum(x[..., 1::2, 0::2], x[..., 1::2, 1::2]))


class StackedNet(nn.Module):
    """M models of one architecture as one module: forward(x) -> logits (M, B, K).

    x is (G, B, C, H, W) with M divisible by G (members of a group share their input), or (B, C, H, W) for all.
    """

    def __init__(self, models: list[nn.Module]):
        super().__init__()
        reason = unsupported(models[0])
        if reason:
            raise ValueError(f"cannot stack {type(models[0]).__name__}: {reason}")
        self.m = len(models)
        self.key = getattr(models[0], "key", None)
        self.ops = []              # (kind, name of its parameters or None, the plain module for its settings)
        per_model = [_layers(mod) for mod in models]
        for i, (name, mod) in enumerate(per_model[0]):
            pname = None
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                pname = f"l{i}"
                self.register_parameter(f"{pname}_w", nn.Parameter(
                    torch.stack([layers[i][1].weight.detach() for layers in per_model]).clone()))
                self.register_parameter(f"{pname}_b", nn.Parameter(
                    torch.stack([layers[i][1].bias.detach() for layers in per_model]).clone()))
            self.ops.append((type(mod).__name__, pname, name, mod))

    def member_state(self, i: int) -> dict[str, torch.Tensor]:
        """Member i's weights as the state dict of the plain model it came from (CPU copies)."""
        out = {}
        for _, pname, name, _mod in self.ops:
            if pname is not None:
                out[f"{name}.weight"] = getattr(self, f"{pname}_w")[i].detach().to("cpu", copy=True)
                out[f"{name}.bias"] = getattr(self, f"{pname}_b")[i].detach().to("cpu", copy=True)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() in (2, 4):          # one input for every member
            x = x.unsqueeze(0)
        g, b = x.shape[0], x.shape[1]
        if self.m % g:
            raise ValueError(f"{self.m} members cannot share {g} input groups")
        state, t = "grouped", x        # grouped: (G, B, ...); conv: (B, M*C, H, W); flat: (M, B, D)
        for kind, pname, _, mod in self.ops:
            if kind in ("ReLU",):
                t = F.relu(t)
            elif kind in ("Identity", "Dropout"):
                continue
            elif kind in ("MaxPool2d", "AvgPool2d"):
                pool = _max2x2 if kind == "MaxPool2d" and _plain_2x2(mod) and not torch.is_grad_enabled() else mod
                if state == "grouped":   # pooling is per channel: fold the groups into the batch
                    out = pool(t.reshape(g * b, *t.shape[2:]))
                    t = out.view(g, b, *out.shape[1:])
                else:
                    t = pool(t)
            elif kind == "Flatten":
                if state == "conv":
                    t, state = t.reshape(b, self.m, -1).transpose(0, 1), "flat"
                else:
                    t = t.reshape(g, b, -1)
            elif kind == "Conv2d":
                t, state = self._conv(t, state, g, b, pname, mod), "conv"
            elif kind == "Linear":
                t, state = self._linear(t, state, g, b, pname), "flat"
        if state != "flat":
            raise ValueError("a stacked net must end with its linear classifier")
        return t

    def _conv(self, t, state, g, b, pname, mod):
        w, bias = getattr(self, f"{pname}_w"), getattr(self, f"{pname}_b")
        w, bias, args = w.reshape(-1, *w.shape[2:]), bias.reshape(-1), (mod.stride, mod.padding, mod.dilation)
        if state == "grouped":
            # Each input group feeds its k members' filters: one dense convolution per group, concatenated
            # member-major. oneDNN's grouped convolution with one or three input channels per group was 2-3x
            # slower than this loop, forward plus backward (6 half-LeNets: 6.6-9.8 ms vs 3.3 ms per step).
            rows = w.shape[0] // g
            return torch.cat([F.conv2d(t[i], w[i * rows:(i + 1) * rows], bias[i * rows:(i + 1) * rows], *args)
                              for i in range(g)], dim=1) if g > 1 else F.conv2d(t[0], w, bias, *args)
        if state != "conv":
            raise ValueError("a convolution after flattening cannot be stacked")
        return F.conv2d(t, w, bias, *args, self.m)     # members side by side in channels: groups = members

    def _linear(self, t, state, g, b, pname):
        w, bias = getattr(self, f"{pname}_w"), getattr(self, f"{pname}_b")     # (M, H, D), (M, H)
        if state == "flat":
            return torch.baddbmm(bias.unsqueeze(1), t, w.transpose(1, 2))
        if state == "conv":
            raise ValueError("a linear layer on a conv map needs a Flatten first")
        k, h = self.m // g, w.shape[1]                                          # t: (G, B, D)
        out = torch.bmm(t, w.reshape(g, k * h, -1).transpose(1, 2))             # (G, B, k*H)
        return out.view(g, b, k, h).transpose(1, 2).reshape(self.m, b, h) + bias.unsqueeze(1)
