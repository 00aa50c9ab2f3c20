"""Plotly figures of an experiment snapshot: pure functions of plain dicts, readable on a projector.

Every builder works on a partial snapshot too (a running job): bars and lines appear as runs finish, and learning
curves include the run in progress.
"""
from __future__ import annotations

import math
import textwrap

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..lang import TABLES
from ..figures.curves import CLEAR, DASH, TEMPLATE, empty_figure, style
from ..figures.palette import COLOR, NEUTRAL, SERIES
from ..figures.words import Text, name, numeral, phrase
from .figures_capacity import capacity
from .hinton import ALL_TRAIN, MISSING

HEIGHT = 350
# kdemo's one style (kdemo/figures/curves.py, palette.py): the roles' colours and dashes, the other series' palette
COLORS = SERIES
BEFORE, AFTER, SCRATCH, TEACHER = NEUTRAL, COLOR["kd"], COLOR["scratch"], COLOR["teacher"]


def _wrap(text: str, width: int = 60) -> str:
    return text if "<" in text or len(text) <= width else "<br>".join(textwrap.wrap(text, width))


def _title(text: str, width: int = 60) -> str:
    """Long titles wrap: each figure is about 600 px wide (two per row in the Experiments tab); a Text wraps in each
    language."""
    return text.then(lambda s: _wrap(s, width)) if isinstance(text, Text) else _wrap(text, width)


def _layout(fig: go.Figure, title: str, x: str, y: str, **kw) -> go.Figure:
    """Transparent (the page's theme shows through), the title alone at the top, the legend under the plot."""
    title = _title(title)
    # the height fits the language with the most lines (the page shows the visitor's: kdemo/figures/words.py)
    lines = max(title.say(code) for code in TABLES).count("<br>") + 1 if isinstance(title, Text) else \
        title.count("<br>") + 1
    layout = {"title": {"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"},
              "height": HEIGHT + 22 * (lines - 1), "template": TEMPLATE, **CLEAR,
              "font": {"size": style(False)["font"]},
              "margin": {"l": 60, "r": 20, "t": 40 + 24 * lines, "b": 50}, "xaxis_title": x, "yaxis_title": y,
              "legend": {"orientation": "h", "yanchor": "top", "y": -0.28 if x else -0.12, "xanchor": "left",
                         "x": 0.0}}
    fig.update_layout(**{**layout, **kw})
    return fig


def _empty(message: str) -> go.Figure:
    return go.Figure(empty_figure(message, height=HEIGHT))


def _waiting(snap: dict) -> go.Figure:
    if snap.get("status") == "failed":
        return _empty("<br>".join(textwrap.wrap("failed: " + str(snap.get("error") or ""), 90)[:4]))
    return _empty(phrase("plot.exp.waiting"))


def _rows(snap: dict, **match) -> list[dict]:
    return [r for r in snap.get("table", []) if all(r.get(k) == v for k, v in match.items())]


def _steps_per_epoch(cfg: dict) -> int:
    """Optimizer steps per epoch of a run from its config (MNIST: 60k training images)."""
    n = cfg["n_labeled"] if cfg.get("n_labeled") and cfg.get("transfer_set") == "labeled" else ALL_TRAIN
    return math.ceil(n / cfg["batch_size"])


def learning_curves(snap: dict, title: str | None = None, x: str = "epoch", teacher_line: bool = True) -> go.Figure:
    """Test accuracy (%) vs epoch (or optimizer step) of every member of every run so far."""
    fig, title = go.Figure(), title or phrase("plot.exp.curves")
    plan = {r["label"]: r for r in snap.get("runs", [])}
    for i, (label, records) in enumerate(snap.get("records", {}).items()):
        evals = [r for r in records if r["kind"] == "eval" and r["phase"] == "student"]
        meta = plan.get(label, {"members": {"kd": label}, "config": None})
        scale = _steps_per_epoch(meta["config"]) if x == "optimizer step" and meta.get("config") else 1
        for member, who in meta["members"].items():
            pts = [(r["epoch"] * scale, 100 * r[f"{member}/test_acc"]) for r in evals if f"{member}/test_acc" in r]
            if pts:
                color = SCRATCH if member == "scratch" else COLORS[i % len(COLORS)]
                fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers",
                                         name=name(who), line={"color": color, "dash": DASH.get(member)},
                                         marker={"size": 4}))
    acc = snap.get("details", {}).get("teacher_acc_%")
    if teacher_line and acc is not None:
        fig.add_hline(y=acc, line={"dash": "dash", "color": TEACHER},
                      annotation_text=phrase("plot.teacher_at", acc=(acc, 1)))
    if not fig.data:
        return _waiting(snap)
    return _layout(fig, title, _axis(x), phrase("plot.test_acc.y"))


def _axis(x: str) -> str:
    """The x axis's title: the step it counts, in every language."""
    keys = {"epoch": "plot.exp.epoch", "optimizer step": "plot.exp.step"}
    return phrase(keys[x]) if x in keys else x


def _bars(rows: list[dict], title: str, y: str = "test_acc_%") -> go.Figure:
    fig = go.Figure(go.Bar(x=[r["condition"] for r in rows], y=[r[y] for r in rows],
                           marker_color=[SCRATCH if r["condition"].startswith("scratch") else AFTER for r in rows],
                           text=[numeral(f"{r[y]:.1f}%") for r in rows], textposition="outside"))
    top = max([r[y] or 0 for r in rows] + [1])
    return _layout(fig, title, "", phrase("plot.test_acc.y"), yaxis_range=[0, min(105, top * 1.15)],
                   showlegend=False)


# ---------------------------------------------------------------- per experiment

def missing_digit(snap: dict) -> list[go.Figure]:
    rows = snap.get("table", [])
    if not rows:
        return [_waiting(snap), learning_curves(snap)]
    d = MISSING
    names = [r["condition"] for r in rows]
    three = go.Figure([
        go.Bar(name=phrase("plot.exp.before"), x=names, y=[r[f"test_{d}s_%"] for r in rows], marker_color=BEFORE,
               text=[f"{r[f'test_{d}s_right']}/{r[f'test_{d}s']}" for r in rows], textposition="outside"),
        go.Bar(name=phrase("plot.exp.after_bias", d=d), x=names,
               y=[r[f"test_{d}s_%_after"] for r in rows], marker_color=AFTER,
               text=[f"{r[f'test_{d}s_right_after']}/{r[f'test_{d}s']}" for r in rows], textposition="outside")])
    _layout(three, phrase("plot.exp.missing", d=d), "", phrase("plot.exp.missing_y", d=d),
            barmode="group", yaxis_range=[0, 110])
    overall = go.Figure([
        go.Bar(name=phrase("plot.exp.before"), x=names, y=[r["test_acc_%"] for r in rows], marker_color=BEFORE,
               text=[numeral(f"{r['test_acc_%']:.1f}%") for r in rows], textposition="outside"),
        go.Bar(name=phrase("plot.exp.after"), x=names, y=[r["test_acc_%_after"] for r in rows], marker_color=AFTER,
               text=[numeral(f"{r['test_acc_%_after']:.1f}%") for r in rows], textposition="outside")])
    _layout(overall, phrase("plot.exp.overall"), "", phrase("plot.test_acc.y"), barmode="group",
            yaxis_range=[0, 110])
    return [three, overall, learning_curves(snap)]


def few_labels(snap: dict) -> list[go.Figure]:
    rows = snap.get("table", [])
    bars = _bars(rows, phrase("plot.exp.final_steps")) if rows else _waiting(snap)
    return [bars, learning_curves(snap, phrase("plot.exp.vs_steps"), x="optimizer step")]


def temperature_sweep(snap: dict) -> list[go.Figure]:
    rows = _rows(snap)
    kd = sorted((r for r in rows if r.get("T") is not None and r["condition"].startswith("KD")), key=lambda r: r["T"])
    figs = []
    if kd:
        fig = go.Figure(go.Scatter(x=[r["T"] for r in kd], y=[r["test_acc_%"] for r in kd], mode="lines+markers+text",
                                   name=name("distilled student"), text=[numeral(f"{r['test_acc_%']:.1f}") for r in kd],
                                   textposition="top center", line={"color": COLORS[0]}))
        accs = [r["test_acc_%"] for r in rows]
        for r in rows:
            if r["condition"].startswith("scratch"):
                fig.add_hline(y=r["test_acc_%"], line={"dash": "dot", "color": SCRATCH},
                              annotation_text=phrase("plot.exp.scratch_at", acc=(r["test_acc_%"], 1)),
                              annotation_position="top left")
        temps = [r["T"] for r in kd]
        figs.append(_layout(fig, phrase("plot.exp.vs_T"), phrase("plot.exp.T_log"),
                            phrase("plot.test_acc.y"), xaxis={"type": "log", "tickvals": temps,
                                                        "ticktext": [f"{t:g}" for t in temps]},
                            yaxis_range=[min(accs) - 1, max(accs) + 1], showlegend=False))
    else:
        figs.append(_waiting(snap))
    ex = snap.get("details", {}).get("example")
    if ex:
        figs.append(softened_outputs(ex))
    figs.append(learning_curves(snap, teacher_line=False))
    return figs


def softened_outputs(ex: dict) -> go.Figure:
    """Small multiples: one test digit, then the teacher's softmax(z / T) over the classes at each T."""
    temps = ex["temperatures"]
    fig = make_subplots(rows=1, cols=len(temps) + 1, subplot_titles=[phrase("plot.exp.image", label=ex["label"])]
                        + [f"T = {t:g}" for t in temps], horizontal_spacing=0.03)
    fig.add_trace(go.Heatmap(z=ex["image"][::-1], colorscale="Greys", showscale=False, hoverinfo="skip"), 1, 1)
    for j, (t, p) in enumerate(zip(temps, ex["probs"])):
        colors = [COLORS[0] if c == ex["label"] else COLORS[1] for c in range(len(p))]
        fig.add_trace(go.Bar(x=ex["classes"], y=p, marker_color=colors, showlegend=False,
                             hovertemplate="class %{x}: %{y:.4f}<extra>T=" + f"{t:g}</extra>"), 1, j + 2)
        fig.update_yaxes(range=[0, 1], showticklabels=j == 0, row=1, col=j + 2)
        fig.update_xaxes(tickfont={"size": 9}, row=1, col=j + 2)
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_yaxes(visible=False, scaleanchor="x", row=1, col=1)
    fig.update_layout(title={"text": phrase("plot.exp.softened"), "x": 0.01},
                      height=HEIGHT, template=TEMPLATE, margin={"l": 40, "r": 20, "t": 80, "b": 40}, **CLEAR)
    return fig


def dkd_grid(snap: dict) -> list[go.Figure]:
    rows = snap.get("table", [])
    grid = [r for r in rows if r.get("alpha") is not None]
    kd = [r for r in rows if r.get("alpha") is None and not r["condition"].startswith("scratch")]
    d = snap.get("details", {})
    figs = []
    if grid:
        alphas = sorted({r["alpha"] for r in grid})
        betas = sorted({r["beta"] for r in grid})
        acc = {(r["alpha"], r["beta"]): r["test_acc_%"] for r in grid}
        z = [[acc.get((a, b)) for b in betas] for a in alphas]
        text = [[("" if v is None else numeral(f"{v:.1f}%")) for v in row] for row in z]
        fig = go.Figure(go.Heatmap(z=z, x=[f"beta={b:g}" for b in betas], y=[f"alpha={a:g}" for a in alphas],
                                   text=text, texttemplate="%{text}", textfont={"size": 16}, colorscale="Blues",
                                   colorbar={"title": phrase("plot.exp.acc_pct")}))
        title = phrase("plot.exp.dkd")
        if kd:
            title += phrase("plot.exp.dkd_kd", T=(d.get("T", 4), None), acc=(kd[0]["test_acc_%"], 1),
                            w=(d.get("coupling_weight", float("nan")), 3))
        figs.append(_layout(fig, title, phrase("plot.exp.beta"), phrase("plot.exp.alpha")))
        figs.append(_dots(sorted(rows, key=lambda r: r["test_acc_%"]), phrase("plot.exp.sorted")))
    else:
        figs.append(_waiting(snap))
    if "coupling_weight" in d:
        figs.append(_coupling(d))
    return figs


def _dots(rows: list[dict], title: str) -> go.Figure:
    """Accuracies close together: a dot per condition on a zoomed axis reads better than bars from zero."""
    accs = [r["test_acc_%"] for r in rows]
    colors = [COLOR["scratch"] if r["condition"].startswith("scratch") else COLORS[2] if r.get("alpha") is None
              else COLORS[0] for r in rows]
    fig = go.Figure(go.Scatter(x=accs, y=[r["condition"] for r in rows], mode="markers+text", marker={
        "size": 13, "color": colors}, text=[numeral(f"{a:.1f}%") for a in accs], textposition="middle right"))
    return _layout(fig, title, phrase("plot.test_acc.y"), "", xaxis_range=[min(accs) - 1, max(accs) + 1.2],
                   showlegend=False, margin={"l": 150, "r": 20, "t": 60, "b": 50})


def _coupling(d: dict) -> go.Figure:
    """The weight classic KD puts on NCKD: the teacher's mean (1 - p_t), at T = 1 and at the run's T."""
    labels = ["T = 1", f"T = {d['T']:g}"]
    vals = [d["coupling_weight_T1"], d["coupling_weight"]]
    fig = go.Figure(go.Bar(x=labels, y=vals, text=[numeral(f"{v:.3f}") for v in vals], textposition="outside",
                           marker_color=[BEFORE, AFTER]))
    return _layout(fig, phrase("plot.exp.coupling"), "", phrase("plot.exp.coupling_y"),
                   yaxis_range=[0, max(vals + [0.01]) * 1.3], showlegend=False)


def loss_curves(snap: dict, title: str | None = None) -> go.Figure:
    """Every logged loss part of every member of every run, vs epoch."""
    fig = go.Figure()
    i = 0
    for label, records in snap.get("records", {}).items():
        train = [r for r in records if r["kind"] == "train" and r["phase"] == "student"]
        keys = sorted({k for r in train for k in r if "/loss_" in k})
        for k in keys:
            pts = [(r["epoch"], r[k]) for r in train if k in r]
            fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines",
                                     name=f"{label}: {k}" if len(snap["records"]) > 1 else k,
                                     line={"color": COLORS[i % len(COLORS)], "dash": DASH.get(k.split("/")[0])}))
            i += 1
    if not fig.data:
        return _waiting(snap)
    return _layout(fig, title or phrase("plot.exp.losses"), phrase("plot.exp.epoch"), phrase("plot.exp.loss_y"))


def notebook(snap: dict) -> list[go.Figure]:
    if snap.get("status") == "failed" and not snap.get("records"):
        return [_waiting(snap)]
    return [learning_curves(snap), loss_curves(snap)]


def prob_bug(snap: dict) -> list[go.Figure]:
    rows = snap.get("table", [])
    figs = [learning_curves(snap, phrase("plot.exp.bug_curves"), x="optimizer step")]
    soft = go.Figure()
    for i, label in enumerate(("correct KD", "buggy KD")):
        train = [r for r in snap.get("records", {}).get(label, []) if r["kind"] == "train" and "kd/loss_kd" in r]
        if train:
            soft.add_trace(go.Scatter(x=[r["epoch"] for r in train], y=[r["kd/loss_kd"] for r in train],
                                      mode="lines", name=name(label), line={"color": COLORS[i]}))
    # One shared axis on purpose: the bug's loss sits near minus the teacher's entropy (x T^2) and stays there.
    figs.append(_layout(soft, phrase("plot.exp.bug_soft"), phrase("plot.exp.epoch"), phrase("plot.exp.soft_y"))
                if soft.data else _waiting(snap))
    figs.append(_bars(rows, phrase("plot.exp.final")) if rows else _waiting(snap))
    return figs


FIGURES = {"missing_digit": missing_digit, "few_labels": few_labels, "temperature_sweep": temperature_sweep,
           "dkd_grid": dkd_grid, "notebook_lenet_dkd": notebook, "notebook_mlp_kd": notebook,
           "notebook_cifar_cnn": notebook, "prob_bug": prob_bug, "capacity_gap": capacity}
