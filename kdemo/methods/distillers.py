"""One distiller contract for every method (after mdistiller's distillers/_base.py).

A distiller owns the student, the frozen teacher and any learnable regressor, and it owns its method's rules:
what it needs (a teacher, feature maps, a minimum batch) and `check`, which refuses a config that cannot work,
in plain words. `forward_train` receives the teacher's outputs from the engine (cached or fresh; the distiller
does not care) and returns `(student_logits, {"loss_ce": ..., "loss_kd": ..., ...})`; the engine sums the dict
and logs every entry. `loss_parts` is the same loss from logits, and logit-only methods accept stacked members
(M, B, K) there, one value per member.

A method declares itself on its class, registered under the key the UI, the CLI and links use: `params`, the
hyperparameters it reads (shared ones from kdemo.methods.declare, its own declared here), which the parameter table,
the controls, the CLI flags, the link keys and the results column are generated from; `soft_targets`; its rules
(`check`, `min_batch`, `feature`); `sgd_lr`, its measured learning rates (kdemo/methods/rates.py reads them). The
values arrive in `hp` (config.Hyper), read by name. A new method is one class here plus its loss function.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import lang

from . import losses as L
from .declare import (CE_WEIGHT, FASHION_LENET, FEAT_WEIGHT, KD_WEIGHT, MNIST_LENET, MNIST_MLP, STANDARDIZED,
                      TEMPERATURE, Param, hyper)
from ..zoo.models import init_weights


DISTILLERS: dict[str, type["Distiller"]] = {}   # key -> class, in the order the method dropdown lists them


def register(key: str):
    """Class decorator: the method under `key` (a new key only; the settings are generated from the registry, so
    a method registers before kdemo.settings is imported)."""
    def add(cls):
        if key in DISTILLERS:
            raise ValueError(f"method {key!r} is already registered")
        DISTILLERS[key] = cls
        return cls
    return add


def weighted(weight: float, loss: torch.Tensor) -> torch.Tensor:
    """weight * loss; a weight of 1 (every default) launches no tensor op: this runs on every step of every run."""
    return loss if weight == 1 else weight * loss


@register("ce")
class Distiller(nn.Module):
    """Base: plain cross-entropy on the labels. Subclasses add their distillation terms."""
    title = "Cross-entropy only (no teacher)"
    params: tuple[Param, ...] = (CE_WEIGHT,)   # the hyperparameters it reads
    sgd_lr = {MNIST_LENET: 0.01, MNIST_MLP: 0.02, FASHION_LENET: 0.02}   # (dataset, teacher, student) -> lr
    needs_teacher = False
    feature: str | None = None   # "hint" (a conv feature map) or "hidden" (the penultimate vector) it compares
    min_batch = 1                # the loss compares samples within a batch when > 1
    soft_targets = False         # learns from the teacher's softened predictions (their gradient grows with T)

    def __init__(self, student: nn.Module, teacher: nn.Module | None, hp, sample_input: torch.Tensor | None = None,
                 generator: torch.Generator | None = None):
        super().__init__()
        self.student = student
        self.teacher = teacher
        self.hp = hp
        if teacher is not None:
            teacher.eval()
            for p in teacher.parameters():
                p.requires_grad_(False)

    @property
    def needs_features(self) -> bool:
        return self.feature is not None

    @classmethod
    def check(cls, cfg, student_spec, teacher_spec) -> None:
        """Refuse a config this method cannot train, with a message that says what to change."""
        if cfg.batch_size < cls.min_batch:
            raise lang.Told("told.min_batch", method=cls.title.split(" (")[0],
                            setting=lang.setting("batch_size", "batch_size"), least=cls.min_batch)
        if cls.feature == "hint":
            for role, spec in (("teacher", teacher_spec), ("student", student_spec)):
                if not spec.has_feature_map:
                    raise lang.Told("told.feature_maps", method=cls.title, role=lang.setting(role, role),
                                    model=spec.key)
        if not cls.needs_teacher and cfg.transfer_set == "all":
            raise lang.Told("told.transfer_teacher", setting=lang.setting("transfer_set", "transfer_set"))

    def train(self, mode: bool = True):
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()  # dropout/BN of the teacher must never switch to training mode
        return self

    def trainable_parameters(self):
        """Student and regressors; never the teacher."""
        return [p for n, p in self.named_parameters() if not n.startswith("teacher.")]

    def forward(self, x, y=None, teacher_logits=None, teacher_feats=None, progress: float = 0.0):
        """Inference without labels; the training step with them (so DistributedDataParallel can wrap it)."""
        if y is None:
            return self.student(x)
        return self.forward_train(x, y, teacher_logits, teacher_feats, progress)

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress: float = 0.0):
        if self.needs_features:
            logits, feats = self.student.forward_features(x)
        else:
            logits, feats = self.student(x), None
        return logits, self.loss_parts(logits, feats, y, teacher_logits, teacher_feats, progress)

    def ce(self, logits, y):
        return weighted(self.hp.ce_weight, L.masked_cross_entropy(logits, y))

    def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress: float = 0.0) -> dict:
        return {"loss_ce": self.ce(logits, y)}


@register("kd")
class KD(Distiller):
    """Hinton et al. 2015, "Distilling the Knowledge in a Neural Network"."""
    title = "KD (Hinton soft targets)"
    needs_teacher = True
    soft_targets = True
    params = (CE_WEIGHT, TEMPERATURE, KD_WEIGHT, STANDARDIZED)
    sgd_lr = {MNIST_LENET: 0.005, MNIST_MLP: 0.005, FASHION_LENET: 0.01}

    def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress=0.0):
        kd = L.kd_loss(logits, teacher_logits, self.hp.temperature, standardized=self.hp.standardized)
        return {"loss_ce": self.ce(logits, y), "loss_kd": weighted(self.hp.kd_weight, kd)}


@register("dkd")
class DKD(Distiller):
    """Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022."""
    title = "DKD (decoupled TCKD + NCKD)"
    needs_teacher = True
    soft_targets = True
    params = (CE_WEIGHT, TEMPERATURE,
              hyper("alpha", "float", 1.0, "α (TCKD weight)", "α", "DKD's weight on the target-vs-rest part",
                    "number", lo=0, hi=100),
              hyper("beta", "float", 2.0, "β (NCKD weight)", "β", "DKD's weight on the among-the-wrong-classes part",
                    "number", lo=0, hi=100),
              hyper("warmup_epochs", "float", 0.0, "KD warm-up epochs", "warm-up",
                    "DKD: ramp the distillation terms in linearly", "number", lo=0, hi=100),
              STANDARDIZED)
    # fashion: no rate of the sweep was free of warnings and within 3 points over seeds; 0.005 had no warnings
    sgd_lr = {MNIST_LENET: 0.002, MNIST_MLP: 0.005, FASHION_LENET: 0.005}

    def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress=0.0):
        # Unlabeled transfer-set samples (y = -1) take the teacher's prediction as their target class.
        target = torch.where(y >= 0, y, teacher_logits.argmax(dim=-1))
        tckd, nckd = L.dkd_terms(logits, teacher_logits, target, self.hp.temperature,
                                 standardized=self.hp.standardized)
        warm = self.hp.warmup_epochs
        ramp = min(progress / warm, 1.0) if warm > 0 else 1.0
        return {"loss_ce": self.ce(logits, y), "loss_tckd": ramp * self.hp.alpha * tckd,
                "loss_nckd": ramp * self.hp.beta * nckd}


def _shapes(model: nn.Module, sample_input: torch.Tensor) -> dict[str, tuple[int, ...]]:
    was_training = model.training
    model.eval()
    with torch.no_grad():
        _, feats = model.forward_features(sample_input[:1])
    model.train(was_training)
    return {k: tuple(v.shape[1:]) for k, v in feats.items()}


class FeatureDistiller(Distiller):
    """Base for methods that compare intermediate representations; builds its regressor from a dry run."""
    needs_teacher = True
    feature = "hidden"
    params = (CE_WEIGHT, FEAT_WEIGHT)

    def __init__(self, student, teacher, hp, sample_input=None, generator=None):
        super().__init__(student, teacher, hp, sample_input)
        if sample_input is None:
            raise ValueError(f"{type(self).__name__} needs a sample input to size its regressor")
        s_shapes, t_shapes = _shapes(student, sample_input), _shapes(teacher, sample_input)
        if self.feature not in s_shapes or self.feature not in t_shapes:
            who = "student" if self.feature not in s_shapes else "teacher"
            raise ValueError(f"{self.title} needs a '{self.feature}' feature map, which the {who} does not have")
        with torch.device("meta"):   # shapes only: the weights come from the run's generator, not torch's
            regressor = self.build_regressor(s_shapes[self.feature], t_shapes[self.feature])
        device = next(student.parameters()).device   # drawn on the CPU: the same weights on every device
        self.regressor = init_weights(regressor.to_empty(device="cpu"), generator).to(device)

    def build_regressor(self, s_shape, t_shape) -> nn.Module:
        return nn.Identity()

    def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress=0.0):
        part = self.feature_loss(self.regressor(feats[self.feature]), teacher_feats[self.feature])
        return {"loss_ce": self.ce(logits, y), "loss_feat": weighted(self.hp.feat_weight, part)}


class _HintRegressor(nn.Module):
    """3x3 conv to the teacher's channels, then resize to its spatial size if the two nets differ there."""

    def __init__(self, c_in: int, c_out: int, size: tuple[int, int]):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1)
        self.size = size

    def forward(self, x):
        x = self.conv(x)
        return x if x.shape[-2:] == self.size else F.adaptive_avg_pool2d(x, self.size)


@register("fitnets")
class FitNets(FeatureDistiller):
    """Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015 (one-stage: CE + hint)."""
    title = "FitNets (hint regression on feature maps)"
    feature = "hint"
    sgd_lr = {MNIST_LENET: 0.02, FASHION_LENET: 0.02}

    def build_regressor(self, s_shape, t_shape):
        return _HintRegressor(s_shape[0], t_shape[0], tuple(t_shape[1:]))

    def feature_loss(self, s, t):
        return L.hint_loss(s, t)


@register("cosine")
class Cosine(FeatureDistiller):
    """Cosine loss on the penultimate representation, with a learnable projection when widths differ."""
    title = "Cosine (hidden representations)"
    sgd_lr = {MNIST_LENET: 0.02, MNIST_MLP: 0.02, FASHION_LENET: 0.02}

    def build_regressor(self, s_shape, t_shape):
        return nn.Identity() if s_shape == t_shape else nn.Linear(s_shape[0], t_shape[0], bias=False)

    def feature_loss(self, s, t):
        return L.cosine_loss(s, t)


@register("rkd")
class RKD(FeatureDistiller):
    """Park et al., "Relational Knowledge Distillation", CVPR 2019 (distance + angle)."""
    title = "RKD (relations between samples)"
    min_batch = 3    # the angle term needs triplets
    sgd_lr = {MNIST_LENET: 0.02, MNIST_MLP: 0.01, FASHION_LENET: 0.005}

    def feature_loss(self, s, t):
        return L.rkd_loss(s, t)


@register("dist")
class DIST(Distiller):
    """Huang et al., "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022."""
    title = "DIST (correlation of predictions)"
    needs_teacher = True
    soft_targets = True
    params = (CE_WEIGHT, TEMPERATURE, KD_WEIGHT)
    sgd_lr = {MNIST_LENET: 0.005, MNIST_MLP: 0.002, FASHION_LENET: 0.005}
    min_batch = 2    # the intra-class correlation runs across the batch

    def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress=0.0):
        inter, intra = L.dist_terms(logits, teacher_logits, self.hp.temperature)
        return {"loss_ce": self.ce(logits, y), "loss_inter": weighted(self.hp.kd_weight, inter),
                "loss_intra": weighted(self.hp.kd_weight, intra)}


@register("kd_prob_bug")   # the demo of a bug goes last in the dropdown
class KDProbBug(Distiller):
    """The tutorial bug: probabilities fed to KL instead of log-probabilities (see losses.kd_prob_bug_loss)."""
    title = "KD with the probabilities bug (demo)"
    needs_teacher = True
    soft_targets = True
    params = (CE_WEIGHT, TEMPERATURE, KD_WEIGHT)
    sgd_lr = {MNIST_LENET: 0.01, MNIST_MLP: 0.01, FASHION_LENET: 0.005}

    def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress=0.0):
        kd = L.kd_prob_bug_loss(logits, teacher_logits, self.hp.temperature)
        return {"loss_ce": self.ce(logits, y), "loss_kd": weighted(self.hp.kd_weight, kd)}


def get_distiller(name: str) -> type[Distiller]:
    try:
        return DISTILLERS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(DISTILLERS)}") from None
