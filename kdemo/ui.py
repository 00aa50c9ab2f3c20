"""The Gradio app: Train, Temperature lab and Experiments tabs. Layout and event wiring only.

The work happens elsewhere: kdemo.sessions (controls -> TrainConfig, per-visitor runs, limits), kdemo.plots
(figures), kdemo.lab (the lab's maths), kdemo.engine (training). Every handler reads its visitor's Session; the
only shared objects are read-only (datasets, pretrained models) and the Registry that enforces KDEMO_MAX_RUNS.
"""
from __future__ import annotations

import html
import time

import gradio as gr
import numpy as np
import pandas as pd

from . import plots
from .data import DATASETS, load_dataset
from .distillers import DISTILLERS
from .lab import LabInputError, analyse, sketch_to_digit
from .models import models_for
from .sessions import (RESULT_COLUMNS, Busy, Registry, config_from_controls, pretrained_choices, pretrained_model,
                       session_student, status_line)
from .ui_parts import (CSS, DEFAULTS, HYPER, LAB_TEMPS, experiments_module, experiments_tab, gpu, model_choices,
                       set_torch_threads, teacher_source_update, train_controls)

THEME = gr.themes.Soft(primary_hue="blue", neutral_hue="slate")


def launch_options() -> dict:
    """Keyword arguments for Blocks.launch that style the app (Gradio 6 takes theme and css at launch)."""
    return {"theme": THEME, "css": CSS}


def queue_options(demo: gr.Blocks) -> dict:
    return {"default_concurrency_limit": 4, "max_size": demo.kdemo_registry.limits.queue_size}


def _status_html(snapshot: dict | None, text: str | None = None) -> str:
    if snapshot is None:
        body = html.escape(text) if text else "Press <b>▶ Train</b> to start a run."
        return f"<div class='kd-status'>{body}</div>"
    pct = 100 * snapshot["progress"]
    body = html.escape(status_line(snapshot))
    cls = snapshot["status"]
    return (f"<div class='kd-status {cls}'><div class='kd-line'>{body}</div>"
            f"<div class='kd-bar'><div style='width:{pct:.1f}%'></div></div></div>")


def _figures(run, presentation: bool):
    snap = run.snapshot()
    total = run.cfg.epochs
    return snap, (plots.accuracy_figure(snap, total, presentation), plots.loss_figure(snap, total, presentation),
                  plots.throughput_figure(snap, total, presentation))


def _results_frame(sess) -> pd.DataFrame:
    return pd.DataFrame(sess.results if sess else [], columns=RESULT_COLUMNS)


def build_demo(registry: Registry | None = None) -> gr.Blocks:
    """The whole app. `demo.kdemo_registry` holds the per-visitor sessions (for tests and cleanup)."""
    registry = Registry() if registry is None else registry
    set_torch_threads(registry.limits)

    def session_of(sess, request):
        return sess if sess is not None else registry.session(getattr(request, "session_hash", None))

    with gr.Blocks(title="kdemo · knowledge distillation lab") as demo:
        demo.kdemo_registry = registry
        sess = gr.State(None, delete_callback=lambda s: s is not None and registry.forget(s.key))
        with gr.Row(elem_id="kd-header"):
            gr.Markdown("# kdemo — a knowledge distillation lab\nTrain a small *student* network from a big "
                        "*teacher*'s soft predictions and watch it race a twin trained on labels alone.", scale=5)
            presentation = gr.Checkbox(False, label="Presentation mode (bigger fonts and lines)", scale=0,
                                       min_width=260, container=False, elem_id="presentation")
        if not pretrained_choices("mnist", "teacher"):
            gr.Markdown("⚠️ **No pretrained teacher found** (`pretrained/manifest.json`). Training still works "
                        "with the teacher set to *train first*; the Temperature lab needs `python -m kdemo pretrain`.")
        with gr.Tabs(selected="train") as tabs:
            with gr.Tab("Train", id="train"):
                c = _train_tab(registry, sess, presentation, session_of)
            with gr.Tab("Temperature lab", id="lab"):
                _lab_tab(sess, presentation)
            with gr.Tab("Experiments", id="experiments"):
                _experiments_tab(registry, sess, presentation, session_of, c, tabs)

        presentation.change(None, presentation, None,   # bigger page fonts, client side (the CSS is in ui_parts)
                            js="(on) => { document.body.classList.toggle('kd-present', on); }")

        def forget(request: gr.Request):
            registry.forget(request.session_hash)
        demo.unload(forget)
    return demo


# ---------------------------------------------------------------- Train tab

def _train_tab(registry, sess, presentation, session_of):
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=340):
            c = train_controls()
        with gr.Column(scale=2, min_width=480):
            with gr.Row():
                train_btn = gr.Button("▶ Train", variant="primary", elem_id="train-btn", size="lg")
                stop_btn = gr.Button("■ Stop", variant="stop", elem_id="stop-btn", size="lg")
            status = gr.HTML(_status_html(None), elem_id="train-status")
            acc = gr.Plot(plots.empty_figure("The test-accuracy curves appear here."), show_label=False,
                          elem_id="acc-plot")
            with gr.Row():
                loss = gr.Plot(plots.empty_figure("Losses"), show_label=False, elem_id="loss-plot")
                tput = gr.Plot(plots.empty_figure("Throughput"), show_label=False, elem_id="tput-plot")
    gr.Markdown("### Results of this session")
    table = gr.Dataframe(_results_frame(None), interactive=False, elem_id="results", max_height=320)
    with gr.Row():
        csv_btn = gr.DownloadButton("⬇ Results (CSV)", interactive=False, size="md")
        student_btn = gr.DownloadButton("⬇ Last student (.safetensors)", interactive=False, size="md")
        config_btn = gr.DownloadButton("⬇ Last run's config (JSON)", interactive=False, size="md")
    gr.Markdown("The config JSON reruns on the command line: `python -m kdemo train --config run.json` "
                "(or `torchrun --nproc_per_node=N -m kdemo train --config run.json`).", elem_classes="kd-note")
    timer = gr.Timer(0.5, active=False)

    def start(sess, presentation, request: gr.Request, **controls):
        sess = session_of(sess, request)
        sess.record(sess.run)   # a finished run nobody polled yet still belongs in the results table
        try:
            run = registry.start_run(sess, config_from_controls(controls))
        except Busy as e:
            gr.Warning(str(e), title="Server busy" if "server busy" in str(e) else "Run in progress")
            return sess, _status_html(None, str(e)), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except ValueError as e:
            raise gr.Error(str(e), title="Cannot start this run", print_exception=False) from None
        _, figs = _figures(run, presentation)
        return (sess, _status_html(run.snapshot()), *figs, gr.Timer(active=True))

    def poll(sess, presentation):
        run = sess.run if sess is not None else None
        if run is None:
            return (_status_html(None), gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False),
                    _results_frame(sess), gr.skip(), gr.skip(), gr.skip())
        alive = run.alive
        snap, figs = _figures(run, presentation)
        if alive:
            return (_status_html(snap), *figs, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip())
        if sess.record(run) is not None and snap["status"] == "failed":
            gr.Warning(snap["error"] or "the run failed", title="Run failed")
        student = sess.student_file(run)
        return (_status_html(snap), *figs, gr.Timer(active=False), _results_frame(sess),
                gr.DownloadButton(value=str(sess.results_csv()), interactive=True),
                gr.DownloadButton(value=str(student) if student else None, interactive=student is not None),
                gr.DownloadButton(value=str(sess.config_json(run)), interactive=True))

    def stop(sess):
        run = sess.run if sess is not None else None
        if run is None or not run.alive:
            return _status_html(run.snapshot() if run else None, "Nothing to stop.")
        run.stop()
        return _status_html(run.snapshot())

    train_btn.click(start, inputs=[sess, presentation], inputs_kwargs=c, outputs=[sess, status, acc, loss, tput, timer],
                    api_name="train", concurrency_id="train", concurrency_limit=2)
    poll_outputs = [status, acc, loss, tput, timer, table, csv_btn, student_btn, config_btn]
    timer.tick(poll, inputs=[sess, presentation], outputs=poll_outputs, api_name="poll", show_progress="hidden",
               concurrency_id="poll", concurrency_limit=8)
    presentation.change(poll, inputs=[sess, presentation], outputs=poll_outputs, show_progress="hidden",
                        api_visibility="private")
    stop_btn.click(stop, inputs=sess, outputs=status, api_name="stop", concurrency_id="poll")
    _wire_dependencies(c)
    return c


def _wire_dependencies(c):
    """Dropdown choices follow the dataset; only the method's own hyperparameters are shown."""
    def on_dataset(dataset, teacher, student):
        keys = models_for(dataset)
        names = DATASETS[dataset].class_names
        return (gr.Dropdown(choices=model_choices(dataset), value=teacher if teacher in keys else DEFAULTS["teacher"]),
                gr.Dropdown(choices=model_choices(dataset), value=student if student in keys else DEFAULTS["student"]),
                gr.CheckboxGroup(choices=[(n, i) for i, n in enumerate(names)]),   # indices: the value stays valid
                gr.Checkbox(visible=DATASETS[dataset].augment))

    def on_method(method, source):
        cls = DISTILLERS[method]
        uses = set(cls.uses)
        return (*(gr.update(visible=h in uses) for h in HYPER), gr.Dropdown(visible=cls.needs_teacher),
                gr.Radio(visible=cls.needs_teacher), gr.Number(visible=cls.needs_teacher and source == "train"))

    c["dataset"].change(on_dataset, [c["dataset"], c["teacher"], c["student"]],
                        [c["teacher"], c["student"], c["omit_classes"], c["augment"]], api_name="models_for_dataset")
    c["method"].change(on_method, [c["method"], c["teacher_source"]],
                       [*(c[h] for h in HYPER), c["teacher"], c["teacher_source"], c["teacher_epochs"]],
                       api_visibility="private")
    for comp in (c["teacher"], c["dataset"]):
        comp.change(teacher_source_update, [c["teacher"], c["dataset"], c["teacher_source"]],
                    [c["teacher_source"]], api_visibility="private")
    c["teacher_source"].change(lambda s: gr.Number(visible=s == "train"), c["teacher_source"], c["teacher_epochs"],
                               api_visibility="private")


# ---------------------------------------------------------------- Temperature lab

def _lab_examples() -> list[tuple[np.ndarray, str]]:
    """One MNIST test digit per class, scaled up 3x (nearest) so the pixels stay crisp."""
    test = load_dataset("mnist", "test", download=False)
    out = []
    for k in range(10):
        i = int((test.labels == k).nonzero()[0, 0])
        out.append((np.kron(test.images[i, 0].numpy(), np.ones((3, 3), dtype=np.uint8)), str(k)))
    return out


_infer = gpu(analyse)   # the one function that would use a GPU on a ZeroGPU Space; its arguments pickle


def _lab_compute(digit, T, target, teacher_key, student_choice, sess, presentation):
    """Everything the lab shows for one 28x28 digit: preview, small multiples, DKD view and a caption."""
    t0 = time.perf_counter()
    if T is None or not 0 < float(T) <= 1000:
        raise LabInputError(f"the temperature must be between 0 (exclusive) and 1000, got {T}")
    valid = [k for _, k in pretrained_choices("mnist", "teacher")]
    if not valid:
        raise LabInputError("no pretrained MNIST teacher on this server: run `python -m kdemo pretrain` first")
    if teacher_key not in valid:
        raise LabInputError(f"unknown teacher {teacher_key!r}; pretrained MNIST teachers: {', '.join(valid)}")
    teacher, entry = pretrained_model(teacher_key, "mnist", "teacher")
    mine = session_student(sess, "mnist") if sess is not None else None
    pre = pretrained_choices("mnist", "student")
    if mine is not None and (student_choice == "yours" or not pre):
        student, who = mine
    elif pre:
        student, _ = pretrained_model(pre[0][1], "mnist", "student")
        who = f"pretrained {pre[0][0]}" + (" (train an MNIST run to see your own)" if mine is None else "")
    else:
        raise LabInputError("no student to compare: train an MNIST run in the Train tab first")
    info = DATASETS["mnist"]
    tgt = None if target in (None, "auto") else int(target)
    res = _infer(teacher, student, digit, info.mean[0], info.std[0], info.class_names, LAB_TEMPS, float(T), tgt)
    preview = np.kron((255 * digit).astype(np.uint8), np.ones((6, 6), dtype=np.uint8))
    fig_t, fig_d = plots.temperature_figure(res, presentation), plots.dkd_figure(res, presentation)
    ms = 1000 * (time.perf_counter() - t0)
    numbers = (f"At **T = {res.T:g}**, target **{res.classes[res.target]}** (teacher's p<sub>t</sub> = "
               f"{res.binary_teacher[0]:.3f}): **TCKD** = {res.tckd:.4f}, **NCKD** = {res.nckd:.4f}, weight "
               f"**1 − p<sub>t</sub>** = {res.weight:.3f}, so **KD** = {res.tckd:.4f} + {res.weight:.3f} × "
               f"{res.nckd:.4f} = **{res.kd:.4f}**. A confident teacher (p<sub>t</sub> → 1) silences NCKD: "
               f"that is why DKD weights it separately (β).")
    says = f"teacher says **{res.classes[res.teacher_pred]}**, student says **{res.classes[res.student_pred]}**"
    caption = f"Teacher: pretrained {teacher_key} · Student: {who} · {says} · computed in {ms:.0f} ms"
    return preview, fig_t, fig_d, numbers, caption, digit


def _lab_tab(sess, presentation):
    teachers = pretrained_choices("mnist", "teacher")
    with gr.Row(equal_height=False):
        with gr.Column(scale=0, min_width=330):
            gr.Markdown("**Draw a digit** — pick the brush ✎ on the left of the canvas first.")
            sketch = gr.Sketchpad(type="numpy", elem_id="sketch", canvas_size=(280, 280), show_label=False,
                                  brush=gr.Brush(default_size=20, colors=["#000000"], color_mode="fixed"),
                                  layers=False)
        with gr.Column(scale=0, min_width=210):
            preview = gr.Image(label="What the models see (28×28)", height=250, interactive=False,
                               elem_id="lab-preview", buttons=[])
        with gr.Column(scale=3, min_width=420):
            caption = gr.Markdown("Draw a digit or pick an MNIST test digit below.", elem_id="lab-caption")
            with gr.Row():
                teacher = gr.Dropdown(teachers, value=teachers[0][1] if teachers else None, label="Teacher",
                                      allow_custom_value=True)
                student = gr.Radio([("your trained student", "yours"), ("pretrained student", "pretrained")],
                                   value="yours", label="Student")
                target = gr.Dropdown(["auto"] + [str(i) for i in range(10)], value="auto",
                                     label="Target class (auto = teacher's guess)")
            try:
                gallery = gr.Gallery(_lab_examples(), columns=10, rows=1, height=84, allow_preview=False,
                                     elem_id="lab-examples", object_fit="contain", buttons=[], show_label=False)
                gr.Markdown("↑ …or click an MNIST test digit.", elem_classes="kd-note")
            except Exception:  # no MNIST test set: drawing still works
                gallery = None
    probs = gr.Plot(plots.empty_figure("Softened probabilities at T = 1, 2, 4, 8, 16", height=320),
                    show_label=False, elem_id="lab-probs")
    gr.Markdown("### Decoupled view (DKD): target vs rest at any temperature")
    T = gr.Slider(0.5, 50, value=4, step=0.5, label="Temperature T for the decoupled view", elem_id="lab-T")
    dkd = gr.Plot(plots.empty_figure("TCKD, NCKD and KD appear here", height=320), show_label=False, elem_id="lab-dkd")
    numbers = gr.Markdown()
    digit = gr.State(None)
    outputs = [preview, probs, dkd, numbers, caption, digit]
    knobs = [T, target, teacher, student, sess, presentation]

    def strict(sketch_value, T, target, teacher, student, sess, presentation):
        try:
            return _lab_compute(sketch_to_digit(sketch_value), T, target, teacher, student, sess, presentation)
        except (LabInputError, ValueError) as e:
            raise gr.Error(str(e), title="Temperature lab", print_exception=False) from None

    def on_draw(sketch_value, *rest):
        try:
            d = sketch_to_digit(sketch_value)
        except LabInputError as e:  # clearing the canvas is no mistake: just say what to do
            return None, gr.skip(), gr.skip(), "", str(e).capitalize() + ".", None
        return _safe(d, *rest)

    def _safe(d, *rest):
        if d is None:
            return (gr.skip(),) * 6
        try:
            return _lab_compute(d, *rest)
        except (LabInputError, ValueError) as e:
            gr.Warning(str(e), title="Temperature lab")
            return (gr.skip(),) * 6

    def on_example(evt: gr.SelectData, *rest):
        test = load_dataset("mnist", "test", download=False)
        i = int((test.labels == int(evt.index)).nonzero()[0, 0])
        return _safe(test.images[i, 0].numpy().astype(np.float32) / 255.0, *rest)

    lab = dict(show_progress="hidden", concurrency_id="lab", concurrency_limit=4, trigger_mode="always_last")
    sketch.change(on_draw, [sketch, *knobs], outputs, api_visibility="private", **lab)
    api_btn = gr.Button(visible=False)   # the strict endpoint for API clients: errors instead of hints
    api_btn.click(strict, [sketch, T, target, teacher, student, sess, presentation], outputs, api_name="lab", **lab)
    for comp in (T, target, teacher, student, presentation):
        comp.change(_safe, [digit, *knobs], outputs, api_visibility="private", **lab)
    if gallery is not None:
        gallery.select(on_example, knobs, outputs, api_visibility="private", **lab)


# ---------------------------------------------------------------- Experiments tab

def _experiments_tab(registry, sess, presentation, session_of, c, tabs):
    X = experiments_module()
    if X is None:
        gr.Markdown("The experiments module (`kdemo.experiments`) is not available in this build.")
        return
    experiments_tab(X, registry, sess, presentation, session_of, c, tabs)
