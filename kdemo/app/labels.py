"""Static labels in the visitor's language through Gradio's own gr.I18n (translated in the browser, from its
language), made from kdemo.lang's tables; the Train tab's settings from the parameter table (English) and
kdemo/lang/de.py's PARAMS. svelte-i18n reads a dot in a key as a path, so the keys use _ instead."""
from __future__ import annotations

import html
import json
import re

import gradio as gr

from ..lang import TABLES, de, known
from ..lang import html as lang_html
from ..settings.lessons import QUESTION_MAX
from ..settings.params import PARAMS

TAG = re.compile(r"<[^>]+>")
MARK = "__i18n__"     # how gradio.i18n.I18nData writes itself into a string


def _key(key: str) -> str:
    return key.replace(".", "_")


def info_line(help_text: str, p, lang: str = "en") -> str | None:
    """A setting's help line under its control: the help, and a number's range (as the language writes it)."""
    if p.kind in ("int", "float") and p.control == "number":
        to, lo, hi = (" bis ", f"{p.lo:g}".replace(".", ","), f"{p.hi:,g}".replace(",", ".")) if lang == "de" \
            else (" to ", f"{p.lo:g}", f"{p.hi:,g}")
        lo = f"> {lo}" if p.lo_open else lo
        empty = (de.EMPTY.get(p.empty, p.empty) if lang == "de" else p.empty) if p.blank_ok else ""
        return f"{help_text} ({lo}{to}{hi}{'; 0 = ' + empty if empty else ''})"
    return help_text if p.control in ("checkbox", "radio", "checkboxgroup", "rate") else None


def _params(lang: str) -> dict:
    out = {}
    for p in PARAMS:
        if not p.control:
            continue
        # a setting its method declared after the German table was written shows its English words, never breaks
        # the page (tests/test_lang.py fails until the table has it)
        name, help_text = (p.label, p.help) if lang == "en" else de.PARAMS.get(p.name, (p.label, p.help))
        out[_key(f"param.{p.name}")] = name
        out[_key(f"param.{p.name}.info")] = info_line(help_text, p, lang) or ""
    return out


# A static label's parameters, filled in once (svelte-i18n would read "{n}" as its own placeholder)
FILLED = {"share.question": {"n": QUESTION_MAX}}
# Texts the server says (messages, toasts) or the page's script relabels (tables): never a static label, so they
# stay out of the page's svelte-i18n dictionary
NOT_LABELS = ("told.", "link.", "queue.", "title.", "col.", "cell.", "toast.")
I18N = gr.I18n(**{code: {**{_key(k): TAG.sub("", v.format(**FILLED[k]) if k in FILLED else v)
                            for k, v in table.items() if not k.startswith(NOT_LABELS)}, **_params(code)}
                  for code, table in TABLES.items()})


def label(key: str):
    """The label `key` (kdemo.lang, or param.<name> / param.<name>.info), translated in the browser."""
    return I18N(_key(key))


def english(value) -> str | None:
    """A label as English text (for messages the server writes): an I18n key's English (the object, or the
    "__i18n__{...}" string a component keeps), else the value."""
    key = getattr(value, "key", None)
    if key is None and isinstance(value, str) and value.startswith(MARK):
        key = json.loads(value[len(MARK):]).get("key")
    return I18N.translations["en"].get(key, key) if key is not None else value


def worded(choices) -> list:
    """(label, value) choices with their words in the visitor's language where kdemo.lang has `choice.<value>`."""
    return [(label(f"choice.{value}"), value) if _key(f"choice.{value}") in I18N.translations["en"] else (name, value)
            for name, value in choices]


def is_label(value, key: str) -> bool:
    """Whether a select event's `value` is the label `key` (as the browser sent it: the key, or a translation)."""
    return getattr(value, "key", value) in {_key(key), *(t.get(_key(key)) for t in I18N.translations.values())} \
        or _key(key) in str(value)


def said(key: str, declared: str) -> str:
    """Words in every language (kdemo.lang.html) where the tables have `key`; else the English its declaration
    carries, escaped (a view declared before its translations: adding one stays one declaration)."""
    return lang_html(key) if known(key) else html.escape(declared)
