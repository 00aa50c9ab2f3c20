"""The CLI end to end on tiny configurations, as a user would call it (a subprocess, no internet)."""
import json
import os
import subprocess
import sys

import pytest


def kdemo(*args, timeout=600):
    env = {**os.environ, "KDEMO_OFFLINE": "1"}   # a missing dataset must fail without trying the network
    return subprocess.run([sys.executable, "-m", "kdemo", *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


# Every bad-input case runs through the real entry point (kdemo.commands.cli.main, as `python -m kdemo` does), all in one
# child process: one torch import instead of one per case. Each case: exit status and what went to stderr.
BATCH = r"""
import contextlib, io, json, sys, traceback
from kdemo.commands.cli import main
out = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code
        except BaseException:
            traceback.print_exc()
            code = -1
    out.append([code, err.getvalue()])
print(json.dumps(out))
"""


def kdemo_batch(cases: list[list[str]]) -> list[tuple[int, str]]:
    env = {**os.environ, "KDEMO_OFFLINE": "1"}
    p = subprocess.run([sys.executable, "-c", BATCH, json.dumps(cases)], capture_output=True, text=True,
                       timeout=600, env=env)
    assert p.returncode == 0, p.stderr
    return [tuple(r) for r in json.loads(p.stdout.strip().splitlines()[-1])]


TRAIN_BAD = [
    (["--temperature", "0"], "error: Temperature T (temperature) must be a number from 0.5 to 50; got 0.0"),
    (["--seeds", "9"], "error: Seeds (seeds) must be a whole number from 1 to 8; got 9"),
    (["--epochs", "abc"], "error: Epochs (epochs) must be a number; got 'abc'"),
    (["--student", "resnet1000"], "error: unknown student 'resnet1000'; choose one of"),
    (["--method", "fitnets", "--teacher", "mlp_1200"], "needs conv feature maps"),
    (["--teacher", "mlp_800", "--student", "mlp_20"], "no pretrained mlp_800 for mnist here: set the teacher weights "
                                                       "to train first (--teacher-source train)"),
    (["--dataset", "cifar10", "--teacher", "cnn_teacher", "--student", "cnn_student"], "CIFAR-10"),
]
BENCH_BAD = [(["--repeat", "0"], "--repeat must be between 1 and 20"),
             (["nope"], "unknown bench cases"),
             (["--train-samples", "3"], "--train-samples must be at least 10")]


@pytest.fixture(scope="module")
def bad_input_answers():
    cases = [["train", *a] for a, _ in TRAIN_BAD] + [["bench", *a] for a, _ in BENCH_BAD]
    return dict(zip(map(tuple, cases), kdemo_batch(cases)))


def test_train_json_end_to_end(tmp_path):
    out = tmp_path / "student.safetensors"
    p = kdemo("train", "--method", "dkd", "--n-labeled", "500", "--epochs", "0.5", "--eval-samples", "1000",
              "--json", "--save", str(out), "--device", "cpu", "--seeds", "1")
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert summary["status"] == "done"
    assert summary["config"]["method"] == "dkd" and summary["config"]["n_labeled"] == 500
    assert 0.1 < summary["kd_acc"] <= 1 and 0 < summary["scratch_acc"] <= 1 and summary["teacher_acc"] > 0.98
    assert out.exists() and out.with_suffix(".json").exists()


def test_train_table_and_export(tmp_path):
    cfg = tmp_path / "run.json"
    p = kdemo("train", "--method", "kd", "--omit-classes", "3,5", "--export", str(cfg))
    assert p.returncode == 0, p.stderr
    assert json.loads(cfg.read_text())["omit_classes"] == [3, 5]
    p = kdemo("train", "--config", str(cfg), "--n-labeled", "300", "--epochs", "0.25", "--eval-samples", "500")
    assert p.returncode == 0, p.stderr
    assert "KD acc%" in p.stderr and "twin%" in p.stderr and "done in" in p.stderr and "points over 3 seeds" in p.stderr


@pytest.mark.parametrize("args, message", TRAIN_BAD)
def test_bad_input_is_one_clear_line(args, message, bad_input_answers):
    code, stderr = bad_input_answers[("train", *args)]
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1


def test_bench_runs_and_prints_ratios():
    p = kdemo("bench", "lenet_dkd", "--train-samples", "300", "--json")
    assert p.returncode == 0, p.stderr
    (r,) = json.loads(p.stdout)
    for side in ("engine", "reference"):
        assert r[side]["epoch_seconds"] > 0 and 0 <= r[side]["test_acc"] <= 1 and r[side]["peak_mb"] >= 0
    assert r["speedup"] == pytest.approx(r["reference"]["epoch_seconds"] / r["engine"]["epoch_seconds"])
    assert r["train_samples"] == 300
    assert r["engine"]["members"] == 1           # one student against the reference's one, whatever the defaults
    # the floor: the student's steps alone, the bound on any loop's speed-up
    assert r["floor"]["epoch_seconds"] > 0
    assert r["ceiling"] == pytest.approx(r["reference"]["epoch_seconds"] / r["floor"]["epoch_seconds"])
    assert r["engine_over_floor"] == pytest.approx(r["engine"]["epoch_seconds"] / r["floor"]["epoch_seconds"])
    assert 0 < r["engine"]["loop_seconds"] <= r["engine"]["epoch_seconds"]      # the loop is part of the epoch
    assert r["loop_over_floor"] == pytest.approx(r["engine"]["loop_seconds"] / r["floor"]["epoch_seconds"])
    assert [x["speedup"] for x in r["rounds"]] == [r["speedup"]]


def test_bench_members_rows_per_count_and_path():
    p = kdemo("bench", "members", "mlp_kd", "--train-samples", "300", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert [(r["case"], r["members"]) for r in rows] == [("mlp_kd", m) for m in (1, 2, 6, 16)]
    one = rows[0]
    assert one["path"] == "loop" and one["over_one"] == 1.0      # one member always trains on its own
    for r in rows[1:]:
        assert r["path"] == "stacked" and r["epoch_s"] == r["stacked_epoch_s"] > 0 and r["peak_mb"] >= 0
        assert r["over_one"] == pytest.approx(r["epoch_s"] / one["epoch_s"])
        assert r["loop_over_one"] == pytest.approx(r["loop_epoch_s"] / one["epoch_s"])


def test_bench_views_times_every_teaching_view():
    p = kdemo("bench", "views", "--threads", "1", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    from kdemo.teach.catalog import VIEWS
    cases = [name for view in VIEWS.values() for name, _ in view.bench]
    assert [r["view"] for r in rows[1:len(cases) + 1]] == cases and len(rows) == len(cases) + 3   # + drill-down
    assert {r["images"] for r in rows} == {10_000}
    assert all(0 < r["median_ms"] <= r["max_ms"] for r in rows)


@pytest.mark.parametrize("args, message", BENCH_BAD)
def test_bench_bad_input_is_one_clear_line(args, message, bad_input_answers):
    code, stderr = bad_input_answers[("bench", *args)]
    assert code == 2 and message in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
