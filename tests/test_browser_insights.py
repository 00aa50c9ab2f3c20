"""The Teaching views tab in a real browser: it opens on the pretrained pair, a click on a confusion cell shows
those test images, picking one draws its probabilities, and "Open in lab" puts it into the Temperature lab.

Recipe and traps: /work/shared/notes/browser-tests.md (Debian chromium, never `playwright install`).
"""
import re

import pytest

from browserkit import browser, needs_chromium, wait_until  # noqa: F401 (browser: a fixture)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def page(kdemo_server, browser):
    _, url = kdemo_server
    pg = browser.new_page(viewport={"width": 1440, "height": 1000})
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(url)
    pg.wait_for_selector("#train-btn", timeout=60_000)
    yield pg
    pg.close()



def text(page, selector: str) -> str:
    loc = page.locator(selector)
    return loc.inner_text() if loc.count() else ""


def plot_data(page, elem_id: str) -> str:
    return page.evaluate(f"""() => {{
        const div = document.querySelector('#{elem_id} .js-plotly-plot');
        return div && div.data ? JSON.stringify(div.data.map(t => [t.name, t.x, t.y])) : '';
    }}""")


def test_confusion_cell_images_then_open_in_lab(page):
    page.get_by_role("tab", name="Teaching views").click()
    wait_until(lambda: "pretrained" in text(page, "#ins-source"))             # no run yet: the pretrained pair
    wait_until(lambda: plot_data(page, "ins-sim") not in ("", "[]"))
    assert "↔" in text(page, "#ins-sim-caption") and "ECE" in text(page, "#ins-cal-text")
    # the cell "true 4, predicted 9": row 4, column 10 (column 0 names the row)
    cell = page.locator("#ins-confusion [data-testid='cell-4-10']")
    errors = int(cell.inner_text())
    assert errors > 0
    cell.click()
    wait_until(lambda: page.locator("#ins-gallery img").count() > 0)
    shown = page.locator("#ins-gallery img").count()
    assert shown == min(errors, 16)
    assert f"{errors}" in text(page, "#ins-cell-text") and "class 4" in text(page, "#ins-cell-text")
    first = wait_until(lambda: (d := plot_data(page, "ins-probs")) not in ("", "[]") and d)
    # pick another image: its number and its probability bars change
    page.locator("#ins-gallery .thumbnail-item").nth(min(1, shown - 1)).click()
    if shown > 1:
        wait_until(lambda: plot_data(page, "ins-probs") != first)
    index = int(page.locator("#ins-image input").input_value())
    assert 0 <= index < 10_000
    assert f"#{index}" in page.evaluate("() => document.querySelector('#ins-probs .gtitle').textContent")
    page.locator("#ins-open").click()
    wait_until(lambda: "teacher says" in text(page, "#lab-caption"))
    caption = text(page, "#lab-caption")
    assert page.locator("#lab-caption").is_visible()                          # the lab tab is in front
    assert re.search(r"teacher says \d", caption)
    wait_until(lambda: plot_data(page, "lab-probs") not in ("", "[]"))
    assert not page.errors, page.errors
