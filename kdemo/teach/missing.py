"""The missing-class bias slider: what adding `bias` to one class's logit does to test accuracy (Hinton et al. 2015,
section 3: a student that never saw a 3 gets most test 3s right once the 3's bias is raised).

Vectorised over rows and seeds: the prediction with the bias is the class iff z_c + bias beats the best other
logit (ties go to the lower class index, as argmax does), else that best other class. The curves over many bias
values come from the sorted gaps instead, so a slider move on 10,000 MNIST test images stays in milliseconds.
"""
from __future__ import annotations

import math

import torch

from .insights import seeds_of


def bias_delta(logits: torch.Tensor, cls: int, share: float) -> float:
    """The smallest bias increase after which class `cls` is the argmax on a `share` fraction of the rows.

    Row i predicts `cls` once delta >= (max of the other logits - logit cls); the delta is that gap's quantile.
    """
    others = logits.clone()
    others[:, cls] = -math.inf
    gap = others.max(dim=1).values - logits[:, cls]           # (N,)
    return float(torch.quantile(gap, min(max(share, 0.0), 1.0)))


def _parts(logits: torch.Tensor, cls: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(z_c, the best other logit, its class), each (S, N)."""
    z = seeds_of(logits)
    k = z.shape[-1]
    if not 0 <= cls < k:
        raise ValueError(f"the class must be 0 to {k - 1}, got {cls}")
    others = z.clone()
    others[..., cls] = -torch.inf
    best, arg = others.max(dim=-1)
    return z[..., cls], best, arg


def _hits(logits: torch.Tensor, labels: torch.Tensor, cls: int, biases: torch.Tensor) -> torch.Tensor:
    """(G, S, N) correct or not, for each of the G bias values."""
    zc, best, arg = _parts(logits, cls)
    shifted = zc[None] + biases.to(zc.dtype)[:, None, None]            # the same float op as logits[:, c] + bias
    wins = (shifted > best) | ((shifted == best) & (arg > cls))       # argmax keeps the first of equal maxima
    return torch.where(wins, labels == cls, arg == labels)


def bias_accuracy(logits: torch.Tensor, labels: torch.Tensor, cls: int, bias: float) -> dict:
    """Test accuracy on class `cls` and overall after adding `bias` to its logit (mean over seeds, and per seed)."""
    hits = _hits(logits, labels, cls, torch.tensor([float(bias)]))[0].double()       # (S, N)
    mine = labels == cls
    on_cls = hits[:, mine].mean(dim=1) if mine.any() else torch.full((hits.shape[0],), float("nan"))
    overall = hits.mean(dim=1)
    return {"bias": float(bias), "class_acc": float(on_cls.mean()), "overall_acc": float(overall.mean()),
            "class_acc_seeds": on_cls.tolist(), "overall_acc_seeds": overall.tolist(),
            "class_images": int(mine.sum())}


def bias_curves(logits: torch.Tensor, labels: torch.Tensor, cls: int, biases: torch.Tensor) -> dict:
    """Accuracy on `cls` and overall (mean over seeds) at every bias value: the curves behind the slider.

    Counted from sorted gaps (best other logit - z_c) rather than row by row: a row predicts `cls` once the bias
    passes its gap (or reaches it, where the tie goes to `cls`), so each curve point is two binary searches."""
    zc, best, arg = _parts(logits, cls)
    gap, tie_wins = (best - zc).reshape(-1), (arg > cls).reshape(-1)
    mine = (labels == cls).expand_as(zc).reshape(-1)
    good_other = (~mine) & (arg == labels).reshape(-1)           # right as long as the bias stays below the gap
    b = biases.to(gap.dtype)

    def wins(rows: torch.Tensor) -> torch.Tensor:
        """How many of `rows` predict `cls` at each bias."""
        out = torch.zeros(len(b), dtype=torch.float64)
        for ties, side in ((True, True), (False, False)):
            g = gap[rows & (tie_wins == ties)].sort().values
            out += torch.searchsorted(g, b, right=side).double()
        return out
    n_mine, n = int(mine.sum()), len(gap)
    on_cls = wins(mine) / n_mine if n_mine else torch.full((len(b),), float("nan"))
    overall = (wins(mine) + int(good_other.sum()) - wins(good_other)) / n
    return {"bias": biases.tolist(), "class_acc": on_cls.tolist(), "overall_acc": overall.tolist()}


def teacher_share(teacher: torch.Tensor | None, cls: int, num_classes: int) -> float:
    """How often the teacher predicts `cls` on these images (its labels are never read); 1/K without a teacher."""
    if teacher is None:
        return 1.0 / num_classes
    return float((seeds_of(teacher).argmax(dim=-1) == cls).double().mean())


def rule_bias(student: torch.Tensor, teacher: torch.Tensor | None, cls: int) -> float:
    """The missing-digit experiment's rule (kdemo.experiments.hinton): the smallest bias after which the student
    predicts `cls` as often as the teacher does. The experiment applies it on training images; a finished run keeps
    only test-set logits, so here it uses the test images, without their labels (one bias for all seeds)."""
    z = seeds_of(student)
    return bias_delta(z.reshape(-1, z.shape[-1]), cls, teacher_share(teacher, cls, z.shape[-1]))


def bias_range(rules: list[float]) -> tuple[float, float]:
    """A slider range that shows the rule's bias with room on both sides: [min(0, ...), ~1.6 x the largest]."""
    top = max([r for r in rules if r == r] + [1.0])
    return min(0.0, *rules) if rules else 0.0, float(max(5.0, round(1.6 * top + 0.5)))
