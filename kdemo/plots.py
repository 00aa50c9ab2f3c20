"""Plotly figures for the app: pure functions from a run snapshot or a LabResult to a go.Figure.

Figures are built from plain dicts with plotly's validation off (`_validate=False`): validating ~20 traces costs
~20 ms, which the Temperature lab's budget (well under 50 ms per drawing) cannot afford. tests/test_app_api.py
re-validates every builder's output, so a typo in a property name still fails a test.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

TEACHER, KD, SCRATCH = "#009E73", "#0072B2", "#E69F00"   # Okabe-Ito: colour-blind safe, projector friendly
PART_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#F0E442", "#000000"]
MEMBER_STYLE = {"kd": ("distilled", "solid"), "scratch": ("scratch", "dot"), "teacher": ("teacher", "dash")}


def _style(presentation: bool) -> dict:
    return {"font": 19 if presentation else 13, "line": 4.5 if presentation else 2.5,
            "marker": 9 if presentation else 6, "height": 430 if presentation else 340}


def _figure(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=data, layout=layout, _validate=False)


def _layout(title: str, presentation: bool, revision, **kw) -> dict:
    st = _style(presentation)
    base = {"title": {"text": title, "x": 0.01, "font": {"size": st["font"] + 3}},
            "height": kw.pop("height", st["height"]), "font": {"size": st["font"]},
            "margin": {"l": 60, "r": 20, "t": 56, "b": 50}, "template": "plotly_white",
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
            # uirevision: a user's zoom survives the twice-a-second refresh; a new run resets it
            "uirevision": str(revision), "hovermode": "x unified"}
    base.update(kw)
    return base


def empty_figure(message: str, presentation: bool = False, height: int | None = None) -> go.Figure:
    """A blank plot with a centred message (before a run starts, or when something is missing)."""
    st = _style(presentation)
    layout = {"height": height or st["height"], "template": "plotly_white",
              "margin": {"l": 20, "r": 20, "t": 20, "b": 20},
              "xaxis": {"visible": False}, "yaxis": {"visible": False},
              "annotations": [{"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                               "yref": "paper", "font": {"size": st["font"] + 2, "color": "#666"}}]}
    return _figure([], layout)


def _student_records(snapshot: dict, kind: str, phase: str = "student") -> list[dict]:
    return [r for r in snapshot.get("records", []) if r["kind"] == kind and r["phase"] == phase]


def _x_range(total_epochs: float) -> list[float]:
    return [0, max(float(total_epochs), 1e-3) * 1.02]


def accuracy_figure(snapshot: dict, total_epochs: float, presentation: bool = False) -> go.Figure:
    """Test accuracy (%) of the distilled student and its from-scratch twin vs epoch; teacher as a dashed line."""
    st = _style(presentation)
    data = []
    teacher_curve = _student_records(snapshot, "eval", "teacher")
    if teacher_curve:  # train-first: the teacher's own learning curve, in teacher epochs
        data.append({"type": "scatter", "mode": "lines+markers", "name": "teacher (training)",
                     "x": [r["epoch"] for r in teacher_curve],
                     "y": [100 * r["teacher/test_acc"] for r in teacher_curve],
                     "line": {"color": TEACHER, "width": st["line"] * 0.7}, "marker": {"size": st["marker"] * 0.7},
                     "opacity": 0.6})
    evals = _student_records(snapshot, "eval")
    for member, color in (("kd", KD), ("scratch", SCRATCH)):
        pts = [r for r in evals if f"{member}/test_acc" in r]
        if pts:
            name, dash = MEMBER_STYLE[member]
            data.append({"type": "scatter", "mode": "lines+markers", "name": f"{name} student",
                         "x": [r["epoch"] for r in pts], "y": [100 * r[f"{member}/test_acc"] for r in pts],
                         "line": {"color": color, "width": st["line"], "dash": dash},
                         "marker": {"size": st["marker"]}})
    shapes, annotations = [], []
    t_acc = snapshot.get("teacher_acc")
    if t_acc is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 100 * t_acc, "y1": 100 * t_acc,
                       "line": {"color": TEACHER, "width": st["line"] * 0.8, "dash": "dash"}})
        annotations.append({"text": f"teacher {100 * t_acc:.1f}%", "xref": "paper", "x": 0.0, "y": 100 * t_acc,
                            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                            "font": {"color": TEACHER, "size": st["font"]}})
    x_max = total_epochs
    if teacher_curve:
        x_max = max(total_epochs, teacher_curve[-1]["epoch"])
    layout = _layout("Test accuracy", presentation, snapshot.get("id", ""),
                     xaxis={"title": {"text": "epoch"}, "range": _x_range(x_max)},
                     yaxis={"title": {"text": "accuracy (%)"}, "range": [0, 101], "ticksuffix": ""},
                     shapes=shapes, annotations=annotations)
    if not data:
        layout["annotations"] = annotations + [{"text": "waiting for the first evaluation…", "showarrow": False,
                                                "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                                "font": {"size": st["font"] + 2, "color": "#888"}}]
    return _figure(data, layout)


def loss_parts(records: list[dict]) -> list[str]:
    """Every '<member>/loss_*' key in the records, in first-seen order: the UI plots whatever losses exist."""
    seen: dict[str, None] = {}
    for r in records:
        for k in r:
            if "/loss" in k:
                seen.setdefault(k, None)
    return list(seen)


def loss_figure(snapshot: dict, total_epochs: float, presentation: bool = False) -> go.Figure:
    """Every named loss part of the distilled student (solid) and the scratch twin (dotted), vs epoch."""
    st = _style(presentation)
    train = _student_records(snapshot, "train")
    keys = loss_parts(train)
    parts = list(dict.fromkeys(k.split("/", 1)[1] for k in keys))
    color = {p: PART_COLORS[i % len(PART_COLORS)] for i, p in enumerate(parts)}
    data = []
    for key in keys:
        member, part = key.split("/", 1)
        pts = [r for r in train if key in r]
        name, dash = MEMBER_STYLE.get(member, (member, "solid"))
        data.append({"type": "scatter", "mode": "lines", "name": f"{part.removeprefix('loss_')} ({name})",
                     "x": [r["epoch"] for r in pts], "y": [r[key] for r in pts],
                     "line": {"color": color[part], "width": st["line"], "dash": dash}})
    # Log scale: a T²-scaled KD term can be 10x the cross-entropy, and every part should stay readable.
    layout = _layout("Training losses (log scale)", presentation, snapshot.get("id", ""),
                     legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0.0},
                     margin=SIDE_MARGIN, xaxis={"range": _x_range(total_epochs)},
                     yaxis={"title": {"text": "loss (weighted)"}, "type": "log", "dtick": "D2"})
    return _figure(data, layout)


SIDE_MARGIN = {"l": 60, "r": 20, "t": 56, "b": 90}   # loss and throughput plots sit side by side: same frame


def smooth(values: list[float], window: int = 5) -> list[float]:
    """Trailing mean: per-log rates jump when an evaluation falls inside a logging interval."""
    out, acc = [], 0.0
    for i, v in enumerate(values):
        acc += v - (values[i - window] if i >= window else 0.0)
        out.append(acc / min(i + 1, window))
    return out


def throughput_figure(snapshot: dict, total_epochs: float, presentation: bool = False) -> go.Figure:
    """Training throughput (images/s, all members together) vs epoch."""
    st = _style(presentation)
    train = _student_records(snapshot, "train")
    x, y = [r["epoch"] for r in train], [r["samples_per_s"] for r in train]
    data = [{"type": "scatter", "mode": "markers", "name": "per log", "x": x, "y": y, "opacity": 0.35,
             "marker": {"color": "#555", "size": st["marker"] * 0.6}},
            {"type": "scatter", "mode": "lines", "name": "mean of 5", "x": x, "y": smooth(y),
             "line": {"color": "#333", "width": st["line"]}}] if train else []
    layout = _layout("Throughput (images/s, all students)", presentation, snapshot.get("id", ""), showlegend=False,
                     margin=SIDE_MARGIN, xaxis={"range": _x_range(total_epochs)},
                     yaxis={"title": {"text": "images / s"}, "rangemode": "tozero"})
    return _figure(data, layout)


# ---------------------------------------------------------------- Temperature lab

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
    st = _style(presentation)
    n = len(res.temperatures)
    classes = list(res.classes)
    short = [c if len(c) <= 5 else c[:4] + "…" for c in classes]
    titles = [f"<b>T = {t:g}</b><br>entropy {ht:.2f} | {hs:.2f} bits"
              for t, ht, hs in zip(res.temperatures, res.teacher_entropy, res.student_entropy)]
    data = []
    for i in range(n):
        xa, ya = _axis_names(i)
        for who, probs, color in (("teacher", res.teacher_probs, TEACHER), ("student", res.student_probs, KD)):
            data.append({"type": "bar", "name": who, "x": short, "y": [float(p) for p in probs[i]],
                         "marker": {"color": color}, "xaxis": xa, "yaxis": ya, "legendgroup": who,
                         "showlegend": i == 0, "hovertemplate": f"{who} %{{x}}: %{{y:.3f}}<extra></extra>"})
    layout = _panel_layout(titles, _grid(n), st, y_range=[0, 1])
    layout.update(height=st["height"] - 20, barmode="group", bargap=0.15, bargroupgap=0.0, template="plotly_white",
                  font={"size": st["font"] - 1}, margin={"l": 45, "r": 10, "t": 70, "b": 35},
                  legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": -0.12, "yanchor": "top"},
                  uirevision="lab")
    layout["yaxis"]["title"] = {"text": "probability"}
    return _figure(data, layout)


def dkd_figure(res, presentation: bool = False) -> go.Figure:
    """The DKD decomposition at temperature T: binary target-vs-rest, the renormalised rest, and the KL terms."""
    st = _style(presentation)
    target = res.classes[res.target]
    titles = [f"<b>target '{target}' vs rest</b> (TCKD)", "<b>among the non-targets</b> (NCKD)",
              "<b>KD = TCKD + (1−p<sub>t</sub>)·NCKD</b>"]
    domains = [[0.0, 0.2], [0.27, 0.66], [0.74, 1.0]]
    data = []
    for who, b, rest, color in (("teacher", res.binary_teacher, res.rest_teacher, TEACHER),
                                ("student", res.binary_student, res.rest_student, KD)):
        data.append({"type": "bar", "name": who, "x": [f"'{target}'", "rest"], "y": list(b), "marker": {"color": color},
                     "xaxis": "x", "yaxis": "y", "legendgroup": who, "showlegend": True,
                     "hovertemplate": f"{who} %{{x}}: %{{y:.3f}}<extra></extra>"})
        data.append({"type": "bar", "name": who, "x": list(res.rest_classes), "y": [float(p) for p in rest],
                     "marker": {"color": color}, "xaxis": "x2", "yaxis": "y2", "legendgroup": who,
                     "showlegend": False, "hovertemplate": f"{who} %{{x}}: %{{y:.3f}}<extra></extra>"})
    terms = {"TCKD": res.tckd, "NCKD": res.nckd, "1−p<sub>t</sub>": res.weight,
             "(1−p<sub>t</sub>)·NCKD": res.weight * res.nckd, "KD": res.kd}
    data.append({"type": "bar", "name": "terms", "x": list(terms), "y": list(terms.values()), "showlegend": False,
                 "marker": {"color": ["#D55E00", "#CC79A7", "#999999", "#CC79A7", "#0072B2"]},
                 "text": [_num(v) for v in terms.values()], "textposition": "outside", "cliponaxis": False,
                 "xaxis": "x3", "yaxis": "y3", "hovertemplate": "%{x}: %{y:.4g}<extra></extra>"})
    layout = _panel_layout(titles, domains, st)
    top = max(terms.values()) if terms else 1.0
    layout["yaxis"].update(range=[0, 1])
    layout["yaxis2"].update(range=[0, 1])
    layout["yaxis3"].update(range=[0, (top if math.isfinite(top) and top > 0 else 1.0) * 1.25])
    layout.update(height=st["height"] - 20, barmode="group", template="plotly_white", font={"size": st["font"] - 1},
                  margin={"l": 45, "r": 10, "t": 60, "b": 40}, uirevision="dkd",
                  legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.14, "yanchor": "top"})
    return _figure(data, layout)


def _num(v: float) -> str:
    return f"{v:.3f}" if abs(v) >= 0.001 or v == 0 else f"{v:.1e}"
