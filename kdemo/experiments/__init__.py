"""One-click classroom experiments that make the effects of distillation visible and measurable.

Each `Experiment` has a key (the UI's choice), a title, a short markdown explanation, and a preset (TrainConfig
kwargs for the Train tab). `start_experiment(key)` returns a started `ExperimentJob`: its engine Runs train one
after another in one background thread with one progress value; `job.snapshot()["table"]` holds one row per
finished condition, and `experiment_figures(key, snapshot)` draws it. `python -m kdemo experiment NAME` is the CLI
(kdemo/commands/experiment.py).
"""
from __future__ import annotations

from .job import BUDGETS, Experiment, ExperimentJob
from .registry import EXPERIMENTS, experiment_figures, get_experiment, start_experiment

__all__ = ["BUDGETS", "EXPERIMENTS", "Experiment", "ExperimentJob", "experiment_figures", "get_experiment",
           "start_experiment"]
