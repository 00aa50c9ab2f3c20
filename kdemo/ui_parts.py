"""Pieces of the Gradio app that kdemo.ui assembles: the Train controls, the Experiments tab, styling, and the
optional Hugging Face Spaces (ZeroGPU) hook. Split out of ui.py to keep each file readable."""
from __future__ import annotations

import html
from dataclasses import fields

import gradio as gr
import pandas as pd

from .checkpoints import find_pretrained
from .config import TrainConfig
from .data import DATASETS
from .distillers import DISTILLERS
from .models import MODELS, format_count, models_for, param_count
from .sessions import Busy

HYPER = ("temperature", "alpha", "beta", "warmup_epochs", "ce_weight", "kd_weight", "feat_weight", "standardized")
LAB_TEMPS = (1.0, 2.0, 4.0, 8.0, 16.0)

try:  # Hugging Face ZeroGPU: GPU work must sit in @spaces.GPU functions; elsewhere this is a no-op
    import spaces
    gpu = spaces.GPU
except ImportError:
    def gpu(fn):
        return fn


def _defaults() -> dict:
    """The Train tab's starting values: KD visibly beating its twin in ~10 s on one CPU core.

    With 1000 labels the distilled student reaches 88-94% in 8 epochs while the twin is at 53-70%
    (measured, seeds 0-2, ~10 s each). Higher SGD learning rates (>= 0.01 with momentum 0.9) make KD from the
    pretrained LeNet-5, whose logits span ~36, oscillate; logit standardization also tames it.
    """
    d = {f.name: f.default for f in fields(TrainConfig)}
    d.update(dataset="mnist", teacher="lenet5", student="lenet5_half", method="kd", temperature=4.0, epochs=8.0,
             n_labeled=1000, eval_samples=2000, batch_size=64, optimizer="sgd", lr=0.005, momentum=0.9,
             teacher_epochs=1.0, time_budget_s=None)
    return d


DEFAULTS = _defaults()


def set_torch_threads(limits):
    import torch
    torch.set_num_threads(limits.threads())


def model_choices(dataset: str) -> list[tuple[str, str]]:
    return [(MODELS[k].title, k) for k in models_for(dataset)]


def pair_info(teacher: str, student: str, dataset: str, method: str) -> str:
    """'LeNet-5: 61.7k parameters → LeNet-5 (half width): 15.7k (3.9× smaller)' for the chosen pair."""
    try:
        ns = param_count(student, dataset)
        if not DISTILLERS[method].needs_teacher:
            return f"Student **{MODELS[student].title}**: {format_count(ns)} parameters (no teacher)."
        nt = param_count(teacher, dataset)
    except (KeyError, ValueError):
        return ""
    return (f"Teacher **{MODELS[teacher].title}** {format_count(nt)} parameters → student "
            f"**{MODELS[student].title}** {format_count(ns)} ({nt / max(ns, 1):.1f}× smaller)")


def _source_choices(teacher: str, dataset: str) -> list[tuple[str, str]]:
    have = find_pretrained(teacher, dataset) is not None
    return [("pretrained" if have else "pretrained (not available)", "pretrained"), ("train first", "train")]


def teacher_source_update(teacher: str, dataset: str, source: str):
    """Offer 'pretrained' only when a checkpoint exists; otherwise switch to 'train first'."""
    have = find_pretrained(teacher, dataset) is not None
    value = source if have or source == "train" else "train"
    return gr.Radio(choices=_source_choices(teacher, dataset), value=value)


def train_controls() -> dict:
    """One control per TrainConfig field (device, logs_per_epoch aside); keys are the field names."""
    d, c = DEFAULTS, {}
    dataset, classes = d["dataset"], DATASETS[d["dataset"]].class_names
    source = "pretrained" if find_pretrained(d["teacher"], dataset) else "train"
    uses = set(DISTILLERS[d["method"]].uses)
    with gr.Group():
        c["dataset"] = gr.Dropdown([(i.title, k) for k, i in DATASETS.items()], value=dataset, label="Dataset")
        c["method"] = gr.Dropdown([(cls.title, k) for k, cls in DISTILLERS.items()], value=d["method"],
                                  label="Method")
        with gr.Row():
            c["teacher"] = gr.Dropdown(model_choices(dataset), value=d["teacher"], label="Teacher")
            c["student"] = gr.Dropdown(model_choices(dataset), value=d["student"], label="Student")
        info = gr.Markdown(pair_info(d["teacher"], d["student"], dataset, d["method"]), elem_classes="kd-pair")
        with gr.Row():
            c["teacher_source"] = gr.Radio(_source_choices(d["teacher"], dataset), value=source,
                                           label="Teacher weights")
            c["teacher_epochs"] = gr.Number(d["teacher_epochs"], label="Teacher epochs", visible=source == "train")
    with gr.Group():
        c["temperature"] = gr.Slider(0.5, 20, value=d["temperature"], step=0.5, label="Temperature T",
                                     visible="temperature" in uses)
        with gr.Row():
            for name, label in (("alpha", "α (TCKD weight)"), ("beta", "β (NCKD weight)"),
                                ("warmup_epochs", "KD warm-up epochs"), ("ce_weight", "CE weight"),
                                ("kd_weight", "KD weight"), ("feat_weight", "Feature weight")):
                c[name] = gr.Number(d[name], label=label, visible=name in uses, min_width=100)
        c["standardized"] = gr.Checkbox(d["standardized"], label="Logit standardization (Sun et al. 2024)",
                                        visible="standardized" in uses)
    with gr.Group():
        with gr.Row():
            c["epochs"] = gr.Number(d["epochs"], label="Epochs (fractions allowed)", min_width=100)
            c["n_labeled"] = gr.Number(d["n_labeled"], label="Labeled images (empty = all)", min_width=100)
        c["twin"] = gr.Checkbox(d["twin"], label="Also train a from-scratch twin (same init, same batches)")
    with gr.Accordion("Optimisation", open=False):
        c["optimizer"] = gr.Radio(["sgd", "adam"], value=d["optimizer"], label="Optimizer")
        with gr.Row():
            c["lr"] = gr.Number(d["lr"], label="Learning rate", min_width=90)
            c["momentum"] = gr.Number(d["momentum"], label="Momentum", min_width=90)
            c["weight_decay"] = gr.Number(d["weight_decay"], label="Weight decay", min_width=90)
            c["batch_size"] = gr.Number(d["batch_size"], label="Batch size", min_width=90)
    with gr.Accordion("Data", open=False):
        c["transfer_set"] = gr.Radio([("labeled images only", "labeled"),
                                      ("all training images (KD on unlabeled)", "all")],
                                     value=d["transfer_set"], label="Transfer set")
        c["omit_classes"] = gr.CheckboxGroup([(n, i) for i, n in enumerate(classes)], value=[],
                                             label="Omit classes from the student's data (Hinton's missing 3)")
        c["augment"] = gr.Checkbox(d["augment"], label="Augment (random crop + flip)",
                                   visible=DATASETS[dataset].augment)
        c["seed"] = gr.Number(d["seed"], label="Seed")
    with gr.Accordion("Advanced", open=False):
        with gr.Row():
            c["eval_samples"] = gr.Number(d["eval_samples"], label="Test images per curve point (empty = all)")
            c["evals_per_epoch"] = gr.Number(d["evals_per_epoch"], label="Curve points per epoch")
            c["time_budget_s"] = gr.Number(0, label="Time budget, s (0 = server cap)")
    for name, comp in c.items():   # stable hooks for browser tests and custom CSS
        comp.elem_id = f"cfg-{name}"
    pair = [c["teacher"], c["student"], c["dataset"], c["method"]]
    for comp in pair:
        comp.change(pair_info, pair, info, api_visibility="private", show_progress="hidden")
    return c


def preset_updates(preset: dict) -> dict:
    """Train-control updates that show exactly the preset (missing fields fall back to TrainConfig defaults)."""
    values = {f.name: f.default for f in fields(TrainConfig)}
    values.update(preset)
    ds = values["dataset"]
    source = values["teacher_source"]
    if source == "pretrained" and find_pretrained(values["teacher"], ds) is None:
        source = "train"
    out = {name: gr.update(value=values[name]) for name in train_control_names()}
    out["teacher"] = gr.Dropdown(choices=model_choices(ds), value=values["teacher"])
    out["student"] = gr.Dropdown(choices=model_choices(ds), value=values["student"])
    out["omit_classes"] = gr.CheckboxGroup(choices=[(n, i) for i, n in enumerate(DATASETS[ds].class_names)],
                                           value=list(values["omit_classes"] or ()))
    out["teacher_source"] = gr.Radio(choices=_source_choices(values["teacher"], ds), value=source)
    return out


def train_control_names() -> list[str]:
    skip = {"device", "logs_per_epoch"}
    return [f.name for f in fields(TrainConfig) if f.name not in skip]


def experiments_module():
    """kdemo.experiments if it imports, else None (the app works without it)."""
    try:
        from . import experiments
        return experiments if hasattr(experiments, "EXPERIMENTS") else None
    except Exception:  # not written yet, or broken: the Experiments tab says so instead of crashing the app
        return None


def _job_status(snap: dict | None, text: str = "") -> str:
    if snap is None:
        return f"<div class='kd-status'>{html.escape(text or 'Pick an experiment and press Run.')}</div>"
    pct = 100 * float(snap.get("progress") or 0)
    line = f"{snap.get('status', '')} · {snap.get('phase', '')} · {pct:.0f}%"
    if snap.get("message"):
        line += f" · {snap['message']}"
    if snap.get("error"):
        line += f" · ⚠️ {snap['error']}"
    return (f"<div class='kd-status {html.escape(str(snap.get('status', '')))}'><div class='kd-line'>"
            f"{html.escape(line)}</div><div class='kd-bar'><div style='width:{pct:.1f}%'></div></div></div>")


N_EXP_FIGS = 4


def experiments_tab(X, registry, sess, presentation, session_of, c, tabs):
    exps = X.EXPERIMENTS
    first = next(iter(exps))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=320):
            key = gr.Dropdown([(e.title, k) for k, e in exps.items()], value=first, label="Experiment")
            budget = gr.Radio([("quick (about a minute)", "quick"), ("full (a few minutes)", "full")], value="quick",
                              label="Budget")
            seed = gr.Number(0, label="Seed")
            load_btn = gr.Button("Load preset into Train tab")
            with gr.Row():
                run_btn = gr.Button("▶ Run experiment", variant="primary")
                stop_btn = gr.Button("■ Stop", variant="stop")
        with gr.Column(scale=2, min_width=480):
            status = gr.HTML(_job_status(None), elem_id="exp-status")
            explanation = gr.Markdown(exps[first].explanation)
    with gr.Row():
        figs = [gr.Plot(visible=False, show_label=False) for _ in range(N_EXP_FIGS)]
    table = gr.Dataframe(interactive=False, wrap=True, label="Results", max_height=360, visible=False)
    timer = gr.Timer(1.0, active=False)

    def load(key):
        ups = preset_updates(exps[key].preset)
        return (gr.Tabs(selected="train"), *(ups[n] for n in c))

    def run(key, budget, seed, sess, request: gr.Request):
        sess = session_of(sess, request)
        try:
            job = registry.start_job(sess, lambda: X.start_experiment(key, budget=budget, seed=int(seed or 0)))
        except Busy as e:
            gr.Warning(str(e), title="Server busy")
            return sess, _job_status(None, str(e)), gr.skip()
        except (ValueError, KeyError) as e:
            raise gr.Error(str(e), title="Cannot start this experiment", print_exception=False) from None
        return sess, _job_status(job.snapshot()), gr.Timer(active=True)

    def poll(sess):
        job = sess.job if sess is not None else None
        if job is None:
            return (_job_status(None), gr.Timer(active=False), gr.skip(), *(gr.skip() for _ in figs))
        alive = job.alive
        snap = job.snapshot()
        try:
            out = list(X.experiment_figures(snap["key"], snap))[:N_EXP_FIGS]
        except Exception as e:  # a figure bug must not stop the polling
            out, snap = [], {**snap, "error": snap.get("error") or f"figures: {e}"}
        plots_ = [gr.Plot(value=f, visible=True) for f in out] + [gr.Plot(visible=False)] * (N_EXP_FIGS - len(out))
        rows = snap.get("table") or []
        return (_job_status(snap), gr.skip() if alive else gr.Timer(active=False),
                gr.Dataframe(value=pd.DataFrame(rows), visible=True) if rows else gr.skip(), *plots_)

    def stop(sess):
        job = sess.job if sess is not None else None
        if job is not None:
            job.stop()
        return _job_status(job.snapshot() if job is not None else None, "Nothing to stop.")

    key.change(lambda k: exps[k].explanation, key, explanation, api_visibility="private")
    load_btn.click(load, key, [tabs, *c.values()], api_name="load_preset")
    run_btn.click(run, [key, budget, seed, sess], [sess, status, timer], api_name="experiment",
                  concurrency_id="train", concurrency_limit=2)
    timer.tick(poll, sess, [status, timer, table, *figs], api_name="experiment_poll", show_progress="hidden",
               concurrency_id="poll", concurrency_limit=8)
    stop_btn.click(stop, sess, status, api_name="experiment_stop", concurrency_id="poll")


CSS = """
#kd-header h1 { margin-bottom: 0.2em; }
.kd-status { font-size: var(--text-lg); padding: 10px 14px; border-radius: 10px;
             background: var(--block-background-fill); border: 1px solid var(--border-color-primary); }
.kd-status .kd-line { margin-bottom: 6px; }
.kd-bar { height: 10px; border-radius: 5px; background: var(--neutral-200); overflow: hidden; }
.kd-bar > div { height: 100%; background: var(--color-accent); transition: width 0.4s linear; }
.kd-status.done .kd-bar > div { background: #009E73; }
.kd-status.stopped .kd-bar > div, .kd-status.failed .kd-bar > div { background: #D55E00; }
.kd-note { opacity: 0.75; font-size: var(--text-sm); }
#lab-preview img { image-rendering: pixelated; object-fit: contain; }
#lab-examples img { image-rendering: pixelated; }
#lab-examples .grid-container { grid-template-columns: repeat(10, minmax(0, 1fr)) !important; gap: 6px; }
#lab-examples .thumbnail-item { height: auto !important; aspect-ratio: 1 / 1; }
body.kd-present .gradio-container { --text-sm: 16px; --text-md: 19px; --text-lg: 22px; --text-xl: 26px;
                                    --text-xxl: 34px; --block-label-text-size: 17px; --block-info-text-size: 16px; }
"""
