"""The class board's scatter: one point per run against the setting that varies most, coloured by method, with each
value's mean and 95% interval over the runs. Built from the board's rows and summary (kdemo.teach.classboard);
nicknames reach the hover text escaped, because plotly renders a few HTML tags in text."""
from __future__ import annotations

import html

import plotly.graph_objects as go

from .curves import empty_figure, figure, layout, style
from .palette import PART_COLORS, SUMMARY
from .words import phrase


def _x(value: str):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def board_figure(rows: list[dict], summary: dict, metric_key: str, metric_label: str,
                 presentation: bool = False) -> go.Figure:
    """Scatter of `metric_key` per run (x: the summary's axis, or the run's number when nothing varies)."""
    if not rows:
        return empty_figure(phrase("plot.board.empty"), presentation)
    st, axis = style(presentation), summary.get("axis")
    methods = list(dict.fromkeys(r.get("method", "?") for r in rows))
    data = []
    for i, method in enumerate(methods):
        pts = [(j, r) for j, r in enumerate(rows) if r.get("method") == method and
               isinstance(r.get(metric_key), (int, float))]
        data.append({"type": "scatter", "mode": "markers", "name": html.escape(str(method)),
                     "x": [_x(r["config"].get(axis)) if axis else j + 1 for j, r in pts],
                     "y": [r[metric_key] for _, r in pts],
                     "text": [html.escape(str(r.get("nickname", ""))) for _, r in pts],
                     "hovertemplate": "%{text}: %{y:.2f}<extra></extra>",
                     "marker": {"size": st["marker"] + 4, "color": PART_COLORS[i % len(PART_COLORS)],
                                "opacity": 0.75}})
    if axis:
        gs = [g for g in summary.get("groups", []) if g["mean"] is not None]
        data.append({"type": "scatter", "mode": "markers+lines", "name": phrase("plot.board.mean"),
                     "x": [_x(g["value"]) for g in gs], "y": [g["mean"] for g in gs],
                     "error_y": {"type": "data", "array": [g["half"] or 0 for g in gs], "visible": True,
                                 "thickness": st["line"]},
                     "line": {"color": SUMMARY, "width": st["line"], "dash": "dot"},
                     "marker": {"symbol": "diamond-open", "size": st["marker"] + 10, "color": SUMMARY,
                                "line": {"width": 2}},
                     "hovertemplate": "mean %{y:.2f}<extra></extra>"})
    x_title = html.escape(summary.get("axis_label") or axis) if axis else phrase("plot.board.x")
    return figure(data, layout(phrase("plot.board.title", metric=metric_label), presentation, revision=axis or "",
                               xaxis={"title": {"text": x_title}}, yaxis={"title": {"text": metric_label}},
                               hovermode="closest"))
