"""Learning rates that train stably, per method and teacher/student pair: measured, not guessed.

Each entry is the rate at which all 5 seeds of `python -m kdemo train --seeds 5` (the Train tab's other defaults:
2000 labels, 5 epochs, batch 64, SGD momentum 0.9) trained without a divergence, collapse or stall and with the
best mean accuracy; docs/defaults.md has the whole sweep and the command that made it. A config whose `lr` is
left empty gets this rate; other pairs and optimizers fall back to the table's plain defaults.
"""
from __future__ import annotations

FALLBACK = {"sgd": 0.005, "adam": 0.001}

# (dataset, teacher, student) -> method -> lr, for SGD with momentum 0.9 (docs/defaults.md)
SGD_LR: dict[tuple[str, str, str], dict[str, float]] = {
    ("mnist", "lenet5", "lenet5_half"): {"ce": 0.01, "kd": 0.005, "dkd": 0.002, "dist": 0.005, "kd_prob_bug": 0.01,
                                         "fitnets": 0.02, "cosine": 0.02, "rkd": 0.02},
    ("mnist", "mlp_1200", "mlp_20"): {"ce": 0.02, "kd": 0.005, "dkd": 0.005, "dist": 0.002, "kd_prob_bug": 0.01,
                                      "cosine": 0.02, "rkd": 0.01},
    # DKD: no rate of the sweep was free of warnings and within 3 points over seeds; 0.005 had no warnings
    ("fashion_mnist", "lenet5", "lenet5_half"): {"ce": 0.02, "kd": 0.01, "dkd": 0.005, "dist": 0.005,
                                                 "kd_prob_bug": 0.005, "fitnets": 0.02, "cosine": 0.02, "rkd": 0.005},
}


def recommended_lr(dataset: str, teacher: str, student: str, method: str, optimizer: str = "sgd") -> float:
    """The measured stable rate for this method and pair, else the optimizer's plain default."""
    if optimizer == "sgd":
        pair = (dataset, teacher if method != "ce" else "lenet5", student)
        if method == "ce":   # no teacher: any pair with this student and dataset measured the same CE student
            pair = next((k for k in SGD_LR if k[0] == dataset and k[2] == student), pair)
        lr = SGD_LR.get(pair, {}).get(method)
        if lr is not None:
            return lr
    return FALLBACK.get(optimizer, 0.005)
