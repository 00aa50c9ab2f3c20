"""What a method declares about itself: the `Param` type of every run setting, and the hyperparameters several
methods share.

A distiller class lists the hyperparameters it reads in `params` (kdemo/methods/distillers.py): the shared ones
below, and its own, declared on the class. The parameter table (kdemo/settings/params.py) collects them from the
registry, so which method reads which setting lives with the method. `Param` sits here, below settings/, so that
methods can declare settings without importing the table built from them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .. import lang

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

# Where a run's own (dataset, teacher, student) learning rates were measured (kdemo/methods/rates.py).
MNIST_LENET = ("mnist", "lenet5", "lenet5_half")
MNIST_MLP = ("mnist", "mlp_1200", "mlp_20")
FASHION_LENET = ("fashion_mnist", "lenet5", "lenet5_half")


@dataclass(frozen=True)
class Param:
    """One run setting: its type and valid values, how the UI shows it, and which methods read it."""
    name: str
    kind: str                      # "choice" | "int" | "float" | "bool" | "classes"
    default: Any
    label: str                     # the control's label, also used in messages
    short: str                     # column label in the results table ("T", "α")
    help: str                      # one line: what it does (control info, CLI --help)
    group: str                     # one of GROUPS: where the control sits, what `hide=` can name
    control: str | None            # dropdown | radio | slider | number | checkbox | checkboxgroup; None: no control
    choices: tuple = ()            # "choice": the valid values
    lo: float | None = None        # numbers: inclusive bounds (lo exclusive when lo_open)
    hi: float | None = None
    lo_open: bool = False
    optional: bool = False         # None allowed: an empty box, meaning `empty`
    empty: str = ""
    methods: str | tuple = "all"   # "all" or the keys of the methods that read it: the table fills it in from the
                                   # classes that declare it (settings/params.py; "teacher" there: every teacher method)
    when: tuple = ()               # further condition for showing it: ((param name, value), ...)
    step: float | None = None      # slider step
    labels: tuple = ()             # display names of `choices` for radios ("train first" for "train")
    blank_ok: bool = False         # the UI accepts an empty box (meaning `empty`); else empty is an error there
    shared: bool = True            # part of configs in links (device is not: it is the server's business)
    words: tuple = ()              # numbers that may also be one of these words ("auto", "same" for twin_lr)

    # ---- which methods read it ------------------------------------------------------------------------------
    def used_by(self, method: str) -> bool:
        return self.methods == "all" or method in self.methods

    # ---- checking (refusals are lang.Told: English here, the visitor's language on the page) ------------------
    def _name(self) -> dict:
        return lang.setting(self.name, self.label)

    def _range(self) -> dict:
        return {"key": "told.range_open" if self.lo_open else "told.range",
                "params": {"lo": lang.num(self.lo), "hi": lang.num(self.hi)}}

    def _fail(self, what: str, value, said: dict | None = None, **params) -> lang.Told:
        """'<label> (<name>) <what>; got <value>': `what` a told.must_* key with `params`; the value as a person
        reads it (`said`: a part saying it instead), cut to 80 characters."""
        got = said or ({"key": "told.nothing"} if value is None else
                       {"key": "as_is", "params": {"value": lang.num(value, "r") if _plain_number(value) else cut(value)}})
        return lang.Told("told.failed", setting=self._name(), name=self.name,
                         what={"key": what, "params": params}, got=got)

    def check(self, value):
        """The value in its canonical type, or lang.Told in plain words (never Python's)."""
        if value is None or (isinstance(value, str) and value.strip() == "" and self.kind != "choice"):
            if self.optional:
                return None
            if self.kind in ("int", "float"):
                example = {"key": "told.example_words", "params": {"words": lang.either(self.words)}} \
                    if self.words else {"key": "told.example", "params": {"default": lang.num(self.default)}}
                raise lang.Told("told.empty", setting=self._name(), name=self.name, example=example)
            raise self._fail("told.must_set", value)
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                shown = repr(value[:40]) + ("…" if len(value) > 40 else "") if isinstance(value, str) else \
                    {"key": "told.value_of", "params": {"type": type(value).__name__}}   # 1 MB is cut, never echoed
                raise lang.Told("told.unknown", setting=lang.setting(self.name, self.name), shown=shown,
                                choices=", ".join(self.choices))
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise self._fail("told.must_bool", value if not isinstance(value, str) else value[:40])
            return value
        if self.kind == "classes":
            return self._check_classes(value)
        if self.words and isinstance(value, str):
            word = value.strip().lower()
            if word in self.words:
                return word
            try:
                value = float(word)     # a number typed in a box that also takes words
            except ValueError:
                raise self._fail("told.must_words", value[:40], words=lang.either(self.words),
                                 range=self._range()) from None
        return self._check_number(value)

    def _check_number(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail("told.must_number", value if not isinstance(value, str) else value[:40])
        if not math.isfinite(value):
            raise self._fail("told.must_finite", value, range=self._range())
        if self.kind == "int":
            if value != int(value):
                raise self._fail("told.must_whole", value)
            value = int(value)
        else:
            value = float(value)
        if value > self.hi or value < self.lo or (self.lo_open and value == self.lo):
            raise self._fail("told.must_whole_in" if self.kind == "int" else "told.must_in", value,
                             range=self._range())
        return value

    def _check_classes(self, value) -> tuple[int, ...]:
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise self._fail("told.must_classes", value if not isinstance(value, (str, bytes)) else value[:40])
        items = list(value)
        if len(items) > 64:
            raise self._fail("told.many_classes", None, said={"key": "told.items", "params": {"n": len(items)}})
        out = set()
        for c in items:
            if isinstance(c, str) and c.strip().lstrip("-").isdigit():
                c = int(c)
            if isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c) or c != int(c) \
                    or not self.lo <= c <= self.hi:
                raise self._fail("told.class_range", items, lo=lang.num(self.lo), hi=lang.num(self.hi))
            out.add(int(c))
        return tuple(sorted(out))

    def take(self, value):
        """A value from a request, checked: text is read as `parse` reads it (dropdowns send "3"), anything else
        goes through `check`. Every endpoint's door (kdemo/app/kit.py) and the views use this."""
        return self.parse(value) if isinstance(value, str) and self.kind not in ("choice", "bool") else \
            self.check(value)

    # ---- text (CLI flags and query strings) ------------------------------------------------------------------
    def parse(self, text: str):
        """A value from text ('4', '1e-3', 'true', '3,5', '' for empty), checked."""
        if not isinstance(text, str):
            raise self._fail("told.must_text", text)
        t = text.strip()
        if self.optional and t.lower() in ("", "none", "all"):
            return None
        if self.kind == "bool":
            if t.lower() not in TRUE + FALSE:
                raise self._fail("told.must_bool_text", t[:40])
            return t.lower() in TRUE
        if self.kind == "classes":
            return self.check([c for c in t.replace(" ", "").split(",") if c])
        if self.words and t.lower() in self.words:
            return t.lower()
        if self.kind in ("int", "float"):
            try:
                number = float(t)
            except ValueError:
                raise self._fail("told.must_number", t[:40]) from None
            return self.check(number)
        return self.check(t)

    def format(self, value) -> str:
        """The text `parse` reads back to the same value."""
        if value is None:
            return ""
        if isinstance(value, str) and value in self.words:
            return value
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "classes":
            return ",".join(str(c) for c in value)
        if self.kind == "float":
            return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
        return str(value)


def _plain_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and len(repr(value)) <= 40


def cut(value, most: int = 80) -> str:
    """A stranger's value as a message quotes it: its repr, at most `most` characters (never 1 MB echoed)."""
    text = repr(value)
    return text if len(text) <= most else text[:most] + "…"


def hyper(name, kind, default, label, short, help, control, **kw) -> Param:
    """A method hyperparameter: a setting of the table's "method" group."""
    return Param(name, kind, default, label, short, help, "method", control, **kw)


# The hyperparameters several methods read; a method lists the ones it reads in its `params`.
CE_WEIGHT = hyper("ce_weight", "float", 1.0, "CE weight", "ce", "weight of the cross-entropy on the labels",
                  "number", lo=0, hi=100)
TEMPERATURE = hyper("temperature", "float", 4.0, "Temperature T", "T",
                    "softens both models' predictions: softmax(z / T)", "slider", lo=0.5, hi=50, step=0.1)
KD_WEIGHT = hyper("kd_weight", "float", 1.0, "KD weight", "kd", "weight of the soft-target loss", "number", lo=0,
                  hi=100)
FEAT_WEIGHT = hyper("feat_weight", "float", 1.0, "Feature weight", "feat", "weight of the feature-matching loss",
                    "number", lo=0, hi=100)
STANDARDIZED = hyper("standardized", "bool", False, "Logit standardization (Sun et al. 2024)", "std",
                     "z-score both models' logits before softening: the student matches their shape, not their "
                     "scale", "checkbox")
