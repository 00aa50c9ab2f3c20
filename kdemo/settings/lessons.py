"""Lessons a teacher can hand out: the whole setup of the page in a link, and back.

The Train settings use the parameter table's keys (kdemo.settings.text: the same as the JSON config); the page keys
are `tab`, `lab_t`, `digit`, `experiment`, `present`, `tour` (open the guided tour), `lang` (the page's language), and
the lesson's `hide` (groups of the table, or single settings), `lock`, `autorun` and `q` (a question for the class,
plain text); `class` and `board` carry a class code (kdemo.app.classes reads and checks them). Reading never fails: whatever is
unknown, malformed, out of range or beyond the server's limits is left at its default and listed in `ignored`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from .. import lang
from ..lang import TABLES as LANGS
from .config import TrainConfig
from .params import BY_NAME, GROUPS, PARAMS, TRUE, FALSE
from .text import QUERY_LIMIT, changed, from_query

TABS = ("train", "lab", "experiments", "insights")
QUESTION_MAX = 300
PAGE_KEYS = ("tab", "lab_t", "digit", "experiment", "present", "hide", "lock", "autorun", "q", "class", "board", "tour",
             "lang")
HIDEABLE = GROUPS + tuple(p.name for p in PARAMS if p.control)
LAB_T = (0.5, 50.0)
DIGITS = 10_000          # MNIST test images


@dataclass
class Lesson:
    """A page setup: the Train settings and everything else a link can say."""
    cfg: TrainConfig = field(default_factory=TrainConfig)
    tab: str | None = None
    lab_t: float | None = None
    digit: int | None = None
    experiment: str | None = None
    present: bool = False
    hide: tuple[str, ...] = ()
    lock: bool = False
    autorun: bool = False
    question: str = ""
    tour: bool = False
    lang: str | None = None
    ignored: list[str] = field(default_factory=list)    # lang.Said: English as text, every language as parts

    def hidden_params(self) -> set[str]:
        """Every setting hidden, by name or through its group."""
        return {p.name for p in PARAMS if p.control and (p.name in self.hide or p.group in self.hide)}


def _said(key: str, **params) -> lang.Said:
    """Why part of a link was ignored: English as text (tests, logs), every language as its part (the page)."""
    return lang.say([{"key": key, "params": params}])


def _flag(key: str, text: str, ignored: list) -> bool:
    t = text.strip().lower()
    if t in TRUE or t in FALSE:
        return t in TRUE
    ignored.append(_said("link.flag", name=key, value=repr(text[:20])))
    return False


def _number(key, text, lo, hi, whole, ignored):
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not math.isfinite(v) or not lo <= v <= hi or (whole and v != int(v)):
        ignored.append(_said("link.whole" if whole else "link.number", name=key, value=repr(text[:20]),
                             lo=lang.num(lo), hi=lang.num(hi)))
        return None
    return int(v) if whole else v


def _within(cfg: TrainConfig, limits, ignored: list) -> TrainConfig:
    """The link's settings within this server's limits: what goes beyond them is set back to the default."""
    default = TrainConfig()
    for name in ("epochs", "teacher_epochs"):
        if limits.max_epochs is not None and getattr(cfg, name) > limits.max_epochs:
            ignored.append(_said("link.capped", name=name, value=f"{getattr(cfg, name):g}",
                                 most=lang.num(limits.max_epochs)))
            cfg = cfg.replace(**{name: min(getattr(default, name), limits.max_epochs)})
    if cfg.members > limits.max_members:
        ignored.append(_said("link.members", seeds=cfg.seeds, n=cfg.members, most=limits.max_members))
        cfg = cfg.replace(seeds=1)
    return cfg


def parse_link(query: str | dict, experiments=(), limits=None) -> Lesson:
    """The Lesson of a link's query string (or its dict). Never raises."""
    if isinstance(query, str):
        if len(query) > QUERY_LIMIT:
            return Lesson(ignored=[_said("link.long", n=QUERY_LIMIT)])
        query = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
    elif sum(len(str(k)) + len(str(v)) + 2 for k, v in query.items()) > QUERY_LIMIT:
        return Lesson(ignored=[_said("link.long", n=QUERY_LIMIT)])
    query = {k: v for k, v in query.items() if not str(k).startswith("__")}   # Gradio's own (?__theme=dark)
    cfg, rest, ignored = from_query({k: v for k, v in query.items() if k not in PAGE_KEYS})
    if limits is not None:
        cfg = _within(cfg, limits, ignored)
    lesson = Lesson(cfg=cfg, ignored=ignored)
    ignored.extend(_said("link.unknown", name=repr(k[:20])) for k in rest)
    page = {k: str(v) for k, v in query.items() if k in PAGE_KEYS}
    if "tab" in page:
        if page["tab"] in TABS:
            lesson.tab = page["tab"]
        else:
            ignored.append(_said("link.choose", name="tab", value=repr(page["tab"][:20]), choices=", ".join(TABS)))
    if "lab_t" in page:
        lesson.lab_t = _number("lab_t", page["lab_t"], *LAB_T, False, ignored)
    if "digit" in page:
        lesson.digit = _number("digit", page["digit"], 0, DIGITS - 1, True, ignored)
    if "experiment" in page:
        if page["experiment"] in experiments:
            lesson.experiment = page["experiment"]
        else:
            ignored.append(_said("link.experiment", value=repr(page["experiment"][:30])))
    if "lang" in page:
        if page["lang"] in LANGS:
            lesson.lang = page["lang"]
        else:
            ignored.append(_said("link.choose", name="lang", value=repr(page["lang"][:20]), choices=", ".join(LANGS)))
    for key in ("present", "lock", "autorun", "tour"):
        if key in page:
            setattr(lesson, key, _flag(key, page[key], ignored))
    if "hide" in page:
        names = [n for n in page["hide"].split(",") if n.strip()]
        lesson.hide = tuple(dict.fromkeys(n.strip() for n in names if n.strip() in HIDEABLE))
        bad = [n for n in names if n.strip() not in HIDEABLE]
        if bad:
            ignored.append(_said("link.hide", names=", ".join(repr(b[:20]) for b in bad[:5])))
    if "q" in page:
        q = " ".join(page["q"].split())       # one line of plain text
        if len(q) > QUESTION_MAX:
            ignored.append(_said("link.question", n=QUESTION_MAX))
        lesson.question = q[:QUESTION_MAX]
    return lesson


def build_link(lesson: Lesson) -> str:
    """The query string of a lesson: settings that differ from the defaults, then the page keys that are set."""
    items = dict(changed(lesson.cfg))
    if lesson.tab and lesson.tab != "train":
        items["tab"] = lesson.tab
    if lesson.lab_t is not None:
        items["lab_t"] = f"{lesson.lab_t:g}"
    if lesson.digit is not None:
        items["digit"] = str(lesson.digit)
    if lesson.experiment:
        items["experiment"] = lesson.experiment
    for key in ("present", "lock", "autorun", "tour"):
        if getattr(lesson, key):
            items[key] = "1"
    if lesson.lang:
        items["lang"] = lesson.lang
    if lesson.hide:
        items["hide"] = ",".join(h for h in lesson.hide if h in HIDEABLE)
    if lesson.question:
        items["q"] = " ".join(lesson.question.split())[:QUESTION_MAX]
    return urlencode(items, safe=",")


def hide_choices() -> list[tuple[str, str]]:
    """(label, name) of what a lesson can hide: whole groups first, then single controls."""
    groups = [(f"group: {g}", g) for g in GROUPS]
    return groups + [(f"{p.label} ({p.name})", p.name) for p in PARAMS if p.control]


assert all(k not in BY_NAME for k in PAGE_KEYS), "a page key must not shadow a setting"
