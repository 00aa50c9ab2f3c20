"""TrainConfig: every knob of a run, checked when it is built so a bad value fails before any thread starts."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields

from .distillers import DISTILLERS, LossWeights
from .models import MODELS

DATASET_KEYS = ("mnist", "fashion_mnist", "cifar10")
OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("constant", "cosine")
TEACHER_SOURCES = ("pretrained", "train")
TRANSFER_SETS = ("labeled", "all")


@dataclass
class TrainConfig:
    """One distillation run: a student trained from a teacher, and (optionally) its from-scratch twin."""
    dataset: str = "mnist"
    teacher: str = "lenet5"
    student: str = "lenet5_half"
    method: str = "kd"
    teacher_source: str = "pretrained"   # "train": train the teacher first, for teacher_epochs, on all labels
    teacher_epochs: float = 2.0
    # loss weights (each method reads only some; see distillers.*.uses)
    temperature: float = 4.0
    alpha: float = 1.0
    beta: float = 2.0
    ce_weight: float = 1.0
    kd_weight: float = 1.0
    feat_weight: float = 1.0
    warmup_epochs: float = 0.0
    standardized: bool = False
    # optimisation
    optimizer: str = "sgd"
    # 0.005 with momentum 0.9: KD's soft-target gradient is ~(z_s - z_t)/K, several times CE's when a confident
    # teacher's logits span ~36 (the pretrained LeNet-5), so learning rates fine for CE make KD oscillate.
    lr: float = 0.005
    schedule: str = "constant"           # "cosine": anneal lr to 0 over the run (Loshchilov & Hutter 2017)
    momentum: float = 0.9
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: float = 1.0                  # fractional epochs allowed: 0.25 = a quarter pass
    # data
    n_labeled: int | None = None         # class-balanced labeled subset of the training set
    omit_classes: tuple[int, ...] = ()   # removed from the student's training data (Hinton's "no 3s")
    transfer_set: str = "labeled"        # "all": KD also on the unlabeled rest of the training set
    augment: bool = True                 # only where the dataset defines augmentation (CIFAR-10)
    eval_samples: int | None = None      # test images used for the curves; None = the whole test set
    # run
    twin: bool = True                    # also train a from-scratch twin (same init, same batches)
    seed: int = 0
    device: str = "auto"
    time_budget_s: float | None = None
    logs_per_epoch: int = 10
    evals_per_epoch: int = 4

    def __post_init__(self):
        self.omit_classes = tuple(sorted({int(c) for c in (self.omit_classes or ())}))
        self._check_names()
        self._check_numbers()
        self._check_combination()

    def _check_names(self):
        def one_of(name, value, valid):
            if value not in valid:
                raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(valid)}")
        one_of("dataset", self.dataset, DATASET_KEYS)
        one_of("student", self.student, tuple(MODELS))
        one_of("method", self.method, tuple(DISTILLERS))
        one_of("optimizer", self.optimizer, OPTIMIZERS)
        one_of("schedule", self.schedule, SCHEDULES)
        one_of("teacher_source", self.teacher_source, TEACHER_SOURCES)
        one_of("transfer_set", self.transfer_set, TRANSFER_SETS)
        if self.uses_teacher:
            one_of("teacher", self.teacher, tuple(MODELS))

    def _check_numbers(self):
        def positive(name, allow_zero=False):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) \
                    or v < 0 or (v == 0 and not allow_zero):
                raise ValueError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}, got {v!r}")
        for name in ("temperature", "lr", "epochs"):
            positive(name)
        for name in ("alpha", "beta", "ce_weight", "kd_weight", "feat_weight", "warmup_epochs", "momentum",
                     "weight_decay", "teacher_epochs"):
            positive(name, allow_zero=True)
        if self.temperature > 1000:
            raise ValueError(f"temperature must be at most 1000, got {self.temperature}")
        for name in ("batch_size", "logs_per_epoch", "evals_per_epoch"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {v!r}")
        if self.n_labeled is not None and (not isinstance(self.n_labeled, int) or self.n_labeled < 1):
            raise ValueError(f"n_labeled must be a whole number >= 1 or empty, got {self.n_labeled!r}")
        if self.eval_samples is not None and (not isinstance(self.eval_samples, int) or self.eval_samples < 1):
            raise ValueError(f"eval_samples must be a whole number >= 1 or empty, got {self.eval_samples!r}")
        if self.time_budget_s is not None:
            positive("time_budget_s")
        if any(c < 0 or c > 9 for c in self.omit_classes):
            raise ValueError(f"omit_classes must be class indices 0-9, got {list(self.omit_classes)}")
        if len(self.omit_classes) >= 9:
            raise ValueError("omit_classes leaves fewer than two classes to train on")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ValueError(f"seed must be a whole number, got {self.seed!r}")

    def _check_combination(self):
        for role in ("student",) + (("teacher",) if self.uses_teacher else ()):
            spec = MODELS[getattr(self, role)]
            if self.dataset not in spec.datasets:
                raise ValueError(f"{role} {spec.key} does not fit {self.dataset}; "
                                 f"it fits {', '.join(spec.datasets)}")
        cls = DISTILLERS[self.method]
        if getattr(cls, "feature", None) == "hint":
            for role in ("teacher", "student"):
                if not MODELS[getattr(self, role)].has_feature_map:
                    raise ValueError(f"{cls.title} needs conv feature maps, but the {role} "
                                     f"{getattr(self, role)} has none; pick a conv net or another method")
        if self.method == "rkd" and self.batch_size < 3:
            raise ValueError("RKD compares samples within a batch: batch_size must be at least 3")
        if self.transfer_set == "all" and self.n_labeled is None:
            raise ValueError("transfer_set 'all' only makes sense with n_labeled set")
        if self.transfer_set == "all" and not self.uses_teacher:
            raise ValueError("transfer_set 'all' needs a method with a teacher: unlabeled images have no loss")

    @property
    def uses_teacher(self) -> bool:
        return DISTILLERS[self.method].needs_teacher

    def loss_weights(self) -> LossWeights:
        return LossWeights(**{f.name: getattr(self, f.name) for f in fields(LossWeights)})

    def to_dict(self) -> dict:
        d = asdict(self)
        d["omit_classes"] = list(self.omit_classes)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> "TrainConfig":
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"config is not valid JSON: {e}") from None
        if not isinstance(d, dict):
            raise ValueError("config JSON must be an object of field: value")
        return cls.from_dict(d)
