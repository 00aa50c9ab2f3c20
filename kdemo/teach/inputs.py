"""The arguments the app's endpoints take besides the run settings, declared once with the parameter table's own
type (`Param`): the page's presentation flag, the lab's knobs and the teaching views' choices.

`ARGS` maps a handler's argument name to its declaration. kdemo/app/kit.py's `Wired.on` checks every endpoint's
arguments against it before the handler runs (the one door: /train's settings go through the table, these
through the same `Param.take`), and the views and the lab check with the same declarations when called directly,
narrowing a bound to the data where it depends on it (`within`).
"""
from __future__ import annotations

from dataclasses import replace

from ..methods.declare import Param

T_RANGE = (0.5, 50.0)          # the temperature sliders of the lab and the teaching views
VIEW_MODELS = ("teacher", "kd", "scratch")
SIMILARITY_MODELS = VIEW_MODELS + ("diff",)
TARGETS = ("auto",) + tuple(str(i) for i in range(10))
CLASSES = 10                   # every dataset here has ten classes; views narrow to the data's own count
TEST_IMAGES = 10_000           # test images of MNIST, Fashion-MNIST and CIFAR-10 alike


def _arg(name, kind, default, label, help, **kw) -> Param:
    return Param(name, kind, default, label, name, help, "page", None, **kw)


PRESENTATION = _arg("presentation", "bool", False, "Presentation mode", "larger fonts for a projector")
TEMPERATURE = _arg("T", "float", 4.0, "Temperature T", "softens the predictions: softmax(z / T)", lo=T_RANGE[0],
                   hi=T_RANGE[1])
SIMILARITY_MODEL = _arg("model", "choice", "teacher", "Model", "whose class similarity",
                        choices=SIMILARITY_MODELS)
MODEL = _arg("model", "choice", "kd", "Model", "whose failures", choices=VIEW_MODELS)
TRUE_CLASS = _arg("true", "int", 4, "True class", "the row of the confusion matrix", lo=0, hi=CLASSES - 1)
PREDICTED_CLASS = _arg("pred", "int", 9, "Predicted class", "its column", lo=0, hi=CLASSES - 1)
IMAGE = _arg("index", "int", 0, "Test image number", "an image of the test set", lo=0, hi=TEST_IMAGES - 1)
OMITTED_CLASS = _arg("cls", "int", 3, "Omitted class", "a class the students never saw", lo=0, hi=CLASSES - 1)
BIAS = _arg("bias", "float", 0.0, "Bias", "added to the omitted class's logit", lo=-100, hi=100)
TARGET = _arg("target", "choice", "auto", "Target class", "the class TCKD and NCKD split on", choices=TARGETS)
STUDENT = _arg("student", "choice", "yours", "Student", "your trained student or the pretrained one",
               choices=("yours", "pretrained"))
LOCK = _arg("lock", "bool", False, "Lock", "the link's controls are read-only")
AUTORUN = _arg("autorun", "bool", False, "Autorun", "the link starts its run when opened")

# by the handlers' argument names (kdemo/app/tabs/*: `which` is the similarity radio, `dkd_T` the DKD slider)
ARGS: dict[str, Param] = {"presentation": PRESENTATION, "T": TEMPERATURE, "dkd_T": TEMPERATURE,
                          "which": SIMILARITY_MODEL, "model": MODEL, "true": TRUE_CLASS, "pred": PREDICTED_CLASS,
                          "index": IMAGE, "cls": OMITTED_CLASS, "bias": BIAS, "target": TARGET,
                          "lock": LOCK, "autorun": AUTORUN}
LAB_ARGS = {**ARGS, "student": STUDENT}    # the lab's `student` is a choice, the Train tab's a model key


def within(p: Param, hi: int, value):
    """`p.take(value)` with the bound narrowed to the data at hand (its classes, its test images)."""
    return replace(p, hi=hi).take(value)
