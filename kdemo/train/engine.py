"""The training engine: a Run trains the distilled students of every seed and their from-scratch twins together.

One loop serves every method (the distiller decides the loss), teacher pre-training included. A Run is a Worker
(kdemo/train/worker.py): its own thread, stop, pause and lock-protected history, so each visitor of the app holds
their own and nothing here is module-level run state. `_execute` reads as its steps: prepare the data, resolve
the teacher, build the members, train, finish. The records, curves and health of a phase are kept by
`Recorder` (kdemo/train/records.py).
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import torch
import torch.nn as nn

from .. import lang
from ..zoo.checkpoints import save_model
from ..data.datasets import DATASETS, ImageData, load_dataset
from ..zoo.device import pick_device
from ..methods.distillers import Distiller, get_distiller
from ..zoo.inference import evaluate
from .members import Group, Members, make_members
from ..zoo.models import shell_for
from .outputs import TestLogits
from .parallel import LocalContext
from .records import Recorder
from .teachers import Teacher, resolve
from .batches import Batches, TeacherOutputs, assemble_split, lr_scale, split_indices
from .worker import Worker

log = logging.getLogger(__name__)


@dataclass
class RunData:
    """What a run trains and measures on."""
    train_full: ImageData       # the whole training split (a train-first teacher learns from it)
    train: ImageData            # the student's split: omitted classes dropped, -1 where unlabeled
    train_idx: torch.Tensor     # its indices into train_full (they also pick a teacher's saved logits)
    curve: ImageData            # the fixed test subset of the curves
    test: ImageData             # the whole test split: the final accuracy
    augment: bool


@dataclass
class Phase:
    """One pass of the loop: the teacher's (train-first) or the students'."""
    name: str
    members: Members
    data: ImageData
    touts: TeacherOutputs
    batches: Batches
    steps: int
    augment: bool = False       # augmented batches: drawn per seed, with each seed's own generator


class Run(Worker):
    """A training run. `start()` trains in a daemon thread, `run()` in the caller's; `snapshot()` reads it."""
    kind = "run"

    def __init__(self, cfg, teacher: nn.Module | None = None, ctx: LocalContext | None = None, stack: bool = True):
        super().__init__()
        self.cfg = cfg
        self.ctx = ctx or LocalContext()
        self._given_teacher, self._stack = teacher, stack
        self.device = None
        self.rec = Recorder(self)
        self.teacher_eval: dict | None = None
        self.final: dict = {}
        self._states: dict[str, dict] = {}   # published weights: "kd" / "scratch" (seed 0) -> CPU state dict
        self.mode = self.why = None          # "stacked" | "loop" and why
        self.curve_data = None               # the fixed test subset every evaluation of the curves uses
        self.teacher: Teacher | None = None  # the resolved teacher (for the teaching views)
        self.final_states: dict = {}         # (group, seed index) -> CPU state dict, every member, at the end
        self.test_logits = TestLogits(self)  # every model's test-set logits, computed once when first read

    # ---- reading --------------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """A consistent copy of everything a UI shows; records are never mutated after they are appended."""
        with self._lock:
            records, events, p = self.rec.read()
            elapsed = self.elapsed()
            eta = elapsed * (1 - p) / p if self._status == "running" and p > 0.02 and not self.paused else None
            return {"id": self.id, "status": self._status, "phase": self._phase, "message": self._message,
                    "error": self.error, "progress": p, "elapsed": elapsed, "eta": eta, "paused": self.paused,
                    "records": records, "teacher_acc": (self.teacher_eval or {}).get("acc"),
                    "health": [e.to_dict() for e in events], "seeds": self.cfg.seeds,
                    "final": copy.deepcopy(self.final), "mode": self.mode, "names": self.names()}

    def names(self) -> dict:
        """What each group is called for this run: a CE-only run trains a 'student', not a distilled one."""
        kd = "distilled student" if self.cfg.uses_teacher else "student (labels only)"
        return {"kd": kd, "scratch": "twin (labels only)", "teacher": "teacher"}

    def has_model(self, which: str = "kd") -> bool:
        with self._lock:
            return which in self._states

    def model(self, which: str = "kd") -> nn.Module:
        """A fresh CPU copy of the latest published weights (seed 0): safe to use while training continues."""
        with self._lock:
            state = self._states.get(which)
        if state is None:
            raise ValueError(f"run {self.id} has no '{which}' model yet")
        m = shell_for(self.cfg.student if which != "teacher" else self.cfg.teacher, self.cfg.dataset)
        m.load_state_dict(state)
        return m.eval()

    def save_student(self, path, which: str = "kd", role: str = "student"):
        meta = {"model": self.cfg.student, "dataset": self.cfg.dataset, "role": role, "which": which,
                "test_acc": (self.final.get(which) or {}).get("seeds", [None])[0], "config": self.cfg.to_dict()}
        return save_model(self.model(which), path, meta)

    def summary(self) -> dict:
        return self.rec.summary(self.snapshot())

    # ---- the work ---------------------------------------------------------------------------------------------
    def _execute(self):
        data = self._prepare_data()
        teacher = self._resolve_teacher(data)
        if not self.checkpoint():
            return
        phase = self._student_phase(data, teacher)
        self._train(phase)
        self._finish(phase, data)

    def _prepare_data(self) -> RunData:
        cfg = self.cfg
        self.device = pick_device(cfg.device)   # torchrun ranks get their own via cfg.device
        self._set(phase="loading data")
        train_full, test = load_dataset(cfg.dataset, "train"), load_dataset(cfg.dataset, "test")
        curve = test if cfg.eval_samples is None or cfg.eval_samples >= len(test) \
            else test.subset(torch.arange(cfg.eval_samples))
        idx, labels = split_indices(cfg, train_full)
        self.curve_data = curve
        return RunData(train_full, assemble_split(train_full, idx, labels), idx, curve, test,
                       cfg.augment and DATASETS[cfg.dataset].augment)

    def _steps(self, n: int, epochs: float) -> int:
        return max(1, round(epochs * -(-self.ctx.shard_size(n) // self.cfg.batch_size)))

    def _resolve_teacher(self, data: RunData) -> Teacher | None:
        cfg = self.cfg
        if not cfg.uses_teacher:
            self.rec.plan(0, self._steps(len(data.train), cfg.epochs))
            return None
        train_first = self._given_teacher is None and cfg.teacher_source == "train"
        self.rec.plan(self._steps(len(data.train_full), cfg.teacher_epochs) if train_first else 0,
                      self._steps(len(data.train), cfg.epochs))
        self._set(phase="loading the teacher" if not train_first else "training the teacher")
        teacher = self.teacher = resolve(cfg, self.device, self._given_teacher, lambda: self._train_teacher(data))
        self._set(phase="measuring the teacher")
        self.teacher_eval = teacher.known_eval or self.rec.timed(
            lambda: self._evaluate_plain(teacher.model, data.test))
        return teacher

    def _evaluate_plain(self, model, data):
        return evaluate(model, data, self.device, ctx=self.ctx)

    def _train_teacher(self, data: RunData) -> nn.Module:
        """Train-first: the same loop, plain cross-entropy on every label (the teacher saw all classes)."""
        cfg = self.cfg.replace(method="ce", ce_weight=1.0, transfer_set="labeled", twin=False)
        members = make_members(cfg, [Group("teacher", Distiller)], [self.cfg.seed + 1000], self.cfg.teacher, None,
                               data.train_full.batch(torch.arange(2))[0].to(self.device), self.device, self.ctx)
        batches = Batches(len(data.train_full), cfg.batch_size, members.seeds, self.ctx)
        self._train(Phase("teacher", members, data.train_full, TeacherOutputs(None, data.train_full, self.device,
                                                                               False, "off"),
                          batches, self.rec.teacher_steps, data.augment))
        model = shell_for(self.cfg.teacher, cfg.dataset)
        model.load_state_dict(members.state("teacher"))
        return model

    def _student_phase(self, data: RunData, teacher: Teacher | None) -> Phase:
        cfg = self.cfg
        self._set(phase="caching teacher outputs" if teacher is not None and not data.augment else "starting")
        groups = [Group("kd", get_distiller(cfg.method), cfg.lr)] + \
            ([Group("scratch", Distiller, cfg.twin_rate)] if cfg.trains_twin else [])
        seeds = [cfg.seed + i for i in range(cfg.seeds)]
        sample = data.train.batch(torch.arange(min(4, len(data.train))), device=self.device)[0]
        model = teacher.model if teacher is not None else None
        members = make_members(cfg, groups, seeds, cfg.student, model, sample, self.device, self.ctx, self._stack)
        self.mode, self.why = members.mode, members.why
        mode = "off" if data.augment else ("eager" if self.ctx.world_size == 1 else "lazy")
        saved = teacher.train_logits if teacher is not None and mode == "eager" else None
        touts = TeacherOutputs(model, data.train, self.device, members.groups[0].distiller.feature is not None, mode,
                               precomputed=None if saved is None else saved[data.train_idx])
        batches = Batches(len(data.train), cfg.batch_size, seeds, self.ctx)
        return Phase("student", members, data.train, touts, batches, self.rec.student_steps, data.augment)

    def _train(self, ph: Phase):
        """The one training loop: every member on its seed's batch; logs, evaluates, honours stop, pause, budget."""
        cfg, ctx, dev = self.cfg, self.ctx, self.device
        rec = self.rec.begin(ph)
        self._set(phase=f"training the {'teacher' if ph.name == 'teacher' else 'student'}")
        ph.members.train()
        self.retire(ph.members, rec.evaluate(0))
        gens = [torch.Generator().manual_seed(s + 1 + 7919 * ctx.rank) for s in ph.members.seeds]
        all_labeled = bool((ph.data.labels >= 0).all())
        for step in range(ph.steps):
            if self.should_halt(step, rec.logs_at(step)):
                break
            idx = ph.batches(step)                                          # (S, B)
            if ph.augment:
                xs = [ph.data.batch(i, device=dev, augment=True, generator=g) for i, g in zip(idx, gens)]
                x, y = torch.stack([a for a, _ in xs]), torch.stack([b for _, b in xs])
            else:
                x, y = ph.data.batch(idx.reshape(-1), device=dev)
                x, y = x.view(*idx.shape, *x.shape[1:]), y.view(idx.shape)
            t_logits, t_feats = ph.touts(idx, x)
            if cfg.schedule == "cosine":
                ph.members.set_scale(lr_scale(cfg, step, ph.steps))
            out = ph.members.step(x, y, t_logits, t_feats, step / ph.batches.per_epoch,
                                  None if all_labeled else y >= 0)
            rec.add(out, y, all_labeled)
            self.retire(ph.members, rec.after_step(step + 1))
        self.retire(ph.members, rec.close())

    def should_halt(self, step: int, decision_point: bool = True) -> bool:
        """Before each step: wait while paused; True on stop or an exhausted time budget. Ranks of a distributed
        run must agree, so they decide at the recorder's log steps only (`decision_point`)."""
        if self.ctx.world_size > 1 and not decision_point:
            return False
        stop = not self.checkpoint()
        budget = self.cfg.time_budget_s
        over = budget is not None and self.elapsed() > budget
        if self.ctx.world_size > 1:
            stop = bool(self.ctx.all_reduce_sum(torch.tensor([float(stop or over)])).item() > 0)
        if over:
            self._set(message=f"time budget of {budget:g}s reached")
        return stop or over

    @staticmethod
    def retire(members: Members, events) -> None:
        """Members that diverged train no further (their seeds' others go on): the Run's call, not the recorder's."""
        for e in events:
            if e.kind == "diverged":
                members.alive[e.group][members.seeds.index(e.seed)] = False

    def _finish(self, ph: Phase, data: RunData):
        self._set(phase="final evaluation")
        final = self.rec.final_scores(ph, data)
        if self.teacher_eval:
            final["teacher"] = self.teacher_eval
        self.publish(ph.members)
        states = {(g.name, si): ph.members.state(g.name, si) for g in ph.members.groups
                  for si in range(len(ph.members.seeds))}
        with self._lock:
            self.final = final
            self.final_states = states
        if all(ph.members.alive[g][i] is False for g in ph.members.alive for i in range(len(ph.members.seeds))):
            # the health events' words, in every language the page speaks (the status line composes them)
            self.error = lang.say([{"each": e.parts, "sep": " "} for e in self.rec.events if e.kind == "diverged"],
                                  "; ")
            raise FloatingPointError(str(self.error))

    def publish(self, members: Members):
        """Seed 0's weights of each group, for the lab and the downloads (CPU copies: safe while training)."""
        states = {g.name: members.state(g.name, 0) for g in members.groups if g.name != "teacher"}
        with self._lock:
            self._states.update(states)
