"""The Teaching views tab: what the teacher knows across the whole test set and what the students took from it.

Layout and wiring only; kdemo/teach/views.py computes each view for the visitor's session (their last finished
run, else the pretrained pair). Handlers are module-level functions of plain values returning {component name:
value} (kdemo/app/kit.py); every view has a named API endpoint.
"""
from __future__ import annotations

import gradio as gr
import pandas as pd

from ...teach import views as v
from ...figures import curves as plots
from ...teach.lab_view import test_digit
from ...teach.report import session_report
from ..kit import Wired, session_of
from .lab import OUTPUTS as LAB_OUTPUTS, show_digit

TAB = "Teaching views"
SIM = [("teacher", "teacher"), ("distilled student", "kd"), ("twin", "scratch"), ("student − teacher", "diff")]
CONF = [("distilled student", "kd"), ("twin", "scratch"), ("teacher", "teacher")]
DIGITS = [str(i) for i in range(10)]
VIEWS = ("ins_source", "ins_sim", "ins_sim_caption", "ins_sim_model", "ins_cal", "ins_cal_text", "ins_acc",
         "ins_confusion", "ins_conf_model", "ins_true", "ins_pred", "ins_dkd", "ins_dkd_text", "ins_missing",
         "ins_bias_cls", "ins_bias", "ins_bias_plot", "ins_bias_text")
CELL = ("ins_gallery", "ins_cell_text", "ins_image", "ins_probs")


def shown(out: dict) -> dict:
    """The component entries of a view's result (its other keys are numbers for the report)."""
    return {k: x for k, x in out.items() if k.startswith("ins_")}


def confusion_table(counts, classes: list[str]):
    """The confusion matrix as a clickable table: errors shaded by count (log scale), right answers in grey."""
    k = len(classes)
    frame = pd.DataFrame([[f"true {classes[i]}"] + [int(counts[i][j]) for j in range(k)] for i in range(k)],
                         columns=["true \\ predicted"] + [f"→ {c}" for c in classes])
    top = max([int(counts[i][j]) for i in range(k) for j in range(k) if i != j] + [1])

    def shade(df):
        css = pd.DataFrame("", index=df.index, columns=df.columns)
        for i in range(k):
            for j in range(k):
                n = int(counts[i][j])
                if i == j:
                    css.iat[i, j + 1] = "background-color: rgba(128,128,128,0.25)"
                elif n:   # Okabe-Ito vermillion, stronger for more errors
                    a = 0.12 + 0.68 * (n / top) ** 0.5
                    css.iat[i, j + 1] = f"background-color: rgba(213,94,0,{a:.2f}); font-weight: 600"
        return css
    return frame.style.apply(shade, axis=None)


# ---------------------------------------------------------------- handlers

def choice(data: dict, which, options: list[tuple[str, str]]) -> str:
    """`which` when this data has it. A model the app knows but this run lacks (the page's radio a step behind,
    still on "teacher" after a labels-only run) falls back to the first that exists; other names are refused."""
    keys = [k for _, k in options]
    valid = v.available(data, keys)
    return which if which in valid or which not in keys else valid[0]


def on_similarity(sess, T, which, presentation) -> dict:
    data = v.view_data(sess)
    return shown(v.similarity_view(data, T, choice(data, which, SIM), presentation))


def on_calibration(sess, presentation) -> dict:
    return shown(v.calibration_view(v.view_data(sess), presentation))


def on_failures(sess, model, presentation) -> dict:
    """Per-class accuracy and the confusion matrix (as a clickable table) of `model`."""
    data = v.view_data(sess)
    conf = v.confusion_view(data, choice(data, model, CONF), presentation)
    return {**shown(v.per_class_view(data, presentation)), "ins_confusion": confusion_table(conf["counts"].tolist(),
                                                                                              data["classes"])}


def on_cell(sess, model, true, pred, presentation, registry=None, request: gr.Request = None) -> dict:
    """Up to 16 test images of one confusion cell; the first one's probabilities. The images are served from the
    visitor's session folder (Session.image_file), so the session is made here if the visitor has none yet."""
    sess = session_of(registry, sess, request)
    data = v.view_data(sess)
    out = v.cell_view(data, model, true, pred)
    out["ins_gallery"] = [(sess.image_file(img), caption) for img, caption in out["ins_gallery"]]
    first = out["indices"][0] if out["indices"] else None
    probs = v.image_view(data, first, presentation)["ins_probs"] if first is not None else \
        plots.empty_figure("No test image in this cell", presentation, 300)
    return {**shown(out), "ins_image": first, "ins_probs": probs, "ins_true": str(true), "ins_pred": str(pred),
            "sess": sess}


def on_table_click(evt: gr.SelectData, sess, model, presentation, registry=None,
                   request: gr.Request = None) -> dict:
    """A click on a cell of the confusion table (its first column names the row: not a cell)."""
    row, col = (evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else (-1, -1))
    if not isinstance(row, int) or not isinstance(col, int) or col < 1 or row < 0:
        raise ValueError("click a number in the table: its row is the true class, its column the predicted one")
    return on_cell(sess, model, row, col - 1, presentation, registry, request)


def on_pick(evt: gr.SelectData, sess, model, true, pred, presentation) -> dict:
    """An image clicked in the gallery: its number and its probability bars."""
    data = v.view_data(sess)
    idx = v.cell_view(data, model, true, pred)["indices"]
    k = evt.index if isinstance(evt.index, int) else -1
    if not 0 <= k < len(idx):
        raise ValueError("pick one of the images shown")
    return {"ins_image": idx[k], **v.image_view(data, idx[k], presentation)}


def on_image(sess, index, presentation) -> dict:
    return v.image_view(v.view_data(sess), index, presentation)


def on_open_in_lab(sess, index, T, target, teacher, student, presentation, registry=None,
                   request: gr.Request = None) -> dict:
    """The chosen MNIST test image in the Temperature lab, and that tab in front."""
    data = v.view_data(sess)
    if data["dataset"] != "mnist":
        raise ValueError("the Temperature lab works on MNIST digits; this run is on " + data["dataset"])
    index = v.check_int(index, 0, len(data["labels"]) - 1, "test image number")
    return {"tabs": gr.Tabs(selected="lab"),
            **show_digit(registry, request, test_digit(index), T, target, teacher, student, sess, presentation)}


def on_why_dkd(sess, T, presentation) -> dict:
    data = v.view_data(sess)
    if data.get("teacher") is None:     # a labels-only run: say so in place (its slider may still move)
        return {"ins_dkd": plots.empty_figure("This run has no teacher", presentation),
                "ins_dkd_text": "This run trained on labels only: there is no teacher, so no p<sub>t</sub> to show."}
    run = data["run"]
    beta = run.cfg.beta if run is not None and run.cfg.method == "dkd" else 2.0
    return shown(v.nckd_view(data, T, beta, presentation))


def on_missing(sess, cls, bias, presentation) -> dict:
    return shown(v.missing_view(v.view_data(sess), cls, bias, presentation))


def on_report(sess) -> dict:
    """The report of the session's finished run, as a download (nothing to download before a run)."""
    run = v.finished_run(sess)
    if run is None:
        return {"ins_report": gr.DownloadButton(value=None, interactive=False)}
    return {"ins_report": gr.DownloadButton(value=str(session_report(run, sess.folder)), interactive=True)}


def on_refresh(sess, T, which, model, dkd_T, presentation) -> dict:
    """Every view for the session's data: after a run, when the tab opens, when presentation mode changes."""
    data = v.view_data(sess)
    sims = [c for c in SIM if c[1] in v.available(data, [k for _, k in SIM])]
    confs = [c for c in CONF if c[1] in v.available(data)]
    which = which if which in [k for _, k in sims] else sims[0][1]
    model = model if model in [k for _, k in confs] else confs[0][1]
    names = [(f"{c}", str(i)) for i, c in enumerate(data["classes"])]
    out = {"ins_source": f"Showing {data['source']}.",
           "ins_sim_model": gr.Radio(choices=sims, value=which), "ins_conf_model": gr.Radio(choices=confs, value=model),
           "ins_true": gr.Dropdown(choices=names), "ins_pred": gr.Dropdown(choices=names),
           **on_similarity(sess, T, which, presentation), **on_calibration(sess, presentation),
           **on_failures(sess, model, presentation)}
    out.update(on_why_dkd(sess, dkd_T, presentation))
    if not data["omit"]:
        return {**out, "ins_missing": gr.Column(visible=False)}
    setup = v.missing_setup(data)
    cls = data["omit"][0]
    bias = round(setup["rules"][cls].get("kd", 0.0), 2)
    lo, hi = setup["range"]
    return {**out, "ins_missing": gr.Column(visible=True),
            "ins_bias_cls": gr.Dropdown(choices=[(data["classes"][c], str(c)) for c in data["omit"]], value=str(cls)),
            "ins_bias": gr.Slider(minimum=lo, maximum=hi, value=bias),
            **shown(v.missing_view(data, cls, bias, presentation, setup))}


def on_tab(evt: gr.SelectData, sess, T, which, model, dkd_T, presentation) -> dict:
    """Another tab selected: nothing; this one: every view, fresh."""
    if evt.value != TAB:
        return {}
    return on_refresh(sess, T, which, model, dkd_T, presentation)


def on_tab_report(evt: gr.SelectData, sess) -> dict:
    """This tab selected: the last run's report ready to download (written once per run)."""
    return on_report(sess) if evt.value == TAB else {}


# ---------------------------------------------------------------- layout and wiring

def _plot(ui: Wired, name: str, message: str, elem: str, height: int = 340):
    ui.plot(name, plots.empty_figure(message, height=height), show_label=False, elem_id=elem)


def build(ui: Wired, registry, sess, presentation):
    with gr.Row():
        ui["ins_source"] = gr.Markdown("Open this tab after a run, or press ⟳, to see the views.",
                                       elem_id="ins-source")
        ui["ins_refresh"] = gr.Button("⟳ Show my last run", scale=0, min_width=180, elem_id="ins-refresh")
        ui["ins_report"] = gr.DownloadButton("⬇ Report (HTML)", interactive=False, scale=0, min_width=180,
                                             elem_id="ins-report")
    gr.Markdown("## 1 · Class similarity: the dark knowledge\nEach row is a true class; each cell the mean "
                "probability the model gives another class, softened at T. The diagonal (own class) sits apart.")
    with gr.Row():
        ui["ins_T"] = gr.Slider(*v.T_RANGE, value=4, step=0.5, label="Temperature T", elem_id="ins-T")
        ui["ins_sim_model"] = gr.Radio(SIM, value="teacher", label="Model", elem_id="ins-sim-model")
    _plot(ui, "ins_sim", "Class similarity", "ins-sim", 430)
    ui["ins_sim_caption"] = gr.Markdown(elem_id="ins-sim-caption")
    gr.Markdown("## 2 · Calibration\nHow sure each model is (top probability at T = 1) against how often it is "
                "right, in 15 bins; ECE is the mean gap, weighted by the images in each bin.")
    _plot(ui, "ins_cal", "Reliability diagram", "ins-cal")
    ui["ins_cal_text"] = gr.Markdown(elem_id="ins-cal-text")
    gr.Markdown("## 3 · Where the students fail")
    _plot(ui, "ins_acc", "Per-class accuracy", "ins-acc")
    ui["ins_conf_model"] = gr.Radio(CONF, value="kd", label="Confusion matrix of", elem_id="ins-conf-model")
    gr.Markdown("**Click a number** in the table (row: true class, column: predicted) to see those test images.",
                elem_classes="kd-note")
    ui["ins_confusion"] = gr.Dataframe(interactive=False, elem_id="ins-confusion", show_label=False)
    with gr.Row():
        ui["ins_true"] = gr.Dropdown(DIGITS, value="4", label="True class", elem_id="ins-true", min_width=120)
        ui["ins_pred"] = gr.Dropdown(DIGITS, value="9", label="Predicted class", elem_id="ins-pred", min_width=120)
        ui["ins_show"] = gr.Button("Show these images", elem_id="ins-show", scale=0, min_width=160)
    ui["ins_cell_text"] = gr.Markdown(elem_id="ins-cell-text")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=360):
            ui["ins_gallery"] = gr.Gallery(columns=8, height=220, allow_preview=False, elem_id="ins-gallery",
                                           object_fit="contain", buttons=[], show_label=False)
            with gr.Row():
                ui["ins_image"] = gr.Number(None, label="Test image #", precision=0, minimum=0, maximum=9999,
                                            elem_id="ins-image", min_width=120)
                ui["ins_open"] = gr.Button("Open in lab →", variant="primary", elem_id="ins-open", scale=0,
                                           min_width=160)
        with gr.Column(scale=3, min_width=420):
            _plot(ui, "ins_probs", "Pick an image", "ins-probs", 300)
    gr.Markdown("## 4 · Why DKD: classic KD's weight on the dark knowledge\nKD = TCKD + (1 − p<sub>t</sub>) · "
                "NCKD: where the teacher is sure (p<sub>t</sub> near 1), NCKD is all but switched off.")
    ui["ins_dkd_T"] = gr.Slider(*v.T_RANGE, value=4, step=0.5, label="Temperature T", elem_id="ins-dkd-T")
    _plot(ui, "ins_dkd", "p_t and 1 − p_t", "ins-dkd")
    ui["ins_dkd_text"] = gr.Markdown(elem_id="ins-dkd-text")
    with gr.Column(visible=False, elem_id="ins-missing") as missing:
        ui["ins_missing"] = missing
        gr.Markdown("## 5 · The missing class: raise its bias\nThe students never saw this class. Adding a bias "
                    "to its logit shows how much they learned about it anyway (Hinton et al. 2015, section 3).")
        with gr.Row():
            ui["ins_bias_cls"] = gr.Dropdown(DIGITS, value="3", label="Omitted class", elem_id="ins-bias-cls",
                                             scale=0, min_width=140)
            ui["ins_bias"] = gr.Slider(-v.BIAS_LIMIT, v.BIAS_LIMIT, value=0, step=0.05, label="Bias on its logit",
                                       elem_id="ins-bias")
        _plot(ui, "ins_bias_plot", "Accuracy against the bias", "ins-bias-plot")
        ui["ins_bias_text"] = gr.Markdown(elem_id="ins-bias-text")
    _wire(ui, registry, sess, presentation)


def _wire(ui: Wired, registry, sess, presentation):
    quick = dict(show_progress="hidden", concurrency_id="insights", concurrency_limit=4, title=TAB)
    live = dict(quick, trigger_mode="always_last")
    refresh_in = [sess, "ins_T", "ins_sim_model", "ins_conf_model", "ins_dkd_T", presentation]
    done = ui.on(ui["ins_refresh"].click, on_refresh, refresh_in, VIEWS, api_name="insights", **quick)
    ui.on(done.then, on_report, [sess], ("ins_report",), api_visibility="private", **quick)
    ui.on(ui["tabs"].select, on_tab, refresh_in, VIEWS, api_visibility="private", **quick)
    ui.on(ui["tabs"].select, on_tab_report, [sess], ("ins_report",), api_visibility="private", **quick)
    ui.on(presentation.change, on_refresh, refresh_in, VIEWS, api_visibility="private", **quick)
    report_btn = gr.Button(visible=False)   # /report for API clients: the file of the session's last run
    ui.on(report_btn.click, on_report, [sess], ("ins_report",), api_name="report", **quick)
    for name in ("ins_T", "ins_sim_model"):
        ui.on(ui[name].change, on_similarity, [sess, "ins_T", "ins_sim_model", presentation],
              ("ins_sim", "ins_sim_caption"), api_name="similarity" if name == "ins_T" else None,
              api_visibility="public" if name == "ins_T" else "private", **live)
    cal_btn = gr.Button(visible=False)
    ui.on(cal_btn.click, on_calibration, [sess, presentation], ("ins_cal", "ins_cal_text"), api_name="calibration",
          **quick)
    ui.on(ui["ins_conf_model"].change, on_failures, [sess, "ins_conf_model", presentation],
          ("ins_acc", "ins_confusion"), api_name="per_class", **quick)
    cell_out, with_registry = (*CELL, "ins_true", "ins_pred", "sess"), {"registry": registry}
    ui.on(ui["ins_show"].click, on_cell, [sess, "ins_conf_model", "ins_true", "ins_pred", presentation], cell_out,
          api_name="confusion_cell", bind=with_registry, **quick)
    ui.on(ui["ins_confusion"].select, on_table_click, [sess, "ins_conf_model", presentation], cell_out,
          api_visibility="private", bind=with_registry, **quick)
    ui.on(ui["ins_gallery"].select, on_pick, [sess, "ins_conf_model", "ins_true", "ins_pred", presentation],
          ("ins_image", "ins_probs"), api_visibility="private", **quick)
    img_btn = gr.Button(visible=False)
    ui.on(img_btn.click, on_image, [sess, "ins_image", presentation], ("ins_probs",), api_name="test_image", **quick)
    # the lab's own knobs ("teacher" and "student" alone name the Train tab's controls)
    knobs = [n if n in ui else n.removeprefix("lab_") for n in ("lab_T", "lab_target", "lab_teacher", "lab_student")]
    ui.on(ui["ins_open"].click, on_open_in_lab, [sess, "ins_image", *knobs, presentation],
          ("tabs", *LAB_OUTPUTS, "sess"), api_name="open_in_lab", bind=with_registry, **dict(quick, title="Open in lab"))
    ui.on(ui["ins_dkd_T"].change, on_why_dkd, [sess, "ins_dkd_T", presentation], ("ins_dkd", "ins_dkd_text"),
          api_name="why_dkd", **live)
    for name in ("ins_bias", "ins_bias_cls"):
        ui.on(ui[name].change, on_missing, [sess, "ins_bias_cls", "ins_bias", presentation],
              ("ins_bias_plot", "ins_bias_text"), api_name="missing_bias" if name == "ins_bias" else None,
              api_visibility="public" if name == "ins_bias" else "private", **live)
