"""English: every text kdemo shows through kdemo.lang, by key, one module per area of the page. The German package
beside it has the same modules and keys (tests/test_lang.py)."""
from . import base, classroom, columns, experiments, health, plots, told, train, views

TEXT = {**base.TEXT, **train.TEXT, **health.TEXT, **views.TEXT, **experiments.TEXT, **classroom.TEXT, **plots.TEXT,
        **told.TEXT, **columns.TEXT}
