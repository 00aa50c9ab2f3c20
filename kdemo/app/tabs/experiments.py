"""The Experiments tab: pick a classroom experiment, read what it shows, load its preset into the Train tab, or run
it as one background job with its figures and table. Handlers return updates by name (kdemo/app/kit.py)."""
from __future__ import annotations

import gradio as gr
import pandas as pd

from ... import lang
from ...figures import curves as plots
from ...figures.words import Text
from ...settings.config import TrainConfig
from ...experiments.takeaways import header, takeaway_parts
from ...settings.params import param
from ..sessions import Busy
from .controls import UI_PARAMS, values_updates
from ..labels import label
from ..kit import Wired, session_of, speaking, status_html, waiting_ticket, warn, with_alt

N_FIGS = 4
IDLE = "exp.idle"     # a kdemo.lang key


def takeaway_html(key: str, snap: dict) -> str:
    """The experiment's takeaway in every language kdemo speaks (the page shows the visitor's); '' until it has one."""
    parts = takeaway_parts(key, snap)
    if not parts:
        return ""
    return lang.html("exp.takeaway", line=lambda code: "".join(lang.compose(p, code) for p in parts))


def _experiment(X, key):
    if not isinstance(key, str) or key not in X.EXPERIMENTS:
        raise lang.Told("told.experiment", choices=", ".join(X.EXPERIMENTS))
    return X.EXPERIMENTS[key]


def explain(X, key) -> dict:
    return {"explanation": label(f"exp.{_experiment(X, key).key}.text")}     # translated in the browser


def load_preset(X, key) -> dict:
    """The experiment's headline run in the Train tab's controls, and that tab in front."""
    cfg = TrainConfig.from_dict(dict(_experiment(X, key).preset))
    return {"tabs": gr.Tabs(selected="train"), **values_updates(cfg)}


def run_experiment(X, registry, key, budget, seed, sess, request: gr.Request = None) -> dict:
    exp = _experiment(X, key)
    if budget not in X.BUDGETS:
        raise lang.Told("told.budget", choices=", ".join(X.BUDGETS))
    seed = param("seed").check(seed)
    sess = session_of(registry, sess, request)
    try:
        job = registry.start_job(sess, lambda: X.start_experiment(exp.key, budget=budget, seed=seed))
    except Busy as e:
        warn(e, "title.busy")
        return {"sess": sess, "exp_status": status_html(None, e, IDLE)}
    if sess.waiting is job:     # in line behind other runs: the poll shows the place, then the job
        return {"sess": sess, "exp_status": status_html(job.snapshot()), "exp_timer": gr.Timer(active=True)}
    return {"sess": sess, "exp_status": status_html(job.snapshot(), idle=IDLE), "exp_timer": gr.Timer(active=True)}


def results_table(rows: list[dict], code: str = lang.DEFAULT) -> pd.DataFrame:
    """An experiment's rows with readable headers ('3s right after fix', not 'test_3s_right_after'), its
    conditions said in `code` (the request's language: a page in German, English for an API client that names
    none; the headers stay English here, the page relabels them)."""
    frame = pd.DataFrame([{k: v.say(code) if isinstance(v, Text) else v for k, v in r.items()} for r in rows])
    return frame.rename(columns={c: header(c) for c in frame.columns})


def poll_experiment(X, sess, presentation=False) -> dict:
    if sess is not None:
        sess.touch()          # a visitor watching a job is not idle
    waiting = waiting_ticket(sess, "job")
    if waiting is not None:
        return {"exp_status": status_html(waiting.snapshot())}
    job = sess.job if sess is not None else None
    if job is None:
        return {"exp_status": status_html(None, idle=IDLE), "exp_timer": gr.Timer(active=False)}
    alive = job.alive
    snap = job.snapshot()
    try:
        figs = [plots.restyle(f, presentation) for f in X.experiment_figures(snap["key"], snap)][:N_FIGS]
    except Exception as e:  # noqa: BLE001 - a figure bug must not stop the polling
        figs, snap = [], {**snap, "error": snap.get("error") or f"figures: {e}"}
    out = {"exp_status": status_html(snap, idle=IDLE), "exp_takeaway": takeaway_html(snap["key"], snap)}
    for i in range(N_FIGS):
        out[f"fig{i}"] = gr.Plot(value=with_alt(figs[i]), visible=True) if i < len(figs) else gr.Plot(visible=False)
    rows = snap.get("table") or []
    if rows:
        out["exp_table"] = gr.Dataframe(value=results_table(rows, speaking()), visible=True)
    if not alive:
        out["exp_timer"] = gr.Timer(active=False)
    return out


def stop_experiment(sess) -> dict:
    waiting = waiting_ticket(sess, "job")
    if waiting is not None:
        waiting.stop()
        return {"exp_status": status_html(None, "exp.left_line", IDLE)}
    job = sess.job if sess is not None else None
    if job is not None:
        job.stop()
    return {"exp_status": status_html(job.snapshot() if job is not None else None, "exp.nothing", IDLE)}


def build(ui: Wired, X, registry, sess, presentation):
    exps = X.EXPERIMENTS
    first = next(iter(exps))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=320):
            ui["exp_key"] = gr.Dropdown([(label(f"exp.{k}.title"), k) for k in exps], value=first,
                                        label=label("exp.pick"),
                                        elem_id="exp-key")
            ui["exp_budget"] = gr.Radio([(label("exp.quick"), "quick"), (label("exp.full"), "full")],
                                        value="quick", label=label("exp.budget"), elem_id="exp-budget")
            ui["exp_seed"] = gr.Number(0, label=label("exp.seed"), precision=0, minimum=0, maximum=2**31 - 1,
                                       elem_id="exp-seed")
            ui["exp_load"] = gr.Button(label("exp.load"), elem_id="exp-load")
            with gr.Row():
                ui["exp_run"] = gr.Button(label("exp.run"), variant="primary", elem_id="exp-run")
                ui["exp_stop"] = gr.Button(label("exp.stop"), variant="stop", elem_id="exp-stop")
        with gr.Column(scale=2, min_width=480):
            ui["exp_status"] = gr.HTML(status_html(None, idle=IDLE), elem_id="exp-status")
            ui["exp_takeaway"] = gr.Markdown(elem_id="exp-takeaway")
            ui["explanation"] = gr.Markdown(label(f"exp.{first}.text"), elem_id="exp-explanation")
    with gr.Row(elem_id="exp-figs"):   # two figures a row at 1440 px: titles and legends need the width
        for i in range(N_FIGS):
            ui.plot(f"fig{i}", alt=False, visible=False, show_label=False, elem_id=f"exp-fig{i}", min_width=560)
    for i in range(N_FIGS):   # below the row: a figure's text alternative is shown and hidden with it
        ui.alt(f"fig{i}")
    ui["exp_table"] = gr.Dataframe(interactive=False, wrap=True, label=label("exp.results"), max_height=360, visible=False,
                                   elem_id="exp-table")
    ui["exp_timer"] = gr.Timer(1.0, active=False)
    figs = tuple(f"fig{i}" for i in range(N_FIGS))
    ui.on(ui["exp_key"].change, explain, ["exp_key"], ("explanation",), api_visibility="private", bind={"X": X})
    ui.on(ui["exp_load"].click, load_preset, ["exp_key"], ("tabs", *(p.name for p in UI_PARAMS)),
          api_name="load_preset", title="title.preset", bind={"X": X})
    ui.on(ui["exp_run"].click, run_experiment, ["exp_key", "exp_budget", "exp_seed", sess],
          ("sess", "exp_status", "exp_timer"), api_name="experiment", concurrency_id="train", concurrency_limit=2,
          title="title.experiment", bind={"X": X, "registry": registry})
    polled = ("exp_status", "exp_timer", "exp_table", "exp_takeaway", *figs)
    ui.on(ui["exp_timer"].tick, poll_experiment, [sess, presentation], polled, api_name="experiment_poll",
          show_progress="hidden", concurrency_id="poll", concurrency_limit=8, bind={"X": X})
    ui.on(presentation.input, poll_experiment, [sess, presentation], polled, api_visibility="private",
          show_progress="hidden", bind={"X": X})
    ui.on(ui["exp_stop"].click, stop_experiment, [sess], ("exp_status",), api_name="experiment_stop",
          concurrency_id="poll")
