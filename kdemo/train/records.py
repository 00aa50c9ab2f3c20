"""What a Run writes down while it trains: loss and accuracy records on a per-run schedule, health events, progress,
the final scores and the summary.

Curves are scheduled per run, not per epoch: `log_points` loss records and `eval_points` evaluations on a fixed
test subset, whatever the run's length, so short runs are not dominated by evaluation; the whole test set is
measured once at the end. Several seeds give each record the mean and, per key, the list of every seed's value
("<group>/<key>_seeds"), from which the plots draw their bands.
"""
from __future__ import annotations

import math
import statistics
import threading
import time

import torch

from .health import Health
from .stats import compare, fair_parts, fair_verdict, verdict_parts


def points(steps: int, n: int) -> set[int]:
    """n step numbers (1..steps) spread evenly over a phase; the last step is always one."""
    return {max(1, round(steps * i / n)) for i in range(1, n + 1)} | {steps}


class Recorder:
    """A Run's history: records, events, progress (written by the loop, read by the UI: `read()`, under the
    recorder's own lock), evaluation time. It talks to its Run through public methods only (elapsed, evaluated,
    publish, stopping); halting and retiring a diverged member are the Run's decisions."""

    def __init__(self, run):
        self.run = run
        self._lock = threading.Lock()
        self.records: list[dict] = []
        self.events: list = []
        self.progress = 0.0
        self.eval_s = 0.0
        self.loop_s = 0.0       # inside the training loops, evaluations excluded (no data loading, no setup)
        self.done = self.teacher_steps = self.student_steps = 0
        self.last_scores: dict | None = None

    def plan(self, teacher_steps: int, student_steps: int):
        self.teacher_steps, self.student_steps = teacher_steps, student_steps

    def timed(self, fn):
        t = time.perf_counter()
        try:
            return fn()
        finally:
            self.eval_s += time.perf_counter() - t

    def read(self) -> tuple[list[dict], list, float]:
        """(records, events, progress) as of now: copies of the lists (records are never changed once appended)."""
        with self._lock:
            return list(self.records), list(self.events), self.progress

    def append(self, rec: dict, progress: float | None = None, events=()):
        with self._lock:
            self.records.append(rec)
            self.events.extend(events)
            if progress is not None:
                self.progress = min(progress, 1.0)

    def begin(self, ph) -> "PhaseRecorder":
        return PhaseRecorder(self, ph)

    def final_scores(self, ph, data) -> dict:
        """Each group's accuracy on the whole test set (mean over seeds, and every seed's)."""
        last = self.last_scores or {}
        stopped = self.run.stopping
        scores = last if stopped or data.curve is data.test else self.timed(lambda: ph.members.evaluate(data.test))
        out = {}
        for g, per_seed in scores.items():
            accs = [s["acc"] for s in per_seed]
            k = len(per_seed[0]["per_class"])
            out[g] = {"acc": sum(accs) / len(accs), "seeds": accs,
                      "per_class": [sum(s["per_class"][c] for s in per_seed) / len(per_seed) for c in range(k)],
                      "class_counts": per_seed[0]["class_counts"],
                      "test_images": len(data.curve) if scores is last and last else len(data.test)}
        return out

    def summary(self, snap: dict) -> dict:
        run = self.run
        out = {"id": run.id, "status": snap["status"], "message": snap["message"], "error": snap["error"],
               "elapsed_s": round(snap["elapsed"], 2), "eval_s": round(self.eval_s, 2), "loop_s": round(self.loop_s, 2),
               "teacher_acc": snap["teacher_acc"], "config": run.cfg.to_dict(), "mode": run.mode,
               "members": run.cfg.members, "health": snap["health"]}
        for name, ev in snap["final"].items():
            out[f"{name}_acc"] = ev["acc"]
        evals = [r for r in snap["records"] if r["kind"] == "eval" and r["phase"] == "student"]
        out["epochs_done"] = evals[-1]["epoch"] if evals else 0.0
        kd, tw = snap["final"].get("kd"), snap["final"].get("scratch")
        cfg, c = run.cfg, None
        out["kd_lr"] = cfg.lr
        if cfg.trains_twin:
            best, source = cfg.best_twin_lr()
            out.update(twin_lr=cfg.twin_rate, twin_lr_setting=cfg.twin_lr, twin_lr_best=best, twin_lr_source=source)
        if kd and tw:
            c = compare(kd["seeds"], tw["seeds"], [cfg.seed + i for i in range(len(kd["seeds"]))])
            stalled = any(e.get("kind") == "stall" and e.get("group") == "scratch" for e in snap["health"])
            out["verdict"] = fair_verdict(c, cfg.lr, out["twin_lr"], out["twin_lr_best"], stalled)
            # the same sentence as data, for the page's languages: what it compares, then the comparison
            out["verdict_parts"] = verdict_parts(c)
            out["verdict_fair"] = fair_parts(out["verdict_parts"][0], cfg.lr, out["twin_lr"], out["twin_lr_best"],
                                             stalled)
            if len(kd["seeds"]) > 1:
                out.update({k: v for k, v in c.items() if k != "verdict"})
        out["metrics"] = final_metrics(snap["final"], c, run.cfg.seed, out)
        return out


# ---- metric names: one convention for every tracker and the summary's "metrics" (README, "Logging runs") ----------
SIDES = {"kd": "kd", "scratch": "twin", "teacher": "teacher"}   # record group -> side in metric names
PER_SEED = ("test_acc",)       # what is also logged for every member ("seed_3/kd/test_acc"), with its sd over seeds


def metric_name(key: str) -> str:
    """A record key under the convention: 'scratch/test_acc' -> 'twin/test_acc', 'kd/loss_nckd' -> 'kd/loss/nckd'."""
    group, what = key.split("/", 1)
    what = "loss/" + what[5:] if what.startswith("loss_") else what
    return f"{SIDES.get(group, group)}/{what}"


def _spread(name: str, values: list, seeds: list[int], prefix: str = "") -> dict:
    """Every seed's value of one metric, and the sd over seeds (n − 1) when there are several."""
    out = {f"{prefix}seed_{s}/{name}": v for s, v in zip(seeds, values) if v is not None}
    live = [v for v in values if v is not None]
    if len(live) > 1:
        out[f"{prefix}{name}_sd"] = statistics.stdev(live)
    return out


def record_metrics(rec: dict, seeds: list[int]) -> dict[str, float]:
    """One record (a training log or an evaluation) as {metric name: number}: per side the mean over seeds (as
    the curves show it), for the test accuracy also its sd and every member's; the training throughput."""
    out = {"perf/samples_per_s": rec["samples_per_s"]} if "samples_per_s" in rec else {}
    for key, value in rec.items():
        if "/" not in key or key.endswith("_seeds") or value is None:
            continue
        out[metric_name(key)] = value
        if key.split("/", 1)[1] in PER_SEED and not key.startswith("teacher/"):   # a train-first teacher: one
            out.update(_spread(metric_name(key), rec.get(key + "_seeds") or [value], seeds))
    return out


def final_metrics(final: dict, c: dict | None, first_seed: int, summary: dict) -> dict[str, float]:
    """The run's end under the same names, prefixed 'final/': whole-test-set accuracy per side (mean, sd, every
    seed), the paired KD − twin difference with its 95% interval, health events, time."""
    out = {}
    for group, ev in final.items():
        name = f"{SIDES.get(group, group)}/test_acc"
        out["final/" + name] = ev["acc"]
        if group != "teacher":
            out.update(_spread(name, ev["seeds"], list(range(first_seed, first_seed + len(ev["seeds"]))), "final/"))
    if c is not None:
        out["final/diff"] = c["diff_mean"]
        if c["diff_ci95"] is not None:
            out["final/diff_sd"] = c["diff_sd"]
            out["final/diff_ci95_lo"], out["final/diff_ci95_hi"] = c["diff_ci95"]
    out["health/events"] = len(summary["health"])
    out["perf/elapsed_s"], out["perf/epochs"] = summary["elapsed_s"], summary["epochs_done"]
    return out


class PhaseRecorder:
    """Logging, evaluation, health and stopping for one phase of the loop."""

    def __init__(self, rec: Recorder, ph):
        self.rec, self.ph, self.run, self.cfg = rec, ph, rec.run, rec.run.cfg
        self.per_epoch = ph.batches.per_epoch
        self.log_at, self.eval_at = points(ph.steps, self.cfg.log_points), points(ph.steps, self.cfg.eval_points)
        groups = [g.name for g in ph.members.groups]
        self.health = Health(self.cfg, groups, ph.members.seeds, ph.data.info.num_classes, ph.steps)
        self.sums: dict = {g: None for g in groups}
        self.correct: dict = {g: 0 for g in groups}
        self.seen, self.count, self.step = 0, 0, 0
        self.logged = self.evaluated = 0
        self.t_last, self.eval_last = time.perf_counter(), rec.eval_s
        self.t_begin, self.eval_begin = self.t_last, rec.eval_s
        self.total = max(1, rec.teacher_steps + rec.student_steps)

    def _base(self, step: int) -> dict:
        return {"phase": self.ph.name, "step": step, "epoch": round(step / self.per_epoch, 4),
                "elapsed": round(self.run.elapsed(), 3)}

    def add(self, out: dict, y: torch.Tensor, all_labeled: bool):
        """Running totals since the last log (device tensors: no synchronisation per step)."""
        for g, (vals, hits) in out.items():
            self.sums[g] = vals if self.sums[g] is None else self.sums[g] + vals
            self.correct[g] = self.correct[g] + hits
        self.seen = self.seen + (y.shape[-1] if all_labeled else (y >= 0).sum(dim=-1))
        self.count += 1

    def logs_at(self, step: int) -> bool:
        """Whether `step` is one of this phase's log steps (a distributed run decides halting there only)."""
        return step == 0 or step in self.log_at

    def after_step(self, step: int) -> list:
        """Log and evaluate where the schedule says; the health events this raised (the Run acts on them)."""
        self.step = step
        self.rec.done += 1
        events = self.log(step) if step in self.log_at else []
        if step in self.eval_at:
            events += self.evaluate(step)
        return events

    def close(self) -> list:
        """At the end, or where a stop or the budget cut the phase: the last log and evaluation (their events)."""
        events = self.log(self.step) if self.logged != self.step and self.count else []
        if self.evaluated != self.step:
            events += self.evaluate(self.step)
        self.rec.loop_s += time.perf_counter() - self.t_begin - (self.rec.eval_s - self.eval_begin)
        return events

    def log(self, step: int):
        members = self.ph.members
        now = time.perf_counter()
        busy = now - self.t_last - (self.rec.eval_s - self.eval_last)   # training time only, evaluations excluded
        rate = (step - self.logged) * self.cfg.batch_size * len(members) * self.run.ctx.world_size / max(busy, 1e-9)
        rec = {"kind": "train", **self._base(step), "samples_per_s": round(rate, 1)}
        totals = {}
        for g in members.groups:
            vals = self.sums[g.name]
            n = vals.shape[0]

            def col(v):
                return torch.as_tensor(v, dtype=torch.float64).reshape(-1, 1).cpu().expand(n, 1)
            # one all-reduce per group: loss sums (S, P), then correct, seen and the step count per seed
            flat = torch.cat([vals.to("cpu", torch.float64), col(self.correct[g.name]), col(self.seen),
                              col(self.count)], dim=1)
            flat = self.run.ctx.all_reduce_sum(flat)
            means = flat[:, :-3] / flat[:, -1:].clamp(min=1)
            accs = (flat[:, -3] / flat[:, -2].clamp(min=1)).tolist()
            for si, seed in enumerate(members.seeds):
                totals[g.name, seed] = float(means[si].sum())
            alive = [si for si in range(n) if not self.health.dead(g.name, members.seeds[si])
                     and math.isfinite(totals[g.name, members.seeds[si]])]
            for j, key in enumerate(members.keys.get(g.name, ())):
                self._put(rec, f"{g.name}/{key}", means[:, j].tolist(), alive)
            self._put(rec, f"{g.name}/train_acc", accs, alive)
        events = self.health.on_log(step, step / self.per_epoch, totals)
        self.sums = {g: None for g in self.sums}
        self.correct = {g: 0 for g in self.correct}
        self.seen, self.count, self.logged = 0, 0, step
        self.t_last, self.eval_last = time.perf_counter(), self.rec.eval_s
        self.rec.append(rec, self.rec.done / self.total, events)
        return events

    @staticmethod
    def _put(rec: dict, key: str, per_seed: list[float], alive: list[int]):
        """The mean over the members still alive (no NaN curves), and each seed's value when there are several."""
        vals = [per_seed[i] for i in alive]
        if vals:
            rec[key] = sum(vals) / len(vals)
        if len(per_seed) > 1:
            rec[key + "_seeds"] = [v if i in alive else None for i, v in enumerate(per_seed)]

    def evaluate(self, step: int):
        run, ph = self.run, self.ph
        scores = self.rec.timed(lambda: ph.members.evaluate(run.curve_data))
        self.rec.last_scores = scores
        rec = {"kind": "eval", **self._base(step)}
        for g, per_seed in scores.items():
            accs = [s["acc"] for s in per_seed]
            rec[f"{g}/test_acc"] = sum(accs) / len(accs)
            if len(accs) > 1:
                rec[f"{g}/test_acc_seeds"] = accs
        events = self.health.on_eval(step, step / self.per_epoch, scores)
        self.evaluated = step
        if ph.name == "student":
            run.publish(ph.members)
        self.rec.append(rec, self.rec.done / self.total, events)
        run.evaluated()
        return events
