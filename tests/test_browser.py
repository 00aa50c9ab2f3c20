"""The app in a real browser (headless Chromium via playwright): draw in the Temperature lab, train, stop.

Recipe and traps: /work/shared/notes/browser-tests.md. Screenshots go to $KDEMO_SHOT_DIR (else a temp folder);
KDEMO_SCREENSHOT=path also saves a full-page picture of the Train tab mid-run there (how assets/screenshot.png
is made: KDEMO_SCREENSHOT=assets/screenshot.png pytest tests/test_browser.py).
"""
import hashlib
import re
import os
from pathlib import Path
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(kdemo_server):
    _, url = kdemo_server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 1000})
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.goto(url)
        pg.wait_for_selector("#train-btn", timeout=30_000)
        yield pg
        browser.close()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: $KDEMO_SHOT_DIR to keep them, else the test's temp folder."""
    folder = Path(os.environ.get("KDEMO_SHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def plot_data(page, elem_id: str) -> str:
    """The traces a plotly plot currently shows (x and y of each), as a string to compare over time."""
    return page.evaluate(f"""() => {{
        const div = document.querySelector('#{elem_id} .js-plotly-plot');
        return div && div.data ? JSON.stringify(div.data.map(t => [t.name, t.x, t.y])) : '';
    }}""")


def wait_until(fn, timeout=30.0, every=0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")


def stroke(page, canvas, points):
    box = canvas.bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def test_lab_updates_as_you_draw(page, shots):
    page.get_by_role("tab", name="Temperature lab").click()
    page.locator("#sketch").get_by_role("button", name="Brush").click()
    canvas = page.locator("#sketch .pixi-target canvas").first
    assert plot_data(page, "lab-probs") == "[]"                       # the placeholder has no bars
    # Strokes must start on the image itself (the canvas element also covers the grey margin around it).
    stroke(page, canvas, [(0.55, 0.28), (0.5, 0.72)])                 # a "1"
    first = wait_until(lambda: plot_data(page, "lab-probs") not in ("", "[]") and plot_data(page, "lab-probs"))
    page.wait_for_selector("#lab-preview img", timeout=10_000)
    assert "teacher says" in page.locator("#lab-caption").inner_text()
    stroke(page, canvas, [(0.35, 0.3), (0.62, 0.3)])                  # a bar on top: now more like a "7"
    wait_until(lambda: plot_data(page, "lab-probs") != first)
    assert plot_data(page, "lab-dkd") not in ("", "[]")
    page.screenshot(path=str(shots / "lab.png"), full_page=True)
    assert not page.errors, page.errors


def test_train_curves_move_then_stop(page, shots):
    page.get_by_role("tab", name="Train").click()
    page.locator("#cfg-epochs input").fill("12")   # long enough to stop it half way
    page.locator("#train-btn").click()
    wait_until(lambda: "training the student" in page.locator("#train-status").inner_text())
    a = wait_until(lambda: (d := plot_data(page, "acc-plot")).count("distilled") and d, timeout=30)
    wait_until(lambda: (d := plot_data(page, "acc-plot")) != a and d, timeout=30)   # the curve grows
    shot = os.environ.get("KDEMO_SCREENSHOT")
    if shot:   # a picture with some history on the curves
        wait_until(lambda: int(re.search(r"(\d+)%", page.locator("#train-status").inner_text()).group(1)) >= 45)
        page.mouse.move(0, 0)   # no hover labels in the picture
        page.screenshot(path=shot, full_page=True)
    page.screenshot(path=str(shots / "train_running.png"), full_page=True)
    page.locator("#stop-btn").click()
    wait_until(lambda: "stopped" in page.locator("#train-status").inner_text(), timeout=15)
    time.sleep(0.5)
    after = plot_data(page, "acc-plot")
    time.sleep(1.5)   # three timer periods: a live run would have moved
    assert plot_data(page, "acc-plot") == after
    assert "stopped" in page.locator("#results").inner_text()
    page.screenshot(path=str(shots / "train_stopped.png"), full_page=True)
    assert hashlib.sha256(after.encode()).hexdigest() != hashlib.sha256(a.encode()).hexdigest()
    assert not page.errors, page.errors


def test_closing_the_tab_stops_its_run(kdemo_server, page):
    demo, url = kdemo_server
    registry = demo.kdemo_registry
    tab = page.context.browser.new_page()
    tab.goto(url)
    tab.wait_for_selector("#train-btn", timeout=30_000)
    tab.locator("#cfg-epochs input").fill("12")
    tab.locator("#train-btn").click()
    wait_until(lambda: "running" in tab.locator("#train-status").inner_text())
    runs = [s.run for s in list(registry._sessions.values()) if s.run is not None and s.run.alive]
    assert len(runs) == 1
    tab.close(run_before_unload=True)       # the browser tells the server: Blocks.unload -> Registry.forget
    wait_until(lambda: not runs[0].alive, timeout=20)
    assert runs[0].status == "stopped"
