"""The capacity-gap experiment's figures: KD's gain over the twin against student size, and both accuracies."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from ..figures.curves import CLEAR, TEMPLATE
from ..figures.palette import COLOR, SERIES
from ..figures.words import numeral, phrase

HEIGHT = 380
FAMILY = {"mlp": (SERIES[2], "circle"), "lenet": (SERIES[0], "square")}   # kdemo's palette; shape tells them apart too


def _family(student: str) -> str:
    return "mlp" if student.startswith("mlp") else "lenet"


def _base(title: str, x: str, y: str, **kw) -> dict:
    return {"title": {"text": title, "x": 0.01}, "height": HEIGHT, "template": TEMPLATE, **CLEAR,
            "margin": {"l": 60, "r": 20, "t": 64, "b": 50}, "xaxis": {"title": {"text": x}},
            "yaxis": {"title": {"text": y}},   # the legend under the plot, as the other experiments' figures
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.28, "xanchor": "left", "x": 0.0}, **kw}


def gain_figure(rows: list[dict]) -> go.Figure:
    """KD − twin (points) per student against its parameter count (log axis), the 95% interval as error bars."""
    kd = sorted((r for r in rows if r.get("gain_%") is not None), key=lambda r: r["params"])
    fig = go.Figure()
    for fam, (color, symbol) in FAMILY.items():
        pts = [r for r in kd if _family(r["student"]) == fam]
        if not pts:
            continue
        lo = [r["gain_%"] - r["gain_ci_low_%"] if r.get("gain_ci_low_%") is not None else 0 for r in pts]
        hi = [r["gain_ci_high_%"] - r["gain_%"] if r.get("gain_ci_high_%") is not None else 0 for r in pts]
        fig.add_trace(go.Scatter(
            x=[r["params"] for r in pts], y=[r["gain_%"] for r in pts], mode="markers+text",
            name=phrase(f"plot.cap.{fam}"), text=[r["student"] for r in pts],
            # the two ~16k-parameter students sit on top of each other: labels above for one family, below the other
            textposition="top right" if fam == "lenet" else "bottom right",
            marker={"size": 13, "color": color, "symbol": symbol},
            error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo, "thickness": 2, "width": 8},
            customdata=[[r["seeds"], r["gain_ci_low_%"], r["gain_ci_high_%"]] for r in pts],
            hovertemplate="%{text}: %{x:,} parameters<br>KD − twin %{y:+.2f} points<br>95% interval "
                          "%{customdata[1]} to %{customdata[2]} (%{customdata[0]} seeds)<extra></extra>"))
    fig.add_hline(y=0, line={"color": COLOR["scratch"], "dash": "dot"}, annotation_text=phrase("plot.cap.twin"),
                  annotation_position="bottom left")
    seeds = kd[0]["seeds"] if kd else 0
    sizes = [r["params"] for r in kd] or [1e4, 1e6]
    span = [math.log10(min(sizes)) - 0.3, math.log10(max(sizes)) + 0.5]      # room for the labels on the right
    params = phrase("plot.cap.params")
    return fig.update_layout(**_base(phrase("plot.cap.gain", seeds=seeds), params, phrase("plot.cap.gain_y"),
                                     xaxis={"type": "log", "range": span, "dtick": 1, "title": {"text": params}}))


def accuracy_figure(rows: list[dict]) -> go.Figure:
    """Final test accuracy of each student, distilled and twin, side by side."""
    students = list(dict.fromkeys(r["student"] for r in rows))
    fig = go.Figure()
    for member, name in (("KD", phrase("plot.cap.distilled")), ("twin", phrase("plot.cap.twin_labels"))):
        acc = {r["student"]: r["test_acc_%"] for r in rows if r["condition"].startswith(member)}
        fig.add_trace(go.Bar(x=students, y=[acc.get(s) for s in students], name=name,
                             marker_color=COLOR["kd"] if member == "KD" else COLOR["scratch"],
                             text=[numeral(f"{acc[s]:.1f}") if s in acc else "" for s in students],
                             textposition="outside"))
    accs = [r["test_acc_%"] for r in rows]
    return fig.update_layout(**_base(phrase("plot.cap.final"), phrase("plot.cap.student"), "",
                                     barmode="group", yaxis={"title": {"text": phrase("plot.test_acc.y")},
                                                             "range": [max(0, min(accs) - 8), 100.5]}))


def capacity(snap: dict) -> list[go.Figure]:
    rows = snap.get("table", [])
    if not rows:
        text = f"failed: {snap.get('error')}" if snap.get("status") == "failed" else \
            phrase("plot.cap.waiting")
        return [go.Figure(layout=_base(phrase("plot.cap.title"), "", "", annotations=[
            {"text": text, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}]))]
    return [gain_figure(rows), accuracy_figure(rows)]
