"""The parameter table: every setting of a run, declared once.

TrainConfig's fields, defaults and checks (config.py), the CLI flags and the lesson-link query string
(settings.py), the Train tab's controls and their per-method visibility (ui_train.py) and the results table's
hyperparameter column (results.py) are all generated from `PARAMS`, after TensorFlow Playground's one list of
property definitions (src/state.ts). Adding a hyperparameter = one entry here plus its use in a loss.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..data.datasets import DATASETS
from ..methods.distillers import DISTILLERS
from ..zoo.models import MODELS

GROUPS = ("models", "method", "run", "optimisation", "data", "advanced")
SEED_MAX = 2**31 - 1
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Param:
    """One run setting: its type and valid values, how the UI shows it, and which methods read it."""
    name: str
    kind: str                      # "choice" | "int" | "float" | "bool" | "classes"
    default: Any
    label: str                     # the control's label, also used in messages
    short: str                     # column label in the results table ("T", "α")
    help: str                      # one line: what it does (control info, CLI --help)
    group: str                     # one of GROUPS: where the control sits, what `hide=` can name
    control: str | None            # dropdown | radio | slider | number | checkbox | checkboxgroup; None: no control
    choices: tuple = ()            # "choice": the valid values
    lo: float | None = None        # numbers: inclusive bounds (lo exclusive when lo_open)
    hi: float | None = None
    lo_open: bool = False
    optional: bool = False         # None allowed: an empty box, meaning `empty`
    empty: str = ""
    methods: str | tuple = "all"   # "all", "teacher" (every method with a teacher), or method keys
    when: tuple = ()               # further condition for showing it: ((param name, value), ...)
    step: float | None = None      # slider step
    labels: tuple = ()             # display names of `choices` for radios ("train first" for "train")
    blank_ok: bool = False         # the UI accepts an empty box (meaning `empty`); else empty is an error there
    shared: bool = True            # part of configs in links (device is not: it is the server's business)
    words: tuple = ()              # numbers that may also be one of these words ("auto", "same" for twin_lr)

    # ---- which methods read it ------------------------------------------------------------------------------
    def used_by(self, method: str) -> bool:
        if self.methods == "all":
            return True
        if self.methods == "teacher":
            return DISTILLERS[method].needs_teacher
        return method in self.methods

    # ---- checking ---------------------------------------------------------------------------------------------
    def _range(self) -> str:
        if self.lo_open:
            return f"above {self.lo:g} and at most {self.hi:g}"
        return f"from {self.lo:g} to {self.hi:g}"

    def _fail(self, what: str, value) -> ValueError:
        got = "nothing" if value is None else repr(value)
        return ValueError(f"{self.label} ({self.name}) {what}; got {got}")

    def check(self, value):
        """The value in its canonical type, or ValueError in plain words (never Python's)."""
        if value is None or (isinstance(value, str) and value.strip() == "" and self.kind != "choice"):
            if self.optional:
                return None
            if self.kind in ("int", "float"):
                example = " or ".join(self.words + ("a number",)) if self.words \
                    else f"a number such as {self.default:g}"
                raise ValueError(f"{self.label} ({self.name}) is empty: enter {example}")
            raise self._fail("must be set", value)
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                shown = value if isinstance(value, str) and len(value) <= 40 else type(value).__name__
                raise ValueError(f"unknown {self.name} {shown!r}; choose one of {', '.join(self.choices)}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise self._fail("must be true or false", value if not isinstance(value, str) else value[:40])
            return value
        if self.kind == "classes":
            return self._check_classes(value)
        if self.words and isinstance(value, str):
            word = value.strip().lower()
            if word in self.words:
                return word
            try:
                value = float(word)     # a number typed in a box that also takes words
            except ValueError:
                raise self._fail(f"must be {' or '.join(self.words)} or a number {self._range()}", value[:40]) \
                    from None
        return self._check_number(value)

    def _check_number(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail("must be a number", value if not isinstance(value, str) else value[:40])
        if not math.isfinite(value):
            raise self._fail(f"must be a finite number {self._range()}", value)
        if self.kind == "int":
            if value != int(value):
                raise self._fail("must be a whole number", value)
            value = int(value)
        else:
            value = float(value)
        if value > self.hi or value < self.lo or (self.lo_open and value == self.lo):
            raise self._fail(f"must be {'a whole number' if self.kind == 'int' else 'a number'} {self._range()}",
                             value)
        return value

    def _check_classes(self, value) -> tuple[int, ...]:
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise self._fail("must be a list of class numbers", value)
        items = list(value)
        if len(items) > 64:
            raise self._fail("lists too many classes", f"{len(items)} items")
        out = set()
        for c in items:
            if isinstance(c, str) and c.strip().lstrip("-").isdigit():
                c = int(c)
            if isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c) or c != int(c) \
                    or not self.lo <= c <= self.hi:
                raise self._fail(f"must list class numbers {self.lo:g} to {self.hi:g}", items)
            out.add(int(c))
        return tuple(sorted(out))

    # ---- text (CLI flags and query strings) ------------------------------------------------------------------
    def parse(self, text: str):
        """A value from text ('4', '1e-3', 'true', '3,5', '' for empty), checked."""
        if not isinstance(text, str):
            raise self._fail("must be text", text)
        t = text.strip()
        if self.optional and t.lower() in ("", "none", "all"):
            return None
        if self.kind == "bool":
            if t.lower() not in TRUE + FALSE:
                raise self._fail("must be true or false (1 or 0)", t[:40])
            return t.lower() in TRUE
        if self.kind == "classes":
            return self.check([c for c in t.replace(" ", "").split(",") if c])
        if self.words and t.lower() in self.words:
            return t.lower()
        if self.kind in ("int", "float"):
            try:
                number = float(t)
            except ValueError:
                raise self._fail("must be a number", t[:40]) from None
            return self.check(number)
        return self.check(t)

    def format(self, value) -> str:
        """The text `parse` reads back to the same value."""
        if value is None:
            return ""
        if isinstance(value, str) and value in self.words:
            return value
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "classes":
            return ",".join(str(c) for c in value)
        if self.kind == "float":
            return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
        return str(value)


def _p(name, kind, default, label, short, help, group, control, **kw) -> Param:
    return Param(name, kind, default, label, short, help, group, control, **kw)


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
    _p("temperature", "float", 4.0, "Temperature T", "T", "softens both models' predictions: softmax(z / T)",
       "method", "slider", lo=0.5, hi=50, step=0.1, methods=("kd", "dkd", "dist", "kd_prob_bug")),
    _p("alpha", "float", 1.0, "α (TCKD weight)", "α", "DKD's weight on the target-vs-rest part", "method", "number",
       lo=0, hi=100, methods=("dkd",)),
    _p("beta", "float", 2.0, "β (NCKD weight)", "β", "DKD's weight on the among-the-wrong-classes part", "method",
       "number", lo=0, hi=100, methods=("dkd",)),
    _p("warmup_epochs", "float", 0.0, "KD warm-up epochs", "warm-up", "DKD: ramp the distillation terms in linearly",
       "method", "number", lo=0, hi=100, methods=("dkd",)),
    _p("ce_weight", "float", 1.0, "CE weight", "ce", "weight of the cross-entropy on the labels", "method",
       "number", lo=0, hi=100),
    _p("kd_weight", "float", 1.0, "KD weight", "kd", "weight of the soft-target loss", "method", "number", lo=0,
       hi=100, methods=("kd", "dist", "kd_prob_bug")),
    _p("feat_weight", "float", 1.0, "Feature weight", "feat", "weight of the feature-matching loss", "method",
       "number", lo=0, hi=100, methods=("fitnets", "cosine", "rkd")),
    _p("standardized", "bool", False, "Logit standardization (Sun et al. 2024)", "std",
       "z-score both models' logits before softening: the student matches their shape, not their scale", "method",
       "checkbox", methods=("kd", "dkd")),
    # ---- the run
    _p("epochs", "float", 5.0, "Epochs", "epochs", "passes over the student's training images (fractions allowed)",
       "run", "number", lo=0, hi=100, lo_open=True),
    _p("n_labeled", "int", 2000, "Labeled images", "labels",
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
        raise ValueError(f"unknown setting {name!r}") from None


def in_group(group: str) -> list[Param]:
    return [p for p in PARAMS if p.group == group]


def method_params(method: str) -> list[Param]:
    """The method's own hyperparameters, in table order: what the UI shows and the results table lists."""
    return [p for p in in_group("method") if p.name != "method" and p.used_by(method)]


def visible(p: Param, values: dict) -> bool:
    """Whether p's control is shown for these current values (its method uses it, its conditions hold)."""
    return p.used_by(values.get("method", DEFAULTS["method"])) and \
        all(values.get(k, DEFAULTS[k]) == v for k, v in p.when)
