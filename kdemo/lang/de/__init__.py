"""Deutsch: dieselben Schlüssel wie kdemo/lang/en, in denselben Modulen (tests/test_lang.py prüft es); PARAMS: Name und
Hilfe jeder Einstellung des Train-Tabs; LABELS: die Namen der übrigen Einstellungen und Argumente (für Meldungen)."""
from . import base, classroom, columns, experiments, health, plots, told, train, views
from .base import EMPTY, PARAMS
from .told import LABELS

TEXT = {**base.TEXT, **train.TEXT, **health.TEXT, **views.TEXT, **experiments.TEXT, **classroom.TEXT, **plots.TEXT,
        **told.TEXT, **columns.TEXT}
__all__ = ["EMPTY", "LABELS", "PARAMS", "TEXT"]
