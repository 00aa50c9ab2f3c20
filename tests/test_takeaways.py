"""The Experiments tab's words and the figures' frame, without a browser: readable headers, a one-line takeaway per
experiment computed from its rows, the drawing pad's value, and plots.restyle for projectors."""
import base64

import plotly.graph_objects as go
import pytest

from kdemo.figures import curves as plots
from kdemo.experiments.takeaways import header, takeaway
from kdemo.teach.lab import LabInputError
from kdemo.app.tabs.pad import PREFIX, pad_image


def test_headers_are_words_not_field_names():
    assert header("test_3s_right_after") == "3s right after fix"
    assert header("test_acc_%_after") == "test acc % after bias fix"
    assert header("teacher_entropy_bits") == "teacher entropy (bits)"
    assert header("some_new_column") == "some new column"


MISSING = [{"condition": "KD student", "test_acc_%": 90.1, "test_3s": 1010, "test_3s_right": 0,
            "test_3s_right_after": 679},
           {"condition": "scratch twin", "test_acc_%": 88.0, "test_3s": 1010, "test_3s_right": 0,
            "test_3s_right_after": 429}]


@pytest.mark.parametrize("key, rows, words", [
    ("missing_digit", MISSING, ["679 of 1010", "429"]),
    ("few_labels", [{"condition": "scratch, 600 labels", "labels": 600, "test_acc_%": 80.0},
                    {"condition": "KD, 600 labels", "labels": 600, "test_acc_%": 85.0},
                    {"condition": "KD, 600 labels + transfer set", "labels": 600, "test_acc_%": 95.0}],
     ["scratch **80.0%**", "KD **85.0%**", "transfer set **95.0%**"]),
    ("temperature_sweep", [{"condition": "KD, T=1", "T": 1.0, "test_acc_%": 90.0},
                           {"condition": "KD, T=4", "T": 4.0, "test_acc_%": 93.0},
                           {"condition": "scratch (no teacher)", "T": None, "test_acc_%": 89.0}],
     ["Best T = 4", "worst T = 1", "89.0%"]),
    ("dkd_grid", [{"condition": "DKD alpha=0 beta=0", "alpha": 0.0, "beta": 0.0, "test_acc_%": 90.0},
                  {"condition": "DKD alpha=1 beta=8", "alpha": 1.0, "beta": 8.0, "test_acc_%": 94.0},
                  {"condition": "classic KD (T=4)", "alpha": None, "beta": None, "test_acc_%": 92.0,
                   "nckd_weight": 0.05},
                  {"condition": "scratch twin (labels only)", "alpha": None, "beta": None, "test_acc_%": 91.0}],
     ["α = 1, β = 8", "alone at the grid's rate 90.0%", "classic KD 92.0%", "its own rate 91.0%"]),
    ("notebook_lenet_dkd", [{"condition": "DKD student", "test_acc_%": 97.0},
                            {"condition": "scratch twin", "test_acc_%": 96.0}], ["+1.0 points"]),
])
def test_each_experiment_has_a_takeaway_from_its_rows(key, rows, words):
    line = takeaway(key, {"table": rows})
    assert line.startswith("**Takeaway:**")
    for w in words:
        assert w in line, line


def test_no_takeaway_before_there_is_something_to_say():
    assert takeaway("missing_digit", {"table": []}) == ""
    assert takeaway("few_labels", {"table": MISSING[:1]}) == ""       # a partial, unexpected table: no line


def test_pad_values_are_bounded_png_data():
    assert pad_image(None, 1000) is None and pad_image(" ", 1000) is None     # a cleared canvas
    assert pad_image(PREFIX + base64.b64encode(b"png").decode(), 1000) == b"png"
    for bad in ("data:text/html;base64,AAAA", PREFIX + "not base64!", PREFIX + "A" * 5000, 42):
        with pytest.raises(LabInputError):
            pad_image(bad, 1000)


def test_restyle_scales_a_figure_for_projectors():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 2], line={"width": 2}, marker={"size": 4}))
    fig.update_layout(height=350, title={"text": "t"})
    plain = plots.restyle(go.Figure(fig), False)
    big = plots.restyle(go.Figure(fig), True)
    assert big.layout.font.size >= 1.4 * plain.layout.font.size
    assert big.data[0].line.width > plain.data[0].line.width and big.layout.height > plain.layout.height


def test_the_page_says_the_takeaway_in_the_visitors_language_and_the_tour_quotes_its_own():
    from kdemo import lang
    from kdemo.app.tabs.experiments import takeaway_html
    from kdemo.teach.tour import MISSING_KEY, plain
    assert takeaway("missing_digit", {"table": MISSING}, "de").startswith("**Fazit:** Nach der Bias-Korrektur")
    page = takeaway_html("missing_digit", {"table": MISSING})
    assert plain(lang.only(page, "en")) == plain(takeaway("missing_digit", {"table": MISSING}))
    assert "**679 von 1010**" in lang.only(page, "de") and "Takeaway" not in lang.only(page, "de")
    assert MISSING_KEY == "missing_digit"
