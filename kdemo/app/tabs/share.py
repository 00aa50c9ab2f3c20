"""Lessons in a link: the page applies a link's setup when it opens, and "Share this setup" makes one.

Reading a link never breaks the page (kdemo.settings.lessons.parse_link ignores what it cannot use and says what and why,
in one warning). The question for the class is shown as text (HTML-escaped), never as markup.
"""
from __future__ import annotations

import json

import gradio as gr

from ... import experiments, lang
from ...teach.lab_view import lab_view, pretrained_choices, test_digit
from ...settings.params import BY_NAME, GROUPS
from ...settings.text import QUERY_LIMIT, cli_command
from ...settings.lessons import QUESTION_MAX, Lesson, build_link, hide_choices, parse_link
from .controls import UI_PARAMS, config_from_controls, values_updates
from ..labels import label
from ..kit import Wired, session_of, warn
from .lab import OUTPUTS as LAB_OUTPUTS
from .train import start_run

LOAD_OUTPUTS = ("lesson", "banner", "tabs", "presentation", "lab_T", "exp_key", "explanation", "sess", "status",
                "acc", "loss", "tput", "timer", "verdict", "warnings", *LAB_OUTPUTS,
                *(p.name for p in UI_PARAMS), *(f"grp_{g}" for g in GROUPS))
# what a visitor sees of a link they open, and what the Share box writes: the same page keys
COPY_JS = """(query) => {
  const url = window.location.origin + window.location.pathname + (query ? "?" + query : "");
  if (navigator.clipboard) { navigator.clipboard.writeText(url).catch(() => {}); }
  return url;
}"""


def banner(question: str) -> dict:
    if not question:
        return gr.update(visible=False, value="")
    asked = lang.html("share.asked", question=question)     # the teacher's words, escaped
    return gr.update(visible=True, value=f"<div class='kd-question'>{asked}</div>")


def on_load(registry, sess, request: gr.Request = None) -> dict:
    """Apply the link the page was opened with (nothing to do without one)."""
    query = getattr(getattr(request, "request", None), "url", None)
    raw = query.query if query is not None else ""
    if not raw:
        return {}
    lesson = parse_link(raw, experiments.EXPERIMENTS, registry.limits)
    out = {"lesson": lesson, "banner": banner(lesson.question)}
    hidden = lesson.hidden_params()
    for name, update in values_updates(lesson.cfg).items():
        update = {**update}
        if name in hidden:
            update["visible"] = False
        if lesson.lock:
            update["interactive"] = False
        out[name] = update
    for g in GROUPS:
        if g in lesson.hide:
            out[f"grp_{g}"] = gr.update(visible=False)
    if lesson.tab:
        out["tabs"] = gr.Tabs(selected=lesson.tab)
    if lesson.present:
        out["presentation"] = True
    if lesson.lab_t is not None:
        out["lab_T"] = lesson.lab_t
    if lesson.experiment:
        out["exp_key"] = lesson.experiment
        out["explanation"] = experiments.EXPERIMENTS[lesson.experiment].explanation
    sess = session_of(registry, sess, request)
    out["sess"] = sess
    if lesson.digit is not None:
        teachers = pretrained_choices("mnist", "teacher")
        if teachers:
            out.update(lab_view(test_digit(lesson.digit), lesson.lab_t or 4.0, "auto", teachers[0][1], "yours", sess,
                                lesson.present))
    if lesson.autorun:
        out.update(start_run(registry, sess, lesson.cfg, lesson.present))
    if lesson.ignored:     # (warn escapes the link's own words: they read as written)
        warn({"key": "told.link_except", "params": {"items": {"each": [lang.part_of(i) for i in lesson.ignored],
                                                              "sep": "; "}}}, "title.link")
    return out


def make_link(hide=(), lock=False, autorun=False, question="", **controls) -> dict:
    """The link, CLI command and JSON of the Train tab's current setup (and the lesson options chosen here)."""
    cfg = config_from_controls(controls)
    if not isinstance(hide, (list, tuple)) or len(hide) > 64:
        raise lang.Told("told.hide")
    if not isinstance(question, str):
        raise lang.Told("told.question_text")
    if len(question) > QUESTION_MAX:
        raise lang.Told("told.question_long", n=len(question), most=QUESTION_MAX)
    hide = tuple(h for h in (hide or ()) if isinstance(h, str))
    query = build_link(Lesson(cfg=cfg, hide=hide, lock=bool(lock), autorun=bool(autorun), question=question))
    if len(query) > QUERY_LIMIT:
        raise lang.Told("told.link_long", n=len(query), most=QUERY_LIMIT)
    # the run's settings; the machine's own (device, tracker) stay out, as in the link: --config fills their defaults
    shared = {k: v for k, v in cfg.to_dict().items() if BY_NAME[k].shared}
    return {"share_query": query, "share_cli": cli_command(cfg), "share_json": json.dumps(shared, indent=2)}


def build_box(ui: Wired):
    """The "Share this setup" box, under the Train tab's results."""
    with gr.Accordion(label("share.open"), open=False, elem_id="share"):
        gr.Markdown(label("share.intro"), elem_classes="kd-note")
        with gr.Row():
            ui["share_hide"] = gr.Dropdown(hide_choices(), multiselect=True, label=label("share.hide"),
                                           elem_id="share-hide", scale=3)
            with gr.Column(scale=1, min_width=200):
                ui["share_lock"] = gr.Checkbox(False, label=label("share.lock"),
                                               elem_id="share-lock")
                ui["share_autorun"] = gr.Checkbox(False, label=label("share.autorun"),
                                                  elem_id="share-autorun")
        ui["share_question"] = gr.Textbox(label=label("share.question"), max_length=QUESTION_MAX,
                                          elem_id="share-question")
        ui["share_btn"] = gr.Button(label("share.btn"), elem_id="share-btn")
        ui["share_query"] = gr.Textbox(visible=False)
        ui["share_link"] = gr.Textbox(label=label("share.link"), interactive=False, elem_id="share-link",
                                      buttons=["copy"])
        with gr.Row():
            ui["share_cli"] = gr.Code(label=label("share.cli"), language="shell",
                                      elem_id="share-cli", interactive=False)
            ui["share_json"] = gr.Code(label=label("share.json"),
                                       language="json", elem_id="share-json", interactive=False)
    controls = {p.name: ui[p.name] for p in UI_PARAMS}
    ev = ui.on(ui["share_btn"].click, make_link,
               ["share_hide", "share_lock", "share_autorun", "share_question"],
               ("share_query", "share_cli", "share_json"), inputs_kwargs=controls, api_name="share",
               title="title.share")
    ev.then(None, ui["share_query"], ui["share_link"], js=COPY_JS)


def wire_load(ui: Wired, demo: gr.Blocks, registry):
    ui.on(demo.load, on_load, [ui["sess"]], LOAD_OUTPUTS, bind={"registry": registry}, api_visibility="private",
          show_progress="hidden", title="title.open_link")

