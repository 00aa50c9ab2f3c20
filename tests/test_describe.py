"""Plots' text alternatives (kdemo/figures/describe.py) are computed from the figures' own data."""
import html

from kdemo.figures import curves, describe


def _snapshot():
    recs = [{"kind": "eval", "phase": "student", "epoch": e / 4, "kd/test_acc": 0.1 + 0.2 * e,
             "scratch/test_acc": 0.1 + 0.1 * e} for e in range(5)]
    return {"records": recs, "names": None, "seeds": 1, "health": []}


def test_accuracy_curve_summary_names_each_series_with_its_numbers():
    fig = curves.accuracy_figure(_snapshot(), 1.0)
    desc = describe.describe(fig)
    named = {s.name: s for s in desc.series}
    kd = next(s for n, s in named.items() if n.startswith("distilled"))
    assert kd.curve and kd.y[-1] == 90.0 and kd.x[-1] == 1.0
    text = describe.summary(desc)
    assert "distilled student goes from 10 to 90 at 1" in text
    assert "Test accuracy" in text
    assert describe.summary(desc, "de").count("90") >= 1


def test_bars_become_a_table_class_by_class():
    fig = {"data": [{"type": "bar", "name": "teacher", "x": ["0", "1", "2"], "y": [0.1, 0.7, 0.2]},
                    {"type": "bar", "name": "student", "x": ["0", "1", "2"], "y": [0.2, 0.5, 0.3]}],
           "layout": {"title": {"text": "<b>Probabilities</b>"}}}
    desc = describe.describe(fig)
    assert describe.summary(desc) == ("Probabilities: 2 series. teacher: highest at 1 (0.700). "
                                      "student: highest at 1 (0.500).")
    (caption, header, rows), = describe.tables(desc)
    assert header == ["label", "teacher", "student"] and rows[1] == ["1", "0.700", "0.500"]
    assert describe.tables(desc, "de")[0][2][1] == ["1", "0,700", "0,500"]


def test_empty_figure_says_so_and_bands_are_left_out():
    assert "Losses: no data yet." in describe.alt_html(curves.empty_figure("Losses"))
    fig = curves.accuracy_figure({**_snapshot(), "seeds": 3}, 1.0)
    assert all(s.name for s in describe.describe(fig).series)


def test_alt_html_is_escaped_and_in_every_language():
    fig = {"data": [{"type": "bar", "name": "a < b & c", "x": ["<i>"], "y": [1]}], "layout": {}}
    out = describe.alt_html(fig)
    assert "a &lt; b &amp; c" in out and "<i>" not in out
    assert "lang='en'" in out and "lang='de'" in out and "<table>" in out
