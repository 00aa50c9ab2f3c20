"""The one teacher resolver: from a config, a ready, frozen teacher and what is known about it.

Used by the engine, the torchrun path, the experiments and the app. A pretrained file is found through the
manifest and checked (sha256) once per process; its saved training-set logits come with it, so runs never run
the teacher inside their loop. A teacher with no pretrained weights is trained first by whoever resolves it
(the engine's own loop, or an experiment job once for all its runs).
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn as nn

from .. import lang
from ..zoo.checkpoints import PRETRAINED_DIR, find_pretrained, load_pretrained, load_train_logits


@dataclass
class Teacher:
    """A frozen teacher in eval mode, on the run's device."""
    model: nn.Module
    entry: dict | None = None                 # the manifest entry of a pretrained teacher
    train_logits: torch.Tensor | None = None  # its saved logits on the whole training split (CPU), if any

    @property
    def known_eval(self) -> dict | None:
        """Test accuracy measured by `python -m kdemo pretrain` on the full test set, if the manifest has it."""
        e = self.entry or {}
        if e.get("per_class"):
            return {"acc": e["test_acc"], "per_class": e["per_class"], "class_counts": e.get("class_counts")}
        return None


def pretrained_entry(model_key: str, dataset: str, role: str = "teacher") -> dict | None:
    """The manifest entry for this network on this dataset: one made for `role` first, else any."""
    return find_pretrained(model_key, dataset, role) or find_pretrained(model_key, dataset)


def check_available(cfg) -> None:
    """The one check that a config's pretrained teacher exists (ValueError saying what to do otherwise)."""
    if cfg.uses_teacher and cfg.teacher_source == "pretrained" and pretrained_entry(cfg.teacher, cfg.dataset) is None:
        if not PRETRAINED_DIR.is_dir():
            raise lang.Told("told.no_pretrained_folder")   # its English: NOT_A_CHECKOUT
        raise lang.Told("told.no_pretrained", model=cfg.teacher, dataset=cfg.dataset)


@functools.lru_cache(maxsize=16)
def load_shared(model_key: str, dataset: str, role: str = "teacher") -> tuple[nn.Module, dict]:
    """A pretrained network on the CPU, frozen, loaded and checked once per process and shared read-only by
    every visitor (inference only, under no_grad). Raises ValueError if there is none."""
    entry = pretrained_entry(model_key, dataset, role)
    if entry is None:
        raise lang.Told("told.none_here", model=model_key, dataset=dataset)
    model, entry = load_pretrained(model_key, dataset, "cpu", role=entry["role"])
    return freeze(model), entry


@functools.lru_cache(maxsize=8)
def _saved_logits(file: str, sha: str) -> torch.Tensor | None:
    """A pretrained teacher's saved training-set logits (read once; runs index them, never write)."""
    return load_train_logits({"file": file, "sha256": sha})


def clear_cache():
    """Forget loaded pretrained files (after the manifest changed, e.g. in tests)."""
    load_shared.cache_clear()
    _saved_logits.cache_clear()


def freeze(model: nn.Module) -> nn.Module:
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()


def resolve(cfg, device, given: nn.Module | None = None,
            train: Callable[[], nn.Module] | None = None) -> Teacher | None:
    """The run's teacher: `given`, else the pretrained one, else `train()` (the caller's train-first phase).

    None when the method has no teacher. The shared pretrained model is used as is on the CPU and copied to
    any other device, so no run ever moves or changes what other visitors read.
    """
    if not cfg.uses_teacher:
        return None
    device = torch.device(device)
    if given is not None:
        return Teacher(freeze(given.to(device)))
    if cfg.teacher_source == "pretrained":
        check_available(cfg)
        model, entry = load_shared(cfg.teacher, cfg.dataset)
        if device.type != "cpu":
            model = freeze(copy.deepcopy(model).to(device))
        return Teacher(model, entry, _saved_logits(entry["file"], entry.get("sha256", "")))
    if train is None:
        raise ValueError(f"no pretrained {cfg.teacher} was asked for and nothing can train one here")
    return Teacher(freeze(train().to(device)))
