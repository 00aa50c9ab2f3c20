"""Runs that explain their failures: per member, a non-finite loss, a loss spike, a collapse, a stall.

Each detector fires at most once per member and returns an event with the step and epoch (the plots mark it) and
a message in plain words: what happened, why it is likely, what to try. The engine keeps training the members
that are still healthy; a run fails only when every member diverged.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass

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
    message: str
    recovered: float | None = None   # a collapse the member came back from: the epoch it was learning again

    def to_dict(self) -> dict:
        return asdict(self)


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


class Health:
    """Watches every member of a run; `on_log` and `on_eval` return the new events."""

    def __init__(self, cfg, groups: list[str], seeds: list[int], num_classes: int, steps: int):
        self.cfg, self.groups, self.seeds, self.k, self.steps = cfg, groups, seeds, num_classes, steps
        self.history = {(g, s): [] for g in groups for s in seeds}
        self.best = {(g, s): 0.0 for g in groups for s in seeds}
        self.low = {(g, s): 0 for g in groups for s in seeds}     # consecutive evaluations at chance / one class
        self.fired: set[tuple] = set()
        self.events: list[Event] = []

    def _who(self, g: str, s: int) -> str:
        kd = "the distilled student" if self.cfg.uses_teacher else "the student"
        name = {"kd": kd, "scratch": "the twin", "teacher": "the teacher"}.get(g, g)
        return name + (f" (seed {s})" if len(self.seeds) > 1 else "")

    def _fire(self, g, s, kind, step, epoch, message) -> Event | None:
        if (g, s, kind) in self.fired:
            return None
        self.fired.add((g, s, kind))
        ev = Event(g, s, kind, step, round(epoch, 4), message)
        self.events.append(ev)
        return ev

    def dead(self, g: str, s: int) -> bool:
        return (g, s, "diverged") in self.fired

    def _advice(self, g: str) -> str:
        c = self.cfg
        lower = f"try lr ≤ {c.lr / 2:g}"
        if g == "kd" and DISTILLERS[c.method].soft_targets:
            return (f"KD's soft-target gradient grows with T: at T={c.temperature:g} and lr {c.lr:g} {lower}, a "
                    "smaller T or KD weight, or logit standardization")
        return f"lr {c.lr:g} is too large for it: {lower}"

    def _stall_advice(self, g: str, s: int) -> str:
        hist, c = self.history[g, s], self.cfg
        if g == "scratch" and c.transfer_set == "all" and c.n_labeled is not None:   # the lesson, not a fault
            return (f"It learns from labels alone, and only {c.n_labeled} of the images in its batches have one; "
                    "the distilled student gets the teacher's soft targets on every image.")
        if hist and hist[0] > 0 and (max(hist) > SPIKE * hist[0] or hist[-1] > 1.5 * hist[0]):   # grew: steps too big
            return f"Its loss grew instead of falling: {self._advice(g)}."
        if c.lr >= (0.01 if c.optimizer == "adam" else 0.1):   # a dead network after a few huge steps
            return f"With lr {c.lr:g} its first steps may have killed its units: {self._advice(g)}."
        return (f"Its loss barely moves: try a larger lr (lr {self.cfg.lr:g} may be too small), more epochs, or "
                "check the loss weights.")

    def _note_recovery(self, g: str, s: int, acc: float, epoch: float):
        """A collapsed member that learns again (a transient collapse): its warning says so, in place, once."""
        ev = next((e for e in self.events if (e.group, e.seed, e.kind) == (g, s, "collapse")), None)
        if ev is not None and not ev.recovered:
            ev.recovered = round(epoch, 4)
            ev.message += f" It recovered: {100 * acc:.0f}% at epoch {epoch:.2f}."

    def on_log(self, step: int, epoch: float, totals: dict[tuple[str, int], float]) -> list[Event]:
        """totals: (group, seed) -> the member's mean total loss since the last log."""
        new = []
        for (g, s), v in totals.items():
            if self.dead(g, s):
                continue
            if not math.isfinite(v):
                new.append(self._fire(g, s, "diverged", step, epoch,
                                      f"{self._who(g, s)} diverged at epoch {epoch:.2f}: its loss became "
                                      f"{'NaN' if v != v else 'infinite'}. {_upper(self._advice(g))}."))
                continue
            hist = self.history[g, s]
            median = statistics.median(hist) if len(hist) >= SPIKE_HISTORY else 0.0
            if median > 1e-6 and v > SPIKE * median:   # (a loss that can be 0 or negative is never judged)
                new.append(self._fire(g, s, "spike", step, epoch,
                                      f"{self._who(g, s)}'s loss jumped to {v / median:.0f}× its "
                                      f"running median at epoch {epoch:.2f}: the learning rate is at its limit. "
                                      f"If accuracy drops next, {self._advice(g)}."))
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
                    new.append(self._fire(g, s, "collapse", step, epoch,
                                          f"{self._who(g, s)} collapsed at epoch {epoch:.2f}: "
                                          + (f"{100 * top:.0f}% of its predictions are one class"
                                             if top >= COLLAPSE_SHARE else f"its accuracy fell to {100 * acc:.0f}%, "
                                             f"chance level") + f". {_upper(self._advice(g))}."))
                elif self.low[g, s] == 0 and acc > chance + 2 * CHANCE_MARGIN:
                    self._note_recovery(g, s, acc, epoch)
                if at_chance and step >= STALL_AT * self.steps and not was_learning:
                    new.append(self._fire(g, s, "stall", step, epoch,
                                          f"{self._who(g, s)} is not learning: {100 * step / self.steps:.0f}% into "
                                          f"the run its accuracy is still {100 * acc:.0f}%, chance level. "
                                          + self._stall_advice(g, s)))
                self.best[g, s] = max(self.best[g, s], acc)
        return [e for e in new if e is not None]
