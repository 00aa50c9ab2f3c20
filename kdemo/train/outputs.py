"""What a finished run leaves for the teaching views and handouts: every model's logits on the whole test set, and
a run folder (`python -m kdemo train --out RUN_DIR`) that `python -m kdemo report RUN_DIR` reads back.

Logits are computed once, when first read, from the final weights of every member (so a run never pays for views
nobody opens) and kept by the run's `TestLogits`, their one owner (`run.test_logits.read()`, or `run_logits(run)`).
A pretrained teacher's test logits are computed once per process.
"""
from __future__ import annotations

import functools
import json
import threading
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from ..settings.config import TrainConfig
from ..data.datasets import DATASETS, load_dataset
from ..zoo.inference import predict
from ..zoo.models import shell_for
from .teachers import load_shared

_LOCK = threading.Lock()    # one computation at a time per process: a second visitor waits for the first


@functools.lru_cache(maxsize=8)
def pretrained_test_logits(model_key: str, dataset: str, role: str = "teacher") -> torch.Tensor:
    """(N, K) logits of a shipped pretrained network on the whole test set (read-only, shared by every visitor)."""
    model, _ = load_shared(model_key, dataset, role)
    return predict(model, load_dataset(dataset, "test"), "cpu")


class TestLogits:
    """A run's test-set logits of every model: computed on the first `read()` after the run finished, then kept."""

    def __init__(self, run):
        self._run = run
        self._value: dict | None = None

    def read(self) -> dict:
        with _LOCK:
            if self._value is None:
                self._value = _compute(self._run)
            return self._value


def run_logits(run) -> dict:
    """{"labels" (N,), "teacher" (N, K) or None, "kd" (S, N, K), "scratch" (S, N, K) if a twin trained, "seeds",
    "classes", "dataset"} for a finished run (its TestLogits' reading)."""
    return run.test_logits.read()


def _compute(run) -> dict:
    """Every model of a finished run on the whole test set (see run_logits)."""
    if not run.final_states:
        raise ValueError("the run has not finished yet: its final weights are not there")
    cfg = run.cfg
    test = load_dataset(cfg.dataset, "test")
    out = {"labels": test.labels.clone(), "dataset": cfg.dataset, "classes": list(test.info.class_names),
           "seeds": [cfg.seed + i for i in range(cfg.seeds)], "teacher": None}
    groups = sorted({g for g, _ in run.final_states})
    for g in groups:
        per_seed = []
        for si in range(cfg.seeds):
            model = shell_for(cfg.student, cfg.dataset)
            model.load_state_dict(run.final_states[g, si])
            per_seed.append(predict(model, test, "cpu"))
        out[g] = torch.stack(per_seed)
    t = run.teacher
    if t is not None:
        out["teacher"] = pretrained_test_logits(cfg.teacher, cfg.dataset) if t.entry is not None \
            else predict(t.model, test)
    return out


def pretrained_pair(dataset: str = "mnist") -> dict:
    """The shipped teacher and lab student, as if they were a run (for the views before any run)."""
    labels = load_dataset(dataset, "test").labels
    return {"labels": labels, "dataset": dataset, "classes": list(DATASETS[dataset].class_names), "seeds": [0],
            "teacher": pretrained_test_logits("lenet5", dataset),
            "kd": pretrained_test_logits("lenet5_half", dataset, "student")[None]}


def save_run(run, folder: str | Path) -> Path:
    """config.json, summary.json and logits.safetensors (test-set logits of every model) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(run.cfg.to_json() + "\n")
    (folder / "summary.json").write_text(json.dumps(run.summary(), indent=2) + "\n")
    logits = run_logits(run)
    tensors = {k: v.contiguous() for k, v in logits.items() if isinstance(v, torch.Tensor)}
    save_file(tensors, str(folder / "logits.safetensors"),
              metadata={"classes": json.dumps(logits["classes"]), "seeds": json.dumps(logits["seeds"]),
                        "dataset": logits["dataset"]})
    return folder


def load_run(folder: str | Path) -> tuple[TrainConfig, dict, dict]:
    """(config, summary, logits) of a run folder written by save_run; ValueError in one line otherwise."""
    folder = Path(folder)
    try:
        cfg = TrainConfig.from_json((folder / "config.json").read_text())
        summary = json.loads((folder / "summary.json").read_text())
        path = str(folder / "logits.safetensors")
        tensors = load_file(path)
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
    except (OSError, ValueError, json.JSONDecodeError, SafetensorError) as e:   # damaged files: one line
        raise ValueError(f"{folder} is not a run folder of `python -m kdemo train --out` ({e})") from None
    logits = {"teacher": None, **tensors, "classes": json.loads(meta.get("classes", "[]")),
              "seeds": json.loads(meta.get("seeds", "[0]")), "dataset": meta.get("dataset", cfg.dataset)}
    return cfg, summary, logits
