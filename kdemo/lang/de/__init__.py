"""Deutsch: dieselben Schlüssel wie kdemo/lang/en, in denselben Modulen (tests/test_lang.py prüft es); PARAMS: Name und
Hilfe jeder Einstellung des Train-Tabs."""
from . import base, classroom, experiments, health, plots, train, views
from .base import EMPTY, PARAMS

TEXT = {**base.TEXT, **train.TEXT, **health.TEXT, **views.TEXT, **experiments.TEXT, **classroom.TEXT, **plots.TEXT}
__all__ = ["EMPTY", "PARAMS", "TEXT"]
