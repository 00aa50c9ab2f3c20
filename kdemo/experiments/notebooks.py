"""The original notebooks' settings, reproduced on the engine, and the tutorials' probabilities-into-KL bug."""
from __future__ import annotations

import math

from ..settings.config import TrainConfig
from .hinton import ALL_TRAIN, MNIST
from .job import Experiment, Plan, Step, pct
from ..lang import text
from ..figures.words import phrase

NB_SIZES = {  # epochs over the whole training set (tiny: a small labeled subset)
    "tiny": dict(n_labeled=1000, epochs=1.0, eval_samples=500),
    "quick": dict(n_labeled=None, epochs=0.5, eval_samples=1000),
    "full": dict(n_labeled=None, epochs=2.0, eval_samples=2000),
}


def _notebook_plan(preset: dict, title: str, sizes: dict | None = None):
    def plan(budget: str, seed: int) -> Plan:
        size = (sizes or NB_SIZES)[budget]
        cfg = TrainConfig(**{**preset, **size, "seed": seed})
        return Plan([Step(title, cfg, {"kd": phrase("cond.method_student", title=title), "scratch": phrase("cond.scratch_twin")})], analyse=_teacher_col)
    return plan


def _teacher_col(ctx, step, run) -> dict:
    acc = pct(run.snapshot()["teacher_acc"])
    return {m: {"teacher_acc_%": acc} for m in step.members}


# ---------------------------------------------------------------- LeNet-5 -> half LeNet, DKD

LENET_PRESET = dict(MNIST, method="dkd", temperature=4.0, alpha=1.0, beta=2.0, ce_weight=1.0, optimizer="sgd",
                    lr=0.01, momentum=0.5, batch_size=64, twin=True, epochs=2.0, eval_samples=2000, seeds=1, n_labeled=None)
LENET_EXPLANATION = text("exp.notebook_lenet_dkd.text")   # kdemo/lang/*/experiments.py
NOTEBOOK_LENET_DKD = Experiment("notebook_lenet_dkd", text("exp.notebook_lenet_dkd.title"),
                                LENET_EXPLANATION,
                                LENET_PRESET, _notebook_plan(LENET_PRESET, "DKD"))

# ---------------------------------------------------------------- MLP 1200-1200 -> MLP 20-20, KD

MLP_PRESET = dict(dataset="mnist", teacher="mlp_1200", student="mlp_20", method="kd", temperature=10.0,
                  ce_weight=1.0, kd_weight=1.0, optimizer="adam", lr=1e-4, batch_size=32, twin=True, epochs=2.0,
                  eval_samples=2000, seeds=1, n_labeled=None)
MLP_EXPLANATION = text("exp.notebook_mlp_kd.text")   # kdemo/lang/*/experiments.py
NOTEBOOK_MLP_KD = Experiment("notebook_mlp_kd", text("exp.notebook_mlp_kd.title"), MLP_EXPLANATION,
                             MLP_PRESET, _notebook_plan(MLP_PRESET, "KD"))

# ---------------------------------------------------------------- CIFAR-10 CNN (PyTorch tutorial)

CIFAR_PRESET = dict(dataset="cifar10", teacher="cnn_teacher", student="cnn_student", method="kd", temperature=2.0,
                    ce_weight=0.75, kd_weight=0.25, optimizer="adam", lr=1e-3, batch_size=128, twin=True,
                    epochs=10.0, augment=False, eval_samples=2000, seeds=1, n_labeled=None)
CIFAR_SIZES = {"tiny": dict(n_labeled=1000, epochs=1.0, eval_samples=500),
               "quick": dict(n_labeled=None, epochs=1.0, eval_samples=1000),
               "full": dict(n_labeled=None, epochs=10.0, eval_samples=2000)}
CIFAR_EXPLANATION = text("exp.notebook_cifar_cnn.text")   # kdemo/lang/*/experiments.py
NOTEBOOK_CIFAR_CNN = Experiment("notebook_cifar_cnn", text("exp.notebook_cifar_cnn.title"),
                                CIFAR_EXPLANATION,
                                CIFAR_PRESET, _notebook_plan(CIFAR_PRESET, "KD", CIFAR_SIZES))

# ---------------------------------------------------------------- the probabilities bug

BUG_SIZES = {  # N labels inside the whole (unlabeled) training set; optimizer steps per run
    "tiny": dict(n=100, steps=20, eval_samples=500),
    "quick": dict(n=100, steps=300, eval_samples=1000),
    "full": dict(n=100, steps=940, eval_samples=2000),
}
BUG_PRESET = dict(MNIST, method="kd_prob_bug", temperature=4.0, ce_weight=1.0, kd_weight=1.0, n_labeled=100,
                  transfer_set="all", twin=True, optimizer="sgd", lr=0.01, momentum=0.9, batch_size=64, epochs=1.0,
                  eval_samples=2000, seeds=1)
BUG_EXPLANATION = text("exp.prob_bug.text")   # kdemo/lang/*/experiments.py


def bug_plan(budget: str, seed: int) -> Plan:
    size = BUG_SIZES[budget]
    epochs = size["steps"] / math.ceil(ALL_TRAIN / BUG_PRESET["batch_size"])
    common = {**BUG_PRESET, "n_labeled": size["n"], "epochs": epochs, "eval_samples": size["eval_samples"],
              "seed": seed}
    cols = {"labels": size["n"], "steps": size["steps"]}
    return Plan([Step("correct KD", TrainConfig(**{**common, "method": "kd"}),
                      {"kd": phrase("cond.kd_correct"), "scratch": phrase("cond.scratch_labels")}, cols),
                 Step("buggy KD", TrainConfig(**{**common, "method": "kd_prob_bug", "twin": False}),
                      {"kd": phrase("cond.kd_bug")}, cols)],
                analyse=_bug_analyse)


def _bug_analyse(ctx, step, run) -> dict:
    """First and last logged soft loss of the distilled member: a flat curve is the bug's signature."""
    logged = [r["kd/loss_kd"] for r in run.snapshot()["records"] if r["kind"] == "train" and "kd/loss_kd" in r]
    cols = {"soft_loss_first": round(logged[0], 4), "soft_loss_last": round(logged[-1], 4)} if logged else {}
    return {"kd": cols, "scratch": {"soft_loss_first": None, "soft_loss_last": None}}


PROB_BUG = Experiment("prob_bug", text("exp.prob_bug.title"), BUG_EXPLANATION,
                      BUG_PRESET, bug_plan)
