"""Learning rates that train stably, per method and teacher/student pair: measured, not guessed.

Each method's class declares its rates (`sgd_lr` in kdemo/methods/distillers.py): the rate at which all 5 seeds of
`python -m kdemo train --seeds 5` (the Train tab's other defaults: 2000 labels, 5 epochs, batch 64, SGD momentum
0.9) trained without a divergence, collapse or stall and with the best mean accuracy; docs/defaults.md has the
whole sweep and the command that made it. A config whose `lr` is left empty gets this rate; other pairs and
optimizers fall back to the plain defaults below.
"""
from __future__ import annotations

from .distillers import DISTILLERS

FALLBACK = {"sgd": 0.005, "adam": 0.001}


def sgd_rates(method: str) -> dict[tuple[str, str, str], float]:
    """(dataset, teacher, student) -> lr, for SGD with momentum 0.9: the method's own measurements, never those of
    the class it inherits from (a rate is measured per method)."""
    return vars(DISTILLERS[method]).get("sgd_lr", {})


def recommended_lr(dataset: str, teacher: str, student: str, method: str, optimizer: str = "sgd") -> float:
    """The measured stable rate for this method and pair, else the optimizer's plain default."""
    if optimizer == "sgd":
        table = sgd_rates(method)
        pair = (dataset, teacher, student)
        if not DISTILLERS[method].needs_teacher:   # no teacher: any pair with this student and dataset measured it
            pair = next((k for k in table if k[0] == dataset and k[2] == student), pair)
        lr = table.get(pair)
        if lr is not None:
            return lr
    return FALLBACK.get(optimizer, 0.005)
