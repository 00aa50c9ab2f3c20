"""Runs that explain their failures: per member, a non-finite loss, a loss spike, a collapse, a stall.

Each detector fires at most once per member and returns an event with the step and epoch (the plots mark it) and
a message in plain words: what happened, why it is likely, what to try. The engine keeps training the members
that are still healthy; a run fails only when every member diverged.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field

from .. import lang
from ..methods.distillers import DISTILLERS

SPIKE = 10.0          # a logged loss above this multiple of the member's running median is a spike
SPIKE_HISTORY = 5     # logged values needed before spikes are judged
COLLAPSE_SHARE = 0.9  # one class taking this share of the predictions: a collapse
STALL_AT = 0.75       # share of the run after which a member still at chance is stalling (slow starts are normal)
CHANCE_MARGIN = 0.05  # "at chance": accuracy within this of 1 / classes


@dataclass
class Event:
    group: str        # "kd", "scratch", "teacher"
    seed: int
    kind: str         # "diverged" | "spike" | "collapse" | "stall"
    step: int
    epoch: float
    message: str      # in English (the CLI, the JSON summary); `parts` words it in any language (lang.compose)
    recovered: float | None = None   # a collapse the member came back from: the epoch it was learning again
    parts: list = field(default_factory=list)   # the message's sentences as data: {"key", "params"} each

    def to_dict(self) -> dict:
        return asdict(self)


def _p(key: str, upper: bool = False, **params) -> dict:
    """A sentence as data (kdemo.lang.compose): its key under "health." and its parameters."""
    return {"key": "health." + key, "params": params, **({"upper": True} if upper else {})}


def _n(value: float, digits: int | None) -> list:
    """A number the language writes its way, with `digits` decimals (None: like :g)."""
    return [float(value), digits]


class Health:
    """Watches every member of a run; `on_log` and `on_eval` return the new events."""

    def __init__(self, cfg, groups: list[str], seeds: list[int], num_classes: int, steps: int):
        self.cfg, self.groups, self.seeds, self.k, self.steps = cfg, groups, seeds, num_classes, steps
        self.history = {(g, s): [] for g in groups for s in seeds}
        self.best = {(g, s): 0.0 for g in groups for s in seeds}
        self.low = {(g, s): 0 for g in groups for s in seeds}     # consecutive evaluations at chance / one class
        self.fired: set[tuple] = set()
        self.events: list[Event] = []

    def _who(self, g: str, s: int) -> dict:
        kd = "who_distilled" if self.cfg.uses_teacher else "who_student"
        name = _p({"kd": kd, "scratch": "who_twin", "teacher": "who_teacher"}[g]) if g in ("kd", "scratch", "teacher") \
            else {"key": "as_is", "params": {"value": g}}
        return _p("who_seed", who=name, seed=s) if len(self.seeds) > 1 else name

    def _fire(self, g, s, kind, step, epoch, part: dict) -> Event | None:
        if (g, s, kind) in self.fired:
            return None
        self.fired.add((g, s, kind))
        ev = Event(g, s, kind, step, round(epoch, 4), lang.compose(part, "en"), parts=[part])
        self.events.append(ev)
        return ev

    def dead(self, g: str, s: int) -> bool:
        return (g, s, "diverged") in self.fired

    def _advice(self, g: str, upper: bool = False) -> dict:
        c = self.cfg
        lower = _p("try_lower", lr=_n(c.lr / 2, None))
        if g == "kd" and DISTILLERS[c.method].soft_targets:
            return _p("advice_kd", upper, t=_n(c.temperature, None), lr=_n(c.lr, None), lower=lower)
        return _p("advice_lr", upper, lr=_n(c.lr, None), lower=lower)

    def _stall_advice(self, g: str, s: int) -> dict:
        hist, c = self.history[g, s], self.cfg
        if g == "scratch" and c.transfer_set == "all" and c.n_labeled is not None:   # the lesson, not a fault
            return _p("stall_labels", n=c.n_labeled)
        if hist and hist[0] > 0 and (max(hist) > SPIKE * hist[0] or hist[-1] > 1.5 * hist[0]):   # grew: steps too big
            return _p("stall_grew", advice=self._advice(g))
        if c.lr >= (0.01 if c.optimizer == "adam" else 0.1):   # a dead network after a few huge steps
            return _p("stall_dead", lr=_n(c.lr, None), advice=self._advice(g))
        return _p("stall_flat", lr=_n(c.lr, None))

    def _note_recovery(self, g: str, s: int, acc: float, epoch: float):
        """A collapsed member that learns again (a transient collapse): its warning says so, in place, once."""
        ev = next((e for e in self.events if (e.group, e.seed, e.kind) == (g, s, "collapse")), None)
        if ev is not None and not ev.recovered:
            ev.recovered = round(epoch, 4)
            part = _p("recovered", acc=_n(100 * acc, 0), epoch=_n(epoch, 2))
            ev.parts.append(part)
            ev.message += " " + lang.compose(part, "en")

    def on_log(self, step: int, epoch: float, totals: dict[tuple[str, int], float]) -> list[Event]:
        """totals: (group, seed) -> the member's mean total loss since the last log."""
        new = []
        for (g, s), v in totals.items():
            if self.dead(g, s):
                continue
            if not math.isfinite(v):
                new.append(self._fire(g, s, "diverged", step, epoch, _p(
                    "diverged", who=self._who(g, s), epoch=_n(epoch, 2), what=_p("nan" if v != v else "infinite"),
                    advice=self._advice(g, upper=True))))
                continue
            hist = self.history[g, s]
            median = statistics.median(hist) if len(hist) >= SPIKE_HISTORY else 0.0
            if median > 1e-6 and v > SPIKE * median:   # (a loss that can be 0 or negative is never judged)
                new.append(self._fire(g, s, "spike", step, epoch, _p(
                    "spike", who=self._who(g, s), ratio=round(v / median), epoch=_n(epoch, 2),
                    advice=self._advice(g))))
            hist.append(v)
        return [e for e in new if e is not None]

    def on_eval(self, step: int, epoch: float, scores: dict[str, list[dict]]) -> list[Event]:
        """scores: group -> per seed {"acc", "top_share", ...} on the curve's test images."""
        new, chance = [], 1.0 / self.k
        for g, per_seed in scores.items():
            for s, sc in zip(self.seeds, per_seed):
                if self.dead(g, s) or step == 0:
                    continue
                acc, top = sc["acc"], sc.get("top_share", 0.0)
                at_chance = acc <= chance + CHANCE_MARGIN
                self.low[g, s] = self.low[g, s] + 1 if (at_chance or top >= COLLAPSE_SHARE) else 0
                was_learning = self.best[g, s] > chance + 2 * CHANCE_MARGIN
                if self.low[g, s] >= 2 and was_learning:   # early on, predicting one class is normal
                    why = _p("one_class", share=_n(100 * top, 0)) if top >= COLLAPSE_SHARE else \
                        _p("fell", acc=_n(100 * acc, 0))
                    new.append(self._fire(g, s, "collapse", step, epoch, _p(
                        "collapse", who=self._who(g, s), epoch=_n(epoch, 2), why=why,
                        advice=self._advice(g, upper=True))))
                elif self.low[g, s] == 0 and acc > chance + 2 * CHANCE_MARGIN:
                    self._note_recovery(g, s, acc, epoch)
                if at_chance and step >= STALL_AT * self.steps and not was_learning:
                    new.append(self._fire(g, s, "stall", step, epoch, _p(
                        "stall", who=self._who(g, s), done=_n(100 * step / self.steps, 0), acc=_n(100 * acc, 0),
                        advice=self._stall_advice(g, s))))
                self.best[g, s] = max(self.best[g, s], acc)
        return [e for e in new if e is not None]
