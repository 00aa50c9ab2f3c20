"""The teachers of an experiment job, resolved once per job: given, pretrained, or trained at the job's start."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import torch
import torch.nn as nn

from ..checkpoints import find_pretrained, load_pretrained, load_train_logits
from ..config import TrainConfig
from ..data import load_dataset


class Teachers:
    """Each (teacher, dataset) pair of a job, resolved once: given, pretrained, or trained here."""

    def __init__(self, given: dict[str, nn.Module] | None, seed: int):
        self.given = dict(given or {})
        self.seed = seed
        self.models: dict[tuple[str, str], nn.Module] = {}
        self.pretrained: dict[tuple[str, str], dict] = {}
        self._logits: dict[tuple[str, str], torch.Tensor] = {}

    def needs_training(self, cfg: TrainConfig) -> bool:
        key = (cfg.teacher, cfg.dataset)
        return cfg.uses_teacher and key not in self.models and cfg.teacher not in self.given \
            and find_pretrained(cfg.teacher, cfg.dataset, role="teacher") is None \
            and find_pretrained(cfg.teacher, cfg.dataset) is None

    def resolve(self, cfg: TrainConfig, train_teacher: Callable[[TrainConfig], nn.Module]) -> None:
        key = (cfg.teacher, cfg.dataset)
        if not cfg.uses_teacher or key in self.models:
            return
        if cfg.teacher in self.given:
            self.models[key] = self.given[cfg.teacher].cpu().eval()
            return
        entry = find_pretrained(cfg.teacher, cfg.dataset, role="teacher") or find_pretrained(cfg.teacher, cfg.dataset)
        if entry is not None:
            self.models[key], self.pretrained[key] = load_pretrained(cfg.teacher, cfg.dataset, role=entry["role"])
            return
        self.models[key] = train_teacher(cfg).cpu().eval()

    def for_run(self, cfg: TrainConfig) -> tuple[TrainConfig, nn.Module | None]:
        """The Run's config and teacher: a pretrained teacher is left to the engine (it loads the saved logits)."""
        key = (cfg.teacher, cfg.dataset)
        if not cfg.uses_teacher:
            return cfg, None
        if key in self.pretrained:
            return replace(cfg, teacher_source="pretrained"), None
        return cfg, self.models[key]

    def model(self, cfg: TrainConfig) -> nn.Module:
        return self.models[(cfg.teacher, cfg.dataset)]

    @torch.no_grad()
    def train_logits(self, cfg: TrainConfig, idx: torch.Tensor) -> torch.Tensor:
        """The teacher's logits (len(idx), K) on training images `idx`: saved ones when the manifest has them."""
        key = (cfg.teacher, cfg.dataset)
        if key not in self._logits and key in self.pretrained:
            saved = load_train_logits(self.pretrained[key])
            if saved is not None:
                self._logits[key] = saved
        if key in self._logits:
            return self._logits[key][idx]
        return predict(self.model(cfg), load_dataset(cfg.dataset, "train").subset(idx))


@torch.no_grad()
def predict(model: nn.Module, data, batch_size: int = 1000) -> torch.Tensor:
    """Logits (N, K) of `model` on every image of `data`, on the CPU."""
    was = model.training
    model.eval()
    device = next(model.parameters()).device
    out = torch.cat([model(data.batch(torch.arange(i, min(i + batch_size, len(data))), device=device)[0]).cpu()
                     for i in range(0, len(data), batch_size)])
    model.train(was)
    return out
