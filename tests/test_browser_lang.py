"""kdemo in a second language (German) in Chromium: a browser set to German gets the page's labels, the tour and
the plots (titles, axis titles, legends, notes, text alternatives) in German with German numbers; `?lang=de`
switches what the server writes (the tour, verdicts, the plots' words, the results table's headers, a refused
input's message) for any browser; an English browser sees English (the other browser tests)."""
import re

from browserkit import browser, needs_chromium, wait_until  # noqa: F401 (browser: a fixture)
from kdemo import lang

pytestmark = needs_chromium


def open_page(browser, url, **context):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, **context)
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#train-btn", timeout=30_000)
    return page


def test_a_german_browser_gets_the_page_in_german(kdemo_server, browser):
    page = open_page(browser, kdemo_server[1], locale="de-DE")
    try:
        wait_until(lambda: "Trainieren" in page.locator("#train-btn").inner_text())
        assert page.evaluate("document.documentElement.lang") == "de"
        assert "Labor für Wissensdestillation" in page.locator("#kd-header").inner_text()
        epochs = page.locator("#cfg-epochs").inner_text()
        assert "Epochen" in epochs and "(> 0 bis 100)" in epochs, epochs
        assert "bis 60.000" in page.locator("#cfg-n_labeled").inner_text()       # German thousands
        wait_until(lambda: "Schritt 1 von 6" in page.locator("#tour-text").inner_text())
        assert "Drücke ▶ Trainieren" in page.locator("#tour-text").inner_text()
        assert page.locator("#tour-go").inner_text() == "Bring mich hin"
        alt = page.locator("#acc-plot ~ .kd-alt-box").first.inner_text()
        assert "Die Zahlen hinter diesem Diagramm" in alt and "The numbers" not in alt, alt
        # the plots wait for a run: their words in their place, and no Plotly loaded (kit.Wired.plot's `waits`)
        waiting = page.locator("#acc-plot [data-testid=block-label]")
        assert waiting.is_visible() and waiting.inner_text().strip() == "Hier erscheinen die Kurven der Testgenauigkeit."
        assert page.locator("#loss-plot [data-testid=block-label]").inner_text().strip() == "Verluste"
        assert page.evaluate("typeof window.Plotly") == "undefined"
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_lang_link_switches_what_the_server_writes(kdemo_server, browser):
    page = open_page(browser, kdemo_server[1] + "?lang=de&tour=1", locale="en-US")
    try:
        wait_until(lambda: "Schritt 1 von 6" in page.locator("#tour-text").inner_text())
        assert page.evaluate("document.documentElement.lang") == "de"
        # Gradio's own labels (gr.I18n) follow the link too (kdemo/app/style.py's PAGE_JS sets its locale)
        wait_until(lambda: "Trainieren" in page.locator("#train-btn").inner_text())
        assert "Epochen" in page.locator("#cfg-epochs").inner_text()
        page.locator("#cfg-epochs input").fill("2")     # 16 steps of 500 labels: the sides differ
        page.locator("#cfg-seeds input").fill("1")
        page.locator("#train-btn").click()
        wait_until(lambda: "Punkte" in page.locator("#train-verdict").inner_text(), timeout=90)
        verdict = page.locator("#train-verdict").inner_text()
        assert "bei einem Seed" in verdict and "," in verdict and "points" not in verdict, verdict
        wait_until(lambda: "Dein destillierter Schüler erreichte" in page.locator("#tour-text").inner_text())
        # the plots' words too (kdemo/figures/words.py): drawn on the server in English, shown in German
        assert plot_words(page, "#acc-plot .gtitle") == ["Testgenauigkeit je Epoche"]
        assert "Genauigkeit (%)" in plot_words(page, "#acc-plot .ytitle")
        assert any(w.startswith("destillierter Schüler") for w in plot_words(page, "#acc-plot .legendtext"))
        assert plot_words(page, "#loss-plot .gtitle") == ["Trainingsverluste (log. Skala)"]
        # the results table's headers (the page relabels them: the values and the API keep the English ones)
        wait_until(lambda: "Genauigkeit Schüler %" in page.locator("#results thead").first.inner_text())
        heads = page.locator("#results thead").first.inner_text()
        assert "Datensatz" in heads and "Epochen" in heads and "student acc %" not in heads, heads
        assert page.locator("#results [role=gridcell]", has_text="fertig").count() == 1       # its status
        # a refused input says why in German (kdemo/app/kit.py's guard: the request's ?lang=)
        page.locator("#cfg-epochs input").fill("0")
        page.locator("#train-btn").click()
        toast = page.locator("[data-testid='toast-body']")
        wait_until(lambda: toast.count())
        said = toast.first.inner_text()
        assert "Fehler" in said and "Epochen (epochs) muss eine Zahl über 0 und höchstens 100 sein" in said, said
        assert not page.errors, page.errors
    finally:
        page.context.close()


def plot_words(page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_text_contents()]


# Every visible text node of every tab, opened accordions included, and the plots' titles, axis titles, notes and
# legends (their tick labels are numbers and classes); tables of data (Gradio's tables, .table-wrap: their headers
# are relabelled in the page, test_lang_link_switches_what_the_server_writes; their cells are data), code and form
# values are not words of the page.
COLLECT = """() => {
  const skip = 'script,style,pre,code,.cm-editor,textarea,table,.table-wrap' + (SKIPPED ? ',' + SKIPPED : '');
  const words = /(^| )(gtitle|[xy][0-9]*title|legendtext|annotation-text)( |$)/;
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const t = walk.currentNode.textContent.replace(/\\s+/g, ' ').trim();
    const el = walk.currentNode.parentElement;
    if (!t || !el || el.closest(skip) || !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (el.closest('svg') && !(el.closest('.js-plotly-plot') && words.test(el.closest('text')?.getAttribute('class'))))
      continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) out.push(t);
  }
  return out;
}"""
# Elements whose words are still English in a German browser (README "Languages" says why); empty: none.
NOT_YET = ()
ACCORDIONS = ("#grp-optimisation", "#grp-data", "#grp-advanced", "#share", "#class-start")


def names() -> set[str]:
    """Texts that are names in every language: models, methods, data sets, and a few words German shares."""
    from kdemo.data.datasets import DATASETS
    from kdemo.methods.distillers import DISTILLERS
    from kdemo.zoo.models import MODELS
    return ({m.title for m in MODELS.values()} | set(MODELS) | {d.title for d in DISTILLERS.values()} |
            {d.title for d in DATASETS.values()} |
            {"Seed", "Seeds", "Pause", "Experiment", "Link", "SGD", "Adam", "Momentum", "KD = TCKD + (1 − p",
             "KD = TCKD + (1−p", ")·NCKD", "(TCKD)", "(NCKD)", "TCKD", "NCKD", "Rest",
             "Runs"})      # (Gradio's footer link to its run history: Gradio's own word, not translated by it)


def page_words(browser, url, locale, train: bool) -> list[str]:
    """Every tab's words, with a test digit in the lab (its plots get their panels), after a tiny run if `train`
    (the Train tab's plots get curves, legends and notes; the Teaching views show the run)."""
    page = open_page(browser, url, locale=locale)
    try:
        wait_until(lambda: "kd-lang-" in page.evaluate("document.body.className"))
        for box in ACCORDIONS:
            page.locator(f"{box} > .label-wrap, {box} button.label-wrap").first.click()
        if train:
            for name, value in (("epochs", "0.2"), ("seeds", "1"), ("n_labeled", "1000")):
                page.locator(f"#cfg-{name} input").fill(value)
            page.locator("#train-btn").click()
            wait_until(lambda: page.locator("#train-status .kd-status.done").count(), timeout=120)
            wait_until(lambda: page.locator("#loss-plot .legendtext").count())
        seen = []
        for i in range(page.locator("#kd-tabs [role=tab]").count()):
            page.locator("#kd-tabs [role=tab]").nth(i).click()
            if page.locator("#lab-show").is_visible():
                page.locator("#lab-index input").fill("0")
                page.locator("#lab-show").click()
                wait_until(lambda: page.locator("#lab-dkd .legendtext").count())
            if page.locator("#ins-source").is_visible():     # the views are computed when their tab opens
                wait_until(lambda: page.locator("#ins-cal-text").inner_text().strip())
            page.wait_for_timeout(800)
            seen += page.evaluate(COLLECT.replace("SKIPPED", repr(",".join(NOT_YET))))
        assert not page.errors, page.errors
        return seen
    finally:
        page.context.close()


def test_every_visible_word_of_every_tab_is_german_in_a_german_browser(kdemo_server, browser):
    english = set(page_words(browser, kdemo_server[1], "en-US", train=False))
    assert {"Train", "Temperature lab", "Experiments", "Teaching views", "▶ Run experiment",
            "⟳ Show my last run", "Make the link (and copy it)", "The test-accuracy curves appear here.",
            "probability", "true class", "accuracy (%)"} <= english      # English is unchanged, the plots' too
    # the English of every plot text without parameters: the German page's plots after a run are compared with it
    # too (tests/test_plot_words.py checks the texts with parameters, figure by figure)
    english |= {v for k, v in lang.TABLES["en"].items() if k.startswith("plot") and not lang.fields(v)}
    german = page_words(browser, kdemo_server[1], "de-DE", train=True)
    assert {"Trainieren", "Temperatur-Labor", "Experimente", "Lehransichten", "▶ Experiment starten",
            "Testgenauigkeit je Epoche", "Genauigkeit (%)", "Wahrscheinlichkeit", "wahre Klasse"} <= set(german)
    allowed = names()
    left = [t for t in dict.fromkeys(german)
            if t in english and t not in allowed and re.search(r"[A-Za-z]{3}", t)]
    assert left == [], f"still English in a German browser: {left}"


def test_the_drawing_pad_speaks_the_pages_language(kdemo_server, browser):
    page = open_page(browser, kdemo_server[1] + "?lang=de", locale="en-US")
    try:
        page.locator("#kd-tabs [role=tab]").nth(1).click()
        wait_until(lambda: page.locator("#sketch canvas").get_attribute("aria-label") == "Zeichenfläche: zeichne "
                   "eine Ziffer")
        assert page.locator("#sketch .kd-pad-clear").inner_text() == "✕ Löschen"
    finally:
        page.context.close()
