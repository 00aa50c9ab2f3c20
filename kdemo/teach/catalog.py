"""The teaching views, one `View` entry each: what it computes, its knobs and components, its API name, its report
section and its bench cases. The Teaching views tab (kdemo/app/tabs/insights.py), the report (teach/report.py) and
`python -m kdemo bench views` (commands/bench_views.py) loop over `VIEWS`; a new view is one entry here (and its
compute function in teach/views.py), nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import insights as ins
from . import views as v
from .inputs import ARGS
from .missing import bias_accuracy
from ..figures import curves as plots
from ..figures.words import phrase
from ..lang import say, text


@dataclass(frozen=True)
class Knob:
    """A control of a view: the tab's component `name` (element id: its underscores as dashes), the compute's
    argument `arg` (declared in teach/inputs.ARGS, which the endpoint's door checks)."""
    name: str
    arg: str
    label: str
    value: Any
    choices: tuple = ()        # (label, value) pairs: a radio; none: a slider over the declaration's bounds
    step: float | None = None
    control: str = ""          # "radio", "dropdown" or "slider"; empty: a radio with choices, else a slider
    kept: bool = True          # a refresh keeps the visitor's value; False: the data sets it (`View.prepare`)


@dataclass(frozen=True)
class View:
    key: str                   # its API endpoint (/key) and report anchor
    title: str                 # heading in the tab and in the report
    intro: str                 # what to look at, under the heading (markdown)
    compute: Callable          # compute(data, *knob values, presentation=False) -> {component: value, "_x": numbers}
    outputs: tuple             # ((component name, "figure" | "words" | "table", placeholder), ...)
    knobs: tuple = ()
    report: Callable | None = None   # report(data, cfg, T) -> (words, [figures], {numbers}) or None to leave out
    bench: tuple = ()          # ((case name, knob values), ...) timed by `bench views`
    prepare: Callable | None = None  # prepare(data, values) -> {knob name: {"choices"|"value"|...}} for this data
    shown: Callable = field(default=lambda data: True)   # whether this data has the view at all
    sample: Callable = field(default=lambda data: data)  # the data `bench views` times it on

    def section(self, data: dict, cfg, T: float):
        """The report's (words, [figures], numbers) of this view, or None: its own `report`, else the view at its
        knobs' first values (the run's T for a temperature), its words and figures as the tab shows them."""
        if self.report is not None:
            return self.report(data, cfg, T)
        if not self.shown(data):
            return None
        out = self.compute(data, *(T if k.arg == "T" else k.value for k in self.knobs))
        return (" ".join(out[n] for n, kind, _ in self.outputs if kind == "words"),
                [out[n] for n, kind, _ in self.outputs if kind == "figure"], {})

    def check(self) -> "View":
        unknown = [k.arg for k in self.knobs if k.arg not in ARGS]
        if unknown:
            raise ValueError(f"view {self.key!r}: declare {', '.join(unknown)} in kdemo/teach/inputs.py ARGS")
        return self


VIEWS: dict[str, View] = {}


def register_view(view: View) -> View:
    if view.key in VIEWS:
        raise ValueError(f"a view {view.key!r} is already registered")
    VIEWS[view.key] = view.check()
    return view


def dkd_beta(cfg) -> float:
    """β of the run where it trained DKD, else DKD's usual 2: the weight the why-DKD words quote."""
    return float(cfg.beta) if cfg is not None and cfg.method == "dkd" else 2.0


def pick(data: dict, which, options) -> str:
    """`which` when this data has it; a model the app knows but this run lacks (the radio a step behind) falls
    back to the first that exists; other names go on to the view's own check, which refuses them."""
    valid = v.available(data, options)
    return which if which in valid or which not in options else valid[0]


def rounded(x, digits: int = 6):
    return None if x is None or x != x else round(float(x), digits)


# ---------------------------------------------------------------- the views

SIM = (("teacher", "teacher"), ("distilled student", "kd"), ("twin", "scratch"), ("student − teacher", "diff"))
CONF = (("distilled student", "kd"), ("twin", "scratch"), ("teacher", "teacher"))


def _choices(options):
    def prepare(data, values):
        have = [c for c in options if c[1] in v.available(data, [k for _, k in options])]
        return {"choices": have, "value": pick(data, values, [k for _, k in options])}
    return prepare


def similarity(data, T, which, presentation=False):
    return v.similarity_view(data, T, pick(data, which, [k for _, k in SIM]), presentation)


def similarity_report(data, cfg, T):
    have = v.present(data)
    sims = [v.similarity_view(data, T, k) for k in have + (["diff"] if {"teacher", "kd"} <= set(have) else [])]
    nums = {"similar_pairs": {k: ins.similar_pairs(ins.class_similarity(data[k], data["labels"], T), data["classes"])
                              for k in have}}
    return " ".join(s["ins_sim_caption"] for s in sims[:len(have)]), [s["ins_sim"] for s in sims], nums


def calibration_report(data, cfg, T):
    cal = v.calibration_view(data)
    nums = {"ece": {k: rounded(r["ece"]) for k, r in cal["_rels"].items()},
            "calibration": {k: ins.calibration_judgement(r, k) for k, r in cal["_rels"].items()}}
    return cal["ins_cal_text"], [cal["ins_cal"]], nums


def failures(data, model, presentation=False):
    conf = v.confusion_view(data, pick(data, model, [k for _, k in CONF]), presentation)
    return {**v.per_class_view(data, presentation), "ins_confusion": conf["counts"].tolist(), "_conf": conf}


def failures_report(data, cfg, T):
    have = v.present(data)
    per = v.per_class_view(data)
    nums = {"per_class_acc": {k: [rounded(a) for a in ins.per_class_accuracy(data[k], data["labels"]).mean(dim=0).tolist()]
                              for k in have}}     # mean over seeds
    confs = [v.confusion_view(data, k) for k in ("kd", "scratch") if k in have]
    return ("Per-class test accuracy, then the confusion matrix of each student.",
            [per["ins_acc"]] + [c["ins_confusion_fig"] for c in confs], nums)


def why_dkd(data, T, presentation=False):
    if data.get("teacher") is None:     # a labels-only run: say so in place (its slider may still move)
        return {"ins_dkd": plots.empty_figure(phrase("plot.empty.no_teacher"), presentation),
                "ins_dkd_text": say([{"key": "ins.no_teacher"}])}
    run = data.get("run")
    return v.nckd_view(data, T, dkd_beta(run.cfg if run is not None else None), presentation)


def why_dkd_report(data, cfg, T):
    if data.get("teacher") is None:
        return None
    dkd = v.nckd_view(data, T, dkd_beta(cfg))
    nums = {"kd_weight_on_nckd": {k: rounded(x) if isinstance(x, float) else x for k, x in dkd["_stats"].items()
                                  if not k.endswith("hist") and k != "edges"}}
    return dkd["ins_dkd_text"], [dkd["ins_dkd"]], nums


def missing_prepare(data, values):
    setup = v.missing_setup(data)
    cls = data["omit"][0]
    lo, hi = setup["range"]
    return {"ins_bias_cls": {"choices": [(data["classes"][c], str(c)) for c in data["omit"]], "value": str(cls)},
            "ins_bias": {"minimum": lo, "maximum": hi, "value": round(setup["rules"][cls].get("kd", 0.0), 2)}}


def missing_report(data, cfg, T):
    if not data["omit"]:
        return None
    setup, figs, words, nums = v.missing_setup(data), [], [], {}
    labels = data["labels"]
    for c in data["omit"]:
        mv = v.missing_view(data, c, setup["rules"][c].get("kd", 0.0), setup=setup)
        figs.append(mv["ins_bias_plot"])
        words.append(mv["ins_bias_text"])
        acc = {k: {b: bias_accuracy(data[k], labels, c, x) for b, x in (("no_bias", 0.0), ("rule_bias", r))}
               for k, r in setup["rules"][c].items()}
        nums[str(c)] = {"rule_bias": {k: rounded(x) for k, x in setup["rules"][c].items()},
                        **{f"{what}_{b}": {k: rounded(a[b][f"{what}_acc"]) for k, a in acc.items()}
                           for what in ("class", "overall") for b in ("no_bias", "rule_bias")}}
    return "\n\n".join(words), figs, {"missing": nums}


register_view(View(
    "similarity", text("view.similarity.title"), text("view.similarity.intro"),
    similarity, (("ins_sim", "figure", phrase("plot.empty.sim")), ("ins_sim_caption", "words", "")),
    knobs=(Knob("ins_T", "T", text("knob.ins_T"), 4.0, step=0.5), Knob("ins_sim_model", "which", text("knob.ins_sim_model"), "teacher",
                                                                     choices=SIM)),
    report=similarity_report, bench=(("similarity (teacher, T=4)", (4.0, "teacher")),
                                     ("similarity (student − teacher, T=8)", (8.0, "diff"))),
    prepare=lambda data, values: {"ins_sim_model": _choices(SIM)(data, values["ins_sim_model"])}))
register_view(View(
    "calibration", text("view.calibration.title"), text("view.calibration.intro"),
    v.calibration_view, (("ins_cal", "figure", phrase("plot.empty.cal")), ("ins_cal_text", "words", "")),
    report=calibration_report, bench=(("calibration", ()),)))
register_view(View(
    "per_class", text("view.per_class.title"), "",
    failures, (("ins_acc", "figure", phrase("plot.empty.per_class")), ("ins_confusion", "table", "")),
    knobs=(Knob("ins_conf_model", "model", text("knob.ins_conf_model"), "kd", choices=CONF),),
    report=failures_report, bench=(("per-class accuracy and confusion matrix", ("kd",)),),
    prepare=lambda data, values: {"ins_conf_model": _choices(CONF)(data, values["ins_conf_model"])}))
register_view(View(
    "why_dkd", text("view.why_dkd.title"), text("view.why_dkd.intro"),
    why_dkd, (("ins_dkd", "figure", phrase("plot.empty.dkd")), ("ins_dkd_text", "words", "")),
    knobs=(Knob("ins_dkd_T", "T", text("knob.ins_dkd_T"), 4.0, step=0.5),),
    report=why_dkd_report, bench=(("why DKD (T=4)", (4.0,)),)))
register_view(View(
    "missing_bias", text("view.missing_bias.title"), text("view.missing_bias.intro"),
    lambda data, cls, bias, presentation=False: v.missing_view(data, cls, bias, presentation),
    (("ins_bias_plot", "figure", phrase("plot.empty.bias")), ("ins_bias_text", "words", "")),
    knobs=(Knob("ins_bias_cls", "cls", text("knob.ins_bias_cls"), "3", choices=tuple((str(i), str(i)) for i in range(10)),
                control="dropdown", kept=False),
           Knob("ins_bias", "bias", text("knob.ins_bias"), 0.0, step=0.05, kept=False)),
    report=missing_report, bench=(("missing-class bias slider", ("3", 2.5)),),
    prepare=lambda data, values: missing_prepare(data, values), shown=lambda data: bool(data["omit"]),
    sample=lambda data: dict(data, omit=(3,))))    # the bench pretends class 3 was omitted
