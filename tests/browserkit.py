"""What the browser tests share: Debian's chromium driven by the playwright package (never `playwright install`),
skipped with a reason where either is missing, one browser per test module, and a polling wait whose timeouts are
safety nets, never speed claims. Recipe and traps: /work/shared/notes/browser-tests.md."""
import os
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


def sync_playwright():
    """playwright's sync API, or a skip of the calling test module when the package is missing."""
    return pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package").sync_playwright()


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for the module; each test opens its own context (its own visitor session)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def wait_until(fn, timeout=60.0, every=0.25, seen=None):
    """fn()'s first truthy value, polled; seen(): what to show when it never comes."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time" + (f"; saw: {seen()!r}" if seen else ""))


def open_tab(page, name: str):
    """Select a tab by its visible name, also on a phone, where Gradio moves the tabs that do not fit into a
    "More tabs" menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
    else:
        page.get_by_role("button", name="More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).click()


def watch_joins(page):
    """Count the events the page sends from now on (each a POST to Gradio's queue/join, answered once the server
    holds the event): `settled` reads the counts. Call it before the page opens."""
    page.joins = {"sent": 0, "answered": 0}

    def counter(key):
        return lambda request: "/queue/join" in request.url and page.joins.update({key: page.joins[key] + 1})
    page.on("request", counter("sent"))
    page.on("requestfinished", counter("answered"))
    page.on("requestfailed", counter("answered"))


def settled(page, demo, timeout=60.0):
    """Wait until every event the page set off has been answered, the events its replies set off in turn included:
    no join of the page is in flight (`watch_joins`), the server holds no event (Gradio's queue keeps each from its
    join until its reply is sent: a private name, `_queue.event_ids_to_events`, so a Gradio that renames it fails
    here rather than passing), and the page sent no new one since the last look, twice in a row. Each look is a
    round trip to the page: a reply that sets off another event has sent its join by the next look."""
    looks = []

    def quiet():
        page.evaluate("() => 0")         # a round trip; playwright also delivers the request events it saw
        sent, answered = page.joins["sent"], page.joins["answered"]
        looks.append((sent, sent == answered and not demo._queue.event_ids_to_events))
        return len(looks) >= 2 and looks[-1][1] and looks[-2] == looks[-1]

    wait_until(quiet, timeout=timeout, seen=lambda: (page.joins, list(demo._queue.event_ids_to_events)))


def polls(session, n: int, timeout=60.0):
    """Yield after each of the next `n` requests the server sees from `session` (every handler of the session
    touches it: `Session.last_seen`), e.g. n ticks of a page's timer."""
    for _ in range(n):
        seen = session.last_seen
        wait_until(lambda: session.last_seen > seen, timeout=timeout, every=0.05)
        yield


class Shots:
    """Screenshots for a person to look at, in $KDEMO_SHOT_DIR; without it none are taken: a test asserts on the
    page, and each picture is 0.2-0.5 s of Chromium's CPU on a 2-core machine."""

    def __init__(self):
        self.folder = Path(os.environ["KDEMO_SHOT_DIR"]) if os.environ.get("KDEMO_SHOT_DIR") else None

    def __call__(self, page, name: str, full_page: bool = False):
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.folder / name), full_page=full_page)


@pytest.fixture
def shots():
    """A test's Shots (see above)."""
    return Shots()
