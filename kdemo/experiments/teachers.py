"""The teachers of an experiment job, resolved once per job through kdemo.train.teachers: given, pretrained, or trained
once at the job's start and handed to every run."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import torch
import torch.nn as nn

from ..settings.config import TrainConfig
from ..data.datasets import load_dataset
from ..zoo.inference import predict
from ..train.teachers import Teacher, pretrained_entry, resolve


class Teachers:
    """Each (teacher, dataset) pair of a job: its resolved Teacher (model, pretrained entry, saved logits)."""

    def __init__(self, given: dict[str, nn.Module] | None, seed: int):
        self.given = dict(given or {})
        self.seed = seed
        self.resolved: dict[tuple[str, str], Teacher] = {}

    def needs_training(self, cfg: TrainConfig) -> bool:
        return cfg.uses_teacher and (cfg.teacher, cfg.dataset) not in self.resolved \
            and cfg.teacher not in self.given and pretrained_entry(cfg.teacher, cfg.dataset) is None

    def resolve(self, cfg: TrainConfig, train_teacher: Callable[[TrainConfig], nn.Module]) -> None:
        key = (cfg.teacher, cfg.dataset)
        if not cfg.uses_teacher or key in self.resolved:
            return
        pretrained = cfg.teacher not in self.given and pretrained_entry(cfg.teacher, cfg.dataset) is not None
        run_cfg = replace(cfg, teacher_source="pretrained" if pretrained else "train")
        self.resolved[key] = resolve(run_cfg, "cpu", self.given.get(cfg.teacher), lambda: train_teacher(cfg))

    def for_run(self, cfg: TrainConfig) -> tuple[TrainConfig, nn.Module | None]:
        """The Run's config and teacher: a pretrained teacher is left to the engine (it loads the saved logits)."""
        if not cfg.uses_teacher:
            return cfg, None
        t = self.resolved[(cfg.teacher, cfg.dataset)]
        if t.entry is not None:
            return replace(cfg, teacher_source="pretrained"), None
        return cfg, t.model

    def model(self, cfg: TrainConfig) -> nn.Module:
        return self.resolved[(cfg.teacher, cfg.dataset)].model

    @torch.no_grad()
    def train_logits(self, cfg: TrainConfig, idx: torch.Tensor) -> torch.Tensor:
        """The teacher's logits (len(idx), K) on training images `idx`: saved ones when the manifest has them."""
        t = self.resolved[(cfg.teacher, cfg.dataset)]
        if t.train_logits is not None:
            return t.train_logits[idx]
        return predict(t.model, load_dataset(cfg.dataset, "train"), indices=idx)
