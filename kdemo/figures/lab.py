"""Plotly figures of the Temperature lab: the small multiples over T and the DKD decomposition of one digit."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from .curves import CLEAR, PATTERN, figure, style
from .palette import KD, TEACHER, TERMS
from .words import name, numeral, phrase


def _axis_names(i: int) -> tuple[str, str]:
    return ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")


def _grid(n: int, gap: float = 0.03) -> list[list[float]]:
    width = (1 - gap * (n - 1)) / n
    return [[i * (width + gap), i * (width + gap) + width] for i in range(n)]


def _panel_layout(titles: list[str], domains: list[list[float]], st: dict, y_range=None, **axes) -> dict:
    layout: dict = {"annotations": []}
    for i, (title, dom) in enumerate(zip(titles, domains)):
        xa, ya = _axis_names(i)
        xkey, ykey = xa.replace("x", "xaxis"), ya.replace("y", "yaxis")
        # category: plotly would read "'1'" or "3" as numbers and drop or thin out the other labels
        layout[xkey] = {"domain": dom, "anchor": ya, "type": "category", "tickangle": 0,
                        "tickfont": {"size": st["font"] - 2}}
        layout[ykey] = {"anchor": xa, "range": y_range, "showticklabels": i == 0 or not y_range,
                        **({"matches": "y"} if y_range and i else {})}
        layout[ykey] = {k: v for k, v in layout[ykey].items() if v is not None}
        layout["annotations"].append({"text": title, "xref": "paper", "yref": "paper", "x": sum(dom) / 2, "y": 1.0,
                                      "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": st["font"]}})
    return layout


def temperature_figure(res, presentation: bool = False) -> go.Figure:
    """Small multiples: teacher vs student softened probabilities at each temperature, entropy in the title."""
    st = style(presentation)
    n = len(res.temperatures)
    classes = list(res.classes)
    short = [c if len(c) <= 5 else c[:4] + "…" for c in classes]
    titles = [phrase("plot.lab.panel", T=(t, None), ht=(ht, 2), hs=(hs, 2))
              for t, ht, hs in zip(res.temperatures, res.teacher_entropy, res.student_entropy)]
    data = []
    for i in range(n):
        xa, ya = _axis_names(i)
        for who, probs, color, role in (("teacher", res.teacher_probs, TEACHER, "teacher"),
                                        ("student", res.student_probs, KD, "kd")):
            data.append({"type": "bar", "name": name(who), "x": short, "y": [float(p) for p in probs[i]],
                         "marker": {"color": color, "pattern": {"shape": PATTERN[role]}}, "xaxis": xa, "yaxis": ya,
                         "legendgroup": who,
                         "showlegend": i == 0, "hovertemplate": name(who) + " %{x}: %{y:.3f}<extra></extra>"})
    layout = _panel_layout(titles, _grid(n), st, y_range=[0, 1])
    layout.update(CLEAR, height=st["height"] - 20, barmode="group", bargap=0.15, bargroupgap=0.0,
                  template="plotly_white", font={"size": st["font"] - 1}, margin={"l": 45, "r": 10, "t": 70, "b": 35},
                  legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": -0.12, "yanchor": "top"},
                  uirevision="lab")
    layout["yaxis"]["title"] = {"text": phrase("plot.lab.probability")}
    return figure(data, layout)


def dkd_figure(res, presentation: bool = False) -> go.Figure:
    """The DKD decomposition at temperature T: binary target-vs-rest, the renormalised rest, and the KL terms."""
    st = style(presentation)
    target = res.classes[res.target]
    titles = [phrase("plot.dkd.binary", target=target), phrase("plot.dkd.rest"),
              "<b>KD = TCKD + (1−p<sub>t</sub>)·NCKD</b>"]
    domains = [[0.0, 0.19], [0.26, 0.62], [0.69, 1.0]]
    data = []
    for who, b, rest, color in (("teacher", res.binary_teacher, res.rest_teacher, TEACHER),
                                ("student", res.binary_student, res.rest_student, KD)):
        bars = {"color": color, "pattern": {"shape": PATTERN["kd" if who == "student" else "teacher"]}}
        data.append({"type": "bar", "name": name(who), "x": [f"'{target}'", phrase("plot.dkd.rest_bar")], "y": list(b),
                     "marker": bars,
                     "xaxis": "x", "yaxis": "y", "legendgroup": who, "showlegend": True,
                     "hovertemplate": name(who) + " %{x}: %{y:.3f}<extra></extra>"})
        data.append({"type": "bar", "name": name(who), "x": list(res.rest_classes), "y": [float(p) for p in rest],
                     "marker": bars, "xaxis": "x2", "yaxis": "y2", "legendgroup": who,
                     "showlegend": False, "hovertemplate": name(who) + " %{x}: %{y:.3f}<extra></extra>"})
    terms = {"TCKD": res.tckd, "NCKD": res.nckd, "1−p<sub>t</sub>": res.weight,
             "(1−p<sub>t</sub>)·NCKD": res.weight * res.nckd, "KD": res.kd}
    data.append({"type": "bar", "name": phrase("plot.dkd.terms"), "x": list(terms), "y": list(terms.values()),
                 "showlegend": False,
                 "marker": {"color": [TERMS[t] for t in ("tckd", "nckd", "weight", "nckd", "kd")]},
                 "text": [numeral(_num(v)) for v in terms.values()], "textposition": "outside", "cliponaxis": False,
                 "xaxis": "x3", "yaxis": "y3", "hovertemplate": "%{x}: %{y:.4g}<extra></extra>"})
    layout = _panel_layout(titles, domains, st)
    top = max(terms.values()) if terms else 1.0
    layout["yaxis"].update(range=[0, 1])
    layout["yaxis2"].update(range=[0, 1])
    layout["yaxis3"].update(range=[0, (top if math.isfinite(top) and top > 0 else 1.0) * 1.25])
    layout.update(CLEAR, height=st["height"] - 20, barmode="group", template="plotly_white",
                  font={"size": st["font"] - 1}, margin={"l": 45, "r": 10, "t": 60, "b": 40}, uirevision="dkd",
                  legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.14, "yanchor": "top"})
    return figure(data, layout)


def _num(v: float) -> str:
    return f"{v:.3f}" if abs(v) >= 0.001 or v == 0 else f"{v:.1e}"
