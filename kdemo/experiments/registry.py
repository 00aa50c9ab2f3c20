"""The experiments by key, and how to start and draw one."""
from __future__ import annotations

import torch.nn as nn

from .capacity import CAPACITY_GAP
from ..figures.words import localize_figure
from .figures import FIGURES
from .hinton import FEW_LABELS, MISSING_DIGIT
from .job import Experiment, ExperimentJob, check_budget
from .notebooks import NOTEBOOK_CIFAR_CNN, NOTEBOOK_LENET_DKD, NOTEBOOK_MLP_KD, PROB_BUG
from .sweeps import DKD_GRID, TEMPERATURE_SWEEP

EXPERIMENTS: dict[str, Experiment] = {e.key: e for e in (
    MISSING_DIGIT, FEW_LABELS, TEMPERATURE_SWEEP, DKD_GRID, NOTEBOOK_LENET_DKD, NOTEBOOK_MLP_KD, PROB_BUG,
    NOTEBOOK_CIFAR_CNN, CAPACITY_GAP)}

def get_experiment(key: str) -> Experiment:
    try:
        return EXPERIMENTS[key]
    except KeyError:
        raise ValueError(f"unknown experiment {key!r}; choose one of {', '.join(EXPERIMENTS)}") from None


def start_experiment(key: str, budget: str = "quick", seed: int = 0,
                     teachers: dict[str, nn.Module] | None = None, after_run=None) -> ExperimentJob:
    """Start experiment `key` in a background thread and return its job.

    Args:
        key: a key of EXPERIMENTS (unknown -> ValueError listing them).
        budget: "quick" (under a minute on 2 CPU cores) or "full" (the README's numbers, 1-2 minutes).
        seed: seeds every Run (initial weights, batches, labeled subsets) and the calibration samples.
        teachers: trained teachers by model key ("lenet5", "mlp_1200") to use instead of the pretrained ones;
            without one and without pretrained weights, the job trains a teacher once, at its start.
        after_run: called as after_run(label, run) when each run ends (the CLI's --track logs it there).
    """
    exp = get_experiment(key)
    plan = exp.plan(check_budget(budget), int(seed))   # builds every TrainConfig: bad values fail here
    return ExperimentJob(key, exp.title, plan, budget, int(seed), teachers, after_run).start()


def experiment_figures(key: str, snapshot: dict) -> list:
    """Plotly figures for a job snapshot (partial ones too: they fill in as runs finish)."""
    get_experiment(key)
    return [localize_figure(fig) for fig in FIGURES[key](snapshot)]   # their words in every language
