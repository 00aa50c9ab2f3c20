"""Runs in TensorBoard and Trackio: one naming convention for the trackers and the summary's "metrics", and what a
tracker holds after a run is what the run recorded (read back with each tracker's own reader, local files only)."""
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kdemo.commands import cli
from kdemo.experiments.job import ExperimentJob, Plan, Step
from kdemo.figures import tracking
from kdemo.settings.config import TrainConfig
from kdemo.train.engine import Run
from kdemo.train.records import metric_name, record_metrics

ROOT = Path(__file__).resolve().parent.parent
TINY = dict(epochs=0.2, seeds=2, eval_points=3, log_points=3)
NAME = re.compile(r"^(final/)?(seed_\d+/)?(kd|twin|teacher)/(test_acc(_sd)?|train_acc|loss/[a-z]+)$"
                  r"|^(perf/(samples_per_s|elapsed_s|epochs)|health/events|final/diff(_sd|_ci95_lo|_ci95_hi)?)$")


@pytest.fixture(scope="module")
def run():
    r = Run(TrainConfig(method="dkd", seed=3, **TINY))
    r.run()
    assert r.status == "done"
    return r


def evals(run) -> list[dict]:
    return [r for r in run.snapshot()["records"] if r["kind"] == "eval"]


def test_record_keys_follow_one_convention():
    assert metric_name("scratch/test_acc") == "twin/test_acc"
    assert metric_name("kd/loss_nckd") == "kd/loss/nckd"
    rec = {"kind": "eval", "phase": "student", "step": 5, "epoch": 0.1, "elapsed": 1.0, "kd/test_acc": 0.5,
           "kd/test_acc_seeds": [0.4, 0.6], "scratch/test_acc": 0.3, "scratch/test_acc_seeds": [0.3, 0.3]}
    m = record_metrics(rec, [3, 4])
    assert m["kd/test_acc"] == 0.5 and m["seed_3/kd/test_acc"] == 0.4 and m["seed_4/kd/test_acc"] == 0.6
    assert m["kd/test_acc_sd"] == pytest.approx(0.1414213, rel=1e-5) and m["twin/test_acc_sd"] == 0.0
    assert m["seed_4/twin/test_acc"] == 0.3 and all(NAME.match(k) for k in m)


def test_every_record_and_the_summary_use_the_convention(run):
    seeds = [3, 4]
    for rec in run.snapshot()["records"]:
        m = record_metrics(rec, seeds)
        assert m and all(NAME.match(k) for k in m), sorted(m)
        for key, value in rec.items():
            if "/" in key and not key.endswith("_seeds"):
                assert m[metric_name(key)] == value
    assert {"kd/loss/ce", "kd/loss/tckd", "kd/loss/nckd", "twin/loss/ce"} <= set(record_metrics(
        next(r for r in run.snapshot()["records"] if r["kind"] == "train"), seeds))
    s = run.summary()
    m = s["metrics"]
    assert all(NAME.match(k) for k in m), sorted(m)
    assert m["final/kd/test_acc"] == s["kd_acc"] and m["final/twin/test_acc"] == s["scratch_acc"]
    assert m["final/teacher/test_acc"] == s["teacher_acc"] and m["final/diff"] == s["diff_mean"]
    assert [m["final/seed_3/kd/test_acc"], m["final/seed_4/kd/test_acc"]] == [p["kd_acc"] for p in s["per_seed"]]
    assert [m["final/diff_ci95_lo"], m["final/diff_ci95_hi"]] == s["diff_ci95"]
    assert m["final/kd/test_acc_sd"] == pytest.approx(s["kd_acc_sd"]) and m["health/events"] == len(s["health"])


def tensorboard_scalars(folder: Path) -> tuple[dict, dict]:
    """({tag: {step: value}}, hyperparameters) of one TensorBoard run folder, through TensorBoard's reader."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2
    ea = EventAccumulator(str(folder), size_guidance={"scalars": 0, "tensors": 0})
    ea.Reload()
    scalars = {t: {e.step: e.value for e in ea.Scalars(t)} for t in ea.Tags()["scalars"]}
    content = ea.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    info = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    hp = {k: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for k, v in info.hparams.items()}
    return scalars, hp



def new_threads(before: set) -> list:
    """Threads alive now that were not before: a count would also move when another test's thread ends meanwhile
    (a gradio_client's heartbeat)."""
    return [t.name for t in threading.enumerate() if t not in before]


def test_tensorboard_holds_what_the_run_recorded(run, tmp_path):
    pytest.importorskip("tensorboard")
    before = set(threading.enumerate())
    tracking.track_run(run, "tensorboard", tmp_path, "dkd-a", "group1")
    assert new_threads(before) == []          # the writer's thread ended with close()
    scalars, hp = tensorboard_scalars(tmp_path / "group1" / "dkd-a")
    for rec in evals(run):                              # every evaluation, every member (float32 in event files)
        for k, v in record_metrics(rec, [3, 4]).items():
            assert scalars[k][rec["step"]] == pytest.approx(v, rel=1e-6), k
    for k, v in run.summary()["metrics"].items():
        if k.startswith("final/"):
            assert list(scalars[k].values()) == [pytest.approx(v, rel=1e-6)], k
    assert hp["method"] == "dkd" and hp["seed"] == 3 and hp["omit_classes"] == "[]"


@pytest.fixture(scope="module")
def trackio_dir(tmp_path_factory):
    """Trackio reads its folder once per process (TRACKIO_DIR at import): one folder for this module's tests."""
    if importlib.util.find_spec("trackio") is None:
        pytest.skip("trackio is not installed (pip install -r requirements-test.txt)")
    if sys.modules.get("trackio") is not None:
        pytest.skip("trackio was imported before this module chose its folder")
    old = os.environ.get("TRACKIO_DIR")
    yield tmp_path_factory.mktemp("trackio")
    if old is None:          # the tracker set it for this process: leave the environment as it was
        os.environ.pop("TRACKIO_DIR", None)
    else:
        os.environ["TRACKIO_DIR"] = old


def trackio_logs(run_name: str) -> tuple[dict, dict]:
    """({step: {metric: value}}, config) of one Trackio run, through Trackio's own database reader."""
    from trackio.sqlite_storage import SQLiteStorage
    by_step: dict = {}
    for row in SQLiteStorage.get_logs(tracking.PROJECT, run_name):
        by_step.setdefault(row["step"], {}).update({k: v for k, v in row.items() if k not in ("step", "timestamp")})
    return by_step, SQLiteStorage.get_run_config(tracking.PROJECT, run_name)


def test_trackio_holds_what_the_run_recorded(run, trackio_dir):
    before = set(threading.enumerate())
    tracking.track_run(run, "trackio", trackio_dir, "dkd-b", "group1")
    assert new_threads(before) == []          # its sender thread ended with close()
    assert (trackio_dir / "kdemo.db").is_file()
    logs, config = trackio_logs("dkd-b")
    for rec in run.snapshot()["records"]:
        for k, v in record_metrics(rec, [3, 4]).items():
            assert logs[rec["step"]][k] == v, k
    last = logs[max(logs)]
    assert {k: last[k] for k in run.summary()["metrics"]} == run.summary()["metrics"]
    assert config["method"] == "dkd" and config["_Group"] == "group1"


def cli_run(folder, kind: str, name: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "kdemo", "train", "--threads", "1", "--epochs", "0.2", "--seeds", "2",
                          "--eval-points", "2", "--track", kind, "--track-dir", str(folder), "--track-name", name,
                          "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)       # stdout holds the summary only: the trackers print on stderr


def test_the_cli_logs_to_tensorboard_what_json_says(tmp_path):
    pytest.importorskip("tensorboard")
    summary = cli_run(tmp_path, "tensorboard", "cli-a")
    scalars, hp = tensorboard_scalars(tmp_path / "cli-a")
    assert hp["track"] == "tensorboard" and summary["metrics"]["final/kd/test_acc"] == summary["kd_acc"]
    for k in ("final/kd/test_acc", "final/twin/test_acc", "final/seed_0/kd/test_acc", "final/seed_1/twin/test_acc"):
        assert list(scalars[k].values()) == [pytest.approx(summary["metrics"][k], rel=1e-6)]


def test_the_cli_logs_to_trackio_what_json_says(run, trackio_dir):
    tracking.track_run(run, "trackio", trackio_dir, "first", None)     # this process reads trackio_dir
    summary = cli_run(trackio_dir, "trackio", "cli-b")
    logs, config = trackio_logs("cli-b")
    final = {k: v for row in logs.values() for k, v in row.items() if k.startswith("final/")}
    assert final == {k: v for k, v in summary["metrics"].items() if k.startswith("final/")}
    assert final["final/kd/test_acc"] == summary["kd_acc"] and final["final/twin/test_acc"] == summary["scratch_acc"]
    assert config["track"] == "trackio"


@pytest.mark.parametrize("kind,module", [("tensorboard", "torch.utils.tensorboard"), ("trackio", "trackio")])
def test_a_missing_tracker_says_which_extra_to_install(kind, module, monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)          # as if it were not installed
    monkeypatch.setitem(sys.modules, kind, None)
    monkeypatch.delenv("TRACKIO_DIR", raising=False)
    before = set(threading.enumerate())
    code = cli.main(["train", "--epochs", "0.2", "--track", kind, "--track-dir", str(tmp_path / "t")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1] == (f"error: --track {kind} needs the {kind} package: pip install "
                                     f"'kdemo[{kind}]' (or pip install {kind})")
    assert new_threads(before) == []               # refused before any run started
    code = cli.main(["experiment", "temperature_sweep", "--budget", "tiny", "--track", kind])
    assert code == 2 and capsys.readouterr().err.strip().splitlines()[-1] == err[-1]
    assert new_threads(before) == []               # and before any experiment job started


def test_the_app_never_imports_a_tracker():
    code = ("import sys; import kdemo.app.build; "
            "print([m for m in ('trackio', 'tensorboard', 'kdemo.figures.tracking') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr[-2000:]


def test_unknown_tracker_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="choose one of none, tensorboard, trackio"):
        TrainConfig(track="wandb")
    with pytest.raises(ValueError, match="unknown tracker 'wandb'; choose one of tensorboard, trackio"):
        tracking.open_tracker("wandb", None, "a", None, {})


def test_an_experiment_logs_one_run_per_step_in_one_group(tmp_path):
    pytest.importorskip("tensorboard")
    steps = [Step(f"T={t}", TrainConfig(temperature=t, seeds=1, epochs=0.1, eval_points=2, log_points=2),
                  {"kd": f"KD, T={t}", "scratch": "twin"}) for t in (1.0, 4.0)]
    job = ExperimentJob("demo", "demo", Plan(steps), "tiny", 0, after_run=lambda label, r: tracking.track_run(
        r, "tensorboard", tmp_path, label, "demo-group"))
    job.run()
    assert job.status == "done"
    assert sorted(p.name for p in (tmp_path / "demo-group").iterdir()) == ["T=1.0", "T=4.0"]
    for r, label in zip(job.runs, ("T=1.0", "T=4.0")):
        scalars, hp = tensorboard_scalars(tmp_path / "demo-group" / label)
        assert hp["temperature"] == r.cfg.temperature
        assert list(scalars["final/kd/test_acc"].values()) == [pytest.approx(r.summary()["kd_acc"], rel=1e-6)]
