"""Plotly figures of the teaching views (kdemo/teach/insights.py computes, this draws): class similarity, reliability,
per-class accuracy, confusion, one image's probabilities, KD's weight on NCKD, the missing-class bias.

Same style as kdemo/figures/curves.py (`layout`, `figure`, presentation sizes, transparent backgrounds, Okabe-Ito colours
for models; Cividis, a colour-blind-safe sequential scale, and purple-orange for differences in heatmaps).
Figures are built from plain dicts without validation; tests/test_insights.py re-validates each one.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

from ..lang import Signed

from .curves import DASH, PATTERN, figure, layout, style
from .palette import BACKDROP, COLOR, CURSOR, GUIDE, INK, TARGET, WARN
from .words import name, phrase

NAMES = {"teacher": name("teacher"), "kd": name("distilled student"), "scratch": name("twin (labels only)")}
SEQ, DIV, DIAG = "Cividis", "PuOr", "Greys"


def _nan_to_none(rows) -> list:
    return [[None if (v is None or v != v) else v for v in row] for row in rows]


def _square_axes(classes: list[str], st: dict, x_title: str, y_title: str, domain=(0.0, 1.0)) -> dict:
    # category axes: class names like "3" must not be read as numbers; y reversed so class 0 is on top
    return {"xaxis": {"type": "category", "title": {"text": x_title}, "domain": list(domain), "tickangle": 0,
                      "tickfont": {"size": st["font"] - 1}},
            "yaxis": {"type": "category", "title": {"text": y_title}, "autorange": "reversed",
                      "tickfont": {"size": st["font"] - 1}}}


def similarity_figure(matrix, classes: list[str], title: str, presentation: bool = False,
                      diff: bool = False) -> go.Figure:
    """True class x other class heatmap of mean softened probabilities, the diagonal (own class) as a separate
    column on its own scale; `diff` draws a student-minus-teacher matrix on a diverging scale centred on 0."""
    st = style(presentation)
    m = [[float(v) for v in row] for row in matrix]
    k = len(m)
    off = [[None if i == j else m[i][j] for j in range(k)] for i in range(k)]
    diag = [[m[i][i]] for i in range(k)]
    hover = "true %{y} → %{x}: %{z:.4f}<extra></extra>"
    if diff:
        top = max([abs(v) for row in off for v in row if v is not None] + [1e-6])
        scale = {"colorscale": DIV, "zmid": 0, "zmin": -top, "zmax": top}
    else:
        scale = {"colorscale": SEQ, "zmin": 0}
    small = max([abs(v) for row in off for v in row if v is not None] + [0.0]) < 0.01
    fmt = "%{z:.1e}" if small else "%{z:.3f}"   # a confident model's off-diagonal mass can be ~1e-4
    data = [{"type": "heatmap", "z": off, "x": classes, "y": classes, **scale, "hovertemplate": hover,
             "texttemplate": fmt if k <= 10 else "", "textfont": {"size": st["font"] - 4},
             "colorbar": {"title": {"text": phrase("plot.sim.diff" if diff else "plot.sim.mean_p"), "side": "right"},
                          "x": 0.78,
                          "len": 0.9, "thickness": 14}},
            {"type": "heatmap", "z": diag, "x": [phrase("plot.sim.own")], "y": classes, "xaxis": "x2", "yaxis": "y",
             "colorscale": DIV if diff else DIAG, "showscale": False, "texttemplate": "%{z:.3f}",
             "textfont": {"size": st["font"] - 3}, "hovertemplate": "true %{y}, own class: %{z:.4f}<extra></extra>",
             **({"zmid": 0} if diff else {"zmin": 0, "zmax": 1.6})}]
    lay = layout(title, presentation, hovermode="closest", height=st["height"] + 90,
                 margin={"l": 70, "r": 10, "t": 70, "b": 60},
                 **_square_axes(classes, st, phrase("plot.sim.other"), phrase("plot.true_class"), (0.0, 0.72)))
    lay["xaxis2"] = {"domain": [0.88, 0.98], "anchor": "y", "type": "category", "tickfont": {"size": st["font"] - 1}}
    return figure(data, lay)


def reliability_figure(rels: dict, presentation: bool = False, title: str | None = None):
    """Accuracy against confidence per bin for each model (marker area ~ images in the bin); the diagonal is
    perfect calibration: below it over-confident, above it under-confident."""
    st, title = style(presentation), title or phrase("plot.rel.title", bins=15)
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 100], "name": phrase("plot.rel.perfect"),
             "line": {"color": GUIDE, "dash": "dash", "width": st["line"] * 0.6}, "hoverinfo": "skip"}]
    for key, rel in rels.items():
        pts = [(c, a, n) for c, a, n in zip(rel["bin_confidence"], rel["bin_accuracy"], rel["count"]) if n]
        total = max(sum(n for *_, n in pts), 1)
        data.append({"type": "scatter", "mode": "lines+markers",
                     "name": phrase("plot.rel.ece", who=NAMES[key], ece=(100 * rel["ece"], 2)),
                     "x": [c for c, _, _ in pts], "y": [100 * a for _, a, _ in pts],
                     "customdata": [n for *_, n in pts],
                     "hovertemplate": "confidence %{x:.3f}: right %{y:.1f}% of %{customdata} images<extra></extra>",
                     "line": {"color": COLOR[key], "width": st["line"], "dash": DASH[key]},
                     "marker": {"size": [st["marker"] + 14 * math.sqrt(n / total) for *_, n in pts],
                                "color": COLOR[key]}})
    lay = layout(title, presentation, hovermode="closest",
                 xaxis={"title": {"text": phrase("plot.rel.x")}, "range": [0, 1.02]},
                 yaxis={"title": {"text": phrase("plot.rel.y")}, "range": [0, 102]})
    return figure(data, lay)


def per_class_figure(per_class: dict, classes: list[str], presentation: bool = False) -> go.Figure:
    """Per-class test accuracy (%), mean over seeds with the lowest and highest seed as the error bar."""
    data, lows = [], []
    for key, rows in per_class.items():     # rows: (S, K) per-seed accuracies as nested lists
        k = len(rows[0])
        cols = [[r[c] for r in rows if r[c] == r[c]] for c in range(k)]
        mean = [100 * sum(v) / len(v) if v else None for v in cols]
        hi = [100 * max(v) - m if v else 0 for v, m in zip(cols, mean)]
        lo = [m - 100 * min(v) if v else 0 for v, m in zip(cols, mean)]
        lows += [100 * min(v) for v in cols if v]
        seeds = phrase("plot.seeds_mean", n=len(rows)) if len(rows) > 1 else ""
        data.append({"type": "bar", "name": NAMES[key] + seeds,
                     "x": classes, "y": mean, "marker": {"color": COLOR[key], "pattern": {"shape": PATTERN[key]}},
                     "error_y": {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo,
                                 "visible": len(rows) > 1, "thickness": 1.5},
                     "hovertemplate": "class %{x}: %{y:.2f}%<extra>" + NAMES[key] + "</extra>"})
    bottom = max(0.0, math.floor(min(lows + [100.0]) - 3))
    lay = layout(phrase("plot.per_class.title"), presentation, barmode="group", hovermode="closest",
                 xaxis={"type": "category", "title": {"text": phrase("plot.true_class")}, "tickangle": 0},
                 yaxis={"title": {"text": phrase("plot.acc.y")}, "range": [bottom, 100.5]})
    return figure(data, lay)


def confusion_figure(counts, classes: list[str], title: str, presentation: bool = False) -> go.Figure:
    """Counts of true x predicted class; the diagonal (right answers) in grey so the errors keep the colour scale."""
    st = style(presentation)
    c = [[int(v) for v in row] for row in counts]
    k = len(c)
    off = [[None if i == j else c[i][j] for j in range(k)] for i in range(k)]
    diag = [[c[i][j] if i == j else None for j in range(k)] for i in range(k)]
    hover = "true %{y}, predicted %{x}: %{z} images<extra></extra>"
    data = [{"type": "heatmap", "z": off, "x": classes, "y": classes, "colorscale": SEQ, "zmin": 0,
             "texttemplate": "%{z}", "textfont": {"size": st["font"] - 3}, "hovertemplate": hover,
             "colorbar": {"title": {"text": phrase("plot.conf.errors")}, "thickness": 14}},
            {"type": "heatmap", "z": diag, "x": classes, "y": classes, "colorscale": [[0, BACKDROP], [1, BACKDROP]],
             "showscale": False, "texttemplate": "%{z}", "textfont": {"size": st["font"] - 3, "color": INK},
             "hovertemplate": hover}]
    lay = layout(title, presentation, hovermode="closest", height=st["height"] + 90,
                 margin={"l": 70, "r": 10, "t": 70, "b": 60},
                 **_square_axes(classes, st, phrase("plot.conf.predicted"), phrase("plot.true_class")))
    return figure(data, lay)


def image_probs_figure(probs: dict, classes: list[str], label: int, title: str,
                       presentation: bool = False) -> go.Figure:
    """Each model's probabilities (T = 1) for one test image; the true class is marked."""
    st = style(presentation)
    data = [{"type": "bar", "name": NAMES[key], "x": classes, "y": list(p),
             "marker": {"color": COLOR[key], "pattern": {"shape": PATTERN[key]}},
             "hovertemplate": "%{x}: %{y:.4f}<extra>" + NAMES[key] + "</extra>"} for key, p in probs.items()]
    lay = layout(title, presentation, barmode="group", hovermode="closest", height=st["height"] - 40,
                 xaxis={"type": "category", "title": {"text": phrase("plot.probs.x", true=classes[label])},
                        "tickangle": 0},
                 yaxis={"title": {"text": phrase("plot.probs.y")}, "range": [0, 1.02]},
                 shapes=[{"type": "rect", "xref": "x", "yref": "paper", "x0": label - 0.5, "x1": label + 0.5,
                          "y0": 0, "y1": 1, "fillcolor": TARGET, "line": {"width": 0}}])
    return figure(data, lay)


def nckd_figure(stats: dict, presentation: bool = False) -> go.Figure:
    """Two histograms over the test images: the teacher's p_t at T, and the weight 1 - p_t that classic KD puts
    on NCKD, each with its mean (log count axis: a confident teacher piles nearly everything into one bin)."""
    st = style(presentation)
    edges = stats["edges"]
    mids = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    width = edges[1] - edges[0]
    data, shapes, notes = [], [], []
    for i, (key, mean, color, label) in enumerate((
            ("p_t_hist", stats["mean_p_t"], COLOR["teacher"], phrase("plot.nckd.p_t")),
            ("weight_hist", stats["mean_weight"], COLOR["kd"], phrase("plot.nckd.weight")))):
        xa, ya = ("x", "y") if i == 0 else ("x2", "y2")
        data.append({"type": "bar", "x": mids, "y": [v or None for v in stats[key]], "width": width * 0.95,
                     "marker": {"color": color}, "name": label, "xaxis": xa, "yaxis": ya,
                     "hovertemplate": "%{x:.3f}: %{y} images<extra></extra>"})
        shapes.append({"type": "line", "xref": xa, "yref": f"{ya} domain", "x0": mean, "x1": mean, "y0": 0, "y1": 1,
                       "line": {"color": WARN, "width": st["line"], "dash": "dash"}})
        notes.append({"text": phrase("plot.nckd.mean", mean=(mean, 3)), "xref": xa, "yref": f"{ya} domain", "x": mean,
                      "y": 1.0,
                      "xanchor": "left" if mean < 0.6 else "right", "yanchor": "bottom", "showarrow": False,
                      "font": {"color": WARN, "size": st["font"]}})
        notes.append({"text": label, "xref": f"{xa} domain", "yref": f"{ya} domain", "x": 0.5, "y": -0.22,
                      "showarrow": False, "font": {"size": st["font"]}})
    lay = layout(phrase("plot.nckd.title", images=(stats["images"], 0), T=(stats["T"], None)), presentation,
                 showlegend=False,
                 hovermode="closest", shapes=shapes, annotations=notes, margin={"l": 60, "r": 20, "t": 80, "b": 80},
                 xaxis={"domain": [0, 0.46], "range": [0, 1]}, xaxis2={"domain": [0.54, 1], "range": [0, 1]},
                 yaxis={"type": "log", "title": {"text": phrase("plot.nckd.y")}, "dtick": 1},   # ticks at 1, 10, 100...
                 yaxis2={"type": "log", "anchor": "x2", "matches": "y", "dtick": 1})
    return figure(data, lay)


def bias_figure(curves: dict, bias: float, rules: dict, cls_name: str, presentation: bool = False) -> go.Figure:
    """Accuracy on the missing class (solid) and overall (dotted) against the bias added to its logit, per model;
    the slider's value as a grey line, each model's rule-chosen bias as a dashed line in its colour."""
    st = style(presentation)
    data = []
    for key, c in curves.items():
        x = c["bias"]
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": [100 * v for v in c["class_acc"]],
                     "name": phrase("plot.bias.class", who=NAMES[key], cls=cls_name),
                     "line": {"color": COLOR[key], "width": st["line"]}})
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": [100 * v for v in c["overall_acc"]],
                     "name": phrase("plot.bias.all", who=NAMES[key]),
                     "line": {"color": COLOR[key], "width": st["line"] * 0.7, "dash": "dot"}})
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": bias, "x1": bias, "y0": 0, "y1": 1,
               "line": {"color": CURSOR, "width": st["line"]}}]
    notes = [{"text": phrase("plot.bias.now", bias=(Signed(bias), 2)), "xref": "x", "yref": "paper", "x": bias,
              "y": 1.0, "yanchor": "bottom",
              "showarrow": False, "font": {"size": st["font"], "color": CURSOR}}]
    for i, (key, r) in enumerate(rules.items()):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": r, "x1": r, "y0": 0, "y1": 1,
                       "line": {"color": COLOR[key], "width": st["line"] * 0.6, "dash": "dash"}})
        notes.append({"text": phrase("plot.bias.rule", bias=(Signed(r), 2)), "xref": "x", "yref": "paper", "x": r,
                      "y": 0.06 + 0.09 * i,
                      "xanchor": "left", "showarrow": False, "font": {"size": st["font"] - 1, "color": COLOR[key]}})
    lay = layout(phrase("plot.bias.title", cls=cls_name), presentation,
                 hovermode="x unified", shapes=shapes, annotations=notes, height=st["height"] + 70,
                 xaxis={"title": {"text": phrase("plot.bias.x", cls=cls_name)}},
                 yaxis={"title": {"text": phrase("plot.test_acc.y")}, "range": [0, 101]},
                 legend={"orientation": "h", "yanchor": "top", "y": -0.26, "x": 0, "xanchor": "left",
                         "font": {"size": st["font"]}}, margin={"l": 60, "r": 20, "t": 70, "b": 130})
    return figure(data, lay)
