"""Batched inference over an in-memory split: logits, and accuracy per class. One place for both, used by the
engine, the experiments, the pretrained-file tools and the teaching views."""
from __future__ import annotations

import torch
import torch.nn as nn

from ..data.datasets import ImageData

BATCH = 1000   # images per forward pass: large enough to amortise the overhead, small enough for any device


@torch.no_grad()
def predict(model: nn.Module, data: ImageData, device=None, batch_size: int = BATCH,
            indices: torch.Tensor | None = None) -> torch.Tensor:
    """Logits (N, K) of `model` on the images of `data` (or those at `indices`), on the CPU, in eval mode."""
    was = model.training
    model.eval()
    device = device if device is not None else next(model.parameters()).device
    idx = torch.arange(len(data)) if indices is None else torch.as_tensor(indices, dtype=torch.long)
    out = [model(data.batch(idx[i:i + batch_size], device=device)[0]).float().cpu()
           for i in range(0, len(idx), batch_size)]
    model.train(was)
    return torch.cat(out) if out else torch.zeros(0, data.info.num_classes)


def tally(logits: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts (..., 3, K) from logits (..., N, K): row 0 correct per true class, row 1 images per true class,
    row 2 predictions per class (one class taking nearly all predictions is a collapse)."""
    pred = logits.argmax(dim=-1)                                          # (..., N)
    lead = pred.shape[:-1]
    hit = (pred == labels).double()
    out = torch.zeros(*lead, 3, num_classes, dtype=torch.float64, device=logits.device)
    idx = labels.expand_as(pred)
    out[..., 0, :].scatter_add_(-1, idx, hit)
    out[..., 1, :].scatter_add_(-1, idx, torch.ones_like(hit))
    out[..., 2, :].scatter_add_(-1, pred, torch.ones_like(hit))
    return out


def scores(counts: torch.Tensor) -> dict:
    """{"acc", "per_class", "class_counts", "top_share"} from tally counts (3, K), summed over batches."""
    correct, total, predicted = counts.cpu()
    return {"acc": float(correct.sum() / total.sum().clamp(min=1)),
            "per_class": (correct / total.clamp(min=1)).tolist(), "class_counts": total.long().tolist(),
            "top_share": float(predicted.max() / predicted.sum().clamp(min=1))}


@torch.no_grad()
def evaluate(model: nn.Module, data: ImageData, device, batch_size: int = BATCH, ctx=None) -> dict:
    """Accuracy and per-class accuracy of `model` on `data` (each rank counts its share, then they add up)."""
    was_training = model.training
    model.eval()
    rank, world = (ctx.rank, ctx.world_size) if ctx is not None else (0, 1)
    mine = torch.arange(rank, len(data), world)
    counts = torch.zeros(3, data.info.num_classes, dtype=torch.float64, device=device)
    for start in range(0, len(mine), batch_size):
        x, y = data.batch(mine[start:start + batch_size], device=device)
        counts += tally(model(x), y, data.info.num_classes)
    if ctx is not None:
        counts = ctx.all_reduce_sum(counts)
    model.train(was_training)
    return scores(counts)
