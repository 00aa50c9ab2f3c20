"""kdemo's languages: every key in every language, with the same parameters; numbers and the page's language."""
import pytest

from kdemo import lang


@pytest.mark.parametrize("code", sorted(lang.TABLES))
def test_every_language_has_every_key_with_the_same_parameters(code):
    en, other = lang.TABLES["en"], lang.TABLES[code]
    assert sorted(set(en) - set(other)) == [], f"missing in {code}"
    assert sorted(set(other) - set(en)) == [], f"only in {code}"
    for key in en:
        assert lang.fields(other[key]) == lang.fields(en[key]), key
        assert other[key].strip(), key


def test_numbers_are_written_the_languages_way():
    assert lang.number(12345.678, "en", 1) == "12,345.7"
    assert lang.number(12345.678, "de", 1) == "12.345,7"
    assert lang.number(-2.95, "de", 1) == "-3,0" or lang.number(-2.95, "de", 1) == "-2,9"


def test_page_language_from_query_then_browser():
    assert lang.pick("de", "en-US,en") == "de"
    assert lang.pick(None, "de-DE,de;q=0.9,en;q=0.8") == "de"
    assert lang.pick("xx", "fr-FR,en;q=0.5") == "en"
    assert lang.pick(None, None) == "en"


def test_text_fills_parameters_and_falls_back_to_english():
    assert lang.text("alt.empty", "de", title="T") == "T: noch keine Daten."
    assert lang.text("alt.empty", "zz", title="T") == "T: no data yet."


def test_every_setting_has_its_german_label_and_help():
    from kdemo.lang import de
    from kdemo.settings.params import PARAMS
    shown = {p.name for p in PARAMS if p.control}
    assert sorted(shown - set(de.PARAMS)) == [] and sorted(set(de.PARAMS) - shown) == []
    assert all(label.strip() and help_text.strip() for label, help_text in de.PARAMS.values())


def test_verdicts_are_worded_per_language_from_the_same_numbers():
    from kdemo.train.stats import compare, verdict, verdict_parts
    c = compare([0.95, 0.96, 0.955], [0.90, 0.91, 0.905], [0, 1, 2])
    key, params = verdict_parts(c)
    assert key == "verdict.ahead" and params["n"] == 3
    assert verdict(c) == f"KD ahead by {params['d']:.1f} ± {params['half']:.1f} points over 3 seeds"
    assert verdict(c, "de").startswith("KD vorn um 5,0 ± ")


def test_health_warnings_keep_their_english_and_say_it_in_german_on_the_page():
    from kdemo.app.tabs.train import warning_text
    from kdemo.settings.config import TrainConfig
    from kdemo.train.health import Health
    h = Health(TrainConfig(lr=0.02, temperature=4.0), ["kd"], [0, 1], 10, 100)
    for i, a in enumerate([0.5, 0.8, 0.1, 0.1, 0.1, 0.6]):
        h.on_eval(10 * (i + 1), i + 0.5, {"kd": [{"acc": a, "top_share": 0.2}, {"acc": 0.9, "top_share": 0.2}]})
    (ev,) = h.events
    assert ev.message.startswith("the distilled student (seed 0) collapsed at epoch 3.50: its accuracy fell to 10%")
    assert ev.message.endswith(" It recovered: 60% at epoch 5.50.")
    page = warning_text(ev.to_dict())
    assert "Der destillierte Schüler (Seed 0) ist in Epoche 3,50 kollabiert" in page and "5,50" in page
    assert "lang='en'>the distilled student (seed 0) collapsed" in page


def test_teaching_view_words_keep_their_english_and_the_page_says_them_line_by_line():
    import torch
    from kdemo.teach import insights as ins
    stats = ins.nckd_weight(torch.tensor([[4.0, 0.0, 0.0], [0.0, 3.0, 0.0]]), torch.tensor([0, 1]), 4.0)
    said = ins.nckd_sentence(stats, 2.0)
    assert isinstance(said, str) and said.startswith("At T = 4 the teacher's mean p<sub>t</sub> is **0.")
    assert lang.only(lang.said_html(said), "de").startswith("Bei T = 4 ist das mittlere p<sub>t</sub> des Lehrers **0,")
    listed = lang.say([{"key": "ins.item", "params": {"line": ins.judgement_part(
        {"confidence": 0.995, "accuracy": 0.991, "ece": 0.004}, "kd")}}], "\n")
    assert listed == "- The distilled student is well calibrated (99.5% sure on average, right 99.1% of the time, ECE 0.40%)."
    page = lang.said_html(listed)
    assert page.startswith("- <span class='kd-l kd-l-en' lang='en'>The distilled")
    assert "Der destillierte Schüler ist gut kalibriert (im Mittel zu 99,5 % sicher" in page
    assert lang.said_html("plain") == "plain"


def test_no_table_says_a_key_twice():
    """A key written twice in one table's dict is not an error in Python: the second text silently replaces the
    first (it once put ": click one." where the teaching views' instruction belonged)."""
    import ast
    from pathlib import Path
    for path in sorted((Path(lang.__file__).parent).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                twice = sorted({k for k in keys if keys.count(k) > 1})
                assert not twice, (path.name, twice)
