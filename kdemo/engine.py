"""The training engine: a Run trains a distilled student and its from-scratch twin side by side.

One loop serves every method (the distiller decides the loss), teacher pre-training included. A Run owns its
thread, a stop Event and a lock-protected history, so each visitor of the app holds their own; nothing here is
module-level run state. Speed comes from design: datasets sit in memory as tensors, an epoch is
index-and-slice, and the frozen teacher's outputs are computed once and cached when inputs are not augmented.
"""
from __future__ import annotations

import copy
import logging
import math
import threading
import time
import uuid

import torch
import torch.nn as nn

from .checkpoints import load_pretrained, load_train_logits, save_model
from .config import TrainConfig
from .data import DATASETS, load_dataset
from .device import pick_device
from .distillers import Distiller, LossWeights, get_distiller
from .models import create_model
from .parallel import LocalContext
from .training import (Member, TeacherOutputs, assemble_split, build_model, evaluate, make_optimizer,
                       split_indices)

log = logging.getLogger(__name__)


class Run:
    """A training run. `start()` trains in a daemon thread, `run()` in the caller's; `snapshot()` reads it."""

    def __init__(self, cfg: TrainConfig, teacher: nn.Module | None = None, ctx: LocalContext | None = None):
        self.cfg = cfg
        self.ctx = ctx or LocalContext()
        self.id = uuid.uuid4().hex[:8]
        self._given_teacher = teacher
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._records: list[dict] = []
        self._status, self._phase, self._message, self.error = "pending", "waiting", "", None
        self._progress, self._t0, self._t_end = 0.0, None, None
        self._eval_seconds = 0.0          # time spent measuring, kept apart so training speed can be reported
        self._teacher_entry: dict | None = None   # manifest entry when the teacher is a pretrained one
        self._last_eval: dict = {}
        self.teacher_eval: dict | None = None
        self.final: dict = {}
        self._states: dict[str, dict] = {}   # published weights: "kd" / "scratch" -> CPU state dict
        self._thread: threading.Thread | None = None

    # ---- control -------------------------------------------------------------------------------------------
    def start(self) -> "Run":
        self._thread = threading.Thread(target=self._main, name=f"kdemo-run-{self.id}", daemon=True)
        self._thread.start()
        return self

    def run(self) -> dict:
        """Train in this thread; returns the summary (status 'failed' carries the error)."""
        self._main()
        return self.summary()

    def stop(self):
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.alive

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def status(self) -> str:
        return self._status

    # ---- reading -------------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """A consistent copy of everything a UI shows; records are never mutated after they are appended."""
        with self._lock:
            elapsed = (self._t_end or time.time()) - self._t0 if self._t0 else 0.0
            p = self._progress
            eta = elapsed * (1 - p) / p if self._status == "running" and p > 0.02 else None
            return {"id": self.id, "status": self._status, "phase": self._phase, "message": self._message,
                    "error": self.error, "progress": p, "elapsed": elapsed, "eta": eta,
                    "records": list(self._records), "teacher_acc": (self.teacher_eval or {}).get("acc"),
                    "final": copy.deepcopy(self.final)}

    def has_model(self, which: str = "kd") -> bool:
        with self._lock:
            return which in self._states

    def model(self, which: str = "kd") -> nn.Module:
        """A fresh CPU copy of the latest published weights: safe to use while training continues."""
        with self._lock:
            state = self._states.get(which)
        if state is None:
            raise ValueError(f"run {self.id} has no '{which}' model yet")
        key = self.cfg.student
        info = DATASETS[self.cfg.dataset]
        m = create_model(key, num_classes=info.num_classes, in_channels=info.in_channels, image_size=info.image_size)
        m.load_state_dict(state)
        return m.eval()

    def save_student(self, path, which: str = "kd", role: str = "student"):
        meta = {"model": self.cfg.student, "dataset": self.cfg.dataset, "role": role, "which": which,
                "test_acc": self.final.get(which, {}).get("acc"), "config": self.cfg.to_dict()}
        return save_model(self.model(which), path, meta)

    def summary(self) -> dict:
        s = self.snapshot()
        out = {"id": self.id, "status": s["status"], "message": s["message"], "error": s["error"],
               "elapsed_s": round(s["elapsed"], 2), "eval_s": round(self._eval_seconds, 2),
               "teacher_acc": s["teacher_acc"],
               "config": self.cfg.to_dict()}
        for name, ev in s["final"].items():
            out[f"{name}_acc"] = ev["acc"]
        evals = [r for r in s["records"] if r["kind"] == "eval" and r["phase"] == "student"]
        out["epochs_done"] = evals[-1]["epoch"] if evals else 0.0
        return out

    # ---- the work ------------------------------------------------------------------------------------------
    def _set(self, **kw):
        with self._lock:
            for k, v in kw.items():
                setattr(self, f"_{k}", v)

    def _publish(self, members):
        states = {m.name: {k: v.detach().to("cpu", copy=True) for k, v in m.distiller.student.state_dict().items()}
                  for m in members if m.name != "teacher"}
        with self._lock:
            self._states.update(states)

    def _main(self):
        self._set(status="running", t0=time.time())
        try:
            self._execute()
            status = "stopped" if self._stop.is_set() else "done"
        except Exception as e:  # the run reports its failure; the caller (UI, CLI) decides how to show it
            log.exception("run %s failed", self.id)
            self.error = f"{type(e).__name__}: {e}"
            status = "failed"
        self._set(status=status, phase="finished", t_end=time.time())

    def _execute(self):
        cfg = self.cfg
        device = pick_device(cfg.device)
        info = DATASETS[cfg.dataset]
        self._set(phase="loading data")
        train_full, test = load_dataset(cfg.dataset, "train"), load_dataset(cfg.dataset, "test")
        curve_data = test if cfg.eval_samples is None or cfg.eval_samples >= len(test) \
            else test.subset(torch.arange(cfg.eval_samples))
        train_idx, train_labels = split_indices(cfg, train_full)   # the indices also pick saved teacher logits
        train = assemble_split(train_full, train_idx, train_labels)
        augment = cfg.augment and info.augment
        steps_student = max(1, round(cfg.epochs * math.ceil(self.ctx.shard_size(len(train)) / cfg.batch_size)))
        teacher = None
        if cfg.uses_teacher:
            teacher, steps_teacher = self._given_teacher, 0
            if teacher is None and cfg.teacher_source == "train":
                steps_teacher = max(1, round(cfg.teacher_epochs
                                             * math.ceil(self.ctx.shard_size(len(train_full)) / cfg.batch_size)))
            total = steps_teacher + steps_student
            if teacher is None:
                teacher = self._make_teacher(train_full, curve_data, device, augment, steps_teacher, total)
            teacher = teacher.to(device).eval()
            self._set(phase="measuring the teacher")
            entry = self._teacher_entry
            if entry is not None and entry.get("per_class"):   # measured by `pretrain` on the full test set
                self.teacher_eval = {"acc": entry["test_acc"], "per_class": entry["per_class"],
                                     "class_counts": entry.get("class_counts")}
            else:
                t = time.time()
                self.teacher_eval = evaluate(teacher, test, device, ctx=self.ctx)
                self._eval_seconds += time.time() - t
            done = steps_teacher
        else:
            total, done = steps_student, 0
        if self._stop.is_set():
            return
        self._set(phase="caching teacher outputs" if teacher is not None and not augment else "starting")
        student = build_model(cfg.student, info, cfg.seed).to(device)
        twin = copy.deepcopy(student) if cfg.twin else None   # same initial weights, by construction
        w = cfg.loss_weights()
        sample = train.batch(torch.arange(min(4, len(train))), device=device)[0]
        members = [self._member("kd", get_distiller(cfg.method)(student, teacher, w, sample).to(device))]
        if twin is not None:
            members.append(self._member("scratch", Distiller(twin, None, w).to(device)))
        mode = "off" if augment else ("eager" if self.ctx.world_size == 1 else "lazy")
        saved = load_train_logits(self._teacher_entry) if self._teacher_entry and mode == "eager" else None
        touts = TeacherOutputs(teacher, train, device, members[0].distiller.needs_features, mode,
                               precomputed=None if saved is None else saved[train_idx])
        self._loop("student", members, train, curve_data, touts, device, augment, steps_student, done, total)
        self._set(phase="final evaluation")
        if curve_data is test or self._stop.is_set():
            final = dict(self._last_eval)    # the loop's last evaluation was of these very weights
        else:
            t = time.time()
            final = {m.name: evaluate(m.distiller.student, test, device, ctx=self.ctx) for m in members}
            self._eval_seconds += time.time() - t
        if self.teacher_eval:
            final["teacher"] = self.teacher_eval
        self._publish(members)
        with self._lock:
            self.final = final

    def _member(self, name: str, distiller: Distiller) -> Member:
        return Member(name, distiller, self.ctx.wrap(distiller),
                      make_optimizer(self.cfg, distiller.trainable_parameters()))

    def _make_teacher(self, train_full, curve_data, device, augment, steps, total):
        cfg = self.cfg
        info = DATASETS[cfg.dataset]
        if cfg.teacher_source == "pretrained":
            self._set(phase="loading the pretrained teacher")
            teacher, self._teacher_entry = load_pretrained(cfg.teacher, cfg.dataset, device, role="teacher")
            return teacher
        # Train-first: the same loop, plain cross-entropy on every label (the teacher saw all classes).
        teacher = build_model(cfg.teacher, info, cfg.seed + 1000).to(device)
        member = self._member("teacher", Distiller(teacher, None, LossWeights()))
        none = TeacherOutputs(None, train_full, device, False, "off")
        self._loop("teacher", [member], train_full, curve_data, none, device, augment, steps, 0, total)
        return teacher

    def _loop(self, phase, members, train, curve_data, touts, device, augment, steps, done, total):
        """The one training loop: same batches for every member; logs, evaluates, honours stop and budget."""
        cfg, ctx = self.cfg, self.ctx
        bs = cfg.batch_size
        per_epoch = math.ceil(ctx.shard_size(len(train)) / bs)
        log_every = max(1, per_epoch // cfg.logs_per_epoch)
        eval_every = max(1, per_epoch // cfg.evals_per_epoch)
        g_aug = torch.Generator().manual_seed(cfg.seed + 1 + 7919 * ctx.rank)
        self._set(phase=f"training the {'teacher' if phase == 'teacher' else 'student'}")
        for m in members:
            m.distiller.train()
        self._eval_record(phase, members, curve_data, device, 0, per_epoch)
        t_last, seen_last, order, eval_last = time.time(), 0, None, self._eval_seconds
        all_labeled = bool((train.labels >= 0).all())
        for step in range(steps):
            if step % per_epoch == 0:  # a new epoch: this rank's shard, reshuffled with seed + epoch
                order = ctx.shard(len(train), cfg.seed, step // per_epoch)
            i = step % per_epoch
            idx = order[i * bs:(i + 1) * bs]
            x, y = train.batch(idx, device=device, augment=augment, generator=g_aug)
            t_logits, t_feats = touts(idx, x)
            if cfg.schedule == "cosine":
                lr = 0.5 * cfg.lr * (1 + math.cos(math.pi * step / steps))
                for m in members:
                    for group in m.optimizer.param_groups:
                        group["lr"] = lr
            labeled = None if all_labeled else y >= 0   # a mask, not boolean indexing: that would sync
            for m in members:
                logits, parts = m.model(x, y, t_logits, t_feats, step / per_epoch)
                m.keys = tuple(parts)
                values = torch.stack(tuple(parts.values()))   # one tensor: one sum, one running total
                m.optimizer.zero_grad(set_to_none=True)
                values.sum().backward()
                m.optimizer.step()
                with torch.no_grad():
                    m.sums = values.detach() if m.sums is None else m.sums + values.detach()
                    hit = logits.argmax(dim=1) == y
                    m.correct += (hit if labeled is None else hit & labeled).sum()
                    m.seen += len(y) if labeled is None else labeled.sum()
                m.count += 1
            done += 1
            last = step + 1 == steps
            at_log = (step + 1) % log_every == 0 or last
            # Ranks must agree on when to stop, so a distributed run decides at log steps only.
            check = ctx.world_size == 1 or at_log
            over = check and cfg.time_budget_s is not None and time.time() - self._t0 > cfg.time_budget_s
            halt = check and self._agree(self._stop.is_set() or over)
            if at_log or halt:
                now = time.time()
                busy = now - t_last - (self._eval_seconds - eval_last)   # training time only, evaluations excluded
                rate = (step + 1 - seen_last) * bs * len(members) * ctx.world_size / max(busy, 1e-9)
                self._train_record(phase, members, (step + 1) / per_epoch, rate, done / total)
                t_last, seen_last, eval_last = now, step + 1, self._eval_seconds
            if (step + 1) % eval_every == 0 or last or halt:
                self._eval_record(phase, members, curve_data, device, step + 1, per_epoch)
            if halt:
                if over:
                    self._set(message=f"time budget of {cfg.time_budget_s:g}s reached")
                else:
                    self._stop.set()
                return

    def _agree(self, flag: bool) -> bool:
        if self.ctx.world_size == 1:
            return flag
        return bool(self.ctx.all_reduce_sum(torch.tensor([float(flag)])).item() > 0)

    def _base(self, phase, epoch):
        return {"phase": phase, "epoch": round(epoch, 4), "elapsed": round(time.time() - self._t0, 3)}

    def _train_record(self, phase, members, epoch, rate, progress):
        rec = {"kind": "train", **self._base(phase, epoch), "samples_per_s": round(rate, 1)}
        for m in members:
            keys = m.keys
            sums = m.sums if m.sums is not None else torch.zeros(len(keys))
            # One all-reduce for every number of this member: loss sums, batch count, correct, seen.
            vals = torch.cat([sums.to("cpu", torch.float64),
                              torch.tensor([float(v) for v in (m.count, m.correct, m.seen)], dtype=torch.float64)])
            vals = self.ctx.all_reduce_sum(vals)
            count, correct, seen = vals[-3:].tolist()
            for k, v in sorted(zip(keys, vals[:-3].tolist())):
                rec[f"{m.name}/{k}"] = v / max(count, 1)
            rec[f"{m.name}/train_acc"] = correct / max(seen, 1)
            m.sums, m.count, m.correct, m.seen = None, 0, 0, 0
        if not all(math.isfinite(v) for k, v in rec.items() if "/loss" in k):
            bad = [k for k, v in rec.items() if "/loss" in k and not math.isfinite(v)]
            raise FloatingPointError(f"{', '.join(bad)} became NaN/inf; lower the learning rate or the loss weights")
        with self._lock:
            self._records.append(rec)
            self._progress = min(progress, 1.0)

    def _eval_record(self, phase, members, data, device, step, per_epoch):
        t = time.time()
        rec = {"kind": "eval", **self._base(phase, step / per_epoch)}
        self._last_eval = {m.name: evaluate(m.distiller.student, data, device, ctx=self.ctx) for m in members}
        for name, ev in self._last_eval.items():
            rec[f"{name}/test_acc"] = ev["acc"]
        self._eval_seconds += time.time() - t
        if phase == "student":
            self._publish(members)
        with self._lock:
            self._records.append(rec)
