"""The background job behind every experiment: its engine Runs one after another, one progress bar, one stop.

A job is a Worker (kdemo/train/worker.py) as a Run is: its own thread, stop Event and lock-protected table; nothing here
is module state.
Teachers are resolved once per job: the pretrained one when pretrained/ has it (each Run then loads its saved
training-set logits, so no teacher pass at all), else a teacher trained once at the start of the job and handed
to every Run (each Run then caches its logits in one eager pass: ~5 s for the 60k MNIST images and LeNet-5 on
one shared core, against ~2 ms to load the saved logits).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn as nn

from ..settings.config import TrainConfig
from ..data.datasets import DatasetUnavailable, load_dataset
from ..train.engine import Run
from ..zoo.models import build_for
from ..train.worker import Worker
from .teachers import Teachers

log = logging.getLogger(__name__)

BUDGETS = ("quick", "full")
HIDDEN_BUDGETS = ("tiny",)        # seconds per experiment: the tests' budget, not offered in the UI
STATUSES = ("running", "done", "stopped", "failed")


@dataclass
class Step:
    """One engine Run of an experiment; `members` names the table row of each model it trains."""
    label: str
    cfg: TrainConfig
    members: dict[str, str]                  # run member ("kd", "scratch") -> condition shown in the table
    columns: dict = field(default_factory=dict)   # fixed columns of its rows (T, alpha, beta, ...)


@dataclass
class Plan:
    """What a job runs: its Steps, and the hooks that turn a finished Run into table columns and figure data."""
    steps: list[Step]
    analyse: Callable | None = None   # (ctx, step, run) -> {member: {column: value}} extra columns per row
    details: Callable | None = None   # (ctx) -> dict of job-level numbers for the figures (before the runs)


@dataclass(frozen=True)
class Experiment:
    """A one-click experiment: what the UI shows (title, explanation, preset) and what the job runs (plan)."""
    key: str
    title: str
    explanation: str                  # markdown: what it shows, what to look for in the plots
    preset: dict                      # TrainConfig kwargs of its headline run, for the Train tab
    plan: Callable[[str, int], Plan] = field(repr=False, compare=False, default=None)   # (budget, seed) -> Plan


def check_budget(budget: str) -> str:
    if budget not in BUDGETS + HIDDEN_BUDGETS:
        raise ValueError(f"unknown budget {budget!r}; choose one of {', '.join(BUDGETS)}")
    return budget


@dataclass
class Context:
    """What the analysis hooks of a running job can read."""
    teachers: Teachers
    budget: str
    seed: int
    details: dict = field(default_factory=dict)


class ExperimentJob(Worker):
    """A started experiment: its Runs train one after another in one daemon thread."""
    kind = "experiment"

    def __init__(self, key: str, title: str, plan: Plan, budget: str, seed: int,
                 teachers: dict[str, nn.Module] | None = None, after_run: Callable | None = None):
        super().__init__()
        self.after_run = after_run     # (label, run) after each run, in the job's thread: e.g. a tracker's log
        self.key, self.title, self.plan, self.budget, self.seed = key, title, plan, budget, seed
        self.ctx = Context(Teachers(teachers, seed), budget, seed)
        self._done_units, self._units, self._runs_done = 0, max(1, len(plan.steps)), 0
        self._current: Run | None = None
        self._current_label = ""
        self._table: list[dict] = []
        self._records: dict[str, list[dict]] = {}
        self.runs: list[Run] = []      # its finished runs (the teaching views can show them)

    def stop(self):
        """Stop the current Run and skip the rest; the job ends with status 'stopped'."""
        super().stop()
        with self._lock:
            run = self._current
        if run is not None:
            run.stop()

    # ---- reading -------------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """Plain JSON-able state: table rows of finished runs, learning-curve records of every run so far."""
        with self._lock:
            run, label = self._current, self._current_label
            records = dict(self._records)
            out = {"key": self.key, "title": self.title, "budget": self.budget, "seed": self.seed,
                   "status": self._status, "phase": self._phase, "message": self._message, "error": self.error,
                   "table": [dict(r) for r in self._table], "details": dict(self.ctx.details),
                   "runs": [{"label": s.label, "members": dict(s.members), "columns": dict(s.columns),
                             "config": s.cfg.to_dict()} for s in self.plan.steps],
                   "elapsed": round(self.elapsed(), 2)}
            done = self._done_units
        p = 0.0
        if run is not None and out["status"] == "running":
            s = run.snapshot()
            p = s["progress"]
            records[label] = s["records"]
            out["phase"] = f"{out['phase']}: {s['phase']}"
        out["records"] = records
        out["progress"] = 1.0 if out["status"] == "done" else min(1.0, (done + p) / self._units)
        return out

    def summary(self) -> dict:
        return self.snapshot()

    # ---- the work ------------------------------------------------------------------------------------------
    def _failed(self, e: Exception):
        if isinstance(e, DatasetUnavailable):   # expected without the data: its message says it all
            log.info("experiment %s: %s", self.key, e)
        else:
            log.exception("experiment %s failed", self.key)

    def _finished(self, status: str):
        with self._lock:
            self._current = None
            if status == "stopped":
                self._message = f"stopped after {self._runs_done} of {len(self.plan.steps)} runs"

    def _execute(self):
        steps, teachers = self.plan.steps, self.ctx.teachers
        self._set(phase="checking the data")
        for ds in sorted({s.cfg.dataset for s in steps}):
            load_dataset(ds, "train", download=False)   # DatasetUnavailable: one clear message, no download
            load_dataset(ds, "test", download=False)
        to_train = {(s.cfg.teacher, s.cfg.dataset): s.cfg for s in steps if teachers.needs_training(s.cfg)}
        self._set(units=len(steps) + len(to_train))
        for s in steps:
            teachers.resolve(s.cfg, self._train_teacher)
            if self.stopping:
                return
        if self.plan.details is not None:
            self._set(phase="measuring the teacher")
            details = self.plan.details(self.ctx)
            with self._lock:
                self.ctx.details.update(details)
        for i, step in enumerate(steps):
            cfg, teacher = teachers.for_run(step.cfg)
            run = Run(cfg, teacher=teacher)
            self._set(current=run, current_label=step.label, phase=f"run {i + 1}/{len(steps)} ({step.label})")
            if self.stopping:
                return
            run.run()
            if run.status == "failed":
                raise RuntimeError(f"run '{step.label}' failed: {run.error}")
            records = run.snapshot()["records"]
            if self.after_run is not None:
                self.after_run(step.label, run)
            if run.status == "stopped":
                with self._lock:
                    self._records[step.label] = records
                return
            rows = self._rows(step, run)
            teacher_acc = run.snapshot()["teacher_acc"]
            with self._lock:
                if teacher_acc is not None:
                    self.ctx.details.setdefault("teacher_acc_%", pct(teacher_acc))
                self._records[step.label] = records
                self._table.extend(rows)
                self.runs = (self.runs + [run])[-16:]
                self._done_units += 1
                self._runs_done += 1
                self._current = None

    def _train_teacher(self, cfg: TrainConfig) -> nn.Module:
        """No pretrained teacher: train one here, once, on all labels (counts as one unit of progress)."""
        tcfg = TrainConfig(dataset=cfg.dataset, student=cfg.teacher, method="ce", twin=False, epochs=1.0,
                           n_labeled=3000 if self.budget == "tiny" else None, lr=0.05, seeds=1,
                           batch_size=64, eval_samples=1000, eval_points=4, seed=self.seed + 1000,
                           device=cfg.device)
        run = Run(tcfg)
        self._set(current=run, current_label=f"teacher {cfg.teacher}",
                  phase=f"training a {cfg.teacher} teacher (no pretrained one found)")
        if self.stopping:
            return run_model_or_fresh(run, tcfg)
        run.run()
        if run.status == "failed":
            raise RuntimeError(f"training the teacher failed: {run.error}")
        with self._lock:
            self._done_units += 1
            self._current = None
        return run_model_or_fresh(run, tcfg)

    def _rows(self, step: Step, run: Run) -> list[dict]:
        final = run.snapshot()["final"]
        summary = run.summary()
        extra = self.plan.analyse(self.ctx, step, run) if self.plan.analyse is not None else {}
        rows = []
        for member, condition in step.members.items():
            rows.append({"condition": condition, **step.columns, "test_acc_%": pct(final[member]["acc"]),
                         **extra.get(member, {}), "epochs": round(summary["epochs_done"], 3),
                         "run_s": round(summary["elapsed_s"], 1)})
        return rows


def run_model_or_fresh(run: Run, cfg: TrainConfig) -> nn.Module:
    """The trained model of a (possibly stopped) teacher Run; an untrained one if it never published weights."""
    if run.has_model("kd"):
        return run.model("kd")
    return build_for(cfg.student, cfg.dataset, torch.Generator().manual_seed(cfg.seed))


def pct(x: float | None, digits: int = 2) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(100 * float(x), digits)
