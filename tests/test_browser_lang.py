"""kdemo in a second language (German) in Chromium: a browser set to German gets the page's labels, the tour and
the plots' text alternatives in German with German numbers; `?lang=de` switches what the server writes (the tour,
verdicts, text alternatives) for any browser; an English browser sees English (the other browser tests)."""
from browserkit import browser, needs_chromium, wait_until  # noqa: F401 (browser: a fixture)

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
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_lang_link_switches_what_the_server_writes(kdemo_server, browser):
    page = open_page(browser, kdemo_server[1] + "?lang=de&tour=1", locale="en-US")
    try:
        wait_until(lambda: "Schritt 1 von 6" in page.locator("#tour-text").inner_text())
        assert page.evaluate("document.documentElement.lang") == "de"
        page.locator("#cfg-epochs input").fill("2")     # 16 steps of 500 labels: the sides differ
        page.locator("#cfg-seeds input").fill("1")
        page.locator("#train-btn").click()
        wait_until(lambda: "Punkte" in page.locator("#train-verdict").inner_text(), timeout=90)
        verdict = page.locator("#train-verdict").inner_text()
        assert "bei einem Seed" in verdict and "," in verdict and "points" not in verdict, verdict
        wait_until(lambda: "Dein destillierter Schüler erreichte" in page.locator("#tour-text").inner_text())
        assert not page.errors, page.errors
    finally:
        page.context.close()
