"""The guided tour ("Start here"): six steps, each asking the learner to do one thing in the live app, waiting
for it, then saying what happened in words computed from the learner's own result.

Pure functions of a plain dict (the page keeps it in gr.State): `event` records what the page reports (a run
finished, the lab computed a digit at some T, a teaching view or an experiment's takeaway appeared) and marks the
step done when its action has happened since the step began; `panel` is the step's text in every language
(kdemo.lang). The app wires the page's events to `event` (kdemo/app/tabs/tour.py).
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass

from ..lang import Signed, html, only


@dataclass(frozen=True)
class Step:
    key: str
    tab: str          # where the learner does it ("Take me there")
    waits_for: str    # the page event that can complete it


STEPS = (Step("train", "train", "run"), Step("temperature", "train", "run"), Step("lab", "lab", "lab"),
         Step("dkd", "insights", "dkd"), Step("similarity", "insights", "sim"),
         Step("missing", "experiments", "takeaway"))
MISSING_KEY = "missing_digit"
MARKUP = re.compile(r"<[^>]+>|\*\*|__|`")


def start(step: int = 0) -> dict:
    """A tour at `step`, nothing done yet."""
    return {"step": step, "done": False, "words": "", "runs": [], "lab": [], "base": 0}


def closed() -> dict:
    return {**start(), "step": None}


def advance(tour: dict) -> dict:
    """The next step (or the end, after the last one); what was seen so far is kept."""
    step = tour.get("step")
    nxt = None if step is None or step + 1 > len(STEPS) else step + 1
    return {**tour, "step": nxt, "done": False, "words": "", "base": len(tour.get("runs", [])), "lab": []}


def run_facts(summary: dict) -> dict | None:
    """What the tour says about a finished run: its T, both accuracies (%), seeds; None if there was no twin."""
    kd, twin = summary.get("kd_acc"), summary.get("scratch_acc")
    if summary.get("status") != "done" or kd is None or twin is None:
        return None
    cfg = summary.get("config") or {}
    return {"id": summary.get("id"), "T": float(cfg.get("temperature", 0.0)), "kd": 100 * kd, "twin": 100 * twin,
            "seeds": int(cfg.get("seeds", 1))}


def plain(markdown: str) -> str:
    """A view's caption as one plain sentence or two (the tour quotes it)."""
    return " ".join(_html.unescape(MARKUP.sub("", markdown or "")).split())[:400]


def event(tour: dict, kind: str, data) -> dict:
    """`tour` after the page reported `kind` with `data`; the current step is done when its action happened."""
    step = tour.get("step")
    if step is None or step >= len(STEPS) or tour.get("done") or STEPS[step].waits_for != kind:
        return tour
    key, tour = STEPS[step].key, {**tour}
    if kind == "run":
        if data is None or any(r["id"] == data["id"] for r in tour["runs"]):
            return tour
        tour["runs"] = tour["runs"] + [data]
        new = tour["runs"][tour["base"]:]
        if key == "train":
            return {**tour, "done": True, "words": _run_words(data)}
        before = tour["runs"][-2] if len(tour["runs"]) > 1 else None
        if new and before is not None and before["T"] != data["T"]:
            return {**tour, "done": True, "words": _temperature_words(before, data)}
        return tour
    if kind == "lab":
        tour["lab"] = tour["lab"] + [data]
        temps = {round(t, 3) for t, _, _ in tour["lab"]}
        if len(temps) >= 2:
            (t0, p0, target), (t1, p1, _) = tour["lab"][0], tour["lab"][-1]
            return {**tour, "done": True,
                    "words": html("tour.words.lab", 3, target=target, t0=(t0, 1), p0=float(p0), t1=(t1, 1),
                                  p1=float(p1)) + html("tour.words.lab_up" if t1 > t0 else "tour.words.lab_down")}
        return tour
    markup = data if isinstance(data, str) else (data or ("", ""))[1]
    if not plain(markup) or (kind == "takeaway" and (not isinstance(data, tuple) or data[0] != MISSING_KEY)):
        return tour
    return {**tour, "done": True, "words": html(f"tour.words.{key}", text=lambda code: plain(only(markup, code)))}


def _seeds(n: int) -> str:
    return html("tour.seeds.one") if n == 1 else html("tour.seeds.many", n=n)


def _run_words(r: dict) -> str:
    return html("tour.words.train", kd=r["kd"], twin=r["twin"], diff=Signed(r["kd"] - r["twin"])) + _seeds(r["seeds"])


def _temperature_words(a: dict, b: dict) -> str:
    return html("tour.words.temperature", t0=(a["T"], 1), kd0=a["kd"], d0=Signed(a["kd"] - a["twin"]), t1=(b["T"], 1),
                kd1=b["kd"], d1=Signed(b["kd"] - b["twin"]))


def panel(tour: dict) -> str:
    """The tour's text for the current step (HTML, every language): what to do, or what happened."""
    step = tour.get("step")
    if step is None:
        return ""
    if step >= len(STEPS):
        return html("tour.end")
    key = STEPS[step].key
    head = html("tour.progress", i=step + 1, n=len(STEPS))
    body = tour["words"] + html("tour.next_hint") if tour.get("done") else \
        html(f"tour.step.{key}") + html("tour.waiting")
    return f"<div class='kd-tour-head'>{head}</div><div class='kd-tour-body'>{body}</div>"
