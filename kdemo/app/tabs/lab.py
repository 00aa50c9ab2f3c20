"""The Temperature lab tab: layout and wiring. The maths is in kdemo/teach/lab.py, what it shows in kdemo/teach/lab_view.py, the
drawing pad in kdemo/app/tabs/pad.py.

The page draws on the pad; the /lab API endpoint takes a Sketchpad payload (a hidden gr.Sketchpad). Its sketches
arrive unprocessed (`preprocess=False`): Gradio has already checked that their files were uploaded to it, and
`read_sketch` bounds the number of layers and each image's size from its header before decoding, so a request
cannot make the server decode huge or many images.
"""
from __future__ import annotations

import threading
import gradio as gr
from gradio.components.image_editor import AcceptBlobs
import numpy as np

from ... import lang
from ...figures import curves as plots
from ...figures.words import phrase
from ...teach.lab import LabInputError, read_sketch, sketch_to_digit
from ...teach.inputs import LAB_ARGS, T_RANGE
from ...teach.lab_view import example_indices, lab_view, pretrained_choices, test_digit
from ..kit import Wired, session_of
from ..labels import label
from .pad import PAD_HTML, PAD_JS, pad_image

PENDING_SKETCHES = 256   # drawings uploaded but not yet processed that the server keeps, all visitors together


def bound_uploads(pad: gr.Sketchpad, max_layers: int, max_bytes: int) -> gr.Sketchpad:
    """Bound the sketchpad's upload endpoint. The browser sends each layer's PNG to the component's server function
    `accept_blobs` before the change event; Gradio's own stores any layer index (a list that long), any size, and
    every upload until an event uses it. This one refuses unknown kinds, layer numbers beyond the lab's limit and
    oversized files, and keeps at most PENDING_SKETCHES drawings waiting (an instance attribute: Gradio looks the
    function up on the component by name)."""
    original, lock = pad.accept_blobs, threading.Lock()

    def accept_blobs(data: AcceptBlobs):
        d = data.data
        kind, index = d.get("type"), d.get("index")
        if kind not in ("layer", "background", "composite") or not isinstance(d.get("id"), str) \
                or len(d["id"]) > 64 or len(data.files) != 1 or len(data.files[0][1]) > max_bytes:
            raise gr.Error("the drawing could not be taken: too large, or not a drawing", print_exception=False)
        if kind == "layer" and not (str(index).isdigit() and int(index) < max_layers):
            raise gr.Error(f"a drawing may have at most {max_layers} layers", print_exception=False)
        with lock:
            while len(pad.blob_storage) >= PENDING_SKETCHES and d["id"] not in pad.blob_storage:
                pad.blob_storage.pop(next(iter(pad.blob_storage)))     # the oldest pending drawing goes
            return original(data)
    accept_blobs._is_server_fn = True
    pad.accept_blobs = accept_blobs
    pad.blob_lock = lock
    return pad


def take(pad: gr.Sketchpad, raw):
    """The raw payload of an event, with the browser's uploaded layers (by the payload's id) put in as bytes."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        with pad.blob_lock:
            blobs = pad.blob_storage.pop(raw["id"], None)
        if blobs is not None:
            return {"background": blobs.background, "layers": [b for b in blobs.layers if b is not None],
                    "composite": blobs.composite}
    return raw


OUTPUTS = ("preview", "probs", "dkd", "numbers", "caption", "digit")
EMPTY_PROBS, EMPTY_DKD = phrase("lab.empty_probs"), phrase("lab.empty_dkd")


def _sketch_digit(pad, raw, limits):
    sketch = read_sketch(take(pad, raw), limits.max_image_side, limits.max_layers, int(limits.max_upload_mb * 2**20))
    return sketch_to_digit(sketch)


def cleared(message: str, presentation: bool = False) -> dict:
    """Every lab output emptied (clear means clear), with a note of what to do."""
    return {"preview": None, "probs": plots.empty_figure(EMPTY_PROBS, presentation, 320),
            "dkd": plots.empty_figure(EMPTY_DKD, presentation, 320), "numbers": "", "caption": message,
            "digit": None}


EMPTY_CANVAS = lang.html("lab.empty_canvas")


def show_digit(registry, request, digit, T, target, teacher, student, sess, presentation) -> dict:
    """The lab's outputs for `digit`, and the visitor's session (made on first use: it owns the preview's file)."""
    sess = session_of(registry, sess, request)
    return {**lab_view(digit, T, target, teacher, student, sess, presentation), "sess": sess}


def on_draw(registry, limits, ink, T, target, teacher, student, sess, presentation,
            request: gr.Request = None) -> dict:
    """A stroke, an undo or a clear on the pad: an empty canvas clears every output instead of complaining."""
    png = pad_image(ink, int(limits.max_upload_mb * 2**20))
    try:
        if png is None:
            raise LabInputError("told.canvas_empty")
        sketch = read_sketch({"background": None, "layers": [], "composite": png}, limits.max_image_side)
        digit = sketch_to_digit(sketch)
    except LabInputError as e:
        if e.part["key"] == "told.canvas_empty":
            return cleared(EMPTY_CANVAS, presentation)
        raise
    return show_digit(registry, request, digit, T, target, teacher, student, sess, presentation)


def on_api(registry, pad, limits, raw, T, target, teacher, student, sess, presentation,
           request: gr.Request = None) -> dict:
    """/lab for API clients: the same, but an empty canvas is an error too."""
    return show_digit(registry, request, _sketch_digit(pad, raw, limits), T, target, teacher, student, sess, presentation)


def on_knob(registry, digit, T, target, teacher, student, sess, presentation, request: gr.Request = None) -> dict:
    """T, target, models or presentation changed: recompute for the digit on screen (nothing if there is none)."""
    if digit is None:
        return {}
    return show_digit(registry, request, np.asarray(digit, dtype=np.float32), T, target, teacher, student, sess,
                 presentation)


def on_example(registry, evt: gr.SelectData, T, target, teacher, student, sess, presentation,
               request: gr.Request = None) -> dict:
    index = evt.index if isinstance(evt.index, int) else -1
    examples = example_indices()
    if not 0 <= index < len(examples):
        raise LabInputError("told.lab_example", n=len(examples))
    return show_digit(registry, request, test_digit(examples[index]), T, target, teacher, student, sess, presentation)


def on_test_digit(registry, index, T, target, teacher, student, sess, presentation,
                  request: gr.Request = None) -> dict:
    """/lab_digit for API clients: MNIST test image `index` (0-9999) in the lab."""
    return show_digit(registry, request, test_digit(index), T, target, teacher, student, sess, presentation)


def build(ui: Wired, registry, sess, presentation):
    limits = registry.limits
    teachers = pretrained_choices("mnist", "teacher")
    with gr.Row(equal_height=False):
        with gr.Column(scale=0, min_width=330):
            gr.Markdown(label("lab.draw"))
            ui["pad"] = gr.HTML(None, html_template=PAD_HTML, js_on_load=PAD_JS, elem_id="sketch",
                                apply_default_css=False)
            ui["sketch"] = bound_uploads(gr.Sketchpad(   # the /lab API's input, never shown
                type="numpy", elem_id="lab-api-sketch", canvas_size=(280, 280), show_label=False, layers=False,
                visible=False), limits.max_layers, int(limits.max_upload_mb * 2**20))
        with gr.Column(scale=0, min_width=210):
            ui["preview"] = gr.Image(label=label("lab.preview"), height=250, interactive=False,
                                     elem_id="lab-preview", buttons=[])
        with gr.Column(scale=3, min_width=420):
            ui["caption"] = gr.Markdown(label("lab.start"), elem_id="lab-caption")
            with gr.Row():
                ui["lab_teacher"] = gr.Dropdown(teachers, value=teachers[0][1] if teachers else None,
                                                label=label("lab.teacher"),
                                            elem_id="lab-teacher")
                ui["lab_student"] = gr.Radio([(label("lab.yours"), "yours"), (label("lab.pretrained"), "pretrained")],
                                         value="yours", label=label("lab.student"), elem_id="lab-student")
                ui["lab_target"] = gr.Dropdown(["auto"] + [str(i) for i in range(10)], value="auto",
                                           label=label("lab.target"), elem_id="lab-target")
            gallery = None
            try:
                pics = [(np.kron((255 * test_digit(i)).astype(np.uint8), np.ones((3, 3), dtype=np.uint8)), str(k))
                        for k, i in enumerate(example_indices())]   # nearest-neighbour 3x: crisp pixels
                gallery = gr.Gallery(pics, columns=10, rows=1, height=84, allow_preview=False, elem_id="lab-examples",
                                     object_fit="contain", buttons=[], show_label=False)
                gr.Markdown(label("lab.pick"), elem_classes="kd-note")
            except Exception:  # noqa: BLE001 - no MNIST test set: drawing still works
                gallery = None
            # The keyboard path (the pad needs a pointer): a test image by number, then T with the arrow keys.
            with gr.Row(equal_height=True):
                ui["lab_index"] = gr.Number(0, label=label("lab.index"), precision=0, minimum=0,
                                            maximum=9999, elem_id="lab-index", min_width=160)
                digit_btn = gr.Button(label("lab.show"), elem_id="lab-show", scale=0, min_width=180)
            gr.Markdown(label("lab.keys"), elem_classes="kd-note", elem_id="lab-keys")
    ui.plot("probs", plots.empty_figure(EMPTY_PROBS, height=320), show_label=False, elem_id="lab-probs")
    gr.Markdown(label("lab.decoupled"))
    ui["lab_T"] = gr.Slider(*T_RANGE, value=4, step=0.5, label=label("lab.T"),
                            elem_id="lab-T")
    ui.plot("dkd", plots.empty_figure(EMPTY_DKD, height=320), show_label=False, elem_id="lab-dkd")
    ui["numbers"] = gr.Markdown(elem_id="lab-numbers")
    ui["digit"] = gr.State(None)
    # "lab_" names: "teacher" and "student" are the Train tab's controls
    knobs = ["lab_T", "lab_target", "lab_teacher", "lab_student", sess, presentation]
    lab = dict(show_progress="hidden", concurrency_id="lab", concurrency_limit=4, trigger_mode="always_last",
               title="tab.lab", check=LAB_ARGS)
    pad, shows = ui["sketch"], (*OUTPUTS, "sess")
    with_registry = {"registry": registry}
    ui.on(ui["pad"].change, on_draw, ["pad", *knobs], shows, api_visibility="private",
          bind={**with_registry, "limits": limits}, **lab)
    api_btn = gr.Button(visible=False)   # the strict endpoint for API clients: errors instead of hints
    ui.on(api_btn.click, on_api, ["sketch", *knobs], shows, api_name="lab", preprocess=False,
          bind={**with_registry, "pad": pad, "limits": limits}, **lab)
    for name in ("lab_T", "lab_target", "lab_teacher", "lab_student"):
        ui.on(ui[name].change, on_knob, ["digit", *knobs], shows, api_visibility="private", bind=with_registry, **lab)
    ui.on(presentation.input, on_knob, ["digit", *knobs], shows, api_visibility="private", bind=with_registry,
          **lab)
    if gallery is not None:   # a click in the page; API clients name a test image by its index (/lab_digit)
        ui.on(gallery.select, on_example, knobs, shows, api_visibility="private", bind=with_registry, **lab)
    ui.on(digit_btn.click, on_test_digit, ["lab_index", *knobs], shows, api_name="lab_digit", bind=with_registry,
          **lab)
