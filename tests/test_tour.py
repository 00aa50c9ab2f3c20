"""The guided tour, followed to the end in Chromium by a visitor who only does what the tour asks, on a 1440 px
screen and on a 390x844 phone, each step's words computed from that visitor's own results; then a first visit
opens it by itself, a second does not, and it reopens from its button.

For the suite's time, the tour is opened from a `?tour=1` link that also makes runs small (1 epoch, 1 seed), and
the Missing-digit experiment runs at the tests' tiny size (its quick size patched for this module): the same
steps, seconds instead of minutes. On the phone the experiment's step opens its tab and is skipped."""
import re

import pytest

from browserkit import browser, needs_chromium, open_tab, wait_until  # noqa: F401 (browser: a fixture)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def tiny_experiments():
    from kdemo.experiments import hinton
    saved = hinton.MD_SIZES["quick"]
    hinton.MD_SIZES["quick"] = hinton.MD_SIZES["tiny"]
    yield
    hinton.MD_SIZES["quick"] = saved


def tour_text(page) -> str:
    return page.locator("#tour-text").inner_text()


def step(page, i: int):
    wait_until(lambda: f"Step {i} of 6" in tour_text(page), timeout=120, seen=lambda: tour_text(page))


def done(page, timeout=120) -> str:
    """Wait until the step is done (its Next button appears); the words it says."""
    wait_until(lambda: page.locator("#tour-next").is_visible(), timeout=timeout, seen=lambda: tour_text(page))
    return tour_text(page)


def follow(page, experiment: bool = True):
    """Only what the tour asks: its own buttons, and the control each step names. Without `experiment`, step 6
    opens its tab and is skipped: the Missing-digit run is the same at any width (the suite's time)."""
    step(page, 1)
    page.locator("#tour-go").click()
    page.locator("#train-btn").click()
    words = done(page)
    assert re.search(r"Your distilled student reached [\d.]+%, its twin [\d.]+%: [+-][\d.]+ points on", words), words
    page.locator("#tour-next").click()

    step(page, 2)
    page.locator("#tour-go").click()
    t = page.locator("#cfg-temperature input[type=number]")
    t.fill("10")
    t.press("Enter")
    page.locator("#train-btn").click()
    words = done(page)
    assert re.search(r"At T = 10\.0 your distilled student reached [\d.]+%", words), words
    page.locator("#tour-next").click()

    step(page, 3)
    page.locator("#tour-go").click()
    page.locator("#lab-index input").fill("7")
    page.locator("#lab-show").click()
    wait_until(lambda: "teacher says" in page.locator("#lab-caption").inner_text())
    lab_t = page.locator("#lab-T input[type=number]")
    lab_t.fill("12")
    lab_t.press("Enter")
    words = done(page)
    assert re.search(r"At T = 4\.0 the teacher gave the \d a probability of [\d.]+; at T = 12\.0", words), words
    page.locator("#tour-next").click()

    step(page, 4)
    page.locator("#tour-go").click()
    page.locator("#ins-refresh").click()
    words = done(page)
    assert "From your run:" in words, words
    page.locator("#tour-next").click()

    step(page, 5)
    page.locator("#tour-go").click()
    page.locator("#ins-sim-model").get_by_text("distilled student").click()
    words = done(page)
    assert "From your run:" in words, words
    page.locator("#tour-next").click()

    step(page, 6)
    page.locator("#tour-go").click()
    if not experiment:
        wait_until(lambda: page.locator("#exp-run").is_visible())
        page.locator("#tour-skip").click()
        wait_until(lambda: "That's the tour" in tour_text(page))
        page.locator("#tour-close").click()
        wait_until(lambda: not page.locator("#tour-text").is_visible())
        return
    page.locator("#exp-key input").click()
    page.get_by_role("option", name=re.compile("Missing digit")).click()
    page.locator("#exp-run").click()
    words = done(page, timeout=240)
    assert re.search(r"test 3s", words), words
    alts = page.locator("#exp-figs ~ .kd-alt-box details[lang=en]")          # the experiment's plots in words
    assert alts.count() >= 1 and "series" in alts.first.text_content(), alts.count()
    page.locator("#tour-next").click()
    wait_until(lambda: "That's the tour" in tour_text(page))
    page.locator("#tour-close").click()
    wait_until(lambda: not page.locator("#tour-text").is_visible())


LINK = "?tour=1&epochs=1&seeds=1&n_labeled=1000"


@pytest.mark.parametrize("width,height", [(1440, 1000), (390, 844)])
def test_tour_to_the_end(kdemo_server, browser, tiny_experiments, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(kdemo_server[1] + LINK)
        page.wait_for_selector("#train-btn", timeout=30_000)
        follow(page, experiment=width == 1440)
        if width == 1440:       # a plain visit after that: no tour, it can reopen (once: a page load is seconds)
            page.goto(kdemo_server[1])
            page.wait_for_selector("#train-btn", timeout=30_000)
            page.wait_for_timeout(800)
            assert not page.locator("#tour-text").is_visible()
            page.locator("#tour-open").click()
            step(page, 1)
            page.locator("#tour-skip").click()
            step(page, 2)
        assert not errors, errors
    finally:
        ctx.close()


def test_first_visit_opens_the_tour_and_a_lesson_link_does_not(kdemo_server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    try:
        page.goto(kdemo_server[1])
        page.wait_for_selector("#train-btn", timeout=30_000)
        step(page, 1)                                           # a first visit: the tour, and the page usable
        assert page.locator("#train-btn").is_visible() and page.locator("#tour-close").is_visible()
        page.locator("#tour-close").click()
        wait_until(lambda: not page.locator("#tour-text").is_visible())
    finally:
        ctx.close()
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        lesson = ctx.new_page()                                 # a class's lesson link, on a first visit too
        lesson.goto(kdemo_server[1] + "?tab=lab&q=What+does+T+do%3F")
        lesson.wait_for_selector("#lab-caption", timeout=30_000)
        lesson.wait_for_timeout(800)
        assert not lesson.locator("#tour-text").is_visible()
    finally:
        ctx.close()
