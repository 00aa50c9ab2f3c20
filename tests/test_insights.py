"""The teaching views: their numbers against hand-computed small cases, the bias slider against a direct
recomputation, the figures (validated once), and the tab's handlers on a finished run and on the pretrained pair."""
import math
import numpy as np
import re
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
import torch
from PIL import Image

from kdemo.teach import insights as ins
from kdemo.teach import views as view
from kdemo.app.tabs import insights as ui
from kdemo.settings.config import TrainConfig
from kdemo.experiments.hinton import bias_delta
from kdemo.teach.missing import bias_accuracy, bias_curves, rule_bias, teacher_share
from kdemo.train.outputs import pretrained_pair
from kdemo.app.sessions import Session


def two_class_logits(p: float) -> list[float]:
    """Logits whose softmax is (p, 1 - p)."""
    return [math.log(p / (1 - p)), 0.0]


# ---------------------------------------------------------------- calibration

def test_ece_of_a_synthetic_set_with_a_known_answer():
    # 10 images at confidence 0.9 (8 right) and 10 at 0.6 (6 right): ECE = 0.5 * |0.8 - 0.9| + 0.5 * 0 = 0.05
    logits = torch.tensor([two_class_logits(0.9)] * 10 + [two_class_logits(0.6)] * 10)
    labels = torch.tensor([0] * 8 + [1] * 2 + [0] * 6 + [1] * 4)
    rel = ins.reliability(logits, labels)
    assert rel["ece"] == pytest.approx(0.05, abs=1e-6)
    assert sum(rel["count"]) == 20 and rel["count"][13] == 10 and rel["count"][8] == 10   # (13/15, 14/15], (8/15, 9/15]
    assert rel["bin_accuracy"][13] == pytest.approx(0.8) and rel["bin_confidence"][13] == pytest.approx(0.9)
    assert math.isnan(rel["bin_accuracy"][0])
    assert rel["confidence"] == pytest.approx(0.75) and rel["accuracy"] == pytest.approx(0.7)
    assert ins.calibration_side(rel) == "over-confident"
    assert "over-confident" in ins.calibration_judgement(rel, "teacher") and "ECE 5.00%" in \
        ins.calibration_judgement(rel, "teacher")


def test_under_confident_and_well_calibrated_and_seeds_pooled():
    logits = torch.tensor([two_class_logits(0.6)] * 10)
    assert ins.calibration_side(ins.reliability(logits, torch.zeros(10, dtype=torch.long))) == "under-confident"
    right = torch.tensor([0] * 6 + [1] * 4)
    assert ins.calibration_side(ins.reliability(logits, right)) == "well calibrated"
    # two seeds: one perfectly calibrated, one 10 points over: pooled ECE is their mean
    seeds = torch.stack([logits, torch.tensor([two_class_logits(0.6)] * 10)])
    both = torch.tensor([0] * 6 + [1] * 4)
    assert ins.reliability(seeds, both)["ece"] == pytest.approx(0.0, abs=1e-6)
    assert ins.reliability(torch.tensor([two_class_logits(0.999)] * 4), torch.tensor([0, 0, 0, 0]))["ece"] == \
        pytest.approx(0.001, abs=1e-6)


# ---------------------------------------------------------------- class similarity

def test_similarity_rows_are_mean_softened_probabilities_and_sum_to_one():
    g = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(2, 300, 5, generator=g) * 3, torch.randint(0, 5, (300,), generator=g)
    m = ins.class_similarity(logits, labels, T=2.0)
    assert m.shape == (5, 5)
    assert torch.allclose(m.sum(dim=1), torch.ones(5), atol=1e-5)
    # hand-computed row of class 0: the mean over its images and both seeds of softmax(z / 2)
    mine = labels == 0
    expected = torch.softmax(logits[:, mine] / 2.0, dim=-1).mean(dim=(0, 1))
    assert torch.allclose(m[0], expected, atol=1e-6)
    off, diag = ins.split_diagonal(m)
    assert torch.isnan(off.diagonal()).all() and torch.allclose(diag, m.diagonal())
    assert not torch.isnan(off[0, 1])


def test_similar_pairs_are_found_in_the_data():
    # class 1 images lean towards 3, class 3 images towards 1; class 0 towards 2 a little
    probs = {0: [0.90, 0.02, 0.06, 0.02], 1: [0.01, 0.80, 0.01, 0.18], 2: [0.03, 0.01, 0.95, 0.01],
             3: [0.01, 0.14, 0.01, 0.84]}
    labels = torch.tensor([0, 1, 2, 3, 1, 3])
    logits = torch.log(torch.tensor([probs[int(c)] for c in labels]))
    m = ins.class_similarity(logits, labels, T=1.0)
    pairs = ins.similar_pairs(m, ["zero", "one", "two", "three"], top=2)
    assert (pairs[0]["a"], pairs[0]["b"]) == ("one", "three")
    assert pairs[0]["score"] == pytest.approx((0.18 + 0.14) / 2, abs=1e-5)
    assert (pairs[1]["i"], pairs[1]["j"]) == (0, 2)
    assert "**one ↔ three**" in ins.pairs_sentence(pairs, "teacher", 1.0)


def test_pretrained_teacher_confuses_the_classic_mnist_pairs():
    d = pretrained_pair("mnist")
    pairs = ins.similar_pairs(ins.class_similarity(d["teacher"], d["labels"], 4.0), d["classes"], top=5)
    found = {frozenset((p["a"], p["b"])) for p in pairs}
    assert frozenset(("4", "9")) in found       # the classic look-alikes, computed, not typed in


# ---------------------------------------------------------------- per class, confusion, cells

def test_per_class_accuracy_confusion_and_cell_indices():
    labels = torch.tensor([0, 1, 1, 2, 1, 0, 1])
    pred = torch.tensor([0, 2, 1, 2, 2, 1, 2])     # true 1 predicted 2 at indices 1, 4, 6
    logits = torch.nn.functional.one_hot(pred, 3).float() * 5
    acc = ins.per_class_accuracy(logits, labels)
    assert acc.shape == (1, 3) and acc[0].tolist() == pytest.approx([0.5, 0.25, 1.0])
    cm = ins.confusion(logits, labels)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 3], [0, 0, 1]] and int(cm.sum()) == len(labels)
    assert ins.cell_indices(logits, labels, 1, 2) == ([1, 4, 6], 3)
    assert ins.cell_indices(logits, labels, 1, 2, limit=2) == ([1, 4], 3)
    assert ins.cell_indices(logits, labels, 2, 0) == ([], 0)
    # a second seed is told apart
    two = torch.stack([logits, torch.nn.functional.one_hot(labels, 3).float()])
    assert ins.cell_indices(two, labels, 1, 2, seed=1) == ([], 0)
    assert ins.per_class_accuracy(two, labels)[1].tolist() == [1.0, 1.0, 1.0]


def test_cell_of_real_errors_and_its_limit():
    d = pretrained_pair("mnist")
    idx, total = ins.cell_indices(d["kd"], d["labels"], 4, 9)
    assert 0 < len(idx) <= 16 and total >= len(idx)
    pred = d["kd"][0].argmax(dim=1)
    assert all(int(d["labels"][i]) == 4 and int(pred[i]) == 9 for i in idx)
    right, n_right = ins.cell_indices(d["kd"], d["labels"], 7, 7)
    assert len(right) == 16 and n_right > 900      # the correct 7s: many, only 16 shown


# ---------------------------------------------------------------- KD's weight on NCKD

def test_nckd_weight_hand_computed():
    logits = torch.tensor([two_class_logits(0.9), two_class_logits(0.5), [0.0, math.log(3.0)]])   # p_t .9 .5 .25
    labels = torch.tensor([0, 0, 0])
    s = ins.nckd_weight(logits, labels, T=1.0, bins=4)
    assert s["mean_p_t"] == pytest.approx((0.9 + 0.5 + 0.25) / 3)
    assert s["mean_weight"] == pytest.approx(1 - s["mean_p_t"])
    assert s["p_t_hist"] == [0, 1, 1, 1] and s["weight_hist"] == [1, 0, 1, 1] and s["images"] == 3
    soft = ins.nckd_weight(logits, labels, T=4.0, bins=4)
    assert soft["mean_weight"] > s["mean_weight"]    # softening raises KD's weight on NCKD


# ---------------------------------------------------------------- the missing-class bias

def direct(logits, labels, cls, bias):
    """The slow, obvious way: add the bias to a copy, take argmax, count, per seed."""
    out = []
    for z in ins.seeds_of(logits):
        z = z.clone()
        z[:, cls] += bias
        pred = z.argmax(dim=1)
        mine = labels == cls
        out.append(((pred[mine] == cls).double().mean().item(), (pred == labels).double().mean().item()))
    return sum(a for a, _ in out) / len(out), sum(b for _, b in out) / len(out)


@pytest.mark.parametrize("bias", [-1.0, 0.0, 0.5, 1.0, 2.0, 3.5])
def test_bias_accuracy_equals_a_direct_recomputation_with_ties(bias):
    g = torch.Generator().manual_seed(1)
    logits = torch.randint(-3, 3, (2, 400, 5), generator=g).float()   # small integers: many exact ties
    labels = torch.randint(0, 5, (400,), generator=g)
    got = bias_accuracy(logits, labels, 2, bias)
    want = direct(logits, labels, 2, bias)
    assert got["class_acc"] == pytest.approx(want[0], abs=1e-12)
    assert got["overall_acc"] == pytest.approx(want[1], abs=1e-12)
    curve = bias_curves(logits, labels, 2, torch.tensor([bias, bias + 1]))
    assert curve["class_acc"][0] == pytest.approx(want[0], abs=1e-12)
    assert curve["overall_acc"][0] == pytest.approx(want[1], abs=1e-12)


def test_bias_slider_on_real_logits_and_the_rule():
    d = pretrained_pair("mnist")
    z = d["kd"] - torch.nn.functional.one_hot(torch.tensor(3), 10) * 30.0   # a student that "never saw a 3"
    before = bias_accuracy(z, d["labels"], 3, 0.0)
    assert before["class_acc"] < 0.2 and before["class_images"] == int((d["labels"] == 3).sum())
    for b in (0.0, 10.0, 25.0, 31.5):
        got = bias_accuracy(z, d["labels"], 3, b)
        assert (got["class_acc"], got["overall_acc"]) == pytest.approx(direct(z, d["labels"], 3, b), abs=1e-12)
    grid = torch.tensor([0.0, 10.0, 25.0, 31.5])
    curve = bias_curves(z, d["labels"], 3, grid)
    for i, b in enumerate(grid.tolist()):       # float gaps: at most a tie's worth of rounding apart
        exact = bias_accuracy(z, d["labels"], 3, b)
        assert curve["class_acc"][i] == pytest.approx(exact["class_acc"], abs=2e-3)
        assert curve["overall_acc"][i] == pytest.approx(exact["overall_acc"], abs=2e-4)
    rule = rule_bias(z, d["teacher"], 3)
    assert rule == pytest.approx(bias_delta(z[0], 3, teacher_share(d["teacher"], 3, 10)))
    shifted = z[0].clone()
    shifted[:, 3] += rule
    share = float((shifted.argmax(dim=1) == 3).double().mean())
    assert share == pytest.approx(teacher_share(d["teacher"], 3, 10), abs=2e-4)
    assert bias_accuracy(z, d["labels"], 3, rule)["class_acc"] > 0.9     # the 3s come back
    assert teacher_share(None, 3, 10) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        bias_accuracy(z, d["labels"], 10, 0.0)


# ---------------------------------------------------------------- the tab's handlers and figures

@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A session whose last run 'finished' omitting 3: the pretrained pair with the 3 logit pushed down (two
    seeds) and a twin that is the same student pushed further."""
    d = pretrained_pair("mnist")
    kd = torch.stack([d["kd"][0], d["kd"][0] * 1.1]) - torch.nn.functional.one_hot(torch.tensor(3), 10) * 25.0
    cache = {**d, "kd": kd, "scratch": kd - torch.nn.functional.one_hot(torch.tensor(3), 10) * 10.0, "seeds": [0, 1]}
    cfg = TrainConfig(omit_classes=(3,), seeds=2)
    run = SimpleNamespace(id=7, cfg=cfg, alive=False, final_states={("kd", 0): {}}, test_logits=SimpleNamespace(read=lambda: cache),
                          status="done", has_model=lambda which="kd": False,
                          summary=lambda: {"id": 7, "status": "done", "verdict": "KD ahead"})
    sess = Session("insights", root=tmp_path_factory.mktemp("sessions"))
    sess.run = run
    return sess


def test_refresh_renders_every_view_for_a_finished_run(finished):
    out = ui.on_refresh(finished, 4.0, "teacher", "kd", 4.0, False)
    assert set(out) <= set(ui.VIEWS) and set(ui.VIEWS) - set(out) == {"ins_T", "ins_dkd_T"}   # the visitor's Ts stay
    assert "your run 7" in out["ins_source"] and "never saw class 3" in out["ins_source"]
    assert out["box_missing_bias"].visible is True and out["ins_bias_cls"]["value"] == "3"
    assert "4 ↔ 9" in out["ins_sim_caption"]
    assert "twin" in out["ins_cal_text"] and "distilled student" in out["ins_cal_text"]
    assert out["ins_bias"]["minimum"] <= out["ins_bias"]["value"] <= out["ins_bias"]["maximum"]
    for name in ("ins_sim", "ins_cal", "ins_acc", "ins_dkd", "ins_bias_plot"):
        fig = out[name]
        assert fig.data, name
        go.Figure(fig.to_plotly_json())              # built unvalidated for speed: validated here once


def test_pretrained_pair_before_any_run():
    out = ui.on_refresh(None, 4.0, "scratch", "scratch", 4.0, True)   # no twin: falls back to what exists
    assert "pretrained" in out["ins_source"] and out["box_missing_bias"].visible is False
    assert out["ins_sim_model"]["value"] == "teacher" and out["ins_conf_model"]["value"] == "kd"
    assert out["ins_sim"].layout["font"]["size"] == 19      # presentation mode


def test_cell_click_images_and_open_in_lab(finished):
    out = ui.on_cell(finished, "kd", "4", "9", False)
    assert 0 < len(out["ins_gallery"]) <= 16 and out["ins_image"] is not None
    img, caption = out["ins_gallery"][0]
    assert np.asarray(Image.open(img)).shape == (84, 84) and caption == f"#{out['ins_image']}"
    assert str(finished.folder) in img     # the session's own file (Session.image_file), not Gradio's shared one
    go.Figure(out["ins_probs"].to_plotly_json())
    lab = ui.on_open_in_lab(finished, out["ins_image"], 4.0, "auto", "lenet5", "pretrained", False)
    assert lab["tabs"].selected == "lab" and "teacher says" in lab["caption"]
    assert lab["digit"].shape == (28, 28)
    table = ui.confusion_table([[5, 1], [0, 3]], ["a", "b"])
    assert table.data.iloc[0, 2] == 1


def test_more_figures_validate(finished):
    for which in ("kd", "scratch", "diff"):
        go.Figure(ui.on_similarity(finished, 2.0, which, False)["ins_sim"].to_plotly_json())
    d = view.view_data(finished)
    go.Figure(view.confusion_view(d, "scratch")["ins_confusion_fig"].to_plotly_json())


@pytest.mark.parametrize("call, message", [
    (lambda s: ui.on_similarity(s, 0.1, "teacher", False), r"Temperature T \(T\) must be a number from 0.5 to 50"),
    (lambda s: ui.on_similarity(s, float("nan"), "teacher", False), "Temperature"),
    (lambda s: ui.on_similarity(s, 4.0, "bogus", False), "choose one of teacher, kd, scratch, diff"),
    (lambda s: ui.on_why_dkd(s, 51, False), "Temperature"),
    (lambda s: ui.on_cell(s, "kd", 4, 10, False), r"Predicted class \(pred\) must be a whole number from 0 to 9"),
    (lambda s: ui.on_image(s, 10_000, False), r"Test image number \(index\) must be a whole number from 0 to 9999"),
    (lambda s: ui.on_image(s, 2.5, False), "whole number"),
    (lambda s: ui.on_open_in_lab(s, -1, 4.0, "auto", "lenet5", "yours", False), "from 0 to 9999"),
    (lambda s: ui.on_missing(s, 5, 1.0, False), "class 5 was not omitted"),
    (lambda s: ui.on_missing(s, 3, 1e9, False), r"Bias \(bias\) must be a number from -100 to 100"),
])
def test_bad_input_is_refused_in_plain_words(finished, call, message):
    with pytest.raises(ValueError, match=message):
        call(finished)


def test_missing_view_needs_an_omitted_class():
    with pytest.raises(ValueError, match="saw every class"):
        ui.on_missing(None, 3, 0.0, False)


# ---------------------------------------------------------------- through the real API

def test_api_endpoints_read_the_sessions_finished_run(kdemo_server):
    """Before a run the views show the pretrained pair; after a tiny run without 3s, every endpoint reads it."""
    import time
    from kdemo.commands.benchkit import visitor
    from gradio_client.exceptions import AppError
    _, url = kdemo_server
    c = visitor(url)
    before = c.predict(4.0, "teacher", "kd", 4.0, False, api_name="/insights")
    assert "pretrained" in before[0]
    c.predict(n_labeled=500, epochs=0.5, seeds=1, eval_samples=500, omit_classes=[3], api_name="/train")
    deadline = time.time() + 300
    while "kd-status done" not in c.predict(api_name="/poll")[0]:
        assert time.time() < deadline, "the run did not finish"
        time.sleep(0.5)
    shown = [n for n in ui.VIEWS if not n.startswith("box_")]     # a layout block is not an API output
    out = dict(zip(shown, c.predict(4.0, "teacher", "kd", 4.0, False, api_name="/insights")))
    assert "your run" in out["ins_source"] and "never saw class 3" in out["ins_source"]
    assert out["ins_bias_cls"]["value"] == "3" and "rule-chosen bias" in out["ins_bias_text"]
    plot, caption = c.predict(2.0, "diff", False, api_name="/similarity")
    assert plot["type"] == "plotly" and "extra probability" in caption
    _, table = c.predict("kd", False, api_name="/per_class")
    row = table["data"][4][1:]                          # true 4: counts per predicted class
    assert sum(row) == int((pretrained_pair("mnist")["labels"] == 4).sum())
    pred = max(range(10), key=lambda j: row[j])
    gallery, words, index, *_ = c.predict("kd", "4", str(pred), False, api_name="/confusion_cell")
    assert len(gallery) == min(row[pred], 16) and f"**{row[pred]}** test images of class **4**" in words
    assert 0 <= index < 10_000
    _, text = c.predict("3", 2.0, False, api_name="/missing_bias")
    assert "**+2.00**" in text and "rule-chosen bias" in text
    with pytest.raises(AppError):
        c.predict("5", 2.0, False, api_name="/missing_bias")          # 5 was not omitted
    path = c.predict(api_name="/report")
    path = path.get("value") if isinstance(path, dict) else path      # a DownloadButton update
    assert "plotly" in open(path, encoding="utf-8").read(2_000_000).lower()
    lab = c.predict(index, 4.0, "auto", "lenet5", "yours", False, api_name="/open_in_lab")
    caption = lab[4]                                   # preview, probs, dkd, numbers, caption
    run_id = re.search(r"your run (\w+)", out["ins_source"]).group(1)
    assert "teacher says" in caption and run_id in caption          # the lab shows this run's student


def test_a_radio_a_step_behind_falls_back_to_what_the_run_has():
    """After a labels-only run the page's radios may still say "teacher" or "twin" for one event: those render
    what exists instead of an error toast; names the app does not know are still refused (test above)."""
    only_kd, no_twin = {"kd": 1}, {"teacher": 1, "kd": 1}          # which models a run's data holds
    assert ui.choice(only_kd, "teacher", ui.SIM) == "kd"
    assert ui.choice(no_twin, "scratch", ui.CONF) == "kd"
    assert ui.choice(no_twin, "diff", ui.SIM) == "diff"
    assert ui.choice(only_kd, "bogus", ui.SIM) == "bogus"

