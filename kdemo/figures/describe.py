"""A plot's text alternative, computed from its data: a one-paragraph summary and the numbers in tables, for a
screen reader (and anyone who wants the numbers). Pure functions of a plotly figure; the app shows the result in
a <details> beside each plot (kdemo/app/kit.py).

Every figure is described the same way: series that share a short categorical axis (a probability chart, a
per-class bar chart) become one table, class by class; longer series (a curve over epochs) one row each with
first, last, lowest and highest value. Helper traces (min-max bands, shown without hover) are left out.
"""
from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field

from ..lang import TABLES, number, text
from .words import translated

SHORT = 16       # a series this short or shorter is listed point by point
TAG = re.compile(r"<[^>]+>")


@dataclass
class Series:
    name: str
    x: list
    y: list[float]
    panel: str = ""
    curve: bool = False      # a line over x (said as where it starts, ends and peaks), else bars or points


@dataclass
class Description:
    title: str
    series: list[Series] = field(default_factory=list)


def plain(s) -> str:
    """Plotly's rich text as plain text: <br> a space, other tags dropped."""
    return TAG.sub("", str(s or "").replace("<br>", " ")).strip()


def _get(obj, key, default=None):
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def _finite(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _panels(layout) -> dict[str, str]:
    """A title per x axis of a figure with small multiples (their titles are annotations at the top of each)."""
    notes = [plain(_get(a, "text")) for a in (_get(layout, "annotations") or ())
             if _get(a, "yref") == "paper" and _get(a, "y") == 1.0]
    return {("x" if i == 0 else f"x{i + 1}"): t for i, t in enumerate(notes)}


def _json(fig) -> dict:
    """A figure as its JSON dict, from a go.Figure, the dict, or gr.Plot's payload ({"type", "plot": json})."""
    fig = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    if isinstance(fig, dict) and isinstance(fig.get("plot"), str):
        fig = json.loads(fig["plot"])
    return fig


def describe(fig) -> Description:
    """The figure's title and the series it plots (name, x, y), in the order drawn."""
    fig = _json(fig)
    layout, data = fig.get("layout") or {}, fig.get("data") or []
    title = plain(_get(_get(layout, "title"), "text"))
    if not title and not data:      # an empty figure's message is its only text
        title = " ".join(plain(_get(a, "text")) for a in (_get(layout, "annotations") or ()))
    panels = _panels(layout)
    out = Description(title)
    for t in data:
        if _get(t, "hoverinfo") == "skip" or _get(t, "y") is None:
            continue
        ys = [_finite(v) for v in _get(t, "y")]
        xs = list(_get(t, "x") if _get(t, "x") is not None else range(len(ys)))
        pairs = [(x, y) for x, y in zip(xs, ys) if y is not None]
        if not pairs:
            continue
        name = plain(_get(t, "name")) or title
        out.series.append(Series(name, [p[0] for p in pairs], [p[1] for p in pairs],
                                 panels.get(_get(t, "xaxis") or "x", ""),
                                 _get(t, "type", "scatter") == "scatter" and "lines" in (_get(t, "mode") or "lines")))
    return out


def _num(v, lang: str) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        a = abs(v)
        digits = 0 if a >= 1000 or float(v).is_integer() else 1 if a >= 10 else 3 if a >= 0.01 else 5
        return number(v, lang, digits)
    return plain(v)


def summary(desc: Description, lang: str = "en") -> str:
    """One paragraph: what the plot shows and where each series ends or peaks."""
    if not desc.series:
        return text("alt.empty", lang, title=desc.title or text("alt.untitled", lang))
    parts = [text("alt.head", lang, title=desc.title or text("alt.untitled", lang), n=len(desc.series))]
    for s in desc.series[:8]:
        name = f"{s.name} ({s.panel})" if s.panel else s.name
        hi = max(range(len(s.y)), key=s.y.__getitem__)
        if not s.curve:
            parts.append(text("alt.bars", lang, name=name, top=_num(s.x[hi], lang), value=_num(s.y[hi], lang)))
        else:
            parts.append(text("alt.curve", lang, name=name, first=_num(s.y[0], lang), last=_num(s.y[-1], lang),
                              end=_num(s.x[-1], lang), top=_num(s.y[hi], lang), at=_num(s.x[hi], lang)))
    if len(desc.series) > 8:
        parts.append(text("alt.more", lang, n=len(desc.series) - 8))
    return " ".join(parts)


def tables(desc: Description, lang: str = "en") -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, header, rows) for each table: one per panel of short series sharing their x values, and one
    row per long series."""
    out, long, groups = [], [], {}
    for s in desc.series:
        if len(s.y) <= SHORT:
            groups.setdefault((s.panel, tuple(map(str, s.x))), []).append(s)
        else:
            long.append(s)
    for (panel, xs), members in groups.items():
        header = [text("alt.x", lang)] + [m.name for m in members]
        rows = [[plain(x)] + [_num(m.y[i], lang) for m in members] for i, x in enumerate(xs)]
        out.append((panel or desc.title, header, rows))
    if long:
        header = [text(k, lang) for k in ("alt.series", "alt.points", "alt.first", "alt.last", "alt.min",
                                          "alt.max")]
        rows = [[s.name, str(len(s.y))] + [_num(v, lang) for v in (s.y[0], s.y[-1], min(s.y), max(s.y))]
                for s in long]
        out.append((desc.title, header, rows))
    return out


def alt_html(fig, langs=None) -> str:
    """The text alternative as HTML in each language (the page shows the visitor's: kdemo/app/style.py)."""
    fig = _json(fig)    # each language's from the figure in that language (its words in layout.meta)
    return "".join(_alt_html(describe(translated(fig, lang)), lang) for lang in (langs or TABLES))


def _alt_html(desc: Description, lang: str) -> str:
    """The summary, and the tables in a <details> (escaped: names can be user text)."""
    e = html.escape
    parts = [f"<p>{e(summary(desc, lang))}</p>"]
    for caption, header, rows in tables(desc, lang):
        head = "".join(f"<th scope='col'>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + f"<th scope='row'>{e(r[0])}</th>" + "".join(f"<td>{e(c)}</td>" for c in r[1:])
                       + "</tr>" for r in rows)
        parts.append(f"<table><caption>{e(caption)}</caption><thead><tr>{head}</tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    return (f"<details class='kd-alt kd-l kd-l-{lang}' lang='{lang}'><summary>{e(text('alt.open', lang))}</summary>"
            f"{''.join(parts)}</details>")
