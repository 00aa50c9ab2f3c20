"""The guided tour's panel ("Start here"): layout and wiring. The steps, what completes them and the words are in
kdemo/teach/tour.py; this module reports the page's events to it and shows its panel.

The panel is an ordinary group under the header, never an overlay: the page stays usable at every step, on a
phone too, and every step can be skipped or the tour closed. It opens by itself on a first visit (the browser
remembers a visit in localStorage), from its button, and with `?tour=1`; a lesson link opens the lesson, not the
tour, unless it says `tour=1`.
"""
from __future__ import annotations

import gradio as gr
import numpy as np

from ...settings.lessons import parse_link
from ...teach import tour as T
from ...teach.lab_view import lab_result
from ..kit import Wired
from ..labels import label

OUTPUTS = ("tour", "tour_text", "tour_next", "tour_box")
# The page's first-visit flag and query string, read in the browser: "new|?tour=1" or "seen|".
FIRST_VISIT_JS = """(flag) => {
  const seen = localStorage.getItem('kdemo-tour-seen');
  localStorage.setItem('kdemo-tour-seen', '1');
  return (seen ? 'seen|' : 'new|') + location.search;
}"""


def shown(tour: dict) -> dict:
    step = tour.get("step")
    return {"tour": tour, "tour_text": T.panel(tour), "tour_box": gr.Group(visible=step is not None),
            "tour_next": gr.Button(visible=step is not None and (tour.get("done") or step >= len(T.STEPS)))}


def on_load(flag) -> dict:
    """Open on a first visit (not from a lesson link) or when the link says tour=1."""
    seen, _, query = (flag if isinstance(flag, str) else "").partition("|")
    lesson = parse_link(query[:2000])
    plain_visit = not query.strip("?") or set(query.strip("?").split("&")) <= {""}
    if lesson.tour or (seen == "new" and plain_visit):
        return shown(T.start())
    return {}


def on_open(tour) -> dict:
    return shown(T.start())


def on_close(tour) -> dict:
    return shown(T.closed())


def on_next(tour) -> dict:
    tour = tour or T.closed()
    out = T.advance(tour)
    return shown(out if out["step"] is None or out["step"] <= len(T.STEPS) else T.closed())


def on_go(tour) -> dict:
    step = (tour or {}).get("step")
    if step is None or step >= len(T.STEPS):
        return {}
    return {"tabs": gr.Tabs(selected=T.STEPS[step].tab)}


def _report(tour, kind, data) -> dict:
    if not tour or tour.get("step") is None:
        return {}
    new = T.event(tour, kind, data)
    return shown(new) if new is not tour else {}


def waiting_for(tour, kind: str) -> bool:
    step = (tour or {}).get("step")
    return step is not None and step < len(T.STEPS) and T.STEPS[step].waits_for == kind and not tour.get("done")


def on_run(tour, sess) -> dict:
    """The results table changed: a run may have finished."""
    run = getattr(sess, "run", None)
    if not waiting_for(tour, "run") or run is None or run.alive:
        return {}
    return _report(tour, "run", T.run_facts(run.summary()))


def on_lab(tour, digit, lab_T, target, teacher, student, sess) -> dict:
    """The lab computed a digit at some T: the teacher's probability of the target class there."""
    if not waiting_for(tour, "lab") or digit is None:
        return {}
    res, _ = lab_result(np.asarray(digit, dtype=np.float32), lab_T, target, teacher, student, sess)
    return _report(tour, "lab", (float(res.T), float(res.binary_teacher[0]), res.classes[res.target]))


def on_text(tour, text, kind: str) -> dict:
    return _report(tour, kind, text) if waiting_for(tour, kind) else {}


def on_takeaway(tour, key, text) -> dict:
    return _report(tour, "takeaway", (key, text)) if waiting_for(tour, "takeaway") else {}


def build_button(ui: Wired):
    """The "Start here" button, for the header."""
    ui["tour_open"] = gr.Button(label("tour.open"), size="sm", scale=0, min_width=200, elem_id="tour-open")


def build_panel(ui: Wired):
    """The panel, under the header (hidden until the tour opens)."""
    ui["tour"] = gr.State(T.closed())
    ui["tour_flag"] = gr.Textbox(visible=False)
    with gr.Group(visible=False, elem_id="kd-tour") as box:
        ui["tour_box"] = box
        ui["tour_text"] = gr.HTML(elem_id="tour-text", padding=True)
        with gr.Row(elem_id="tour-buttons"):
            ui["tour_go"] = gr.Button(label("tour.go"), size="sm", elem_id="tour-go", variant="primary")
            ui["tour_next"] = gr.Button(label("tour.next"), size="sm", elem_id="tour-next", visible=False)
            ui["tour_skip"] = gr.Button(label("tour.skip"), size="sm", elem_id="tour-skip")
            ui["tour_close"] = gr.Button(label("tour.close"), size="sm", elem_id="tour-close")


def wire(ui: Wired, demo: gr.Blocks, sess):
    quiet = dict(api_visibility="private", show_progress="hidden", title="tour.title")
    ui.on(demo.load, on_load, ["tour_flag"], OUTPUTS, js=FIRST_VISIT_JS, **quiet)
    ui.on(ui["tour_open"].click, on_open, ["tour"], OUTPUTS, **quiet)
    ui.on(ui["tour_close"].click, on_close, ["tour"], OUTPUTS, **quiet)
    for name in ("tour_next", "tour_skip"):
        ui.on(ui[name].click, on_next, ["tour"], OUTPUTS, **quiet)
    ui.on(ui["tour_go"].click, on_go, ["tour"], ("tabs",), **quiet)
    ui.on(ui["table"].change, on_run, ["tour", sess], OUTPUTS, **quiet)
    ui.on(ui["numbers"].change, on_lab, ["tour", "digit", "lab_T", "lab_target", "lab_teacher", "lab_student", sess],
          OUTPUTS, **quiet)
    for event in (ui["ins_dkd_text"].change, ui["ins_refresh"].click, ui["tabs"].select):
        ui.on(event, on_text, ["tour", "ins_dkd_text"], OUTPUTS, bind={"kind": "dkd"}, **quiet)
    ui.on(ui["ins_sim_caption"].change, on_text, ["tour", "ins_sim_caption"], OUTPUTS, bind={"kind": "sim"},
          **quiet)
    ui.on(ui["exp_takeaway"].change, on_takeaway, ["tour", "exp_key", "exp_takeaway"], OUTPUTS, **quiet)
