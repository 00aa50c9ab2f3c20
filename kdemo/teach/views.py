"""What each teaching view shows for a visitor: the data (their last finished run, else the pretrained pair), the
figure and the words, as dicts keyed by the Teaching views tab's component names. Gradio-free: kdemo/app/tabs/insights.py
only wires these, and kdemo/teach/report.py draws the same figures into a handout.

Every input is bounded here (temperatures, class numbers, image indices, bias) by its declaration in
kdemo/teach/inputs.py, the same the endpoints' door checks, narrowed to the data where the data decides
(its classes, its test images); messages a person can act on.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .. import lang
from . import insights as ins
from ..figures import insights as pi
from ..figures.words import name, phrase
from ..data.datasets import load_dataset
from .missing import bias_accuracy, bias_curves, bias_range, rule_bias
from .inputs import (BIAS, IMAGE, OMITTED_CLASS, PREDICTED_CLASS, SIMILARITY_MODELS, T_RANGE, TEMPERATURE,  # noqa: F401
                     TRUE_CLASS, VIEW_MODELS, within)
from ..lang import Signed, say, text, words
from ..train.outputs import pretrained_pair, run_logits

BIAS_LIMIT = BIAS.hi        # a logit bias beyond this changes nothing more on any of these models
BIAS_POINTS = 121           # points of the accuracy-vs-bias curves
MODELS = VIEW_MODELS
SIMILARITY_CHOICES = SIMILARITY_MODELS
WHO = {"teacher": "teacher", "kd": "distilled student", "scratch": "twin", "diff": "distilled student − teacher"}


# ---------------------------------------------------------------- checks

def available(data: dict, allowed=MODELS) -> list[str]:
    """The models of `allowed` this data has ("diff", KD student − teacher, needs both)."""
    have = present(data)
    return [k for k in allowed if k in have or (k == "diff" and "teacher" in have and "kd" in have)]


def check_model(key, data: dict, allowed=MODELS) -> str:
    valid = available(data, allowed)
    if key not in valid:
        shown = key if isinstance(key, str) and len(key) < 20 else "that"
        raise lang.Told("told.no_model", shown=repr(shown), choices=", ".join(valid))
    return key


# ---------------------------------------------------------------- the data

def finished_run(sess):
    """The session's latest run that finished (done or stopped) with its final weights: from the Train tab or
    from an experiment; None if there is none (a failed run may have left weights that diverged)."""
    job = getattr(sess, "job", None)
    candidates = [getattr(sess, "run", None)] + list(getattr(job, "runs", []) or [])
    done = [r for r in candidates if r is not None and not r.alive and r.status in ("done", "stopped")
            and getattr(r, "final_states", None)]
    return max(done, key=lambda r: getattr(r, "finished_at", None) or 0.0) if done else None


def view_data(sess) -> dict:
    """run_logits of the session's finished run (with "source", "omit", "run"), else the pretrained MNIST pair."""
    run = finished_run(sess)
    if run is None:
        data = dict(pretrained_pair("mnist"))
        data.update(run=None, omit=(), says=lambda code: text("ins.source_pretrained", code))
        return {**data, "source": data["says"]("en")}
    cfg = run.cfg
    data = dict(run_logits(run))

    def says(code: str) -> str:     # where the views' data comes from, in `code`
        seeds = text("ins.seeds", code, n=cfg.seeds) if cfg.seeds > 1 else ""
        omit = text("ins.omit", code, classes=", ".join(map(str, cfg.omit_classes))) if cfg.omit_classes else ""
        return text("ins.source_run", code, id=run.id, student=cfg.student, method=cfg.method, dataset=cfg.dataset,
                    teacher=cfg.teacher if cfg.uses_teacher else text("ins.labels", code), seeds=seeds, omit=omit,
                    status=words(run.status, code))
    data.update(run=run, omit=tuple(cfg.omit_classes), says=says, source=says("en"))
    return data


def present(data: dict) -> list[str]:
    return [k for k in MODELS if data.get(k) is not None]


def _logits(data: dict, key: str) -> torch.Tensor:
    return ins.seeds_of(data[key])


# ---------------------------------------------------------------- the views

def similarity_view(data: dict, T, which: str, presentation: bool = False) -> dict:
    T, which = TEMPERATURE.take(T), check_model(which, data, SIMILARITY_CHOICES)
    labels, classes = data["labels"], data["classes"]
    mats = {k: ins.class_similarity(_logits(data, k), labels, T) for k in present(data) if k in ("teacher", "kd")}
    if which == "diff":
        matrix = mats["kd"] - mats["teacher"]
    else:
        matrix = mats[which] if which in mats else ins.class_similarity(_logits(data, which), labels, T)
    title = phrase("plot.sim.title", T=(T, None), who=name(WHO[which]))
    fig = pi.similarity_figure(matrix.tolist(), classes, title, presentation, diff=which == "diff")
    pairs = {k: ins.similar_pairs(matrix if k == which else mats[k], classes)
             for k in ((which,) if which != "diff" else ("teacher", "kd"))}
    lines = [ins.pairs_part(p, k, T) for k, p in pairs.items() if p]
    if which == "diff":
        k = len(classes)
        off = matrix.clone()
        off.fill_diagonal_(-math.inf)
        i = int(off.argmax())
        lines.append({"key": "ins.extra", "params": {"a": classes[i // k], "b": classes[i % k],
                                                     "x": [float(off.max()), 4]}})
    return {"ins_sim": fig, "ins_sim_caption": say(lines)}


def calibration_view(data: dict, presentation: bool = False) -> dict:
    labels = data["labels"]
    rels = {k: ins.reliability(_logits(data, k), labels) for k in present(data)}
    sides = {}
    for k, r in rels.items():
        sides.setdefault(ins.calibration_side(r), []).append({"key": "ins.the", "params": {"who": ins.who(k)}})
    summary = {"each": [{"key": "ins.side_one" if len(who) == 1 else "ins.side_many",
                         "params": {"who": {"each": who, "and": True}, "side": {"key": ins.SIDES[side]}}}
                        for side, who in sides.items()], "sep": "; "}
    details = [{"key": "ins.item", "params": {"line": ins.judgement_part(r, k)}} for k, r in rels.items()]
    return {"ins_cal": pi.reliability_figure(rels, presentation),
            "ins_cal_text": say([{"key": "ins.at_1", "params": {"summary": summary}}, *details], "\n"),
            "_rels": rels}


def per_class_view(data: dict, presentation: bool = False) -> dict:
    labels = data["labels"]
    keys = [k for k in ("kd", "scratch") if k in present(data)]
    if len(keys) < 2 and data.get("teacher") is not None:
        keys.insert(0, "teacher")      # no twin: compare with the teacher instead
    per = {k: ins.per_class_accuracy(_logits(data, k), labels).tolist() for k in keys}
    return {"ins_acc": pi.per_class_figure(per, data["classes"], presentation), "_per_class": per}


def confusion_view(data: dict, model: str, presentation: bool = False) -> dict:
    model = check_model(model, data)
    counts = ins.confusion(_logits(data, model), data["labels"])
    title = phrase("plot.conf.title", who=name(WHO[model]))
    title += phrase("plot.conf.seed0") if _logits(data, model).shape[0] > 1 else ""
    return {"ins_confusion_fig": pi.confusion_figure(counts.tolist(), data["classes"], title, presentation),
            "counts": counts}


def thumbnails(dataset: str, indices: list[int]) -> list[tuple[np.ndarray, str]]:
    """(image 3x enlarged, crisp pixels, as the lab's gallery shows them; '#index') for a gallery."""
    test = load_dataset(dataset, "test", download=False)
    out = []
    for i in indices:
        img = test.images[i].numpy()                      # (C, H, W) uint8
        img = img[0] if img.shape[0] == 1 else img.transpose(1, 2, 0)
        big = np.repeat(np.repeat(img, 3, axis=0), 3, axis=1)
        out.append((big, f"#{i}"))
    return out


def cell_view(data: dict, model: str, true, pred) -> dict:
    """The test images of one confusion cell: up to 16 thumbnails, how many in all, the first one's index."""
    model = check_model(model, data)
    k = len(data["classes"])
    true, pred = within(TRUE_CLASS, k - 1, true), within(PREDICTED_CLASS, k - 1, pred)
    idx, total = ins.cell_indices(_logits(data, model), data["labels"], true, pred)
    c = data["classes"]
    verb = {"key": "ins.right"} if true == pred else {"key": "ins.called", "params": {"pred": c[pred]}}
    tail = {"key": "ins.first", "params": {"n": len(idx)}} if total > len(idx) else \
        {"key": "ins.pick_one" if idx else "ins.end"}
    words = say([{"key": "ins.cell", "params": {"total": total, "cls": c[true], "who": ins.who(model), "verb": verb,
                                                "tail": tail}}])
    return {"indices": idx, "ins_cell_text": words, "ins_gallery": thumbnails(data["dataset"], idx)}


def image_view(data: dict, index, presentation: bool = False) -> dict:
    n = len(data["labels"])
    index = within(IMAGE, n - 1, index)
    label = int(data["labels"][index])
    probs = {k: ins.soften(_logits(data, k)[0, index]).tolist() for k in present(data)}
    says = [phrase("plot.probs.says", who=name(WHO[k]), cls=data["classes"][int(np.argmax(p))])
            for k, p in probs.items()]
    title = phrase("plot.probs.title", index=index, cls=data["classes"][label], says=says[0])
    for part in says[1:]:
        title += ", " + part
    return {"ins_probs": pi.image_probs_figure(probs, data["classes"], label, title, presentation)}


def nckd_view(data: dict, T, beta: float = 2.0, presentation: bool = False) -> dict:
    T = TEMPERATURE.take(T)
    if data.get("teacher") is None:
        raise lang.Told("told.no_teacher_view")
    stats = ins.nckd_weight(data["teacher"], data["labels"], T)
    return {"ins_dkd": pi.nckd_figure(stats, presentation), "ins_dkd_text": ins.nckd_sentence(stats, beta),
            "_stats": stats}


def missing_setup(data: dict) -> dict:
    """For a run that omitted classes: each student's rule-chosen bias per omitted class and a slider range."""
    students = [k for k in ("kd", "scratch") if k in present(data)]
    rules = {c: {k: rule_bias(_logits(data, k), data.get("teacher"), c) for k in students} for c in data["omit"]}
    every = [r for per in rules.values() for r in per.values()]
    return {"rules": rules, "range": bias_range(every)}


def missing_view(data: dict, cls, bias, presentation: bool = False, setup: dict | None = None) -> dict:
    if not data["omit"]:
        raise lang.Told("told.no_omitted")
    cls = within(OMITTED_CLASS, len(data["classes"]) - 1, cls)
    if cls not in data["omit"]:
        raise lang.Told("told.not_omitted", cls=cls, omitted=", ".join(map(str, data["omit"])))
    bias = BIAS.take(bias)
    setup = setup or missing_setup(data)
    lo, hi = min(setup["range"][0], bias), max(setup["range"][1], bias)
    grid = torch.linspace(lo, hi, BIAS_POINTS)
    labels, name = data["labels"], data["classes"][cls]
    rules = setup["rules"][cls]
    curves, lines = {}, []
    for k in rules:
        z = _logits(data, k)
        curves[k] = bias_curves(z, labels, cls, grid)
        now = bias_accuracy(z, labels, cls, bias)
        lines.append({"key": "ins.bias_line", "params": {
            "who": ins.who(k), "cls_acc": [100 * now["class_acc"], 1], "n": now["class_images"], "name": name,
            "all_acc": [100 * now["overall_acc"], 2], "rule": [Signed(rules[k]), 2]}})
    words = say([{"key": "ins.bias_head", "params": {"bias": [Signed(bias), 2], "name": name}}, *lines,
                 {"key": "as_is", "params": {"value": ""}}, {"key": "ins.bias_rule", "params": {"name": name}}], "\n")
    return {"ins_bias_plot": pi.bias_figure(curves, float(bias), rules, name, presentation), "ins_bias_text": words}
