"""Learning rates that train stably, per method and teacher/student pair, and the twin's own best rate per label
count and length: measured, not guessed.

Each method's class declares its rates (`sgd_lr` in kdemo/methods/distillers.py): the rate at which all 5 seeds of
`python -m kdemo train --seeds 5` (the Train tab's other defaults: 2000 labels, 5 epochs, batch 64, SGD momentum
0.9) trained without a divergence, collapse or stall and with the best mean accuracy; docs/defaults.md has the
whole sweep and the command that made it. A config whose `lr` is left empty gets this rate; other pairs and
optimizers fall back to the plain defaults below.

The twin (labels only) is a different learner: with few labels or few steps it wants a larger rate than the
distilled student, and a twin held back by the student's rate makes KD look better than it is. `TWIN_SGD_LR` holds,
per dataset and student, the rate the same rule picked from the same grid (`python -m kdemo sweep --param lr
--method ce ...`, docs/defaults.md) for each label count and length that a default, preset or lesson uses.
"""
from __future__ import annotations

import math

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


GRID = (0.002, 0.005, 0.01, 0.02, 0.05)    # the rates every table entry was chosen from

# (dataset, student) -> (n_labeled or None for all, epochs, transfer_set) -> lr, labels only (method ce), SGD
# momentum 0.9, batch 64, 5 seeds per cell (docs/defaults.md, "The twin's own rate").
TWIN_SGD_LR: dict[tuple[str, str], dict[tuple[int | None, float, str], float]] = {
    ("mnist", "lenet5_half"): {(500, 20.0, "labeled"): 0.05, (200, 50.0, "labeled"): 0.02,
                               (1000, 10.0, "labeled"): 0.02, (2000, 5.0, "labeled"): 0.01,
                               # the classroom experiments' setups: temperature sweep and DKD grid (640 steps),
                               # few labels (940 steps)
                               (1000, 40.0, "labeled"): 0.02, (600, 94.0, "labeled"): 0.02},
    ("mnist", "mlp_20"): {(2000, 5.0, "labeled"): 0.02},
    ("fashion_mnist", "lenet5_half"): {(2000, 5.0, "labeled"): 0.02},
}


def _distance(a: tuple, b: tuple, train_size: int) -> float:
    """How far two (n_labeled, epochs, transfer_set) keys are: label counts and lengths on a log scale."""
    na, nb = a[0] or train_size, b[0] or train_size
    return abs(math.log(na / nb)) + abs(math.log(a[1] / b[1])) + (a[2] != b[2]) * 2.0


def twin_lr(dataset: str, student: str, n_labeled: int | None, epochs: float, transfer_set: str = "labeled",
            optimizer: str = "sgd", train_size: int = 60_000) -> tuple[float, str]:
    """The twin's own best rate for this student, data and length, and where it comes from (for the verdict)."""
    if optimizer != "sgd":
        return FALLBACK.get(optimizer, 0.005), f"not measured for {optimizer}: its plain default"
    table = TWIN_SGD_LR.get((dataset, student))
    if not table:
        return recommended_lr(dataset, "lenet5", student, "ce", optimizer), "not measured for this student"
    key = (n_labeled, float(epochs), transfer_set)
    if key in table:
        return table[key], "measured for this label count and length"
    near = min(table, key=lambda k: _distance(k, key, train_size))
    labels = "all labels" if near[0] is None else f"{near[0]} labels"
    return table[near], f"nearest measured setup: {labels}, {near[1]:g} epochs"
