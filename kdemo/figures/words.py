"""A plot's words in every language: titles, axis titles, legend names and notes of a figure drawn once on the server
for every visitor.

A builder writes each text as a `Text` (`phrase("plot.acc.title")`, kdemo/lang/*/plots.py): a str that is its English,
so the figure, the CLI's saved figures, the HTML report and API clients see English, and that can say itself in any
language. `localize` finds the Texts in a figure and puts the other languages' versions into `layout.meta`:

    meta = {"kdemo_i18n": {"de": [[["layout", "title", "text"], "Testgenauigkeit je Epoche"],
                                  [["data", 0, "name"], "destillierter Schüler"], ...]}}

The page (PAGE_JS in kdemo/app/style.py) writes them in before plotly draws (its `react` is wrapped), so a plot
Gradio redraws twice a second is never shown in English first; `translated` does the same in Python (a plot's text
alternative, kdemo/figures/describe.py). Hover templates and labels that are data (loss names, classes)
stay English: see README "Languages".
"""
from __future__ import annotations

import copy

from ..lang import DEFAULT, TABLES, number, text, words

META = "kdemo_i18n"


class Text(str):
    """A plot text: the string is its English; `say(code)` is the text in language `code`."""

    def __new__(cls, english: str, say=None):
        s = str.__new__(cls, english)
        s.say = say or (lambda code: english)
        return s

    def then(self, fn) -> "Text":
        """This text passed through `fn` (a line wrap, a suffix) in every language."""
        return Text(fn(str(self)), lambda code: fn(self.say(code)))

    def __add__(self, other) -> "Text":
        return Text(str(self) + str(other), lambda code: self.say(code) + _in(other, code))

    def __radd__(self, other) -> "Text":
        return Text(str(other) + str(self), lambda code: _in(other, code) + self.say(code))


def _in(value, code: str) -> str:
    """A parameter in `code`: a Text said, (value, digits) a number written the language's way (digits None: as
    :g writes it), anything else as it is."""
    if isinstance(value, Text):
        return value.say(code)
    if isinstance(value, tuple):
        return number(value[0], code, value[1])
    return str(value)


def phrase(key: str, **params) -> Text:
    """The text `key` with its parameters (Texts, (number, digits) pairs, or anything else put in as it is)."""
    def speak(code: str) -> str:
        return text(key, code, **{k: _in(v, code) for k, v in params.items()})
    return Text(speak(DEFAULT), speak)


def name(english: str, area: str = "plotname") -> Text:
    """A name a deeper layer sent in English (a run's "distilled student"), said as the tables' `<area>.<english>`
    where they have one."""
    english = str(english)
    return Text(english, lambda code: words(english, code, area))


def numeral(written: str) -> Text:
    """A number written on the server (a bar's label: "93.1%") with the language's decimal and thousands marks;
    numbers plotly formats itself (ticks, templates) follow layout.separators."""
    def speak(code: str) -> str:
        decimal, thousands = text("plot.separators", code)
        return written.translate(str.maketrans({".": decimal, ",": thousands}))
    return Text(written, speak)


def _found(node, path: list, out: list):
    if isinstance(node, Text):
        out.append((path, node))
    elif isinstance(node, dict):
        for k, v in node.items():
            if k != "meta" and k != "template":
                _found(v, path + [k], out)
    elif isinstance(node, (list, tuple)) and node and isinstance(node[0], (str, dict, list, tuple)):
        for i, v in enumerate(node):     # (lists of numbers, a curve's points, hold no words: not walked)
            _found(v, path + [i], out)
    return out


def localize(data: list, layout: dict) -> dict:
    """Put every other language's version of the figure's Texts in `layout["meta"]` (the figure's English stays
    where it is); returns `layout`."""
    said = _found({"data": data, "layout": layout}, [], [])
    # numbers in ticks and number templates the language's way too (plotly's separators: decimal, then thousands)
    said.append((["layout", "separators"], phrase("plot.separators")))
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    meta[META] = {code: [[path, t.say(code)] for path, t in said] for code in TABLES if code != DEFAULT}
    layout["meta"] = meta
    return layout


def localize_figure(fig):
    """`localize` for a go.Figure built elsewhere (the experiments'): its Texts are found in its JSON."""
    js = fig.to_plotly_json()
    meta = localize(js.get("data") or [], js.get("layout") or {})["meta"]
    fig.update_layout(meta=meta)
    return fig


def translated(fig: dict, code: str) -> dict:
    """A copy of the figure's JSON ({"data", "layout"}) with its texts in `code` (as the page shows it)."""
    said = (((fig.get("layout") or {}).get("meta") or {}).get(META) or {}).get(code)
    if not said:
        return fig
    fig = copy.deepcopy(fig)
    for path, value in said:
        node = fig
        for k in path[:-1]:
            try:
                node = node[k]
            except (KeyError, IndexError, TypeError):
                node = None
                break
        if isinstance(node, (dict, list)):
            try:
                node[path[-1]] = value
            except (IndexError, TypeError):
                pass
    return fig
