"""The Gradio app: Train, Temperature lab, Experiments and Teaching views tabs. Layout and event wiring only.

The work happens elsewhere: kdemo.app.tabs.train / ui_lab / ui_experiments (each tab's layout and handlers),
kdemo.app.tabs.controls (the controls, from the parameter table), kdemo.app.sessions (per-visitor sessions, their
lifetime, the run limit), kdemo.figures.curves (figures), kdemo.train.engine (training). Every handler reads its visitor's
Session; the only shared objects are read-only (datasets, pretrained models) and the Registry.
"""
from __future__ import annotations

import os

import gradio as gr

from .. import experiments, lang
from .tabs import board as ui_board
from .tabs import experiments as ui_experiments
from .tabs import insights as ui_insights
from .tabs import lab as ui_lab
from .tabs import share as ui_share
from .tabs import tour as ui_tour
from .tabs import train as ui_train
from .labels import I18N, label
from ..teach.lab_view import pretrained_choices
from .boards import SqliteBoards, data_dir
from .classes import Classes
from .sessions import Registry
from .kit import Wired, guard_requests, session_of
from .style import CSS, PAGE_JS, THEME

HEARTBEAT_S = 60   # an open page touches its session this often, so only abandoned sessions expire


def launch_options(registry: Registry | None = None) -> dict:
    """Keyword arguments for Blocks.launch: style, visible error messages, upload cap."""
    limits = registry.limits if registry is not None else None
    out = {"theme": THEME, "css": CSS, "js": PAGE_JS, "show_error": True, "i18n": I18N}
    if limits is not None:
        out["max_file_size"] = f"{limits.max_upload_mb:g}mb"
    return out


def queue_options(demo: gr.Blocks) -> dict:
    return {"default_concurrency_limit": 4, "max_size": demo.kdemo_registry.limits.queue_size}


def heartbeat(registry, sess, request: gr.Request = None) -> dict:
    """The page is open: keep its session (and sweep the ones nobody has touched for too long)."""
    registry.sweep()
    return {"sess": session_of(registry, sess, request)}


def build_demo(registry: Registry | None = None, classes: Classes | None = None) -> gr.Blocks:
    """The whole app. `demo.kdemo_registry` holds the per-visitor sessions (for tests and shutdown), and
    `demo.kdemo_classes` the class boards (SQLite in KDEMO_DATA_DIR unless given)."""
    registry = Registry() if registry is None else registry
    classes = Classes(SqliteBoards(data_dir()), registry.limits) if classes is None else classes
    classes.attach(registry)
    ui = Wired()
    with gr.Blocks(title=lang.text("page.title"), delete_cache=(600, 3600)) as demo:
        demo.kdemo_registry, demo.kdemo_classes = registry, classes
        # No time_to_live: Gradio counts it from the state's last *write*, which would end a visitor who only
        # polls a long run; the registry's sweeper expires idle sessions instead (and drops Gradio's copy).
        sess = ui["sess"] = gr.State(None, delete_callback=lambda s: s is not None and registry.forget(s.key))
        with gr.Row(elem_id="kd-header"):
            gr.Markdown(label("page.header"), scale=5)
            presentation = ui["presentation"] = gr.Checkbox(
                False, label=label("page.presentation"), scale=0, min_width=260, container=False,
                elem_id="presentation")
            ui_tour.build_button(ui)
        ui_tour.build_panel(ui)
        if not pretrained_choices("mnist", "teacher"):
            gr.Markdown(label("train.no_teacher"))
        ui_board.build_top(ui)     # a board link's page, and a student's class line
        with gr.Tabs(selected="train", elem_id="kd-tabs") as tabs:
            ui["tabs"] = tabs
            with gr.Tab(label("tab.train"), id="train"):
                ui_train.build(ui, registry, sess, presentation)
                ui_share.build_box(ui)
                ui_board.build_start(ui)
            with gr.Tab(label("tab.lab"), id="lab"):
                ui_lab.build(ui, registry, sess, presentation)
            with gr.Tab(label("tab.experiments"), id="experiments"):
                ui_experiments.build(ui, experiments, registry, sess, presentation)
            with gr.Tab(label("tab.insights"), id="insights"):
                ui_insights.build(ui, registry, sess, presentation)
        beat = gr.Timer(HEARTBEAT_S)
        ui.on(beat.tick, heartbeat, [sess], ("sess",), api_visibility="private", show_progress="hidden",
              bind={"registry": registry})
        ui_share.wire_load(ui, demo, registry)   # a lesson link's setup, applied when the page opens
        ui_board.wire(ui, demo, registry, classes, sess, presentation)
        ui_tour.wire(ui, demo, sess)
        # Each tab redraws its plots for presentation mode on the box's `input` (a visitor's click), never on its
        # `change`: Gradio 6.31 writes an input's value back after each event that reads it, a write that lands
        # after the next click is a change, and five redraws set off by `change` kept setting each other off after
        # a quick on/off, until the page closed (tests/test_browser.py). A lesson link's own load handler draws
        # what it shows for presentation mode; the page fonts below follow every change.
        presentation.change(None, presentation, None,   # bigger page fonts, client side (the CSS is in ui_style)
                            js="(on) => { document.body.classList.toggle('kd-present', on); }")

        def forget(request: gr.Request):
            registry.forget(request.session_hash)
        demo.unload(forget)
    registry.on_close.append(lambda key: drop_gradio_state(demo, key))
    registry.on_sweep.append(lambda now: drop_orphaned_gradio_states(demo, registry, now))
    return guard_requests(demo)


def drop_gradio_state(demo: gr.Blocks, key: str):
    """Gradio keeps each session's copy of the page's config (about 2 MB here) for an hour after the session
    closes, and forever for an API client that never opened the page; a session kdemo closed needs none of it."""
    holder = getattr(demo, "state_holder", None)
    if holder is not None:
        with holder.lock:
            holder.session_data.pop(key, None)
            holder.time_last_used.pop(key, None)


def drop_orphaned_gradio_states(demo: gr.Blocks, registry, now: float) -> int:
    """Gradio makes a session's state on its first request to any endpoint, kdemo a Session only where one is
    needed (a run, the lab, a view): an API client that only asked for a lesson link left a ~2 MB state behind,
    forever. Every sweep drops the states of sessions kdemo does not hold that have been idle past the limit."""
    holder = getattr(demo, "state_holder", None)
    if holder is None:
        return 0
    idle = registry.limits.session_idle_s
    with holder.lock:
        stale = [k for k, t in holder.time_last_used.items() if now - t.timestamp() > idle]
    stale = [k for k in stale if k not in registry]
    for key in stale:
        drop_gradio_state(demo, key)
    return len(stale) + forget_removed_files(demo)


def forget_removed_files(demo: gr.Blocks) -> int:
    """Gradio remembers every file it served (to delete it later) and never forgets one that is already gone: the
    previews of every closed session would stay listed for the server's lifetime."""
    gone = 0
    for files in getattr(demo, "temp_file_sets", []):
        missing = {f for f in list(files) if not os.path.exists(f)}
        files -= missing
        gone += len(missing)
    return gone
