"""Static labels in the visitor's language through Gradio's own gr.I18n (translated in the browser, from its
language), made from kdemo.lang's tables. svelte-i18n reads a dot in a key as a path, so keys use _ instead."""
from __future__ import annotations

import re

import gradio as gr

from ...lang import TABLES

TAG = re.compile(r"<[^>]+>")
I18N = gr.I18n(**{code: {k.replace(".", "_"): TAG.sub("", v) for k, v in table.items()}
                  for code, table in TABLES.items()})


def label(key: str):
    """The label `key` (kdemo.lang), translated in the browser."""
    return I18N(key.replace(".", "_"))
