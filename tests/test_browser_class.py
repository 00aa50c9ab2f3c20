"""A class in a real browser (headless Chromium via playwright): a teacher starts a class from a lesson, opens the
board for the projector, two students open the join link (one with an HTML nickname) and train; the board updates
as they finish, shows the nickname as text, and a wrong board code shows a plain message.

Recipe and traps: /work/shared/notes/browser-tests.md. Screenshots go to $KDEMO_SHOT_DIR (none without it).
"""
import re

import pytest

from browserkit import Shots, browser, needs_chromium, wait_until  # noqa: F401 (browser: a fixture)

pytestmark = needs_chromium
LESSON = "n_labeled=64&epochs=1&seeds=1&eval_samples=100&eval_points=2"      # a run of a few seconds
NICK = "<b>Ann</b><img src=x onerror=alert(1)>"


@pytest.fixture
def pages(kdemo_server, browser):
    """page(url) -> a page of a fresh context (its own visitor), recording page errors and dialogs."""
    contexts = []

    def opener(url: str, ready: str = "#train-btn"):
        """`ready`: what the page shows once drawn. A board link's page hides the tabs as it opens, and the Train
        tab's button is never drawn when that comes first."""
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.errors, pg.dialogs = [], []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.goto(url)
        pg.wait_for_selector(ready, state="attached", timeout=60_000)
        return pg

    yield opener
    for ctx in contexts:
        for pg in ctx.pages:
            pg.close(run_before_unload=True)
        ctx.close()


def text(pg, selector: str) -> str:
    loc = pg.locator(selector)
    return loc.first.inner_text() if loc.count() else ""


def board_rows(pg) -> int:
    found = re.search(r"· (\d+) rows? ·", text(pg, "#board-head"))
    return int(found.group(1)) if found else -1


def table_cells(pg) -> str:
    return text(pg, "#board-table")


def train(pg):
    pg.locator("#train-btn").click()
    wait_until(lambda: "done" in text(pg, "#train-status .kd-status"), timeout=120,
               seen=lambda: text(pg, "#train-status"))


def test_a_teacher_board_and_two_students(kdemo_server, pages):
    _, url = kdemo_server
    shots = Shots()
    teacher = pages(url + "?" + LESSON)
    wait_until(lambda: teacher.locator("#cfg-n_labeled input").first.input_value() == "64")
    teacher.locator("#class-start button.label-wrap").first.click()
    teacher.locator("#class-start-btn").click()
    join = wait_until(lambda: teacher.locator("#class-join-link textarea, #class-join-link input").first.input_value())
    board_link = teacher.locator("#class-board-link textarea, #class-board-link input").first.input_value()
    assert "n_labeled=64" in join and "class=" in join and "?board=" in board_link
    shots(teacher, "class_start.png")

    board = pages(board_link, ready="#board-head")
    wait_until(lambda: "No runs yet" in text(board, "#board-head"), seen=lambda: text(board, "#board-head"))
    assert board.locator("#class-board").is_visible() and not board.locator("#kd-tabs").is_visible()

    ann = pages(join)
    wait_until(lambda: "student 1" in text(ann, "#class-note"), seen=lambda: text(ann, "#class-note"))
    ann.locator("#class-nick textarea, #class-nick input").first.fill(NICK)
    ann.locator("#class-join-btn").click()
    wait_until(lambda: NICK in text(ann, "#class-note"), seen=lambda: text(ann, "#class-note"))   # as text
    assert ann.locator("#class-note img").count() == 0 and ann.locator("#class-note b:visible").count() == 1
    train(ann)
    wait_until(lambda: board_rows(board) == 1, timeout=120, seen=lambda: text(board, "#board-head"))
    wait_until(lambda: NICK in table_cells(board), seen=lambda: table_cells(board))
    assert board.locator("#board-table img").count() == 0
    assert "1 run" in text(board, "#board-head") and "+" in table_cells(board)
    shots(ann, "class_student_1.png")

    bob = pages(join)
    wait_until(lambda: "student 2" in text(bob, "#class-note"), seen=lambda: text(bob, "#class-note"))
    open_run = bob.locator("#cfg-temperature input[type='number']")
    if open_run.count():
        open_run.first.fill("8")
        open_run.first.press("Enter")
    train(bob)
    wait_until(lambda: board_rows(board) == 2, timeout=120, seen=lambda: text(board, "#board-head"))
    assert "2 runs" in text(board, "#board-head") and "student 2" in table_cells(board)
    assert board.locator("#board-plot .js-plotly-plot").count() == 1
    shots(bob, "class_student_2.png")
    shots(board, "class_board.png", full_page=True)

    wrong = pages(url + "?board=" + "A" * 16, ready="#board-head")
    wait_until(lambda: "no open class" in text(wrong, "#board-head"), seen=lambda: text(wrong, "#board-head"))
    for pg in (teacher, board, ann, bob, wrong):
        assert pg.errors == [] and pg.dialogs == []
