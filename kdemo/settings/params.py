"""The parameter table: every setting of a run, declared once.

TrainConfig's fields, defaults and checks (config.py), the CLI flags and the lesson-link query string (text.py),
the Train tab's controls and their per-method visibility (app/tabs/controls.py), the results table's
hyperparameter column (train/results.py) and docs/parameters.md (`python -m kdemo params --markdown`) are all
generated from `PARAMS`, after TensorFlow Playground's one list of property definitions (src/state.ts).

The settings of the run are declared here; the method's hyperparameters are declared by the methods that read them
(`params` on each class in kdemo/methods/distillers.py) and collected from the registry, each with the methods
that read it. Adding a hyperparameter = one declaration on its method's class plus its use in the loss.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import lang
from ..data.datasets import DATASETS
from ..methods.declare import FALSE, TRUE, Param   # noqa: F401  (TRUE, FALSE: what lesson links accept as flags)
from ..methods.distillers import DISTILLERS
from ..zoo.models import MODELS

GROUPS = ("models", "method", "run", "optimisation", "data", "advanced")
SEED_MAX = 2**31 - 1
WITH_TEACHER = tuple(k for k, cls in DISTILLERS.items() if cls.needs_teacher)


def _p(name, kind, default, label, short, help, group, control, **kw) -> Param:
    if kw.get("methods") == "teacher":
        kw["methods"] = WITH_TEACHER
    return Param(name, kind, default, label, short, help, group, control, **kw)


def declared_by_methods() -> tuple[Param, ...]:
    """Every hyperparameter the registered methods declare, in order of first appearance, each with the keys of
    the methods that read it; one name, one declaration (two different ones would be two settings in one box)."""
    found: dict[str, Param] = {}
    for key, cls in DISTILLERS.items():
        for p in cls.params:
            if p.group != "method":
                raise ValueError(f"method {key!r} declares {p.name!r} outside the method group: use declare.hyper")
            if found.setdefault(p.name, p) != p:
                raise ValueError(f"two methods declare the hyperparameter {p.name!r} differently: declare it once "
                                 "in kdemo/methods/declare.py and list it in both methods' params")
    readers = {name: tuple(k for k, cls in DISTILLERS.items() if p in cls.params) for name, p in found.items()}
    return tuple(replace(p, methods="all" if len(readers[p.name]) == len(DISTILLERS) else readers[p.name])
                 for p in found.values())


PARAMS: tuple[Param, ...] = (
    # ---- models
    _p("dataset", "choice", "mnist", "Dataset", "data", "the images to learn", "models", "dropdown",
       choices=tuple(DATASETS)),
    _p("teacher", "choice", "lenet5", "Teacher", "teacher", "the network whose predictions the student learns from",
       "models", "dropdown", choices=tuple(MODELS), methods="teacher"),
    _p("student", "choice", "lenet5_half", "Student", "student", "the small network being trained", "models",
       "dropdown", choices=tuple(MODELS)),
    _p("teacher_source", "choice", "pretrained", "Teacher weights", "source",
       "pretrained: load the shipped weights; train: train the teacher first, on every label", "models", "radio",
       choices=("pretrained", "train"), labels=("pretrained", "train first"), methods="teacher"),
    _p("teacher_epochs", "float", 2.0, "Teacher epochs", "t-epochs", "how long a train-first teacher trains",
       "models", "number", lo=0, hi=100, lo_open=True, methods="teacher", when=(("teacher_source", "train"),)),
    # ---- method and its hyperparameters
    _p("method", "choice", "kd", "Method", "method", "how the student learns from the teacher", "method", "dropdown",
       choices=tuple(DISTILLERS)),
    *declared_by_methods(),                 # each method's hyperparameters, declared on its class
    # ---- the run
    _p("epochs", "float", 20.0, "Epochs", "epochs", "passes over the student's training images (fractions allowed)",
       "run", "number", lo=0, hi=100, lo_open=True),
    _p("n_labeled", "int", 500, "Labeled images", "labels",
       "class-balanced labeled subset of the training set (empty = all)", "run", "number", lo=1, hi=60_000,
       optional=True, empty="all"),
    _p("seeds", "int", 3, "Seeds", "seeds", "train this many students and twins, each seed its own init and "
       "batch order, and show their spread", "run", "number", lo=1, hi=8),
    _p("twin", "bool", True, "Also train a from-scratch twin (same init, same batches)", "twin",
       "the twin learns from the labels alone: the baseline that says whether the teacher helped", "run",
       "checkbox"),
    # ---- optimisation
    _p("optimizer", "choice", "sgd", "Optimizer", "opt", "SGD with momentum, or Adam", "optimisation", "radio",
       choices=("sgd", "adam"), labels=("SGD", "Adam")),
    _p("lr", "float", None, "Learning rate", "lr", "step size of the optimizer (empty: the rate measured stable "
       "for this method and pair, docs/defaults.md)", "optimisation", "number", lo=0, hi=10, lo_open=True,
       optional=True, empty="recommended", blank_ok=True),
    _p("twin_lr", "float", "auto", "Twin's learning rate", "twin lr",
       "auto: the rate measured best for labels-only training of this student, data and length (a fair race); "
       "same: the student's rate; or a number", "optimisation", "rate", lo=0, hi=10, lo_open=True,
       words=("auto", "same"), methods="teacher", when=(("twin", True),)),
    _p("schedule", "choice", "constant", "Learning-rate schedule", "sched",
       "constant, or cosine: anneal to 0 over the run (Loshchilov & Hutter 2017)", "optimisation", "radio",
       choices=("constant", "cosine")),
    _p("momentum", "float", 0.9, "Momentum", "mom", "SGD momentum", "optimisation", "number", lo=0, hi=0.999),
    _p("weight_decay", "float", 0.0, "Weight decay", "wd", "L2 penalty on the weights", "optimisation", "number",
       lo=0, hi=1),
    _p("batch_size", "int", 64, "Batch size", "batch", "images per optimizer step", "optimisation", "number", lo=1,
       hi=4096),
    # ---- data
    _p("transfer_set", "choice", "labeled", "Transfer set", "transfer",
       "labeled: soft targets on the labeled images only; all: on every training image (the rest unlabeled)",
       "data", "radio", choices=("labeled", "all"), labels=("labeled images only", "all training images"),
       methods="teacher"),
    _p("omit_classes", "classes", (), "Omit classes from the student's data (Hinton's missing 3)", "omit",
       "classes the student never sees", "data", "checkboxgroup", lo=0, hi=9),
    _p("augment", "bool", True, "Augment (random crop + flip)", "aug", "where the dataset defines it (CIFAR-10)",
       "data", "checkbox", when=(("dataset", "cifar10"),)),
    _p("seed", "int", 0, "Seed", "seed", "first seed: initial weights, batch order, labeled subset", "data",
       "number", lo=0, hi=SEED_MAX),
    # ---- advanced
    _p("eval_samples", "int", 1000, "Test images per curve point", "eval n",
       "the first N test images give the curves (empty = all); the final accuracy uses the whole test set",
       "advanced", "number", lo=1, hi=10_000, optional=True, empty="all"),
    _p("eval_points", "int", 20, "Curve points", "points", "evaluations per run, whatever its length", "advanced",
       "number", lo=2, hi=200),
    _p("time_budget_s", "float", None, "Time budget, s", "budget", "stop the run after this long (empty = the "
       "server's cap)", "advanced", "number", lo=0, hi=86_400, lo_open=True, optional=True, empty="server cap",
       blank_ok=True),
    _p("log_points", "int", 50, "Loss points", "logs", "training-loss records per run", "advanced", None, lo=1,
       hi=1000),
    _p("track", "choice", "none", "Tracker", "track", "also log the run to TensorBoard or Trackio (command line "
       "only: pip install 'kdemo[tensorboard]' or 'kdemo[trackio]'; README, Logging runs)", "advanced", None,
       choices=("none", "tensorboard", "trackio"), shared=False),
    _p("device", "choice", "auto", "Device", "device", "auto: CUDA, then Apple MPS, then CPU", "advanced", None,
       choices=("auto", "cpu", "cuda", "mps") + tuple(f"cuda:{i}" for i in range(16)), shared=False),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMS}


def param(name: str) -> Param:
    try:
        return BY_NAME[name]
    except KeyError:
        raise lang.Told("told.setting", name=repr(name)) from None


def in_group(group: str) -> list[Param]:
    return [p for p in PARAMS if p.group == group]


def method_params(method: str) -> list[Param]:
    """The method's own hyperparameters, in table order: what the UI shows and the results table lists."""
    return [p for p in in_group("method") if p.name != "method" and p.used_by(method)]


def visible(p: Param, values: dict) -> bool:
    """Whether p's control is shown for these current values (its method uses it, its conditions hold)."""
    return p.used_by(values.get("method", DEFAULTS["method"])) and \
        all(values.get(k, DEFAULTS[k]) == v for k, v in p.when)
