"""The Train tab: layout and wiring of the controls (kdemo/app/tabs/controls.py), the run buttons, the live plots and
the session's results. Handlers are module-level functions that return updates by name (kdemo/app/kit.py)."""
from __future__ import annotations

import html

import gradio as gr
import pandas as pd

from ... import lang
from ...figures import curves as plots
from ...figures.words import phrase
from ...train.engine import Run
from ...settings.params import DEFAULTS
from ...train.results import RESULT_COLUMNS
from ..sessions import Busy
from .controls import (UI_PARAMS, config_from_controls, lr_update, make_controls, pair_info,
                          visibility_updates)
from ..labels import label
from ..kit import Wired, session_of, speaking, status_html, waiting_ticket, warn

POLL_OUTPUTS = ("status", "acc", "loss", "tput", "timer", "table", "csv", "student_file", "config_file", "verdict",
                "warnings")
# what control visibility depends on: the method and models, and every setting a table entry's `when` names
WATCHED = tuple(dict.fromkeys(("dataset", "method", "teacher", "student") + tuple(k for p in UI_PARAMS
                                                                                 for k, _ in p.when)))


def results_frame(sess, code: str = lang.DEFAULT) -> pd.DataFrame:
    """The session's results, their words in `code` (the request's language: English for an API client that
    names none; the headers stay English, the page relabels them)."""
    rows = [{k: lang.speak(v, code) if isinstance(v, lang.Said) else v for k, v in r.items()}
            for r in (sess.results if sess else [])]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def _figures(run, presentation: bool) -> dict:
    snap = run.snapshot()
    total = run.cfg.epochs
    return {"acc": plots.accuracy_figure(snap, total, presentation),
            "loss": plots.loss_figure(snap, total, presentation),
            "tput": plots.throughput_figure(snap, total, presentation)}


def _live_line(snap: dict) -> str:
    """While training: the latest accuracies; when done: the verdict in words."""
    evals = [r for r in snap["records"] if r["kind"] == "eval" and r["phase"] == "student"]
    if not evals:
        return ""
    r, names = evals[-1], snap["names"]
    seeds = lang.Raw(lang.html("train.live_seeds", n=snap["seeds"])) if snap["seeds"] > 1 else ""
    parts = [f"{html.escape(names['kd'])} <b>{lang.html('as_is', value=(100 * r['kd/test_acc'], 1))}%</b>"]
    if "scratch/test_acc" in r:
        parts.append(f"{html.escape(names['scratch'])} <b>"
                     f"{lang.html('as_is', value=(100 * r['scratch/test_acc'], 1))}%</b>")
    return lang.html("train.live", epoch=(r["epoch"], 2), seeds=seeds,
                     parts=lang.Raw(lang.html("train.vs").join(parts)))


def verdict_text(summary: dict) -> str:
    """The run's verdict in bold, in every language kdemo speaks (the page shows the visitor's)."""
    if "verdict_parts" not in summary:
        return f"**{summary['verdict']}**"
    key, params = summary["verdict_parts"]
    line = lang.html(key, **params)
    if summary.get("verdict_fair"):         # what it compares: both learning rates, and a held-back twin said so
        prefix, suffix, rates = summary["verdict_fair"]
        line = lang.html(prefix, **{k: tuple(v) for k, v in rates.items()}) + line + \
            (lang.html(suffix) if suffix else "")
    return f"<b>{line}</b>"


def warning_text(event: dict) -> str:
    """A health event's message in every language kdemo speaks (the page shows the visitor's); English as it came
    where it has no parts."""
    parts = event.get("parts")
    if not parts:
        return html.escape(event["message"])
    return lang.html("as_is", value=lambda code: " ".join(lang.compose(p, code) for p in parts))


def _warnings(snap: dict) -> str:
    return "\n".join(f"- ⚠️ {warning_text(e)}" for e in snap.get("health", [])[:12])


def train_start(registry, sess, presentation, request: gr.Request = None, **controls) -> dict:
    return start_run(registry, session_of(registry, sess, request), config_from_controls(controls), presentation)


def start_run(registry, sess, cfg, presentation) -> dict:
    """Start `cfg` for this session (the Train button, or a lesson link's autorun), within the server's limits."""
    sess.record(sess.run)   # a finished run nobody polled yet still belongs in the results table
    if sess.member is not None:     # class mode: one seed per student (kdemo.app.classes.Member.config)
        cfg = sess.member.config(cfg)
    try:
        run = registry.start_run(sess, cfg, Run)
    except Busy as e:
        warn(e, "title.busy" if e.part["key"] == "told.busy_server" else "title.in_progress")
        return {"sess": sess, "status": status_html(None, e)}
    if sess.waiting is run:     # in line: the poll shows the place, then the run once it has started
        return {"sess": sess, "status": status_html(run.snapshot()), "timer": gr.Timer(active=True), "verdict": "",
                "warnings": ""}
    return {"sess": sess, "status": status_html(run.snapshot()), **_figures(run, presentation),
            "timer": gr.Timer(active=True), "verdict": "", "warnings": ""}


def train_poll(sess, presentation) -> dict:
    if sess is not None:
        sess.touch()          # a visitor watching a run is not idle
    waiting = waiting_ticket(sess, "run")
    if waiting is not None:
        return {"status": status_html(waiting.snapshot()), "timer": gr.Timer(active=True)}
    run = sess.run if sess is not None else None
    if run is None:
        return {"status": status_html(None), "timer": gr.Timer(active=False), "table": results_frame(sess, speaking())}
    alive = run.alive
    snap = run.snapshot()
    out = {"status": status_html(snap), **_figures(run, presentation), "warnings": _warnings(snap)}
    if alive:
        return {**out, "verdict": _live_line(snap)}
    if sess.record(run) is not None and snap["status"] == "failed":
        warn(snap["error"] or "told.run_failed", "title.failed")
    student = sess.student_file(run)
    summary = run.summary()
    return {**out, "timer": gr.Timer(active=False), "table": results_frame(sess, speaking()),
            "verdict": verdict_text(summary) if summary.get("verdict") else _live_line(snap),
            "csv": gr.DownloadButton(value=str(sess.results_csv()), interactive=True),
            "student_file": gr.DownloadButton(value=str(student) if student else None, interactive=student is not None),
            "config_file": gr.DownloadButton(value=str(sess.config_json(run)), interactive=True)}


def _nothing(key: str, action: str) -> lang.Raw:
    return lang.Raw(lang.html(key, action=lambda code: lang.text(f"action.{action}", code)))


def _control(sess, action: str) -> dict:
    """Stop, pause, resume or step the session's run; says so when there is nothing to act on."""
    waiting = waiting_ticket(sess, "run")
    if waiting is not None:     # Stop leaves the line; the rest waits for the run to start
        if action == "stop":
            waiting.stop()
            return {"status": status_html(None, "train.left_line"),
                    "timer": gr.Timer(active=False)}
        return {"status": status_html(waiting.snapshot(), _nothing("train.nothing_waiting", action))}
    run = sess.run if sess is not None else None
    if run is None or not run.alive:
        return {"status": status_html(run.snapshot() if run else None, _nothing("train.nothing", action))}
    ok = getattr(run, action)()
    if action == "stop":    # say "stopped" as soon as it is, not at the next poll (a run ends within ~0.3 s)
        run.join(1.0)
    note = None if ok in (None, True) else {"pause": "train.paused_already", "resume": "train.not_paused",
                                            "step": "train.pause_first"}[action]
    return {"status": status_html(run.snapshot(), note), "timer": gr.Timer(active=True)}


def settings_changed(lesson=None, **values) -> dict:
    """Show the method's own settings; a lesson's hidden ones stay hidden."""
    out = visibility_updates(values)
    for name in (lesson.hidden_params() if lesson is not None else ()):
        out[name] = {**out[name], "visible": False}
    return out


def build(ui: Wired, registry, sess, presentation):
    """The Train tab's layout and events."""
    with gr.Row(equal_height=False, elem_id="train-row"):
        with gr.Column(scale=1, min_width=340, elem_id="train-controls"):
            controls, groups = make_controls()
            ui.update(controls)
            ui.update({f"grp_{g}": box for g, box in groups.items()})
            ui["pair"] = gr.Markdown(pair_info(DEFAULTS["teacher"], DEFAULTS["student"], DEFAULTS["dataset"],
                                               DEFAULTS["method"]), elem_classes="kd-pair")
        with gr.Column(scale=2, min_width=480, elem_id="train-panel"):
            with gr.Row(elem_id="run-buttons"):
                ui["train_btn"] = gr.Button(label("train.train"), variant="primary", elem_id="train-btn", size="lg",
                                            scale=2, min_width=110)
                ui["pause_btn"] = gr.Button(label("train.pause"), elem_id="pause-btn", size="lg", min_width=80)
                ui["resume_btn"] = gr.Button(label("train.resume"), elem_id="resume-btn", size="lg", min_width=80)
                ui["step_btn"] = gr.Button(label("train.step"), elem_id="step-btn", size="lg", min_width=80)
                ui["stop_btn"] = gr.Button(label("train.stop"), variant="stop", elem_id="stop-btn", size="lg",
                                           min_width=80)
            ui["banner"] = gr.HTML(visible=False, elem_id="lesson-banner")   # a lesson's question, as text
            ui["status"] = gr.HTML(status_html(None), elem_id="train-status")
            ui["verdict"] = gr.Markdown(elem_id="train-verdict")
            ui.plot("acc", plots.empty_figure(phrase("plot.empty.acc")), waits="plot.empty.acc", show_label=False,
                    elem_id="acc-plot")
            ui["warnings"] = gr.Markdown(elem_id="train-warnings")
            with gr.Row():
                for name in ("loss", "tput"):
                    with gr.Column(min_width=240):
                        ui.plot(name, plots.empty_figure(phrase(f"plot.empty.{name}")), waits=f"plot.empty.{name}",
                                show_label=False, elem_id=f"{name}-plot")
    gr.Markdown(label("page.results"))
    ui["table"] = gr.Dataframe(results_frame(None), interactive=False, elem_id="results", max_height=320, wrap=True)
    with gr.Row():
        ui["csv"] = gr.DownloadButton(label("train.csv"), interactive=False, size="md", elem_id="dl-csv")
        ui["student_file"] = gr.DownloadButton(label("train.student_file"), interactive=False, size="md",
                                               elem_id="dl-student")
        ui["config_file"] = gr.DownloadButton(label("train.config_file"), interactive=False, size="md",
                                              elem_id="dl-config")
    gr.Markdown(label("train.cli"), elem_classes="kd-note")
    ui["timer"] = gr.Timer(0.5, active=False)
    ui["lesson"] = gr.State(None)          # the page's lesson (from its link): what stays hidden or locked
    _wire(ui, registry, sess, presentation)


def _wire(ui: Wired, registry, sess, presentation):
    controls = {p.name: ui[p.name] for p in UI_PARAMS}
    # inputs_kwargs: the handler takes every control by its table name
    ui.on(ui["train_btn"].click, train_start, [sess, presentation],
          ("sess", "status", "acc", "loss", "tput", "timer", "verdict", "warnings"), inputs_kwargs=controls,
          api_name="train", concurrency_id="train", concurrency_limit=2, title="title.run",
          bind={"registry": registry})
    ui.on(ui["timer"].tick, train_poll, [sess, presentation], POLL_OUTPUTS, api_name="poll", show_progress="hidden",
          concurrency_id="poll", concurrency_limit=8)
    ui.on(presentation.input, train_poll, [sess, presentation], POLL_OUTPUTS, show_progress="hidden",
          api_visibility="private")
    for action in ("stop", "pause", "resume", "step"):
        ui.on(ui[f"{action}_btn"].click, _control, [sess], ("status", "timer"), api_name=action,
              concurrency_id="poll", title=f"title.{action}", bind={"action": action})
    watched = {n: ui[n] for n in WATCHED}
    for name in WATCHED:
        ui.on(ui[name].change, settings_changed, [ui["lesson"]], [p.name for p in UI_PARAMS], inputs_kwargs=watched,
              api_visibility="private", show_progress="hidden")
    # When the visitor picks a method, a model or the optimizer (an input, not a link's or a preset's change), the
    # learning rate follows: the one measured stable for that combination.
    chosen = {n: ui[n] for n in ("dataset", "teacher", "student", "method", "optimizer")}
    for name in chosen:
        ui.on(ui[name].input, lr_changed, [], ("lr",), inputs_kwargs=chosen, api_visibility="private",
              show_progress="hidden")
    pair = [ui[n] for n in ("teacher", "student", "dataset", "method")]
    for comp in pair:
        ui.on(comp.change, on_pair, pair, ("pair",), api_visibility="private", show_progress="hidden")


def lr_changed(**values) -> dict:
    return lr_update(values)


def on_pair(teacher, student, dataset, method) -> dict:
    return {"pair": pair_info(teacher, student, dataset, method)}
