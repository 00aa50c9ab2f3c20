"""One distiller contract for every method (after mdistiller's distillers/_base.py).

A distiller owns the student, the frozen teacher and any learnable regressor. `forward_train` receives the
teacher's outputs from the engine (cached or freshly computed; the distiller does not care) and returns
`(student_logits, {"loss_ce": ..., "loss_kd": ..., ...})`. The engine sums the dict and logs every entry, so
a new method is one small class here and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import losses as L


@dataclass(frozen=True)
class LossWeights:
    """The hyperparameters a distiller reads; the engine fills it from TrainConfig."""
    temperature: float = 4.0
    alpha: float = 1.0          # DKD: weight of TCKD
    beta: float = 2.0           # DKD: weight of NCKD
    ce_weight: float = 1.0
    kd_weight: float = 1.0      # KD, DIST and the buggy-KD demo
    feat_weight: float = 1.0    # FitNets, cosine, RKD
    warmup_epochs: float = 0.0  # DKD: linear ramp of the KD part over this many epochs
    standardized: bool = False  # logit standardization (Sun et al. 2024) for KD and DKD


class Distiller(nn.Module):
    """Base: plain cross-entropy on the labels. Subclasses add their distillation terms."""
    title = "Cross-entropy only (no teacher)"
    needs_teacher = False
    needs_features = False      # whether forward_train needs the teacher's feature dict
    uses = ("ce_weight",)       # which LossWeights fields the method reads (the UI shows only these)

    def __init__(self, student: nn.Module, teacher: nn.Module | None, weights: LossWeights,
                 sample_input: torch.Tensor | None = None):
        super().__init__()
        self.student = student
        self.teacher = teacher
        self.w = weights
        if teacher is not None:
            teacher.eval()
            for p in teacher.parameters():
                p.requires_grad_(False)

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

    def ce(self, logits, y):
        return self.w.ce_weight * L.masked_cross_entropy(logits, y)

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress: float = 0.0):
        logits = self.student(x)
        return logits, {"loss_ce": self.ce(logits, y)}


class KD(Distiller):
    """Hinton et al. 2015, "Distilling the Knowledge in a Neural Network"."""
    title = "KD (Hinton soft targets)"
    needs_teacher = True
    uses = ("temperature", "ce_weight", "kd_weight", "standardized")

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress=0.0):
        logits = self.student(x)
        kd = L.kd_loss(logits, teacher_logits, self.w.temperature, standardized=self.w.standardized)
        return logits, {"loss_ce": self.ce(logits, y), "loss_kd": self.w.kd_weight * kd}


class KDProbBug(Distiller):
    """The tutorial bug: probabilities fed to KL instead of log-probabilities (see losses.kd_prob_bug_loss)."""
    title = "KD with the probabilities bug (demo)"
    needs_teacher = True
    uses = ("temperature", "ce_weight", "kd_weight")

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress=0.0):
        logits = self.student(x)
        kd = L.kd_prob_bug_loss(logits, teacher_logits, self.w.temperature)
        return logits, {"loss_ce": self.ce(logits, y), "loss_kd": self.w.kd_weight * kd}


class DKD(Distiller):
    """Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022."""
    title = "DKD (decoupled TCKD + NCKD)"
    needs_teacher = True
    uses = ("temperature", "alpha", "beta", "ce_weight", "warmup_epochs", "standardized")

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress=0.0):
        logits = self.student(x)
        # Unlabeled transfer-set samples (y = -1) take the teacher's prediction as their target class.
        target = torch.where(y >= 0, y, teacher_logits.argmax(dim=1))
        tckd, nckd = L.dkd_terms(logits, teacher_logits, target, self.w.temperature,
                                 standardized=self.w.standardized)
        ramp = min(progress / self.w.warmup_epochs, 1.0) if self.w.warmup_epochs > 0 else 1.0
        return logits, {"loss_ce": self.ce(logits, y), "loss_tckd": ramp * self.w.alpha * tckd,
                        "loss_nckd": ramp * self.w.beta * nckd}


class DIST(Distiller):
    """Huang et al., "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022."""
    title = "DIST (correlation of predictions)"
    needs_teacher = True
    uses = ("temperature", "ce_weight", "kd_weight")

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress=0.0):
        logits = self.student(x)
        inter, intra = L.dist_terms(logits, teacher_logits, self.w.temperature)
        return logits, {"loss_ce": self.ce(logits, y), "loss_inter": self.w.kd_weight * inter,
                        "loss_intra": self.w.kd_weight * intra}


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
    needs_features = True
    feature = "hidden"
    uses = ("ce_weight", "feat_weight")

    def __init__(self, student, teacher, weights, sample_input=None):
        super().__init__(student, teacher, weights, sample_input)
        if sample_input is None:
            raise ValueError(f"{type(self).__name__} needs a sample input to size its regressor")
        s_shapes, t_shapes = _shapes(student, sample_input), _shapes(teacher, sample_input)
        if self.feature not in s_shapes or self.feature not in t_shapes:
            who = "student" if self.feature not in s_shapes else "teacher"
            raise ValueError(f"{self.title} needs a '{self.feature}' feature map, which the {who} does not have")
        self.regressor = self.build_regressor(s_shapes[self.feature], t_shapes[self.feature])

    def build_regressor(self, s_shape, t_shape) -> nn.Module:
        return nn.Identity()

    def forward_train(self, x, y, teacher_logits=None, teacher_feats=None, progress=0.0):
        logits, feats = self.student.forward_features(x)
        part = self.feature_loss(self.regressor(feats[self.feature]), teacher_feats[self.feature])
        return logits, {"loss_ce": self.ce(logits, y), "loss_feat": self.w.feat_weight * part}


class _HintRegressor(nn.Module):
    """3x3 conv to the teacher's channels, then resize to its spatial size if the two nets differ there."""

    def __init__(self, c_in: int, c_out: int, size: tuple[int, int]):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1)
        self.size = size

    def forward(self, x):
        x = self.conv(x)
        return x if x.shape[-2:] == self.size else F.adaptive_avg_pool2d(x, self.size)


class FitNets(FeatureDistiller):
    """Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015 (one-stage: CE + hint)."""
    title = "FitNets (hint regression on feature maps)"
    feature = "hint"

    def build_regressor(self, s_shape, t_shape):
        return _HintRegressor(s_shape[0], t_shape[0], tuple(t_shape[1:]))

    def feature_loss(self, s, t):
        return L.hint_loss(s, t)


class Cosine(FeatureDistiller):
    """Cosine loss on the penultimate representation, with a learnable projection when widths differ."""
    title = "Cosine (hidden representations)"

    def build_regressor(self, s_shape, t_shape):
        return nn.Identity() if s_shape == t_shape else nn.Linear(s_shape[0], t_shape[0], bias=False)

    def feature_loss(self, s, t):
        return L.cosine_loss(s, t)


class RKD(FeatureDistiller):
    """Park et al., "Relational Knowledge Distillation", CVPR 2019 (distance + angle)."""
    title = "RKD (relations between samples)"

    def feature_loss(self, s, t):
        return L.rkd_loss(s, t)


DISTILLERS: dict[str, type[Distiller]] = {
    "ce": Distiller,
    "kd": KD,
    "dkd": DKD,
    "fitnets": FitNets,
    "cosine": Cosine,
    "rkd": RKD,
    "dist": DIST,
    "kd_prob_bug": KDProbBug,
}


def get_distiller(name: str) -> type[Distiller]:
    try:
        return DISTILLERS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(DISTILLERS)}") from None
