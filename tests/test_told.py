"""Refusals and errors as data (kdemo.lang.Told): every key in every language, the guard saying them in the request's
language (German for a German browser or ?lang=de, English for API clients), every door's refusal in German without
English words and with its English unchanged, and the tables' headers the page relabels. No server, no browser."""
import math
import re
from pathlib import Path

import gradio as gr
import pytest
from gradio.helpers import special_args

from kdemo import lang
from kdemo.app import kit
from kdemo.settings.params import PARAMS, param
from kdemo.teach.inputs import ARGS, LAB_ARGS

PKG = Path(__file__).resolve().parent.parent / "kdemo"
AREAS = ("told", "link", "queue", "title", "col", "cell", "toast")
GERMAN = {"de-DE,de;q=0.9,en;q=0.8": None, None: "de"}       # Accept-Language, or ?lang=


def keys_in_code() -> set[str]:
    """Every message key the code names literally, and the ones it builds (title.<action>, queue.<state>, ...)."""
    found = set()
    for path in PKG.rglob("*.py"):
        if "lang" in path.relative_to(PKG).parts[:1]:
            continue
        found |= set(re.findall(r"""["']((?:told|link|queue|title)\.[\w.]+)["']""", path.read_text()))
    built = {f"title.{a}" for a in ("stop", "pause", "resume", "step")} | \
        {f"queue.{s}" for s in ("left", "started")} | {f"queue.nth.{s}" for s in ("st", "nd", "rd", "th")}
    return found | built


def test_every_message_key_the_code_names_is_in_every_language():
    named = keys_in_code()
    assert len(named) > 100, len(named)
    assert sorted(k for k in named if not lang.known(k)) == []
    # (tests/test_lang.py: the same parameters in every language)


def test_german_says_every_message_in_its_own_words():
    same = {"title.kdemo", "title.pause", "link.bad", "col.#", "col.seeds", "col.lr", "col.T", "col.α (TCKD)",
            "col.β (NCKD)"}
    en, de = lang.TABLES["en"], lang.TABLES["de"]
    copied = [k for k in en if k.startswith(tuple(a + "." for a in AREAS)) and en[k] == de[k] and k not in same]
    assert copied == []


def test_every_setting_and_argument_has_a_german_name():
    names = {p.name for p in PARAMS} | {p.name for p in ARGS.values()} | {p.name for p in LAB_ARGS.values()}
    assert sorted(names - set(lang.LABELS["de"])) == []
    assert lang.compose({"setting": "epochs", "en": "Epochs"}, "de") == "Epochen"
    assert lang.compose({"setting": "epochs", "en": "epochs"}, "en") == "epochs"


def test_a_told_is_its_english_and_says_itself_in_german():
    e = lang.Told("told.failed", setting=lang.setting("temperature", "Temperature T"), name="temperature",
                  what={"key": "told.must_in", "params": {"range": {"key": "told.range", "params": {
                      "lo": lang.num(0.5), "hi": lang.num(50)}}}}, got={"key": "as_is", "params": {"value": "0.0"}})
    assert isinstance(e, ValueError) and str(e) == "Temperature T (temperature) must be a number from 0.5 to 50; got 0.0"
    assert e.said("de") == "Temperatur T (temperature) muss eine Zahl von 0,5 bis 50 sein; erhalten: 0.0"
    import pickle
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is lang.Told and back.part == e.part


# ---------------------------------------------------------------- the guard

def request(accept=None, query=None):
    return gr.Request(headers={"accept-language": accept} if accept else {}, query_params={"lang": query} if query else {})


def guarded(handler, check):
    """The handler as Gradio calls it: wired through Wired.on (the door, the hidden request) into a Blocks."""
    with gr.Blocks() as demo:
        ui = kit.Wired(box=gr.Number(), out=gr.Markdown(), btn=gr.Button())
        ui.on(ui["btn"].click, handler, ["box"], ("out",), check=check, title="title.run")
    return list(demo.fns.values())[-1].fn


def refusal(fn, value, req) -> gr.Error:
    args = special_args(fn, [value], req)[0]        # where Gradio puts the request: the hidden parameter
    with pytest.raises(gr.Error) as e:
        fn(*args)
    return e.value


def epochs_handler(epochs) -> dict:
    return {"out": f"{epochs} epochs"}


@pytest.mark.parametrize("accept, query", [("de-DE,de;q=0.9,en;q=0.8", None), (None, "de"), ("en-US", "de")])
def test_the_guard_refuses_in_german_for_a_german_page(accept, query):
    fn = guarded(epochs_handler, {"epochs": param("epochs")})
    e = refusal(fn, 0, request(accept, query))
    assert e.message == "Epochen (epochs) muss eine Zahl über 0 und höchstens 100 sein; erhalten: 0,0", e.message
    assert e.title == "Dieser Lauf kann nicht starten"


@pytest.mark.parametrize("req", [None, request(), request("en-US,en"), request("fr-FR", "xx")])
def test_the_guard_refuses_in_english_for_api_clients_and_other_languages(req):
    fn = guarded(epochs_handler, {"epochs": param("epochs")})
    e = refusal(fn, 0, req)
    assert e.message == "Epochs (epochs) must be a number above 0 and at most 100; got 0.0"
    assert e.title == "Cannot start this run"
    args = special_args(fn, [2], req)[0]
    assert fn(*args) == "2.0 epochs"            # and an accepted value reaches the handler, without the request


def test_an_unexpected_error_is_said_in_the_pages_language_without_python():
    def broken(epochs) -> dict:
        raise ZeroDivisionError("division by zero")
    fn = guarded(broken, {})
    german, english = refusal(fn, 1, request("de-DE")), refusal(fn, 1, request())
    assert german.message.startswith("Auf dem Server ist etwas schiefgegangen (ZeroDivisionError)")
    assert english.message.startswith("something went wrong on the server (ZeroDivisionError)")


def test_a_toast_a_handler_raises_speaks_the_requests_language(monkeypatch):
    shown = []
    monkeypatch.setattr(kit.gr, "Warning", lambda message, title="": shown.append((message, title)))

    def busy(epochs) -> dict:
        kit.warn(lang.Told("told.busy_you"), "title.in_progress")
        kit.warn("told.run_failed", "title.failed")
        return {}
    fn = guarded(busy, {})
    fn(*special_args(fn, [1], request("de-DE"))[0])
    fn(*special_args(fn, [1], request())[0])
    assert shown[0] == ("du hast schon einen Lauf, der läuft oder in der Schlange wartet: stoppe ihn (oder warte auf "
                        "ihn), bevor du einen neuen startest", "Lauf im Gang")
    assert shown[1] == ("der Lauf ist fehlgeschlagen", "Lauf fehlgeschlagen")
    assert shown[2][0].startswith("you already have a run going") and shown[3] == ("the run failed", "Run failed")
    assert kit.speaking() == "en"                # the language was the request's only


def test_a_runs_error_and_its_place_in_line_are_said_in_the_pages_language():
    from kdemo.train.worker import plain_error
    error = plain_error(lang.Told("told.none_here", model="lenet5", dataset="mnist"))
    assert error == "there is no pretrained lenet5 for mnist here"          # the run's error: English text
    snap = {"status": "failed", "progress": 1.0, "elapsed": 3, "error": error, "message": ""}
    assert "⚠️ hier gibt es keinen vortrainierten lenet5 für mnist" in kit.status_line(snap, "de")
    assert "⚠️ there is no pretrained lenet5 for mnist here" in kit.status_line(snap, "en")
    from kdemo.app.queue import ordinal
    line = lang.say([{"key": "queue.place", "params": {"pos": ordinal(3), "about": {"key": "queue.few"}, "s": "12"}}])
    assert line == "3rd in line, a few seconds (waiting 12 s)"
    assert lang.speak(line, "de") == "Platz 3 in der Schlange, noch wenige Sekunden (du wartest seit 12 s)"


def test_what_a_link_could_not_apply_keeps_its_english_and_says_it_in_german():
    from kdemo.settings.lessons import parse_link
    lesson = parse_link("temperature=abc&tab=nowhere&lock=maybe&bogus=1")
    english = "; ".join(lesson.ignored)
    assert "Temperature T (temperature) must be a number; got 'abc'" in english and "lock='maybe': must be 1 or 0" \
        in english and "'bogus': not a setting of this app" in english
    german = "; ".join(lang.speak(i, "de") for i in lesson.ignored)
    assert "Temperatur T (temperature) muss eine Zahl sein" in german and "lock='maybe': muss 1 oder 0 sein" in german
    assert "keine Einstellung dieser App" in german and "choose" not in german


# ---------------------------------------------------------------- the sweep over every door

def literal_words(code: str) -> set[str]:
    """The words of the message templates themselves (not their parameters) in `code`."""
    out = set()
    for key, template in lang.TABLES[code].items():
        if key.startswith(("told.", "link.", "queue.")):
            out |= set(re.findall(r"[a-zäöüß]{3,}", re.sub(r"\{[^}]*\}", " ", template).lower()))
    return out


ENGLISH_ONLY = literal_words("en") - literal_words("de")


def values_of(part) -> str:
    """The text a part puts in as it is (names, values, choices): never the English of a setting's name."""
    if isinstance(part, dict):
        if isinstance(part.get("setting"), str):      # a setting's name: said in German by its label
            return ""
        return " ".join(values_of(v) for k, v in part.items() if k not in ("key", "en"))
    if isinstance(part, (list, tuple)):
        return " ".join(values_of(v) for v in part)
    return str(part)


BAD = [None, "", "abc", "x" * 100_000, -1e9, 1e9, 2.5, math.nan, math.inf, True, 7, [1] * 100, [99], {"a": 1},
       ["x" * 1000]]
DOORS = {id(p): p for p in (*PARAMS, *ARGS.values(), *LAB_ARGS.values())}.values()


@pytest.mark.parametrize("p", DOORS, ids=lambda p: p.name)
def test_every_door_refuses_in_german_and_keeps_its_english(p):
    refused = 0
    for bad in BAD:
        try:
            p.take(bad)
            continue
        except lang.Told as told:
            e = told
        english, german = str(e), e.said("de")
        refused += 1
        assert english.startswith((f"{p.label} ({p.name}) ", f"unknown {p.name} ")), english
        assert len(english) < 600 and len(german) < 600, (len(english), len(german))   # a stranger's 1 MB is cut
        assert german != english
        leftover = set(re.findall(r"[a-zäöüß]{3,}", german.lower())) - \
            set(re.findall(r"[a-zäöüß]{3,}", values_of(e.part).lower()))
        assert not leftover & ENGLISH_ONLY, (german, leftover & ENGLISH_ONLY)
        if english.startswith(p.label):
            assert german.startswith(f"{lang.LABELS['de'][p.name]} ({p.name}) "), german
    assert refused >= 3, p.name


# ---------------------------------------------------------------- the tables' headers

def test_every_table_header_of_the_page_has_its_german():
    from kdemo.app.style import table_words
    from kdemo.app.tabs.board import TABLE
    from kdemo.experiments.takeaways import HEADERS, header
    from kdemo.train.results import RESULT_COLUMNS
    words = table_words()["de"]
    heads = [*RESULT_COLUMNS, *TABLE, *HEADERS.values(), "true \\ predicted",
             *(header(f"test_{d}s{tail}") for d in range(10) for tail in ("", "_right", "_%", "_right_after",
                                                                          "_%_after"))]
    assert sorted(set(h for h in heads if h not in words["heads"])) == []
    assert words["heads"]["student acc %"] == "Genauigkeit Schüler %" and words["heads"]["3s right"] == "3en richtig"
    assert words["prefixes"] == {"true ": "wahre "} and words["cells"]["done"] == "fertig"
    assert words["toasts"]["Error"] == "Fehler"


def test_the_board_says_verdicts_and_warnings_in_the_pages_language_and_exports_english():
    """A class board row keeps its verdict in every language (composed when the run ends, from its parts) and its
    warnings' parts: the page's table shows them in spans the page picks from, escaped; the CSV frame and the row
    (the API's /class_board) keep the English."""
    from kdemo.app.tabs.board import DATATYPE, TABLE, board_frame
    from kdemo.train.stats import worded
    said = {code: worded("verdict.unclear", {"d": lang.Signed(1.23), "half": 2.5, "n": 3}, code)
            for code in lang.TABLES}
    stall = [{"key": "as_is", "params": {"value": "<b>loud</b>"}}]
    row = {"nickname": "<img src=x>", "method": "kd", "changed": {}, "kd_acc": 90.0, "twin_acc": 89.0, "gain": 1.0,
           "verdict": said["en"], "verdict_said": said, "seconds": 3.0,
           "warnings": [{"kind": "stall", "group": "scratch", "message": "<b>loud</b>", "parts": stall}]}
    page = dict(zip(TABLE, board_frame([row], page=True).iloc[0].tolist()))
    assert "+1,2 ± 2,5 Punkte über 3 Seeds" in page["verdict"] and "lang='de'" in page["verdict"]
    assert "+1.2 ± 2.5 points over 3 seeds" in page["verdict"]
    assert "&lt;b&gt;loud&lt;/b&gt;" in page["warnings"] and "<b>" not in page["warnings"]
    assert page["student"] == "<img src=x>" and DATATYPE[TABLE.index("student")] == "str"     # text, not markup
    plain = dict(zip(TABLE, board_frame([row]).iloc[0].tolist()))
    assert plain["verdict"] == said["en"] and plain["warnings"] == "<b>loud</b>"
    old = {**row, "verdict_said": None}            # a row posted before rows kept their words: its English
    assert "points over 3 seeds" in board_frame([old], page=True).iloc[0].tolist()[TABLE.index("verdict")]


def test_a_results_rows_words_follow_the_page_and_stay_english_for_files_and_api():
    """The results table's word cells ("500 labels, no 3", "0.05 (its best)") are English strings (CSV, CLI, JSON,
    API clients) that the page's table says in the request's language."""
    import json
    import types

    from kdemo.app.tabs.train import results_frame
    from kdemo.settings.config import TrainConfig
    from kdemo.train.results import result_row
    cfg = TrainConfig(n_labeled=500, omit_classes=(3,))
    summary = {"id": "r1", "kd_acc": 0.9, "scratch_acc": 0.88, "kd_lr": 0.005, "twin_lr": 0.05, "twin_lr_best": 0.05,
               "teacher_acc": 0.99, "epochs_done": 1.0, "elapsed_s": 3.0, "status": "done"}
    row = result_row(summary, cfg)
    assert row["hyperparameters"].endswith("500 labels, no 3") and row["twin lr"] == "0.05 (its best)"
    assert json.loads(json.dumps(row))["twin lr"] == "0.05 (its best)"
    sess = types.SimpleNamespace(results=[row])
    de = results_frame(sess, "de").iloc[0]
    assert de["hyperparameters"].endswith("500 Labels, ohne 3") and de["twin lr"] == "0.05 (seine beste)", de
    en = results_frame(sess).iloc[0]
    assert en["hyperparameters"] == row["hyperparameters"] and en["twin lr"] == "0.05 (its best)"
