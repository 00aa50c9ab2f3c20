"""The Teaching views tab: what the teacher knows across the whole test set and what the students took from it.

Layout and wiring only, looped over kdemo/teach/catalog.py's `VIEWS`: each entry's heading, knobs, components and
named API endpoint come from its declaration, and its compute (kdemo/teach/views.py) runs for the visitor's session
(their last finished run, else the pretrained pair). The confusion table's drill-down (a cell's images, one image's
probabilities, Open in lab) is this page's own. Handlers are module-level functions of plain values returning
{component name: value} (kdemo/app/kit.py).
"""
from __future__ import annotations

import inspect

import gradio as gr
import pandas as pd

from ...teach import views as v
from ...teach.catalog import CONF, SIM, VIEWS as CATALOG, pick  # noqa: F401 (SIM, CONF: the radios' choices)
from ...figures import curves as plots, palette
from ...figures.words import phrase
from ...teach.inputs import ARGS, LAB_ARGS
from ...teach.lab_view import test_digit
from ...teach.report import session_report
from ... import lang
from ..labels import said, is_label, label, worded
from ..kit import Wired, session_of
from .lab import OUTPUTS as LAB_OUTPUTS, show_digit

TAB = "tab.insights"     # the tab's label (kdemo.lang)
DIGITS = [str(i) for i in range(10)]
KNOBS = [k for view in CATALOG.values() for k in view.knobs]
KEPT = [k.name for k in KNOBS if k.kept]          # the refresh's inputs: the values the visitor chose
DRILL = ("ins_true", "ins_pred")                  # the drill-down's class dropdowns follow the data's classes
BOXES = {key: f"box_{key}" for key in CATALOG}    # each view's column (hidden where its data lacks the view)
VIEWS = ("ins_source", *(n for key, view in CATALOG.items()
                         for n in (BOXES[key], *(k.name for k in view.knobs), *(o[0] for o in view.outputs))),
         *DRILL)                                  # what a refresh updates
CELL = ("ins_gallery", "ins_cell_text", "ins_image", "ins_probs")


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
                    css.iat[i, j + 1] = f"background-color: {palette.DIAGONAL_CELL}"
                elif n:   # the warning colour, stronger for more errors
                    a = 0.12 + 0.68 * (n / top) ** 0.5
                    css.iat[i, j + 1] = f"background-color: {palette.tint(palette.WARN, a)}; font-weight: 600"
        return css
    return frame.style.apply(shade, axis=None)


# ---------------------------------------------------------------- handlers

def choice(data: dict, which, options) -> str:
    """`which` when this data has it, else the first model of `options` it has (see catalog.pick)."""
    return pick(data, which, [k for _, k in options])


def components(view, out: dict, data: dict) -> dict:
    """A view's result as its components: a "table" output (a count matrix) becomes the shaded clickable table."""
    return {name: confusion_table(out[name], data["classes"]) if kind == "table" else lang.said_html(out[name])
            for name, kind, _ in view.outputs}


def shown(out: dict) -> dict:
    """The component entries of a view's result (its other keys are numbers for the report)."""
    return {k: lang.said_html(x) for k, x in out.items() if k.startswith("ins_")}


def named(name: str, args: list[str], body):
    """A handler taking `args` by position or by name (Wired.on passes names; its door checks them by name):
    body(sess, [the other values in order], presentation)."""
    sig = inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                             for n in ("sess", *args, "presentation")])

    def fn(*a, **kw):
        got = sig.bind(*a, **kw).arguments
        return body(got["sess"], [got[n] for n in args], got["presentation"])
    fn.__signature__, fn.__name__ = sig, name
    return fn


def handler(view):
    """The endpoint of one view: (sess, *its knobs' arguments, presentation) -> its components."""
    def body(sess, values, presentation):
        data = v.view_data(sess)
        return components(view, view.compute(data, *values, presentation=presentation), data)
    return named(f"on_{view.key}", [k.arg for k in view.knobs], body)


HANDLERS = {key: handler(view) for key, view in CATALOG.items()}
on_similarity, on_why_dkd, on_missing = HANDLERS["similarity"], HANDLERS["why_dkd"], HANDLERS["missing_bias"]


def on_cell(sess, model, true, pred, presentation, registry=None, request: gr.Request = None) -> dict:
    """Up to 16 test images of one confusion cell; the first one's probabilities. The images are served from the
    visitor's session folder (Session.image_file), so the session is made here if the visitor has none yet."""
    sess = session_of(registry, sess, request)
    data = v.view_data(sess)
    out = v.cell_view(data, model, true, pred)
    out["ins_gallery"] = [(sess.image_file(img), caption) for img, caption in out["ins_gallery"]]
    first = out["indices"][0] if out["indices"] else None
    probs = v.image_view(data, first, presentation)["ins_probs"] if first is not None else \
        plots.empty_figure(phrase("plot.empty.cell"), presentation, 300)
    return {**shown(out), "ins_image": first, "ins_probs": probs, "ins_true": str(true), "ins_pred": str(pred),
            "sess": sess}


def on_table_click(evt: gr.SelectData, sess, model, presentation, registry=None,
                   request: gr.Request = None) -> dict:
    """A click on a cell of the confusion table (its first column names the row: not a cell)."""
    row, col = (evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else (-1, -1))
    if not isinstance(row, int) or not isinstance(col, int) or col < 1 or row < 0:
        raise lang.Told("told.click_number")
    return on_cell(sess, model, row, col - 1, presentation, registry, request)


def on_pick(evt: gr.SelectData, sess, model, true, pred, presentation) -> dict:
    """An image clicked in the gallery: its number and its probability bars."""
    data = v.view_data(sess)
    idx = v.cell_view(data, model, true, pred)["indices"]
    k = evt.index if isinstance(evt.index, int) else -1
    if not 0 <= k < len(idx):
        raise lang.Told("told.pick_image")
    return {"ins_image": idx[k], **v.image_view(data, idx[k], presentation)}


def on_image(sess, index, presentation) -> dict:
    return v.image_view(v.view_data(sess), index, presentation)


def on_open_in_lab(sess, index, T, target, teacher, student, presentation, registry=None,
                   request: gr.Request = None) -> dict:
    """The chosen MNIST test image in the Temperature lab, and that tab in front."""
    data = v.view_data(sess)
    if data["dataset"] != "mnist":
        raise lang.Told("told.lab_mnist", dataset=data["dataset"])
    index = v.within(v.IMAGE, len(data["labels"]) - 1, index)
    return {"tabs": gr.Tabs(selected="lab"),
            **show_digit(registry, request, test_digit(index), T, target, teacher, student, sess, presentation)}


def on_report(sess) -> dict:
    """The report of the session's finished run, as a download (nothing to download before a run)."""
    run = v.finished_run(sess)
    if run is None:
        return {"ins_report": gr.DownloadButton(value=None, interactive=False)}
    return {"ins_report": gr.DownloadButton(value=str(session_report(run, sess.folder)), interactive=True)}


def refresh(sess, kept: list, presentation) -> dict:
    """Every view for the session's data: after a run, when the tab opens, when presentation mode changes. `kept`:
    the knobs the visitor set (KEPT, in order); each view's `prepare` fits its knobs to the data first."""
    data = v.view_data(sess)
    values = {**{k.name: k.value for k in KNOBS}, **dict(zip(KEPT, kept))}
    out = {"ins_source": lang.html("ins.showing", source=data["says"])}
    for key, view in CATALOG.items():
        has = view.shown(data)
        out[BOXES[key]] = gr.Column(visible=has)
        if not has:
            continue
        for name, update in (view.prepare(data, values) if view.prepare else {}).items():
            values[name] = update.get("value", values[name])
            words = {"choices": worded(update["choices"])} if "choices" in update else {}
            out[name] = gr.update(**{**update, **words})
        result = view.compute(data, *(values[k.name] for k in view.knobs), presentation=presentation)
        out.update(components(view, result, data))
    names = [(f"{c}", str(i)) for i, c in enumerate(data["classes"])]
    return {**out, "ins_true": gr.Dropdown(choices=names), "ins_pred": gr.Dropdown(choices=names)}


on_refresh = named("on_refresh", KEPT, refresh)
REFRESH_CHECK = {**{k.name: ARGS[k.arg] for k in KNOBS if k.kept}, "presentation": ARGS["presentation"]}


def on_tab(*a, **kw) -> dict:
    """Another tab selected: nothing; this one: every view, fresh. (evt: gr.SelectData, sess, *KEPT, presentation)"""
    got = on_tab.__signature__.bind(*a, **kw).arguments
    return refresh(got["sess"], [got[n] for n in KEPT], got["presentation"]) if is_label(got["evt"].value, TAB) else {}


on_tab.__signature__ = on_refresh.__signature__.replace(parameters=[
    inspect.Parameter("evt", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.SelectData),
    *on_refresh.__signature__.parameters.values()])
on_tab.__annotations__ = {"evt": gr.SelectData}


def on_tab_report(evt: gr.SelectData, sess) -> dict:
    """This tab selected: the last run's report ready to download (written once per run)."""
    return on_report(sess) if is_label(evt.value, TAB) else {}


# ---------------------------------------------------------------- layout and wiring

def knob(k, p):
    """A view's control from its declaration: a radio or dropdown of its choices, else a slider over p's bounds."""
    kw = dict(label=label(f"knob.{k.name}"), elem_id=k.name.replace("_", "-"))
    if k.control == "dropdown":
        return gr.Dropdown(list(k.choices), value=k.value, scale=0, min_width=140, **kw)
    if k.choices:
        return gr.Radio(worded(k.choices), value=k.value, **kw)
    return gr.Slider(p.lo, p.hi, value=k.value, step=k.step, **kw)


def output(ui: Wired, name: str, kind: str, placeholder: str):
    """A view's output component, stored under its name; a figure gets its text alternative (Wired.plot)."""
    elem = name.replace("_", "-")
    if kind == "figure":
        ui.plot(name, plots.empty_figure(placeholder, height=430 if name == "ins_sim" else 340), show_label=False,
                elem_id=elem)
    else:
        ui[name] = gr.Dataframe(interactive=False, elem_id=elem, show_label=False) if kind == "table" \
            else gr.Markdown(elem_id=elem)


def drill_down(ui: Wired):
    """Below the confusion table: a cell's test images, one image's probabilities, Open in lab."""
    gr.Markdown(label("ins.click"), elem_classes="kd-note")
    with gr.Row():
        ui["ins_true"] = gr.Dropdown(DIGITS, value="4", label=label("ins.true"), elem_id="ins-true", min_width=120)
        ui["ins_pred"] = gr.Dropdown(DIGITS, value="9", label=label("ins.pred"), elem_id="ins-pred", min_width=120)
        ui["ins_show"] = gr.Button(label("ins.show"), elem_id="ins-show", scale=0, min_width=160)
    ui["ins_cell_text"] = gr.Markdown(elem_id="ins-cell-text")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=360):
            ui["ins_gallery"] = gr.Gallery(columns=8, height=220, allow_preview=False, elem_id="ins-gallery",
                                           object_fit="contain", buttons=[], show_label=False)
            with gr.Row():
                ui["ins_image"] = gr.Number(None, label=label("ins.image"), precision=0, minimum=0, maximum=9999,
                                            elem_id="ins-image", min_width=120)
                ui["ins_open"] = gr.Button(label("ins.open"), variant="primary", elem_id="ins-open", scale=0,
                                           min_width=160)
        with gr.Column(scale=3, min_width=420):
            ui.plot("ins_probs", plots.empty_figure(phrase("plot.empty.image"), height=300), show_label=False,
                    elem_id="ins-probs")


def build(ui: Wired, registry, sess, presentation):
    with gr.Row():
        ui["ins_source"] = gr.Markdown(label("ins.start"), elem_id="ins-source")
        ui["ins_refresh"] = gr.Button(label("ins.refresh"), scale=0, min_width=180, elem_id="ins-refresh")
        ui["ins_report"] = gr.DownloadButton(label("ins.report"), interactive=False, scale=0, min_width=180,
                                             elem_id="ins-report")
    for i, (key, view) in enumerate(CATALOG.items(), 1):
        with gr.Column(visible=view.shown({"omit": ()}), elem_id=f"ins-{key}") as box:
            ui[BOXES[key]] = box
            intro = f"\n\n{said(f'view.{key}.intro', view.intro)}" if view.intro else ""
            gr.Markdown(f"<h2>{i} · {said(f'view.{key}.title', view.title)}</h2>{intro}")
            with gr.Row():
                for k in view.knobs:
                    ui[k.name] = knob(k, ARGS[k.arg])
            for name, kind, placeholder in view.outputs:
                output(ui, name, kind, placeholder)
            if key == "per_class":
                drill_down(ui)
    _wire(ui, registry, sess, presentation)


def _wire(ui: Wired, registry, sess, presentation):
    quick = dict(show_progress="hidden", concurrency_id="insights", concurrency_limit=4, title="title.views")
    live = dict(quick, trigger_mode="always_last")
    refresh_in = [sess, *KEPT, presentation]
    done = ui.on(ui["ins_refresh"].click, on_refresh, refresh_in, VIEWS, api_name="insights", check=REFRESH_CHECK,
                 **quick)
    ui.on(done.then, on_report, [sess], ("ins_report",), api_visibility="private", **quick)
    ui.on(ui["tabs"].select, on_tab, refresh_in, VIEWS, api_visibility="private", check=REFRESH_CHECK, **quick)
    ui.on(ui["tabs"].select, on_tab_report, [sess], ("ins_report",), api_visibility="private", **quick)
    ui.on(presentation.input, on_refresh, refresh_in, VIEWS, api_visibility="private", check=REFRESH_CHECK,
          **quick)
    report_btn = gr.Button(visible=False)   # /report for API clients: the file of the session's last run
    ui.on(report_btn.click, on_report, [sess], ("ins_report",), api_name="report", **quick)
    for key, view in CATALOG.items():       # one named endpoint per view, on its first knob (or a hidden button)
        ins, outs = [sess, *(k.name for k in view.knobs), presentation], [o[0] for o in view.outputs]
        triggers = [ui[k.name].change for k in view.knobs] or [gr.Button(visible=False).click]
        for i, trigger in enumerate(triggers):
            ui.on(trigger, HANDLERS[key], ins, outs, api_name=key if i == 0 else None,
                  api_visibility="public" if i == 0 else "private", **(live if view.knobs else quick))
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
          ("tabs", *LAB_OUTPUTS, "sess"), api_name="open_in_lab", bind=with_registry,
          **dict(quick, title="title.open_lab", check=LAB_ARGS))
