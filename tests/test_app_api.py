"""The app through its real API (gradio_client against the app served in-process), plus its Gradio-free parts:
controls -> TrainConfig, server limits, session bookkeeping, and every figure builder's validity."""
import json
import re
import threading
import time

import numpy as np
import plotly.graph_objects as go
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw

from kdemo.figures import curves as plots
from kdemo.figures import lab as plots_lab
from kdemo.settings.config import TrainConfig
from kdemo.app.limits import Limits
from kdemo.train.results import result_row
from kdemo.app.sessions import Busy, Registry
from kdemo.app.tabs.controls import config_from_controls
from kdemo.commands.benchkit import visitor

TINY = dict(n_labeled=500, epochs=0.5, batch_size=32, eval_samples=500, eval_points=8, seeds=1)
LONG = dict(n_labeled=5000, epochs=5.0, batch_size=32, eval_samples=500, eval_points=40, seeds=1)


@pytest.fixture(scope="module")
def server(kdemo_server):
    return kdemo_server


def client(url):
    return visitor(url)


def status_of(status_html: str) -> str:
    found = re.search(r"kd-status (\w+)", status_html)
    return found.group(1) if found else f"no run: {status_html}"


def wait_finished(c, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = c.predict(api_name="/poll")
        if status_of(out[0]) in ("done", "stopped", "failed"):
            return out
        time.sleep(0.3)
    raise AssertionError(f"run did not finish: {out[0]}")


def start(c, **controls):
    out = c.predict(**controls, api_name="/train")
    assert status_of(out[0]) in ("pending", "running"), out[0]
    return out


def value(update):
    """A component update comes back as {'__type__': 'update', 'value': ...}."""
    return update["value"] if isinstance(update, dict) and "__type__" in update else update


def rows(table: dict) -> list[dict]:
    return [dict(zip(table["headers"], r)) for r in table["data"]]


def drawing(path, strokes, size=280, width=20):
    img = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    d = ImageDraw.Draw(img)
    for s in strokes:
        d.line(s, fill=(0, 0, 0, 255), width=width, joint="curve")
    img.save(path)
    return {"background": None, "layers": [], "composite": handle_file(str(path))}


def lab_probs(out):
    """Teacher and student probabilities at each temperature, read back from the small-multiples plot."""
    fig = json.loads(out[1]["plot"])
    teacher = [t["y"] for t in fig["data"] if t["name"] == "teacher"]
    student = [t["y"] for t in fig["data"] if t["name"] == "student"]
    return np.array(teacher), np.array(student)


# ---------------------------------------------------------------- training through the API

def test_short_run_finishes_with_results_and_downloads(server):
    _, url = server
    c = client(url)
    started = c.predict(temperature=2.5, seed=3, **TINY, api_name="/train")
    assert status_of(started[0]) in ("pending", "running", "done")
    out = wait_finished(c)
    assert status_of(out[0]) == "done", out[0]
    (row,) = rows(out[5])
    assert row["dataset"] == "mnist" and row["method"] == "kd" and row["student"] == "lenet5_half"
    assert "T=2.5" in row["hyperparameters"] and "500 labels" in row["hyperparameters"]
    assert row["status"] == "done" and 0 <= row["student acc %"] <= 100 and row["teacher acc %"] > 50
    acc = json.loads(out[1]["plot"])
    assert {t["name"] for t in acc["data"]} >= {"distilled student", "twin (labels only)"}
    assert acc["layout"]["yaxis"]["range"] == [0, 101]
    losses = {t["name"] for t in json.loads(out[2]["plot"])["data"]}
    assert {"ce (distilled student)", "kd (distilled student)", "ce (twin)"} <= losses
    csv_path, student_path, config_path = (value(x) for x in out[6:9])
    assert "mnist,lenet5,lenet5_half,kd" in open(csv_path).read()
    assert student_path.endswith(".safetensors")
    cfg = TrainConfig.from_json(open(config_path).read())
    assert cfg.temperature == 2.5 and cfg.seed == 3 and cfg.n_labeled == 500


def test_stop_halts_the_run_and_keeps_what_it_learned(server):
    _, url = server
    c = client(url)
    c.predict(**LONG, api_name="/train")
    deadline = time.time() + 60
    while time.time() < deadline:   # wait until the student is actually training
        out = c.predict(api_name="/poll")
        if "training the student" in out[0]:
            break
        time.sleep(0.3)
    c.predict(api_name="/stop")
    out = wait_finished(c, timeout=120)
    assert status_of(out[0]) == "stopped"
    (row,) = rows(out[5])
    assert row["status"] == "stopped" and row["epochs"] < LONG["epochs"]
    assert value(out[7]).endswith(".safetensors")          # the student so far is still downloadable
    again = c.predict(api_name="/poll")                          # nothing changes after the stop
    assert json.loads(again[1]["plot"])["data"] == json.loads(out[1]["plot"])["data"]


def test_concurrent_clients_each_see_only_their_own_run(server):
    _, url = server
    temps = (1.5, 3.0, 6.0)
    clients = [client(url) for _ in temps]
    results, errors = {}, []

    def go_(c, T, seed):
        try:
            start(c, temperature=T, seed=seed, **TINY)
            results[T] = rows(wait_finished(c)[5])
        except Exception as e:  # collected: pytest only sees failures of the main thread
            errors.append(e)

    threads = [threading.Thread(target=go_, args=(c, T, i)) for i, (c, T) in enumerate(zip(clients, temps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    for T in temps:
        (row,) = results[T]   # one row each: nobody sees another visitor's run
        assert f"T={T:g}" in row["hyperparameters"] and row["status"] == "done"
    assert len({results[T][0]["run"] for T in temps}) == 3


def test_a_full_server_puts_visitors_in_line_then_says_busy(server):
    demo, url = server
    queue = demo.kdemo_registry.queue
    saved = queue.slots, queue.size
    queue.slots, queue.size = 1, 1            # one run at a time, one place in line
    a, b, c = client(url), client(url), client(url)
    try:
        a.predict(**LONG, api_name="/train")
        waiting = b.predict(**TINY, api_name="/train")
        assert "kd-status queued" in waiting[0] and "1st in line" in waiting[0]
        busy = c.predict(**TINY, api_name="/train")
        assert "server busy" in busy[0] and "KDEMO_MAX_QUEUED" in busy[0]
        again = a.predict(**TINY, api_name="/train")          # one run (or place in line) per visitor
        assert "already have a run" in again[0]
        assert "left the line" in b.predict(api_name="/stop")[0]
    finally:
        a.predict(api_name="/stop")
        queue.slots, queue.size = saved
    assert status_of(wait_finished(a, timeout=120)[0]) == "stopped"
    assert status_of(b.predict(api_name="/poll")[0]).startswith("no run")   # b left the line: nothing runs


def test_a_failed_run_reports_its_error(server, monkeypatch):
    from kdemo.train import engine
    from kdemo.data.datasets import DatasetUnavailable

    def offline(*a, **k):
        raise DatasetUnavailable("MNIST (train) is not available. Looked in: nowhere")
    monkeypatch.setattr(engine, "load_dataset", offline)
    _, url = server
    c = client(url)
    c.predict(**TINY, api_name="/train")
    out = wait_finished(c)
    assert status_of(out[0]) == "failed" and "is not available" in out[0]
    assert rows(out[5])[0]["status"] == "failed"


@pytest.mark.parametrize("bad, message", [
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=2.5), "whole number"),
    (dict(temperature=-1), None),                     # the slider or TrainConfig refuses it
    (dict(student="resnet999"), None),                # not one of the dropdown's choices
    (dict(method="fitnets", student="mlp_20"), "feature maps"),
    (dict(epochs=50), "KDEMO_MAX_EPOCHS"),
    (dict(epochs=500), "Epochs \\(epochs\\) must be a number above 0 and at most 100"),
    (dict(lr=-0.1), "Learning rate \\(lr\\)"),
    (dict(seeds=9), "Seeds"), (dict(seed=2**70), "Seed"), (dict(standardized="yes"), "true or false"),
    (dict(n_labeled=-5), "n_labeled"),
])
def test_bad_training_input_is_an_error_not_a_crash(server, bad, message):
    _, url = server
    c = client(url)
    with pytest.raises(AppError, match=message):
        c.predict(**{**TINY, **bad}, api_name="/train")
    assert status_of(c.predict(api_name="/poll")[0]) != "running"


MEGABYTE = "x" * 1_000_000
REFUSED = r"Presentation mode \(presentation\) must be true or false; got 'x{40}'$"


@pytest.mark.parametrize("api, args", [
    ("/train", dict(presentation=MEGABYTE, **TINY)), ("/poll", (MEGABYTE,)),
    ("/similarity", (4.0, "teacher", MEGABYTE)), ("/why_dkd", (4.0, MEGABYTE)), ("/calibration", (MEGABYTE,)),
    ("/lab_digit", (7, 4.0, "auto", "lenet5", "pretrained", MEGABYTE)),
])
def test_every_endpoint_refuses_a_bad_flag_the_way_train_does(server, api, args):
    """One door: the same declaration (teach/inputs.py) checks `presentation` on every endpoint, in the same words,
    a 1 MB value cut to 40 characters."""
    c = client(server[1])
    with pytest.raises(AppError, match=REFUSED):
        c.predict(**args, api_name=api) if isinstance(args, dict) else c.predict(*args, api_name=api)


@pytest.mark.parametrize("api, args, message", [
    ("/similarity", (4.0, "nobody", False), r"unknown model 'nobody'; choose one of teacher, kd, scratch, diff"),
    ("/similarity", (MEGABYTE, "teacher", False), r"Temperature T \(T\) must be a number; got 'x{40}'"),
    ("/lab_digit", (7, 4.0, "11", "lenet5", "pretrained", False), r"unknown target '11'; choose one of auto, 0"),
    ("/lab_digit", (7, 4.0, "auto", "lenet5", MEGABYTE, False), r"unknown student 'x{40}'…; choose one of yours"),
    ("/per_class", (MEGABYTE, False), r"unknown model 'x{40}'…; choose one of teacher, kd, scratch"),
])
def test_the_views_choices_are_refused_by_their_declarations(server, api, args, message):
    c = client(server[1])
    with pytest.raises(AppError, match=message):
        c.predict(*args, api_name=api)


# ---------------------------------------------------------------- the Temperature lab through the API

def test_lab_on_a_drawn_one(server, tmp_path):
    _, url = server
    c = client(url)
    sketch = drawing(tmp_path / "one.png", [[(150, 40), (138, 240)]])
    out = c.predict(sketch, 4.0, "auto", "lenet5", "pretrained", api_name="/lab")
    teacher, student = lab_probs(out)
    assert teacher.shape == (5, 10) and student.shape == (5, 10)
    assert np.allclose(teacher.sum(1), 1, atol=1e-4) and np.allclose(student.sum(1), 1, atol=1e-4)
    assert int(teacher[0].argmax()) == 1, teacher[0]
    assert (np.diff(teacher.max(1)) <= 1e-9).all()             # hotter = flatter
    assert "teacher says **1**" in out[4]
    assert "KD" in out[3] and "TCKD" in out[3]
    assert out[0] is not None                                   # the 28x28 preview


def test_a_class_showing_the_same_digit_at_once_gets_whole_previews(server):
    """Gradio writes an array output to one content-named file shared by all visitors, in place: concurrent
    visitors shown the same image were served half-written files. Each session now serves its own copy."""
    _, url = server
    clients = [client(url) for _ in range(6)]

    def visitor(c):
        shapes = []
        for _ in range(4):
            out = c.predict(7, 4.0, "auto", "lenet5", "pretrained", api_name="/lab_digit")
            shapes.append(np.asarray(Image.open(out[0])).shape[:2])
        return shapes
    threads = [threading.Thread(target=lambda c=c: results.append(visitor(c))) for c in clients]
    results = []
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [s for shapes in results for s in shapes] == [(168, 168)] * 24


def test_lab_target_and_temperature_drive_the_dkd_view(server, tmp_path):
    _, url = server
    c = client(url)
    sketch = drawing(tmp_path / "zero.png", [[(140, 50), (90, 100), (90, 190), (140, 240), (190, 190), (190, 100),
                                              (140, 50)]])
    out = c.predict(sketch, 10.0, "6", "lenet5", "yours", api_name="/lab")
    assert "T = 10" in out[3] and "target **6**" in out[3]
    dkd = json.loads(out[2]["plot"])
    rest = [t for t in dkd["data"] if t.get("xaxis") == "x2"]
    assert all("6" not in t["x"] for t in rest) and all(abs(sum(t["y"]) - 1) < 1e-4 for t in rest)


@pytest.mark.parametrize("case, message", [
    ("empty", "empty"), ("ink", "all ink"), ("teacher", "unknown teacher"), ("T", None),
])
def test_bad_lab_input_is_an_error_and_the_server_keeps_serving(server, tmp_path, case, message):
    _, url = server
    c = client(url)
    good = drawing(tmp_path / "one.png", [[(150, 40), (138, 240)]])
    args = {"empty": ({"background": None, "layers": [], "composite": None}, 4.0, "auto", "lenet5"),
            "ink": (drawing(tmp_path / "ink.png", [[(2, 140), (278, 140)]], width=274), 4.0, "auto", "lenet5"),
            "teacher": (good, 4.0, "auto", "no_such_net"),
            "T": (good, 0.0, "auto", "lenet5")}[case]
    with pytest.raises(AppError, match=message):
        c.predict(*args, "pretrained", api_name="/lab")
    out = c.predict(good, 4.0, "auto", "lenet5", "pretrained", api_name="/lab")
    assert np.allclose(lab_probs(out)[0].sum(1), 1, atol=1e-4)


# ---------------------------------------------------------------- Gradio-free parts

def test_config_from_controls_reads_ui_values(kdemo_pretrained):
    cfg = config_from_controls(dict(batch_size=32.0, seed=7.0, n_labeled=60000, omit_classes=["3", 5],
                                    time_budget_s=0))
    assert cfg.batch_size == 32 and cfg.seed == 7 and cfg.n_labeled == 60000 and cfg.omit_classes == (3, 5)
    assert cfg.time_budget_s is None
    for bad, message in ((dict(batch_size=None), "Batch size \\(batch_size\\) is empty: enter a number such as 64"),
                         (dict(n_labeled=None), "every image"), (dict(n_labeled=10.5), "whole number"),
                         (dict(method="nope"), "unknown method"), (dict(dataset="imagenet"), "unknown dataset"),
                         (dict(colour="red"), "unknown setting")):
        with pytest.raises(ValueError, match=message):
            config_from_controls(bad)
    with pytest.raises(ValueError, match="train first"):
        config_from_controls(dict(teacher="mlp_20", teacher_source="pretrained"))


def test_limits_from_env_and_caps():
    lim = Limits.from_env({"KDEMO_MAX_RUNS": "3", "KDEMO_MAX_EPOCHS": "2", "KDEMO_MAX_SECONDS": "30"})
    assert (lim.max_runs, lim.max_epochs, lim.max_seconds) == (3, 2.0, 30.0)
    assert Limits.from_env({"KDEMO_MAX_SECONDS": "none"}).max_seconds is None
    with pytest.raises(ValueError, match="KDEMO_MAX_RUNS"):
        Limits.from_env({"KDEMO_MAX_RUNS": "many"})
    asked = TrainConfig(epochs=1.0, time_budget_s=60)
    cfg = lim.apply(asked)
    assert cfg.time_budget_s == 30 and asked.time_budget_s == 60   # a new config, built with the cap: never patched
    with pytest.raises(ValueError, match="KDEMO_MAX_EPOCHS"):
        lim.apply(TrainConfig(epochs=3.0))
    with pytest.raises(ValueError, match="KDEMO_MAX_EPOCHS"):
        lim.apply(TrainConfig(teacher_source="train", teacher_epochs=5.0))


class FakeRun:
    def __init__(self, cfg):
        self.cfg, self.id, self._stop = cfg, f"r{id(self)}", threading.Event()

    def start(self):
        return self

    @property
    def alive(self):
        return not self._stop.is_set()

    def stop(self):
        self._stop.set()

    def join(self, timeout=None):
        return True


def test_registry_limits_runs_and_forgets_sessions():
    reg = Registry(Limits(max_runs=2, max_queued=0))     # no line: beyond the slots, "server busy"
    a, b, c = (reg.session(k) for k in "abc")
    run_a = reg.start_run(a, TrainConfig(), FakeRun)
    with pytest.raises(Busy, match="already have a run"):
        reg.start_run(a, TrainConfig(), FakeRun)
    reg.start_run(b, TrainConfig(), FakeRun)
    with pytest.raises(Busy, match="server busy"):
        reg.start_run(c, TrainConfig(), FakeRun)
    assert reg.active() == 2 and reg.session("a") is a
    reg.forget("a")                       # what Blocks.unload does when the tab closes
    assert not run_a.alive and len(reg) == 2
    reg.start_run(c, TrainConfig(), FakeRun)
    reg.close_all()
    assert reg.active() == 0


def test_results_row_names_the_run():
    cfg = TrainConfig(method="dkd", n_labeled=100, omit_classes=(3,))
    row = result_row({"id": "abc", "status": "done", "elapsed_s": 1.234, "kd_acc": 0.9, "scratch_acc": 0.8,
                      "teacher_acc": None, "epochs_done": 1.0}, cfg)
    assert row["student acc %"] == 90.0 and row["teacher acc %"] is None
    assert "α=1" in row["hyperparameters"] and "β=" in row["hyperparameters"] and "no 3" in row["hyperparameters"]


def test_every_figure_is_valid_plotly():
    """Figures skip plotly's validation for speed; here every builder's output is validated once."""
    from kdemo.teach.lab import analyse
    from kdemo.zoo.models import create_model
    recs = [{"kind": "eval", "phase": "teacher", "epoch": 0.5, "teacher/test_acc": 0.8},
            {"kind": "eval", "phase": "student", "epoch": 0.0, "kd/test_acc": 0.1, "scratch/test_acc": 0.1},
            {"kind": "train", "phase": "student", "epoch": 0.1, "samples_per_s": 900.0, "kd/loss_ce": 2.0,
             "kd/loss_tckd": 0.3, "kd/loss_nckd": 0.2, "scratch/loss_ce": 2.1},
            {"kind": "eval", "phase": "student", "epoch": 0.25, "kd/test_acc": 0.5, "scratch/test_acc": 0.4}]
    snap = {"id": "x", "records": recs, "teacher_acc": 0.97}
    res = analyse(create_model("lenet5").eval(), create_model("lenet5_half").eval(), np.random.rand(28, 28),
                  0.13, 0.31, [str(i) for i in range(10)], T=3.0)
    figs = [plots.accuracy_figure(snap, 1.0, p) for p in (False, True)]
    figs += [plots.loss_figure(snap, 1.0), plots.throughput_figure(snap, 1.0), plots.empty_figure("hi"),
             plots.accuracy_figure({"records": []}, 1.0), plots_lab.temperature_figure(res),
             plots_lab.dkd_figure(res, True)]
    for f in figs:
        go.Figure(f.to_dict())   # raises on any invalid property
    assert plots.loss_parts(recs) == ["kd/loss_ce", "kd/loss_tckd", "kd/loss_nckd", "scratch/loss_ce"]


def test_experiment_preset_fills_the_train_tab_and_a_job_can_be_stopped(server):
    from kdemo.experiments import EXPERIMENTS
    _, url = server
    c = client(url)
    key = next(iter(EXPERIMENTS))
    updates = c.predict(key, api_name="/load_preset")
    preset = EXPERIMENTS[key].preset
    # the preset fills the Train controls in the order /train takes them (after its presentation flag)
    names = [p["parameter_name"] for p in c.view_api(return_format="dict", print_info=False)
             ["named_endpoints"]["/train"]["parameters"]][1:]
    shown = {name: value(u) for name, u in zip(names, updates, strict=True)}
    for name, v in preset.items():
        if name in shown:
            assert shown[name] == (list(v) if isinstance(v, tuple) else v), name
    out = c.predict(key, "quick", 0, api_name="/experiment")
    assert status_of(out[0]) == "running"
    c.predict(api_name="/experiment_stop")
    deadline = time.time() + 30
    while status_of(c.predict(api_name="/experiment_poll")[0]) == "running" and time.time() < deadline:
        time.sleep(0.3)
    assert status_of(c.predict(api_name="/experiment_poll")[0]) == "stopped"


def test_app_starts_without_pretrained_weights(monkeypatch, tmp_path):
    import gradio as gr
    from kdemo.zoo import checkpoints
    from kdemo.train import teachers
    from kdemo.app.build import build_demo
    monkeypatch.setattr(checkpoints, "MANIFEST", tmp_path / "missing.json")
    teachers.clear_cache()
    demo = build_demo(Registry(Limits()))
    from kdemo.app.labels import english
    texts = [english(b.value) for b in demo.blocks.values() if isinstance(b, gr.Markdown)]   # an I18n label's English
    assert any("No pretrained teacher found" in (t or "") for t in texts)
    source = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "cfg-teacher_source")
    assert source.value == "train"
    with pytest.raises(ValueError, match="train first"):
        config_from_controls(dict(teacher_source="pretrained"))
    teachers.clear_cache()


def test_events_that_show_no_progress_track_none(server):
    """A hidden event names no progress targets: Gradio's page would otherwise keep a loading status for each of
    its outputs and rewrite them all on every status change of any event (kit.Wired.on). The polls and the load
    events, the page's most frequent and widest, are among them."""
    demo, _ = server
    deps = [d for d in demo.get_config_file()["dependencies"] if d["backend_fn"]]
    hidden = [d for d in deps if d["show_progress"] == "hidden" and d["outputs"]]
    assert hidden and all(d["show_progress_on"] == [] for d in hidden), \
        [d["api_name"] for d in hidden if d["show_progress_on"] != []]
    ticks = [d for d in deps if any(kind in ("tick", "load") for _, kind in d["targets"])]
    assert len(ticks) >= 5 and all(d in hidden for d in ticks), [d["api_name"] for d in ticks if d not in hidden]
    shown = next(d for d in deps if d["api_name"] == "train")       # the Train button keeps its spinner
    assert shown["show_progress"] == "full" and shown["show_progress_on"] is None
