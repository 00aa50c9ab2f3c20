"""Plotly figures for the app: pure functions from a run snapshot to a go.Figure, and the style every figure of
kdemo shares (`style`, `layout`: presentation mode, fonts, legend, margins).

Figures are built from plain dicts with plotly's validation off (`_validate=False`): validating ~20 traces costs
~20 ms, which the Temperature lab's budget (well under 50 ms per drawing) cannot afford. The tests re-validate
every builder's output, so a typo in a property name still fails a test. Backgrounds are transparent and text
takes the page's colour (kdemo/app/style.py restyles them for dark mode in the browser). Colours come from
kdemo/figures/palette.py, by role.
"""
from __future__ import annotations

import plotly.graph_objects as go

from .palette import BANDS, COLOR, GUIDE, PART_COLORS, TEACHER, TRANSPARENT, WARN
from .words import localize, name, phrase

DASH = {"kd": "solid", "scratch": "dot", "teacher": "dash"}
PATTERN = {"kd": "/", "scratch": ".", "teacher": ""}   # bars, like lines, differ by more than colour (WCAG 1.4.1)
TEMPLATE = "plotly_white"
CLEAR = {"paper_bgcolor": TRANSPARENT, "plot_bgcolor": TRANSPARENT}   # the page's theme shows through
SIDE_MARGIN = {"l": 60, "r": 20, "t": 56, "b": 90}   # loss and throughput plots sit side by side: same frame


def style(presentation: bool) -> dict:
    """Font, line and marker sizes: 1.4x on a projector."""
    return {"font": 19 if presentation else 13, "line": 4.5 if presentation else 2.5,
            "marker": 9 if presentation else 6, "height": 430 if presentation else 340}


def figure(data: list[dict], layout: dict) -> go.Figure:
    """The figure, its words in every language in layout.meta (kdemo/figures/words.py)."""
    localize(data, layout)
    return go.Figure(data=data, layout=layout, _validate=False)


def layout(title: str, presentation: bool, revision="", **kw) -> dict:
    """The layout every kdemo figure starts from (the experiments' figures too)."""
    st = style(presentation)
    base = {"title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": st["font"] + 3}},
            "height": kw.pop("height", st["height"]), "font": {"size": st["font"]},
            "margin": {"l": 60, "r": 20, "t": 70, "b": 50}, "template": TEMPLATE, **CLEAR,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0,
                       "font": {"size": st["font"]}},
            # uirevision: a user's zoom survives the twice-a-second refresh; a new run resets it
            "uirevision": str(revision), "hovermode": "x unified"}
    base.update(kw)
    return base


def restyle(fig: go.Figure, presentation: bool) -> go.Figure:
    """A figure built elsewhere (the experiments') in kdemo's frame: the same fonts, and on a projector 1.4x fonts,
    lines and markers, and taller."""
    st = style(presentation)
    fig.update_layout(font={"size": st["font"]}, legend={"font": {"size": st["font"]}},
                      title={"font": {"size": st["font"] + 3}})
    fig.update_annotations(font_size=st["font"])
    if presentation:
        fig.update_layout(height=(fig.layout.height or 350) * 1.25)
        for t in fig.data:
            if t.type == "scatter":
                t.line.width, t.marker.size = st["line"], (t.marker.size or 6) * 1.4
            elif t.type == "heatmap":
                t.textfont.size = st["font"]
    return fig


def empty_figure(message: str, presentation: bool = False, height: int | None = None) -> go.Figure:
    """A blank plot with a centred message (before a run starts, or when something is missing)."""
    st = style(presentation)
    lay = {"height": height or st["height"], "template": TEMPLATE, **CLEAR,
           "margin": {"l": 20, "r": 20, "t": 20, "b": 20},
           "xaxis": {"visible": False}, "yaxis": {"visible": False},
           "annotations": [{"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                            "yref": "paper", "font": {"size": st["font"] + 2, "color": GUIDE}}]}
    return figure([], lay)


def _records(snapshot: dict, kind: str, phase: str = "student") -> list[dict]:
    return [r for r in snapshot.get("records", []) if r["kind"] == kind and r["phase"] == phase]


def _x_range(total_epochs: float) -> list[float]:
    return [0, max(float(total_epochs), 1e-3) * 1.02]


def names(snapshot: dict) -> dict:
    """What each group is called in this run: a CE-only run trains one 'student', no 'distilled' one."""
    return snapshot.get("names") or {"kd": "distilled student", "scratch": "twin (labels only)",
                                     "teacher": "teacher"}


def _band(pts: list[dict], key: str, group: str, scale: float = 100.0) -> list[dict]:
    """Min-max band of every seed's value: an upper edge, then a lower edge filled up to it."""
    rows = [(r["epoch"], [v for v in r[key] if v is not None]) for r in pts if r.get(key)]
    rows = [(x, vs) for x, vs in rows if vs]
    if not rows:
        return []
    edge = {"type": "scatter", "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False,
            "legendgroup": group, "x": [x for x, _ in rows]}
    return [{**edge, "y": [scale * max(vs) for _, vs in rows]},
            {**edge, "y": [scale * min(vs) for _, vs in rows], "fill": "tonexty", "fillcolor": BANDS.get(group)}]


def accuracy_figure(snapshot: dict, total_epochs: float, presentation: bool = False) -> go.Figure:
    """Test accuracy (%) of each group vs epoch (mean over seeds, min-max band); the teacher as a dashed line;
    health events (divergence, collapse, ...) marked where they happened."""
    st, label = style(presentation), names(snapshot)
    data = []
    teacher_curve = _records(snapshot, "eval", "teacher")
    if teacher_curve:  # train-first: the teacher's own learning curve, in teacher epochs
        data.append({"type": "scatter", "mode": "lines+markers", "name": phrase("plot.teacher_training"),
                     "x": [r["epoch"] for r in teacher_curve],
                     "y": [100 * r["teacher/test_acc"] for r in teacher_curve],
                     "line": {"color": TEACHER, "width": st["line"] * 0.7}, "marker": {"size": st["marker"] * 0.7},
                     "opacity": 0.6})
    evals = _records(snapshot, "eval")
    seeds = snapshot.get("seeds", 1)
    for group in ("kd", "scratch"):
        pts = [r for r in evals if f"{group}/test_acc" in r]
        if not pts:
            continue
        data += _band(pts, f"{group}/test_acc_seeds", group)
        suffix = phrase("plot.seeds_mean", n=seeds) if seeds > 1 else ""
        data.append({"type": "scatter", "mode": "lines+markers", "name": name(label.get(group, group)) + suffix,
                     "legendgroup": group, "x": [r["epoch"] for r in pts],
                     "y": [100 * r[f"{group}/test_acc"] for r in pts],
                     "line": {"color": COLOR[group], "width": st["line"], "dash": DASH[group]},
                     "marker": {"size": st["marker"]}})
    data += _event_markers(snapshot, evals, st)
    shapes, notes = [], []
    t_acc = snapshot.get("teacher_acc")
    if t_acc is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 100 * t_acc, "y1": 100 * t_acc,
                       "line": {"color": TEACHER, "width": st["line"] * 0.8, "dash": "dash"}})
        notes.append({"text": phrase("plot.teacher_at", acc=(100 * t_acc, 1)), "xref": "paper", "x": 0.0,
                      "y": 100 * t_acc,
                      "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                      "font": {"color": TEACHER, "size": st["font"]}})
    if snapshot.get("paused"):
        notes.append({"text": phrase("plot.paused"), "xref": "paper", "yref": "paper", "x": 0.99, "y": 0.04,
                      "xanchor": "right", "showarrow": False, "font": {"size": st["font"] + 4, "color": WARN}})
    x_max = max(total_epochs, teacher_curve[-1]["epoch"]) if teacher_curve else total_epochs
    # the legend under the plot (on a phone a legend above it wraps into the title), so the x axis is named in the
    # title: an axis title would sit under the legend
    lay = layout(phrase("plot.acc.title"), presentation, snapshot.get("id", ""),
                 legend={"orientation": "h", "yanchor": "top", "y": -0.1, "xanchor": "left", "x": 0.0,
                         "font": {"size": st["font"]}},
                 xaxis={"range": _x_range(x_max)},
                 yaxis={"title": {"text": phrase("plot.acc.y")}, "range": [0, 101]}, shapes=shapes, annotations=notes)
    if not evals and not teacher_curve:
        lay["annotations"] = notes + [{"text": phrase("plot.waiting_eval"), "showarrow": False,
                                       "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                       "font": {"size": st["font"] + 2, "color": GUIDE}}]
    return figure(data, lay)


def _event_markers(snapshot: dict, evals: list[dict], st: dict) -> list[dict]:
    """A ✕ per health event, on its group's curve at the nearest evaluation, the message on hover."""
    out = []
    for group in ("kd", "scratch"):
        events = [e for e in snapshot.get("health", []) if e["group"] == group]
        pts = [r for r in evals if f"{group}/test_acc" in r]
        if not events or not pts:
            continue
        near = [min(pts, key=lambda r: abs(r["epoch"] - e["epoch"])) for e in events]
        out.append({"type": "scatter", "mode": "markers",
                    "name": phrase("plot.warning", who=name(names(snapshot).get(group, group))),
                    "x": [e["epoch"] for e in events], "y": [100 * r[f"{group}/test_acc"] for r in near],
                    "text": [e["message"] for e in events], "hovertemplate": "%{text}<extra></extra>",
                    "marker": {"symbol": "x", "size": st["marker"] * 2.2, "color": WARN,
                               "line": {"width": 2, "color": WARN}}, "legendgroup": group})
    return out


def loss_parts(records: list[dict]) -> list[str]:
    """Every '<group>/loss_*' mean key in the records, in first-seen order: the UI plots whatever losses exist."""
    seen: dict[str, None] = {}
    for r in records:
        for k in r:
            if "/loss" in k and not k.endswith("_seeds"):
                seen.setdefault(k, None)
    return list(seen)


def loss_figure(snapshot: dict, total_epochs: float, presentation: bool = False) -> go.Figure:
    """Every named loss part (mean over seeds) of each group, vs epoch: distilled solid, twin dotted."""
    st, label = style(presentation), names(snapshot)
    train = _records(snapshot, "train")
    keys = loss_parts(train)
    parts = list(dict.fromkeys(k.split("/", 1)[1] for k in keys))
    color = {p: PART_COLORS[i % len(PART_COLORS)] for i, p in enumerate(parts)}
    data = []
    for key in keys:
        group, part = key.split("/", 1)
        pts = [r for r in train if key in r]
        who = label.get(group, group).split(" (")[0]
        data.append({"type": "scatter", "mode": "lines",
                     "name": phrase("plot.loss.part", part=part.removeprefix("loss_"), who=name(who)),
                     "x": [r["epoch"] for r in pts], "y": [r[key] for r in pts],
                     "line": {"color": color[part], "width": st["line"], "dash": DASH.get(group, "solid")}})
    # Log scale: a T²-scaled KD term can be 10x the cross-entropy, and every part should stay readable. Ticks at
    # 1, 2, 5 x 10^k across decades; within a narrow range plotly's own (a D2 axis there would have no labels).
    ys = [y for t in data for y in t["y"] if y and y > 0]
    wide = bool(ys) and max(ys) >= 3 * min(ys)
    lay = layout(phrase("plot.loss.title"), presentation, snapshot.get("id", ""),
                 legend={"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0.0,
                         "font": {"size": st["font"]}},
                 margin=SIDE_MARGIN, xaxis={"range": _x_range(total_epochs)}, showlegend=True,   # one part too
                 yaxis={"title": {"text": phrase("plot.loss.y")}, "type": "log", **({"dtick": "D2"} if wide else {})})
    return figure(data, lay)


def smooth(values: list[float], window: int = 5) -> list[float]:
    """Trailing mean: per-log rates jump when an evaluation falls inside a logging interval."""
    out, acc = [], 0.0
    for i, v in enumerate(values):
        acc += v - (values[i - window] if i >= window else 0.0)
        out.append(acc / min(i + 1, window))
    return out


def throughput_figure(snapshot: dict, total_epochs: float, presentation: bool = False) -> go.Figure:
    """Training throughput (images/s, all members together) vs epoch."""
    st = style(presentation)
    train = _records(snapshot, "train")
    x, y = [r["epoch"] for r in train], [r["samples_per_s"] for r in train]
    data = [{"type": "scatter", "mode": "markers", "name": phrase("plot.tput.per_log"), "x": x, "y": y, "opacity": 0.35,
             "marker": {"color": GUIDE, "size": st["marker"] * 0.6}},
            {"type": "scatter", "mode": "lines", "name": phrase("plot.tput.mean"), "x": x, "y": smooth(y),
             "line": {"color": GUIDE, "width": st["line"]}}] if train else []
    lay = layout(phrase("plot.tput.title"), presentation, snapshot.get("id", ""), showlegend=False,
                 margin=SIDE_MARGIN, xaxis={"range": _x_range(total_epochs)},
                 yaxis={"title": {"text": phrase("plot.tput.y")}, "rangemode": "tozero"})
    return figure(data, lay)
