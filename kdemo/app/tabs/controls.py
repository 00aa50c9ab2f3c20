"""The Train tab's controls, generated from the parameter table: one control per setting with a `control` kind,
element id `cfg-<name>`, grouped by the table's groups, shown only for the methods that use them.

Also the way back: `config_from_controls` turns the controls' values into a checked TrainConfig (plain-words
errors: "Epochs (epochs) is empty: enter a number such as 5"), and `values_updates` sets every control to a
config's values (presets, lesson links).
"""
from __future__ import annotations

import gradio as gr

from ... import lang
from ..labels import label
from ...settings.config import TrainConfig
from ...data.datasets import DATASETS
from ...methods.distillers import DISTILLERS
from ...zoo.models import MODELS, format_count, models_for, param_count
from ...settings.params import BY_NAME, DEFAULTS, GROUPS, PARAMS, Param, visible
from ...methods.rates import recommended_lr
from ...train.teachers import check_available, pretrained_entry

UI_PARAMS = [p for p in PARAMS if p.control]
# None: always open; a title: a collapsed accordion
GROUP_TITLES = {"models": None, "method": None, "run": None, "optimisation": label("group.optimisation"),
                "data": label("group.data"), "advanced": label("group.advanced")}
CHOICE_WORDS = ("labeled", "all", "constant", "cosine")    # radio choices shown in words (kdemo.lang choice.<value>)


def choices(p: Param, values: dict) -> list[tuple[str, object]]:
    """(label, value) pairs of a choice or class control, for the current dataset."""
    ds = values.get("dataset", DEFAULTS["dataset"])
    if p.name == "dataset":
        return [(info.title, k) for k, info in DATASETS.items()]
    if p.name in ("teacher", "student"):
        return [(MODELS[k].title, k) for k in models_for(ds)]
    if p.name == "method":
        return [(cls.title, k) for k, cls in DISTILLERS.items()]
    if p.name == "teacher_source":
        have = pretrained_entry(values.get("teacher", DEFAULTS["teacher"]), ds) is not None
        return [(label("choice.pretrained" if have else "choice.pretrained_missing"), "pretrained"),
                (label("choice.train"), "train")]
    if p.kind == "classes":
        return [(n, i) for i, n in enumerate(DATASETS[ds].class_names)]
    return [(label(f"choice.{c}") if c in CHOICE_WORDS else name, c)
            for name, c in zip(p.labels or p.choices, p.choices)]


RATE_CHOICES = ("0.002", "0.005", "0.01", "0.02", "0.05")   # the grid the rate tables were measured on


def _info(p: Param) -> str | None:
    if p.control == "rate":
        return p.help
    if p.kind in ("int", "float") and p.control == "number":
        lo = f"> {p.lo:g}" if p.lo_open else f"{p.lo:g}"
        return f"{p.help} ({lo} to {p.hi:,g}{'; 0 = ' + p.empty if p.blank_ok else ''})"
    return p.help if p.control in ("checkbox", "radio", "checkboxgroup") else None


def control(p: Param, values: dict) -> gr.components.Component:
    v = values.get(p.name, p.default)
    if v is None and p.blank_ok:
        v = 0                          # "0 = the server's cap": a box with a value, which API clients may omit
    # label and help in the visitor's language (kdemo/app/labels.py; the English ones are the table's own)
    kw = dict(label=label(f"param.{p.name}"), elem_id=f"cfg-{p.name}", visible=visible(p, values),
              info=label(f"param.{p.name}.info") if _info(p) else None)
    if p.control == "dropdown":
        return gr.Dropdown(choices(p, values), value=v, **kw)
    if p.control == "radio":
        return gr.Radio(choices(p, values), value=v, **kw)
    if p.control == "slider":
        return gr.Slider(p.lo, p.hi, value=v, step=p.step, **kw)
    if p.control == "checkbox":
        return gr.Checkbox(v, **kw)
    if p.control == "checkboxgroup":
        return gr.CheckboxGroup(choices(p, values), value=list(v), **kw)
    if p.control == "rate":    # a word or a number: the grid's rates to pick, any other typed in
        words = [(label("choice.rate_auto"), "auto"), (label("choice.rate_same"), "same")]
        return gr.Dropdown(words + [(r, r) for r in RATE_CHOICES], value=p.format(v), allow_custom_value=True,
                           **kw)
    # No minimum/maximum/precision here: Gradio would round or refuse in its own words; the table's check says
    # what is wrong in ours (the bounds are in the info line).
    return gr.Number(v, min_width=110, **kw)


def make_controls(values: dict | None = None) -> tuple[dict, dict]:
    """Every table control, in its group's container; returns (controls by name, containers by group)."""
    values = TrainConfig(**(values or {})).to_dict()     # what a run with these values would use (lr resolved)
    if values["teacher_source"] == "pretrained" and pretrained_entry(values["teacher"], values["dataset"]) is None:
        values["teacher_source"] = "train"
    c, groups = {}, {}
    for g in GROUPS:
        members = [p for p in UI_PARAMS if p.group == g]
        title = GROUP_TITLES[g]
        box = gr.Accordion(title, open=False, elem_id=f"grp-{g}") if title else gr.Group(elem_id=f"grp-{g}")
        with box:
            for p in members:
                c[p.name] = control(p, values)
        groups[g] = box
    return c, groups


def pair_info(teacher: str, student: str, dataset: str, method: str) -> str:
    """'Teacher LeNet-5 61.7k parameters → student LeNet-5 (half width) 15.7k (3.9× smaller)' for the pair, in
    every language (kdemo.lang.html)."""
    try:
        ns = param_count(student, dataset)
        if not DISTILLERS[method].needs_teacher:
            return lang.html("train.pair_alone", student=MODELS[student].title, ns=_count(ns))
        nt = param_count(teacher, dataset)
    except (KeyError, ValueError, TypeError):
        return ""
    return lang.html("train.pair", teacher=MODELS[teacher].title, nt=_count(nt), student=MODELS[student].title,
                     ns=_count(ns), ratio=nt / max(ns, 1))


def _count(n: int):
    """61.7k, 2.40M, with the language's decimal mark."""
    return lambda code: format_count(n).replace(".", lang.number(0.5, code)[1])   # the language's decimal mark


def config_from_controls(values: dict) -> TrainConfig:
    """A TrainConfig from the controls' values (numbers arrive as floats or None, unknown names are refused).

    Raises ValueError with a message for the person: an empty or wrong box, an impossible combination, a
    pretrained teacher this server does not have.
    """
    if not isinstance(values, dict):
        raise lang.Told("told.by_name")
    d = {}
    for name, v in values.items():
        p = next((q for q in UI_PARAMS if q.name == name), None)
        if p is None:
            raise lang.Told("told.setting", name=repr(str(name)[:40]))
        if p.kind in ("int", "float") and (v is None or v == "") and not p.blank_ok and not p.words:
            hint = {"key": "told.every_image", "params": {"n": lang.num(p.hi, None)}} \
                if p.optional and p.empty == "all" else ""
            raise lang.Told("told.empty", setting=lang.setting(p.name, p.label), name=p.name,
                            example={"key": "told.example_hint", "params": {"default": lang.num(p.default),
                                                                            "hint": hint}})
        d[name] = None if p.blank_ok and v in (None, "", 0) else v
    cfg = TrainConfig.from_dict(d)
    check_available(cfg)
    return cfg


def values_updates(cfg: TrainConfig) -> dict:
    """Updates that make every control show `cfg` (choices follow its dataset and teacher)."""
    values = cfg.to_dict()
    out = {}
    for p in UI_PARAMS:
        v = values[p.name]
        v = 0 if v is None and p.blank_ok else p.format(v) if p.control == "rate" else v
        kw = {"value": list(v) if p.kind == "classes" else v, "visible": visible(p, values)}
        if p.control in ("dropdown", "radio", "checkboxgroup"):
            kw["choices"] = choices(p, values)
        out[p.name] = gr.update(**kw)
    return out


def lr_update(values: dict) -> dict:
    """The learning rate measured stable for the method and pair the visitor just picked (docs/defaults.md)."""
    v = {**DEFAULTS, **values}
    if v["method"] not in DISTILLERS or v["optimizer"] not in ("sgd", "adam"):
        return {}
    return {"lr": recommended_lr(v["dataset"], v["teacher"], v["student"], v["method"], v["optimizer"])}


def visibility_updates(values: dict) -> dict:
    """What follows the dataset, method, teacher and teacher source: each control's visibility, the model and
    class choices (a model that does not fit the new dataset falls back to the default)."""
    values = {**DEFAULTS, **values}
    keys = models_for(values["dataset"])
    for role in ("teacher", "student"):
        if values[role] not in keys:
            values[role] = DEFAULTS[role] if DEFAULTS[role] in keys else keys[0]
    if values["teacher_source"] == "pretrained" and pretrained_entry(values["teacher"], values["dataset"]) is None:
        values["teacher_source"] = "train"
    out = {p.name: gr.update(visible=visible(p, values)) for p in UI_PARAMS}
    for name in ("teacher", "student", "teacher_source"):
        p = BY_NAME[name]
        out[name] = gr.update(choices=choices(p, values), value=values[name], visible=visible(p, values))
    out["omit_classes"] = gr.update(choices=choices(BY_NAME["omit_classes"], values))   # indices stay valid
    return out
