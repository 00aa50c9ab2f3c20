"""The capacity-gap experiment: its plan per budget, and one tiny job whose rows carry each student's paired gain
over its twin with the 95% interval, drawn against student size."""
import plotly.graph_objects as go
import pytest
import torch

from kdemo.experiments import EXPERIMENTS, experiment_figures, start_experiment
from kdemo.experiments.capacity import CAP_STUDENTS, capacity_plan, parameters


@pytest.mark.parametrize("budget, seeds", [("tiny", 2), ("quick", 3), ("full", 5)])
def test_plan_one_run_per_student_with_several_seeds(budget, seeds):
    plan = capacity_plan(budget, 4)
    assert [s.cfg.student for s in plan.steps] == list(CAP_STUDENTS)
    for s in plan.steps:
        assert s.cfg.seeds == seeds and s.cfg.teacher == "lenet5" and s.cfg.trains_twin and s.cfg.seed == 4
        assert s.cfg.method == "kd" and s.cfg.dataset == "mnist"
    assert "capacity_gap" in EXPERIMENTS


def test_parameter_counts_order_the_students():
    n = {k: parameters(k) for k in CAP_STUDENTS}
    assert n["lenet5_half"] < n["mlp_20"] < n["lenet5"] < n["mlp_800"]
    assert n["lenet5"] == 61_706


@pytest.fixture(scope="module")
def snapshot():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)     # two OpenMP threads on a shared 2-core machine are several times slower
    try:
        job = start_experiment("capacity_gap", budget="tiny", seed=0)
        assert job.join(timeout=600), "the job did not finish"
        return job.snapshot()
    finally:
        torch.set_num_threads(threads)


def test_tiny_job_rows_carry_gain_and_interval(snapshot):
    assert snapshot["status"] == "done", snapshot["error"]
    rows = snapshot["table"]
    assert [r["condition"] for r in rows] == [f"{m} {s}" for s in CAP_STUDENTS for m in ("KD", "twin")]
    for kd, twin in zip(rows[::2], rows[1::2]):
        assert kd["student"] == twin["student"] and kd["params"] == parameters(kd["student"]) and kd["seeds"] == 2
        # the mean paired difference is the difference of the means (in points, both rounded to 0.01)
        assert kd["gain_%"] == pytest.approx(kd["test_acc_%"] - twin["test_acc_%"], abs=0.011)
        assert kd["gain_ci_low_%"] <= kd["gain_%"] <= kd["gain_ci_high_%"]
        assert "gain_%" not in twin or twin["gain_%"] is None


def test_figures_gain_against_size(snapshot):
    figs = experiment_figures("capacity_gap", snapshot)
    assert len(figs) == 2
    for fig in figs:
        go.Figure(fig.to_dict())      # validated
    gain = figs[0]
    assert gain.layout.xaxis.type == "log"
    points = {name: (x, y) for t in gain.data for name, x, y in zip(t.text, t.x, t.y)}
    rows = {r["student"]: r for r in snapshot["table"] if r["condition"].startswith("KD")}
    assert set(points) == set(CAP_STUDENTS)
    for name, (x, y) in points.items():
        assert x == rows[name]["params"] and y == rows[name]["gain_%"]
    waiting = experiment_figures("capacity_gap", {"table": [], "status": "running"})
    assert len(waiting) == 1 and "waiting" in waiting[0].layout.annotations[0].text
