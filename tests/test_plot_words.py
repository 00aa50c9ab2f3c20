"""Plots in every language (kdemo/figures/words.py): every figure builder puts each visible word of its figure (title,
axis titles, notes, legend names, colour-bar titles) into layout.meta in every language kdemo speaks, English stays
in the figure itself, and the page's German is German. Built from small synthetic inputs: no training, no downloads."""
import re

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from kdemo import lang
from kdemo.experiments import experiment_figures
from kdemo.figures import board, curves, insights as pi, lab
from kdemo.figures.describe import alt_html
from kdemo.figures.words import META, translated
from kdemo.teach.lab import analyse
from kdemo.zoo.models import create_model

OTHERS = [c for c in lang.TABLES if c != lang.DEFAULT]
# the same in German: a formula, a word German shares; texts without a three-letter word are symbols ("T = 4")
SAME = {"<b>KD = TCKD + (1−p<sub>t</sub>)·NCKD</b>", "Rest"}


def worded(text: str) -> bool:
    return text not in SAME and re.search(r"[A-Za-z]{3}", re.sub(r"<[^>]+>", "", text)) is not None


def visible(fig: dict) -> dict:
    """Path -> text of every word plotly draws as a title, axis title, note, legend entry or colour-bar title."""
    lay, out = fig["layout"], {}
    title = (lay.get("title") or {}).get("text")
    if title:
        out[("layout", "title", "text")] = title
    for k, v in lay.items():
        if k[1:5] == "axis" and isinstance(v, dict) and (v.get("title") or {}).get("text"):
            out[("layout", k, "title", "text")] = v["title"]["text"]
    for i, a in enumerate(lay.get("annotations") or []):
        if a.get("text"):
            out[("layout", "annotations", i, "text")] = a["text"]
    for i, t in enumerate(fig["data"]):
        if t.get("name") and t.get("showlegend", True) is not False:
            out[("data", i, "name")] = t["name"]
        bar = ((t.get("colorbar") or {}).get("title") or {})
        if isinstance(bar, dict) and bar.get("text"):
            out[("data", i, "colorbar", "title", "text")] = bar["text"]
    return out


def check(fig, english_only: set = frozenset()):
    """Every visible word is in meta for every other language, and a different word there unless it is a name."""
    js = fig.to_plotly_json()
    go.Figure(js)                                   # meta is a valid layout property
    words = visible(js)
    for code in OTHERS:
        said = {tuple(p): v for p, v in js["layout"]["meta"][META][code]}
        missing = [(p, w) for p, w in words.items() if p not in said and w not in english_only and worded(w)]
        assert missing == [], f"not in {code}: {missing}"
        same = [w for p, w in words.items() if p in said and said[p] == w and w not in english_only and worded(w)]
        assert same == [], f"the same in {code}: {same}"
        shown = translated(js, code)
        assert all(visible(shown)[p] == said[p] for p in words if p in said)
    return js


SNAP = {"id": 3, "seeds": 2, "teacher_acc": 0.99, "paused": True,
        "records": [{"kind": "eval", "phase": "student", "epoch": e, "step": 10 * e, "kd/test_acc": 0.9 + e / 100,
                     "scratch/test_acc": 0.8, "kd/test_acc_seeds": [0.9, 0.91], "scratch/test_acc_seeds": [0.8, 0.81]}
                    for e in (0.5, 1.0)] +
                   [{"kind": "train", "phase": "student", "epoch": e, "kd/loss_ce": 0.5, "kd/loss_kd": 0.2,
                     "scratch/loss_ce": 0.6, "samples_per_s": 100.0 * e} for e in (0.5, 1.0)],
        "health": [{"group": "kd", "epoch": 1.0, "message": "the distilled student diverged", "step": 10}]}


def test_the_train_tabs_plots_carry_their_words_in_every_language():
    check(curves.accuracy_figure(SNAP, 1.0))
    check(curves.loss_figure(SNAP, 1.0))
    check(curves.throughput_figure(SNAP, 1.0))
    js = check(curves.accuracy_figure({"records": []}, 1.0))
    assert "waiting for the first evaluation…" in str(js)
    assert curves.accuracy_figure(SNAP, 1.0).layout.title.text == "Test accuracy by epoch"      # English unchanged


def test_the_labs_plots_and_their_text_alternative():
    torch.manual_seed(0)
    t, s = create_model("lenet5").eval(), create_model("lenet5_half").eval()
    digit = np.zeros((28, 28), np.float32)
    digit[6:22, 12:16] = 1.0
    res = analyse(t, s, digit, 0.1307, 0.3081, [str(i) for i in range(10)], T=4.0)
    js = check(lab.temperature_figure(res))
    said = dict((tuple(p), v) for p, v in js["layout"]["meta"][META]["de"])
    assert said[("layout", "annotations", 0, "text")].startswith("<b>T = 1</b><br>Entropie ")
    assert said[("layout", "separators")] == ",."
    check(lab.dkd_figure(res))
    alt = lang.only(alt_html(lab.dkd_figure(res)), "de")
    assert "unter den Nicht-Zielen" in alt and "Lehrer" in alt


def test_the_teaching_views_plots():
    classes = [str(i) for i in range(10)]
    m = np.full((10, 10), 0.01) + np.eye(10)
    check(pi.similarity_figure(m.tolist(), classes, "Class similarity"), english_only={"Class similarity"})
    rel = {"bin_confidence": [0.5, 0.9], "bin_accuracy": [0.4, 0.95], "count": [3, 40], "ece": 0.02}
    check(pi.reliability_figure({"teacher": rel, "kd": rel}))
    check(pi.per_class_figure({"kd": [[0.9] * 10, [0.92] * 10], "scratch": [[0.8] * 10]}, classes))
    check(pi.confusion_figure(np.eye(10, dtype=int).tolist(), classes, "Confusion"), english_only={"Confusion"})
    check(pi.image_probs_figure({"teacher": [0.1] * 10}, classes, 3, "image"), english_only={"image"})
    stats = {"edges": [0, 0.5, 1.0], "p_t_hist": [1, 9], "weight_hist": [9, 1], "mean_p_t": 0.8, "mean_weight": 0.2,
             "images": 10000, "T": 4.0}
    js = check(pi.nckd_figure(stats))
    said = dict((tuple(p), v) for p, v in js["layout"]["meta"][META]["de"])
    assert said[("layout", "title", "text")] == "Über 10.000 Testbilder bei T = 4"
    curves_ = {"kd": {"bias": [0, 1], "class_acc": [0, 0.5], "overall_acc": [0.9, 0.92]}}
    check(pi.bias_figure(curves_, 0.5, {"kd": 0.7}, "3"))
    check(board.board_figure([], {}, "gain", "gain"))


def test_the_views_titles_from_their_handlers():
    from kdemo.teach import views as v
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(1, 50, 10, generator=gen)
    data = {"labels": torch.randint(0, 10, (50,), generator=gen), "classes": [str(i) for i in range(10)],
            "teacher": logits[0], "kd": logits, "scratch": logits - 1, "omit": []}
    for which in ("teacher", "diff"):
        check(v.similarity_view(data, 4.0, which)["ins_sim"])
    check(v.confusion_view(data, "kd")["ins_confusion_fig"])
    check(v.image_view(data, 3)["ins_probs"])


def rows_missing():
    return [{"condition": c, "test_3s_%": 10.0, "test_3s_right": 1, "test_3s": 10, "test_3s_%_after": 60.0,
             "test_3s_right_after": 6, "test_acc_%": 90.0, "test_acc_%_after": 91.0} for c in ("KD", "twin")]


RUNS = [{"label": "KD", "members": {"kd": "KD T=4", "scratch": "twin (labels only)"},
         "config": {"n_labeled": 1000, "transfer_set": "labeled", "batch_size": 100}}]
RECORDS = {"KD": [{"kind": "eval", "phase": "student", "epoch": 1.0, "kd/test_acc": 0.9, "scratch/test_acc": 0.8},
                  {"kind": "train", "phase": "student", "epoch": 1.0, "kd/loss_ce": 0.3, "kd/loss_kd": 0.1}]}


@pytest.mark.parametrize("key, snap", [
    ("missing_digit", {"table": rows_missing(), "runs": RUNS, "records": RECORDS, "details": {"teacher_acc_%": 99.0}}),
    ("missing_digit", {"table": [], "status": "running"}),
    ("few_labels", {"table": [{"condition": "KD", "test_acc_%": 80.0}], "runs": RUNS, "records": RECORDS}),
    ("temperature_sweep", {"table": [{"condition": "KD T=2", "T": 2.0, "test_acc_%": 90.0},
                                     {"condition": "scratch", "T": None, "test_acc_%": 85.0}],
                           "runs": RUNS, "records": RECORDS,
                           "details": {"example": {"temperatures": [1.0, 4.0], "label": 3, "image": [[0.0] * 28] * 28,
                                                   "probs": [[0.1] * 10, [0.1] * 10],
                                                   "classes": [str(i) for i in range(10)]}}}),
    ("dkd_grid", {"table": [{"condition": "DKD", "alpha": 1.0, "beta": 2.0, "test_acc_%": 90.0},
                            {"condition": "KD T=4", "alpha": None, "test_acc_%": 89.0}],
                  "details": {"T": 4.0, "coupling_weight": 0.1, "coupling_weight_T1": 0.01}}),
    ("notebook_mlp_kd", {"runs": RUNS, "records": RECORDS}),
    ("prob_bug", {"table": [{"condition": "correct KD", "test_acc_%": 90.0}], "runs": [],
                  "records": {"correct KD": [{"kind": "train", "phase": "student", "epoch": 1.0, "kd/loss_kd": 0.2}]}}),
    ("capacity_gap", {"table": [{"condition": f"{m} mlp_s", "student": "mlp_s", "params": 1000, "gain_%": 1.0,
                                 "gain_ci_low_%": 0.5, "gain_ci_high_%": 1.5, "seeds": 3, "test_acc_%": 90.0}
                                for m in ("KD", "twin")]}),
    ("capacity_gap", {"table": [], "status": "running"}),
])
def test_the_experiments_plots(key, snap):
    # condition names are the experiment's own (the table's), and loss keys are kdemo's metric names
    names = {"KD T=4", "kd/loss_ce", "kd/loss_kd"}
    for fig in experiment_figures(key, snap):
        check(fig, english_only=names)


def test_every_experiments_conditions_are_said_in_every_language():
    """A row's condition ("scratch twin", "KD, 500 labels") is data, kept in English for files and API clients,
    and a Text the page's table (results_table in the request's language) and figures say in the visitor's."""
    from kdemo.app.tabs.experiments import results_table
    from kdemo.experiments.registry import EXPERIMENTS
    from kdemo.figures.words import Text
    for key, exp in EXPERIMENTS.items():
        conditions = [c for step in exp.plan("tiny", 0).steps for c in step.members.values()]
        assert conditions and all(isinstance(c, Text) for c in conditions), key
        rows = [{"condition": c, "test_acc_%": 90.0} for c in conditions]
        for code in OTHERS:
            said = list(results_table(rows, code)["condition"])
            assert said == [c.say(code) for c in conditions], key
            assert all(not re.search(r"\b(scratch|student|twin|labels|with|the|classic|correct)\b", s) for s in said), \
                (key, said)
        assert list(results_table(rows)["condition"]) == [str(c) for c in conditions]     # English, as the API reads
