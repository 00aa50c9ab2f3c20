"""What the Temperature lab shows for one 28x28 digit: which models, the softened probabilities, the DKD view and
a caption that says exactly what was compared. Gradio-free: kdemo/app/tabs/lab.py only wires it.
"""
from __future__ import annotations

import time

import numpy as np

from ..lang import html, number, text, words
from ..zoo.checkpoints import read_manifest
from ..data.datasets import DATASETS, load_dataset
from .inputs import IMAGE, STUDENT, T_RANGE, TARGET, TEMPERATURE, within  # noqa: F401  (T_RANGE: the lab's slider)
from .lab import LabInputError, analyse
from ..figures.lab import dkd_figure, temperature_figure
from ..train.teachers import load_shared

LAB_TEMPS = (1.0, 2.0, 4.0, 8.0, 16.0)

try:  # Hugging Face ZeroGPU: GPU work must sit in @spaces.GPU functions; elsewhere this is a no-op
    import spaces
    gpu = spaces.GPU
except ImportError:
    def gpu(fn):
        return fn

_infer = gpu(analyse)   # the one function that would use a GPU on a ZeroGPU Space; its arguments pickle


def pretrained_choices(dataset: str, role: str) -> list[tuple[str, str]]:
    """(label, model key) of the pretrained models of `role` for `dataset`, e.g. ('lenet5 · 99.1% test', 'lenet5')."""
    out = []
    for e in read_manifest().get("entries", []):
        if e.get("dataset") == dataset and e.get("role") == role:
            acc = e.get("test_acc")
            out.append((f"{e['model']}" + (f" · {100 * acc:.1f}% test" if acc else ""), e["model"]))
    return out


def session_student(session, dataset: str = "mnist"):
    """(model, description) of the student this session trained on `dataset`, or None. Never the live model:
    a CPU snapshot of the last published weights, refreshed when the run publishes newer ones."""
    run = getattr(session, "run", None)
    if run is None or run.cfg.dataset != dataset or not run.has_model("kd"):
        return None
    version = (run.id, len(run.snapshot()["records"]), run.status)
    if session.lab_cache.get("version") != version:
        model = run.model("kd")
        for p in model.parameters():
            p.requires_grad_(False)
        session.lab_cache = {"version": version, "model": model}
    acc = (run.final.get("kd") or {}).get("acc")
    cfg, status = run.cfg, "paused" if run.paused else run.status

    def who(code: str) -> str:      # in each language the page may show
        state = text("lab.test_acc", code, acc=number(100 * acc, code)) if acc is not None else words(status, code)
        how = text("lab.distilled", code, teacher=cfg.teacher, method=cfg.method) if cfg.uses_teacher else \
            text("lab.labels_only", code)
        return text("lab.who_yours", code, student=cfg.student, how=how, run=run.id, state=state)
    return session.lab_cache["model"], who


def test_digit(index) -> np.ndarray:
    """MNIST test image `index` as a (28, 28) float32 in [0, 1]."""
    test = load_dataset("mnist", "test", download=False)
    return test.images[within(IMAGE, len(test) - 1, index), 0].numpy().astype(np.float32) / 255.0


def example_indices() -> list[int]:
    """The first MNIST test image of each class (the lab's gallery)."""
    test = load_dataset("mnist", "test", download=False)
    return [int((test.labels == k).nonzero()[0, 0]) for k in range(10)]


def lab_view(digit: np.ndarray, T, target, teacher_key, student_choice, session, presentation: bool) -> dict:
    """Everything the lab shows for `digit`: preview, small multiples, DKD view, the numbers and a caption."""
    t0 = time.perf_counter()
    res, who = lab_result(digit, T, target, teacher_key, student_choice, session)
    preview = np.kron((255 * digit).astype(np.uint8), np.ones((6, 6), dtype=np.uint8))
    ms = 1000 * (time.perf_counter() - t0)
    numbers = html("lab.numbers", T=(res.T, None),
                   target=res.classes[res.target], pt=(res.binary_teacher[0], 3), tckd=(res.tckd, 4),
                   nckd=(res.nckd, 4), w=(res.weight, 3), kd=(res.kd, 4))
    caption = html("lab.caption", teacher=teacher_key, who=who, t=res.classes[res.teacher_pred],
                   s=res.classes[res.student_pred], ms=(ms, 0))
    if session is not None:     # served from the session's folder (see Session.image_file)
        preview = session.image_file(preview)
    return {"preview": preview, "probs": temperature_figure(res, presentation), "dkd": dkd_figure(res, presentation),
            "numbers": numbers, "caption": caption, "digit": digit}


def lab_result(digit: np.ndarray, T, target, teacher_key, student_choice, session):
    """(LabResult, which student) for `digit` at temperature T: the lab's numbers without its figures."""
    T, student_choice, target = TEMPERATURE.take(T), STUDENT.take(student_choice), TARGET.take(target or "auto")
    valid = [k for _, k in pretrained_choices("mnist", "teacher")]
    if not valid:
        raise LabInputError("told.lab_no_teacher")
    if teacher_key not in valid:
        shown = teacher_key if isinstance(teacher_key, str) and len(teacher_key) < 40 else "that"
        raise LabInputError("told.lab_teacher", shown=repr(shown), valid=", ".join(valid))
    tgt = None if target == "auto" else target
    teacher, _ = load_shared(teacher_key, "mnist")
    mine = session_student(session, "mnist") if session is not None else None
    pre = pretrained_choices("mnist", "student")
    if mine is not None and (student_choice == "yours" or not pre):
        student, who = mine
    elif pre:
        student, _ = load_shared(pre[0][1], "mnist", "student")
        # the radio asked for yours: say why this one is shown instead
        key, name = "lab.who_instead" if student_choice == "yours" else "lab.who_pretrained", pre[0][0]
        who = lambda code: text(key, code, name=name)   # noqa: E731 - the words in each language
    else:
        raise LabInputError("told.lab_no_student")
    info = DATASETS["mnist"]
    res = _infer(teacher, student, digit, info.mean[0], info.std[0], info.class_names, LAB_TEMPS, float(T),
                 None if tgt is None else int(tgt))
    return res, who
