"""Lesson links in a real browser (headless Chromium via playwright): a link sets the Train controls, hides groups
or single controls, locks them, shows the class's question as text, ignores what it cannot use with one warning,
starts a run on open; pause / step / resume / stop; and the Share box's link reopens to the identical state.

Recipe and traps: /work/shared/notes/browser-tests.md (Debian chromium, never `playwright install`).
Screenshots go to $KDEMO_SHOT_DIR (none without it); KDEMO_LESSON_SHOT=path also saves the phone-width picture
of a locked lesson there (how assets/lesson_phone.png is made:
KDEMO_LESSON_SHOT=assets/lesson_phone.png pytest tests/test_browser_lessons.py -k phone).
"""
import json
import os
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from browserkit import (browser, needs_chromium, polls, settled, shots, wait_until,  # noqa: F401 (fixtures)
                        watch_joins)

PlaywrightError = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package").Error

pytestmark = needs_chromium
SMALL = "n_labeled=500&epochs=3&seeds=1&eval_samples=200"        # a run of a few seconds
DKD = "DKD (decoupled TCKD + NCKD)"                               # the method dropdown shows titles
KD = "KD (Hinton soft targets)"
GROUPS = ("models", "method", "run", "optimisation", "data", "advanced")



@pytest.fixture
def open_link(kdemo_server, browser):
    """open_link(query, **context options) -> a page of a FRESH browser context, opened on url + query; every page
    records its page errors (.errors), dialogs (.dialogs, dismissed) and event joins (.joins). The contexts close
    after the test, and their runs must stop (the page's unload tells the server)."""
    _, url = kdemo_server
    contexts = []

    def opener(query: str = "", **options):
        ctx = browser.new_context(**{"viewport": {"width": 1440, "height": 1000}, **options})
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.errors, pg.dialogs = [], []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        watch_joins(pg)                  # for `settled`
        pg.goto(url + (("?" + query.lstrip("?")) if query else ""))
        pg.wait_for_selector("#train-btn", timeout=60_000)
        loaded(pg)
        return pg

    yield opener
    for ctx in contexts:
        for pg in ctx.pages:
            pg.close(run_before_unload=True)
        ctx.close()
    # a closed page's run stops (so no run of this test goes on into the next one)
    sessions = kdemo_server[0].kdemo_registry._sessions
    wait_until(lambda: not any(s.run is not None and s.run.alive for s in list(sessions.values())), timeout=60)


# ---------------------------------------------------------------------------------------------------- helpers

def loaded(pg):
    """The page is up (its status line rendered). The link's own effects arrive with the load event's reply:
    each test waits for one of them before it looks at the rest."""
    wait_until(lambda: pg.locator("#train-status .kd-status").count() > 0)


def value(pg, name: str, kind: str = "input") -> str:
    return pg.locator(f"#cfg-{name} {kind}").first.input_value()


def shown(pg, selector: str) -> bool:
    loc = pg.locator(selector)
    return loc.count() > 0 and loc.first.is_visible()


def open_group(pg, group: str):
    """Open a collapsed group (an accordion: its controls are not rendered while it is closed)."""
    wrap = pg.locator(f"#grp-{group} button.label-wrap").first
    if "open" not in (wrap.get_attribute("class") or ""):
        wrap.click()


def control_state(pg) -> dict:
    """Every rendered Train control: id -> its inputs' values (checked state for checkboxes and radios) and
    whether each input is editable."""
    return pg.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#train-controls [id^="cfg-"]')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.id, [...e.querySelectorAll('input, textarea')].map(i =>
            [(i.type === 'checkbox' || i.type === 'radio') ? i.checked : i.value, !i.disabled && !i.readOnly])]))""")


def status(pg) -> str:
    loc = pg.locator("#train-status .kd-status")
    return loc.first.inner_text() if loc.count() else ""


def banner(pg) -> str:
    loc = pg.locator("#lesson-banner .kd-question")
    return loc.first.inner_text() if loc.count() else ""


def toasts(pg) -> list[tuple[str, str]]:
    """(level class, text) of every toast message on screen (Gradio groups messages of one level in one box)."""
    items = pg.locator("[data-testid='toast-text']")
    return [(items.nth(i).get_attribute("class") or "", items.nth(i).inner_text()) for i in range(items.count())]


def curve(pg) -> dict:
    """The accuracy plot's traces: name -> [x, y] (read as tests/test_browser.py's plot_data does)."""
    return json.loads(pg.evaluate("""() => {
        const div = document.querySelector('#acc-plot .js-plotly-plot');
        return JSON.stringify(div && div.data ? Object.fromEntries(div.data.map(t => [t.name, [t.x, t.y]])) : {});
    }"""))


def points(pg, group: str = "distilled student") -> int:
    return len(next((xy[0] for name, xy in curve(pg).items() if name.startswith(group)), None) or [])


def evaluations(run) -> int:
    """The student evaluations the server holds (each a point of the distilled student's curve)."""
    return sum(r["kind"] == "eval" and r["phase"] == "student" and "kd/test_acc" in r
               for r in run.snapshot()["records"])


def paused_note(pg) -> bool:
    return pg.evaluate("""() => {
        const div = document.querySelector('#acc-plot .js-plotly-plot');
        return !!(div && div.layout && (div.layout.annotations || []).some(a => String(a.text).includes('paused')));
    }""")


# ---------------------------------------------------------------------------------------------------- the tests
def test_link_sets_the_controls(open_link):
    pg = open_link("method=dkd&temperature=8&beta=4&n_labeled=1000&seed=3")
    wait_until(lambda: value(pg, "method") == DKD)         # the load event's reply sets every control at once
    assert value(pg, "temperature", "input[type=number]") == "8"
    assert value(pg, "temperature", "input[type=range]") == "8"
    assert value(pg, "beta") == "4"
    assert value(pg, "alpha") == "1"                       # not in the link: its default
    assert value(pg, "n_labeled") == "1000"
    open_group(pg, "data")
    pg.wait_for_selector("#cfg-seed input")
    assert value(pg, "seed") == "3"
    assert not shown(pg, "#lesson-banner .kd-question")    # no question in this link
    assert not toasts(pg)
    assert not pg.errors, pg.errors


def test_hidden_groups_and_single_controls(open_link, kdemo_server):
    pg = open_link("method=dkd&hide=optimisation,data,temperature,beta")
    wait_until(lambda: not shown(pg, "#grp-optimisation"))
    for g in ("optimisation", "data"):
        assert not shown(pg, f"#grp-{g}"), g
    for g in ("models", "method", "run", "advanced"):
        assert shown(pg, f"#grp-{g}"), g
    for name in ("temperature", "beta"):
        assert not shown(pg, f"#cfg-{name}"), name
    for name in ("method", "alpha", "epochs", "n_labeled", "student"):
        assert shown(pg, f"#cfg-{name}"), name
    # The method's own settings follow the method, but what the lesson hides stays hidden.
    pg.locator("#cfg-method input").click()
    pg.get_by_role("option", name=KD).click()
    wait_until(lambda: not shown(pg, "#cfg-alpha"))         # DKD's α goes with DKD
    assert shown(pg, "#cfg-kd_weight")
    pg.locator("#cfg-method input").click()
    pg.get_by_role("option", name=DKD).click()
    wait_until(lambda: shown(pg, "#cfg-alpha"))
    settled(pg, kdemo_server[0])                             # every reply is in: nothing else may reappear
    assert not shown(pg, "#cfg-beta") and not shown(pg, "#cfg-temperature")
    assert not shown(pg, "#grp-optimisation") and not shown(pg, "#grp-data")
    assert not pg.errors, pg.errors


def test_lock_makes_the_controls_read_only_but_runnable(open_link):
    pg = open_link(f"method=dkd&temperature=8&lock=1&{SMALL}")
    wait_until(lambda: not pg.locator("#cfg-epochs input").is_editable())
    open_group(pg, "advanced")
    pg.wait_for_selector("#cfg-eval_samples input")
    state = control_state(pg)
    inputs = [(cid, ok) for cid, ins in state.items() for _, ok in ins]
    assert len(state) >= 12 and len(inputs) >= 14, state
    assert not [cid for cid, ok in inputs if ok], state       # nothing editable
    assert value(pg, "temperature", "input[type=number]") == "8"   # the values are shown
    assert value(pg, "eval_samples") == "200"
    epochs = pg.locator("#cfg-epochs input")
    assert not epochs.is_editable()
    with pytest.raises(PlaywrightError):
        epochs.fill("9", timeout=1_000)
    assert epochs.input_value() == "3"
    # A locked lesson still trains (with the link's values).
    pg.locator("#train-btn").click()
    wait_until(lambda: any(w in status(pg) for w in ("running", "done")))
    assert not [t for t in toasts(pg) if "error" in t[0]], toasts(pg)
    assert not pg.errors, pg.errors


def test_question_banner_is_text_never_markup(open_link):
    question = ("Which is softer? <script>window.__kd_xss = 1; alert('script')</script> "
                "<img src=x onerror=\"window.__kd_xss = 2; alert('img')\"> & why?")
    pg = open_link("q=" + quote(question))
    wait_until(lambda: banner(pg))
    text = banner(pg)
    assert "<script>window.__kd_xss = 1; alert('script')</script>" in text
    assert "<img src=x onerror=\"window.__kd_xss = 2; alert('img')\">" in text
    assert text.startswith("Question:") and text.endswith("& why?")
    assert pg.locator("#lesson-banner img, #lesson-banner script").count() == 0
    # a positive signal first: a broken image added now fires its onerror; one in the banner would have already
    pg.evaluate("""() => { const i = document.createElement('img'); i.onerror = () => { window.__kd_probe = 1; };
                           i.src = 'x'; document.body.appendChild(i); }""")
    wait_until(lambda: pg.evaluate("() => window.__kd_probe") == 1)
    assert pg.evaluate("() => window.__kd_xss") is None
    assert not pg.dialogs, pg.dialogs
    assert not pg.errors, pg.errors


def test_bad_keys_one_warning_and_defaults(open_link):
    pg = open_link("method=dkd&beta=4&temperature=abc&epochs=50&seeds=99&bogus=1&tab=nowhere&lock=maybe"
                   "&hide=optimisation,nosuchgroup")
    wait_until(lambda: toasts(pg))
    # the warnings and the link's values come in the load event's one reply: once its good values show, all came
    wait_until(lambda: value(pg, "method") == DKD and value(pg, "beta") == "4")
    msgs = toasts(pg)
    assert len(msgs) == 1, msgs
    level, text = msgs[0]
    assert "warning" in level
    for key in ("temperature", "epochs", "seeds", "bogus", "tab", "lock", "nosuchgroup"):
        assert key in text, (key, text)
    # the bad keys keep their defaults; the good ones in the same link still apply
    assert value(pg, "temperature", "input[type=number]") == "4"
    assert value(pg, "epochs") == "20"           # the default: the link asked for 50, over the cap
    assert value(pg, "seeds") == "3"
    assert value(pg, "method") == DKD and value(pg, "beta") == "4"
    assert pg.locator("#cfg-epochs input").is_editable()    # lock=maybe: not locked
    assert not shown(pg, "#grp-optimisation") and shown(pg, "#grp-data")
    assert pg.get_by_role("tab", name="Train").get_attribute("aria-selected") == "true"
    assert not pg.errors, pg.errors


def test_warning_shows_bad_values_as_text(open_link):
    """The warning quotes what the link said; that must read as text, not be taken as markup."""
    pg = open_link("hide=" + quote("<b>bold</b>") + "&tab=" + quote("<i>x</i>"))
    wait_until(lambda: toasts(pg))
    text = toasts(pg)[0][1]
    assert "<b>bold</b>" in text and "<i>x</i>" in text, text
    assert pg.locator("[data-testid='toast-text'] b, [data-testid='toast-text'] i").count() == 0
    assert not pg.errors, pg.errors


def test_oversized_link_opens_with_defaults(open_link):
    query = "method=dkd&temperature=8&lock=1&hide=run&q=" + "x" * 4200
    assert len(query) > 4096
    pg = open_link(query)
    wait_until(lambda: toasts(pg))
    assert len(toasts(pg)) == 1 and "4096" in toasts(pg)[0][1], toasts(pg)
    assert value(pg, "method") == KD
    assert value(pg, "temperature", "input[type=number]") == "4"
    assert shown(pg, "#grp-run") and pg.locator("#cfg-epochs input").is_editable()
    assert not banner(pg)
    assert not pg.errors, pg.errors


def test_pause_step_resume_stop(open_link, kdemo_server):
    # 640 steps, 200 curve points: long enough to pause on the way even on a fast machine; Stop ends it
    pg = open_link("n_labeled=2000&epochs=20&seeds=1&eval_samples=200&eval_points=200&autorun=1")
    wait_until(lambda: points(pg) >= 3 and "running" in status(pg))
    pg.locator("#pause-btn").click()
    wait_until(lambda: "paused" in status(pg), seen=lambda: (status(pg), toasts(pg), points(pg)))
    sess = next(s for s in kdemo_server[0].kdemo_registry._sessions.values() if s.run is not None and s.run.alive)
    wait_until(lambda: sess.run.halted)  # the pause takes effect at the next step boundary: no evaluation in flight
    wait_until(lambda: points(pg) == evaluations(sess.run), seen=lambda: (points(pg), evaluations(sess.run)))
    before = curve(pg)
    n = points(pg)
    for _ in polls(sess, 5):         # five polls: the timer keeps polling, the curve must not move
        assert curve(pg) == before
        assert "paused" in status(pg)
    assert paused_note(pg)
    # Step: exactly one more evaluation point, and still paused
    pg.locator("#step-btn").click()
    wait_until(lambda: points(pg) > n)
    wait_until(lambda: "paused" in status(pg))   # the worker paused itself after that evaluation (Worker.evaluated):
    assert points(pg) == n + 1, (n, points(pg))  # the poll that says so drew every point there will be until Resume
    assert points(pg, "twin") == n + 1
    assert "paused" in status(pg)
    after_step = curve(pg)
    for name, (x, y) in before.items():                        # the old points are kept as they were
        if name in after_step and not name.endswith("warning"):
            assert after_step[name][0][:len(x)] == x and after_step[name][1][:len(y)] == y, name
    # Resume: the curve continues
    pg.locator("#resume-btn").click()
    wait_until(lambda: points(pg) >= n + 3)
    assert "paused" not in status(pg) and "running" in status(pg)
    assert not paused_note(pg)
    # Stop works from paused
    pg.locator("#pause-btn").click()
    wait_until(lambda: "paused" in status(pg), seen=lambda: (status(pg), toasts(pg), sess.run.status))
    pg.locator("#stop-btn").click()
    wait_until(lambda: "stopped" in status(pg))
    wait_until(lambda: "stopped" in pg.locator("#results").inner_text())   # the table fills at the next poll
    assert not pg.errors, pg.errors


def test_share_link_reopens_identical_state(open_link):
    a = open_link()                  # no link: every group is there (so "not shown" elsewhere means hidden)
    for g in GROUPS:
        assert shown(a, f"#grp-{g}"), g
    assert value(a, "method") == KD and shown(a, "#cfg-temperature")
    a.locator("#cfg-method input").click()
    a.get_by_role("option", name=DKD).click()
    a.wait_for_selector("#cfg-beta input")
    a.locator("#cfg-temperature input[type=number]").fill("8")
    a.locator("#cfg-temperature input[type=number]").press("Enter")
    a.locator("#cfg-beta input").fill("4")
    a.locator("#cfg-epochs input").fill("3")
    a.locator("#cfg-n_labeled input").fill("600")
    open_group(a, "data")
    a.wait_for_selector("#cfg-seed input")
    a.locator("#cfg-seed input").fill("3")
    a.locator("#share button.label-wrap").first.click()
    for option in ("group: optimisation", "α (TCKD weight) (alpha)"):
        a.locator("#share-hide input").click()
        a.get_by_role("option", name=option).click()
    a.locator("#share-lock input").check()
    question = "Why does T=8 beat T=1 & what does <b>β</b> do?"
    a.locator("#share-question textarea").fill(question)
    a.locator("#share-btn").click()
    link = wait_until(lambda: a.locator("#share-link textarea").input_value())
    expected = control_state(a)
    cli = a.locator("#share-cli .cm-content").inner_text()
    cfg = json.loads(a.locator("#share-json .cm-content").inner_text())

    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    wanted = {"method": "dkd", "temperature": "8", "beta": "4", "epochs": "3", "n_labeled": "600", "seed": "3",
              "lock": "1", "hide": "optimisation,alpha", "q": question}
    assert {k: query.get(k) for k in wanted} == wanted, link
    assert "alpha" not in query and "autorun" not in query and "momentum" not in query, link   # defaults stay out
    # the CLI command has the same settings as the link (the method may bring its recommended lr with it)
    settings = {k: v for k, v in query.items() if k not in ("lock", "hide", "q")}
    for key, text in settings.items():
        assert f"--{key.replace('_', '-')} {text}" in cli, (key, cli)
    assert cli.count(" --") == len(settings), (cli, settings)
    assert (cfg["method"], cfg["temperature"], cfg["beta"], cfg["seed"]) == ("dkd", 8, 4, 3)

    b = open_link(urlsplit(link).query)                      # a fresh context: nothing shared with `a`
    wait_until(lambda: banner(b))
    assert not shown(b, "#grp-optimisation") and not shown(b, "#cfg-alpha")
    assert shown(b, "#grp-advanced") and shown(b, "#cfg-beta")
    open_group(b, "data")
    b.wait_for_selector("#cfg-seed input")
    got = control_state(b)
    assert set(got) == set(expected) - {"cfg-alpha"}, (set(got) ^ set(expected))   # (optimisation: closed in a)
    for cid, ins in got.items():
        assert [v for v, _ in ins] == [v for v, _ in expected[cid]], cid      # identical values
        assert not any(ok for _, ok in ins), cid                              # locked
    assert banner(b) == "Question: " + question
    assert not toasts(b), toasts(b)
    assert not a.errors and not b.errors, (a.errors, b.errors)


def test_locked_autorun_lesson_on_a_phone(open_link, shots):
    """autorun=1 starts the run on open (nobody clicks Train); the locked lesson fits a 390x844 phone. With
    KDEMO_LESSON_SHOT set, its first screen once the run is done is saved there (assets/lesson_phone.png)."""
    target = os.environ.get("KDEMO_LESSON_SHOT")
    q = quote("Which temperature teaches the student most? Try T = 1, 4 and 16, and say why.")
    run = "" if target else "&epochs=2&seeds=1&eval_samples=200"    # the README's picture: the lesson as it is
    pg = open_link(f"temperature=1{run}&lock=1&autorun=1&hide=models,optimisation,data,advanced&q={q}",
                   viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    wait_until(lambda: any(w in status(pg) for w in ("running", "done")))     # started by the link alone
    wait_until(lambda: points(pg) >= 2)                                       # the live curve fills in
    assert banner(pg).startswith("Question: Which temperature teaches")
    for g in ("models", "optimisation", "data", "advanced"):
        assert not shown(pg, f"#grp-{g}"), g
    assert shown(pg, "#grp-method") and not pg.locator("#cfg-temperature input[type=number]").is_editable()
    wide = pg.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390, f"the page is {wide}px wide on a 390px phone: it scrolls sideways"
    if target:                                             # the README's picture: the first screen, curves done
        wait_until(lambda: "done" in status(pg), timeout=300)
        pg.mouse.move(0, 0)                                # no plot toolbar or hover label in the picture
        pg.screenshot(path=target)
    shots(pg, "lesson_phone.png")
    assert not pg.errors, pg.errors
