"""The capacity gap: one teacher distilled into students of growing size, each against its from-scratch twin over
several seeds, so every student's gain from the teacher comes with its 95% interval (kdemo/train/stats.py)."""
from __future__ import annotations

from ..settings.config import TrainConfig
from ..zoo.models import shell_for
from .job import Experiment, Plan, Step
from ..lang import text
from ..figures.words import phrase

# Students in the order of the figure's legend; the figure sorts them by parameter count.
CAP_STUDENTS = ("mlp_20", "mlp_800", "lenet5_half", "lenet5")
CAP_SIZES = {  # seeds per student (paired with their twins); epochs over all 60k MNIST labels
    "tiny": dict(seeds=2, n_labeled=500, epochs=1.0, eval_samples=500),
    "quick": dict(seeds=3, n_labeled=None, epochs=0.25, eval_samples=1000),
    "full": dict(seeds=5, n_labeled=None, epochs=0.5, eval_samples=2000),
}
# Adam: every student, MLP or conv, trains from its first steps (with SGD at lr 0.003-0.01 a LeNet twin sometimes
# sits on a plateau for a hundred steps, and the "gain" measured is then that seed's luck, +-19 points wide).
CAP_PRESET = dict(dataset="mnist", teacher="lenet5", teacher_source="pretrained", student="mlp_20", method="kd",
                  temperature=4.0, ce_weight=1.0, kd_weight=1.0, optimizer="adam", lr=1e-3, batch_size=64,
                  n_labeled=None, transfer_set="labeled", twin=True, epochs=0.25, seeds=3, eval_samples=1000,
                  eval_points=4)

CAP_EXPLANATION = text("exp.capacity_gap.text")   # kdemo/lang/*/experiments.py


def capacity_plan(budget: str, seed: int) -> Plan:
    size = CAP_SIZES[budget]
    steps = []
    for student in CAP_STUDENTS:
        cfg = TrainConfig(**{**CAP_PRESET, **size, "student": student, "seed": seed})
        steps.append(Step(student, cfg, {"kd": phrase("cond.kd_model", student=student), "scratch": phrase("cond.twin_model", student=student)},
                          {"student": student}))
    return Plan(steps, analyse=_capacity_analyse)


def parameters(model_key: str, dataset: str = "mnist") -> int:
    return sum(p.numel() for p in shell_for(model_key, dataset).parameters())


def _capacity_analyse(ctx, step, run) -> dict:
    """Each row: the student's size; the distilled row also the paired gain over the twin and its 95% interval."""
    s = run.summary()
    n = parameters(step.cfg.student, step.cfg.dataset)
    ci = s.get("diff_ci95") or [None, None]
    diff = s.get("diff_mean")
    if diff is None and s.get("kd_acc") is not None and s.get("scratch_acc") is not None:
        diff = s["kd_acc"] - s["scratch_acc"]      # one seed: the difference, without an interval
    pts = lambda x: None if x is None else round(100 * x, 2)
    return {"kd": {"params": n, "seeds": step.cfg.seeds, "gain_%": pts(diff), "gain_ci_low_%": pts(ci[0]),
                   "gain_ci_high_%": pts(ci[1])},
            "scratch": {"params": n, "seeds": step.cfg.seeds}}


CAPACITY_GAP = Experiment("capacity_gap", text("exp.capacity_gap.title"), CAP_EXPLANATION,
                          CAP_PRESET, capacity_plan)
