"""A whole class at once: the fair run queue, class boards and their SQLite store, through the objects and through
the API of a real server subprocess (a class of 6, a kill -9 and a restart on the same data folder; a class of
30 is `python -m kdemo bench class --students 30`, README "Hosting")."""
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client.exceptions import AppError

from kdemo.app.boards import Full, SqliteBoards
from kdemo import lang
from kdemo.app.classes import Classes, clean_nickname
from kdemo.app.limits import Limits
from kdemo.app.queue import Busy
from kdemo.app.sessions import Registry
from kdemo.commands.bench_class import serve, status_of
from kdemo.commands.benchkit import visitor
from kdemo.settings.config import TrainConfig
from kdemo.teach.classboard import sentence, summary
from kdemo.train.worker import Worker

TINY = dict(n_labeled=64, epochs=1.0, seeds=1, eval_samples=100, eval_points=2)


class Gate(Worker):
    """A worker that runs until released (or stopped)."""
    kind = "run"

    def __init__(self, cfg=None):
        super().__init__()
        self.cfg, self.release = cfg, threading.Event()

    def _execute(self):
        while not self.release.wait(0.01):
            if not self.checkpoint():
                return

    def summary(self):
        return {}


def _wait(cond, what: str, s: float = 10.0):
    t0 = time.time()
    while not cond():
        assert time.time() - t0 < s, what
        time.sleep(0.01)


def test_the_queue_is_first_come_first_served_and_starts_runs_by_itself():
    reg = Registry(Limits(max_runs=1, max_queued=3))
    a, b, c, d, e = (reg.session(k) for k in "abcde")
    run_a = reg.start_run(a, TrainConfig(), Gate)
    tickets = [reg.start_run(s, TrainConfig(), Gate) for s in (b, c, d)]
    assert [t.position() for t in tickets] == [1, 2, 3] and b.waiting is tickets[0]
    assert "1st in line" in tickets[0].line() and "no estimate yet" in tickets[0].line()
    with pytest.raises(Busy, match="already have a run going or waiting"):   # one place per visitor
        reg.start_run(c, TrainConfig(), Gate)
    with pytest.raises(Busy, match="server busy.*KDEMO_MAX_QUEUED"):
        reg.start_run(e, TrainConfig(), Gate)
    tickets[0].stop()                                   # Stop leaves the line
    assert not b.busy() and [t.position() for t in tickets[1:]] == [1, 2]
    d.last_seen = 0                                     # d's session expires: its place goes too
    assert reg.sweep() == 1 and tickets[2].state == "left" and reg.queue.counts()["waiting"] == 1
    run_a.release.set()                                 # a's run ends: c's starts by itself
    _wait(lambda: c.run is not None and c.run.alive, "the queued run did not start")
    assert c.waiting is None and tickets[1].state == "started" and not run_a.alive
    job = reg.start_job(a, lambda: Gate().start())      # an experiment job waits in the same line
    assert a.waiting is job and job.attr == "job" and job.position() == 1
    c.run.release.set()
    _wait(lambda: a.job is not None and a.job.alive, "the queued job did not start")
    ticket_e = reg.start_run(e, TrainConfig(), Gate)
    assert re.search(r"1st in line, (a few seconds|about \d+ s)", ticket_e.line()), ticket_e.line()  # measured
    reg.close_all()
    assert ticket_e.state == "left" and reg.active() == 0


def test_the_board_store_loses_no_row_of_thirty_at_once_and_keeps_its_caps(tmp_path):
    store = SqliteBoards(tmp_path)
    store.create("b1", "k", "epochs=1", max_boards=2)
    with ThreadPoolExecutor(30) as pool:
        posted = list(pool.map(lambda i: store.post("b1", f"r{i}", {"i": i}, 40), range(30)))
    assert all(posted) and sorted(r["i"] for r in store.rows("b1")) == list(range(30))
    assert store.post("b1", "r3", {"i": 99}, 40) is False          # a run posts once; no row is edited
    con = sqlite3.connect(tmp_path / "boards.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(Full, match="KDEMO_BOARD_ROWS"):
        store.post("b1", "r-late", {}, 30)
    store.create("b2", "k", "", max_boards=2)
    with pytest.raises(Full, match="KDEMO_MAX_BOARDS"):
        store.create("b3", "k", "", max_boards=2)
    store.close("b2")
    with pytest.raises(Full, match="closed"):
        store.post("b2", "r1", {}, 30)
    assert store.expire(time.time() + 1) == 2 and store.get("b1") is None and store.rows("b1") == []


def test_codes_are_secret_and_a_wrong_one_reveals_nothing(tmp_path):
    classes = Classes(SqliteBoards(tmp_path), Limits())
    code, key = classes.start("temperature=4")
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", code) and re.fullmatch(r"[A-Za-z0-9_-]{24}", key)
    assert code.encode() not in (tmp_path / "boards.sqlite3").read_bytes()     # only its hash is stored
    for wrong in ("A" * 16, code[:-1] + ("A" if code[-1] != "A" else "B")):
        with pytest.raises(ValueError) as e:
            classes.board(wrong)
        assert str(e.value) == lang.text("told.no_class")
    for shape in ("abc", "<script>alert(1)</script>", "x" * 10_000, None, 5):
        with pytest.raises(ValueError, match="16 letters"):
            classes.board(shape)
    with pytest.raises(ValueError, match="teacher key"):
        classes.clear(code, "B" * 24)
    assert classes.clear(code, key) == 0
    from kdemo.app.sessions import Session
    classes.close(code, key)                           # closed: no one joins, the board stays readable
    with pytest.raises(ValueError, match="closed by the teacher"):
        classes.join(Session("late"), code)
    assert classes.board(code)["closed"] is True
    assert clean_nickname("  <b>Ann</b>\n\x00 ", 3) == "<b>Ann</b>" and clean_nickname("", 7) == "student 7"


class Ended:
    """A run that has ended, as Classes.post sees it."""
    def __init__(self, status, epochs_done, cfg=TrainConfig(seeds=1, temperature=8.0)):
        self.id, self.cfg, self.kind = f"run-{status}-{epochs_done}", cfg, "run"
        self._summary = {"id": self.id, "status": status, "elapsed_s": 12.3, "epochs_done": epochs_done,
                         "kd_acc": 0.91, "scratch_acc": 0.88, "verdict": "KD ahead by 3.0 points on one seed",
                         "health": [{"kind": "spike", "group": "kd", "message": "a spike"}]}

    def summary(self):
        return self._summary


def test_finished_runs_and_runs_stopped_after_an_evaluation_post_one_row(tmp_path):
    from kdemo.app.sessions import Session
    classes = Classes(SqliteBoards(tmp_path), Limits())
    code, _ = classes.start("")
    sess = Session("s")
    assert classes.post(sess, Ended("done", 1.0)) is False            # not in a class: nothing posted
    member = classes.join(sess, code, "<i>Bo</i>")
    assert member.config(TrainConfig(seed=5, seeds=3)).seeds == 1 and member.config(TrainConfig(seed=5)).seed == 5
    assert classes.post(sess, Ended("done", 1.0)) and classes.post(sess, Ended("stopped", 0.5))
    assert not classes.post(sess, Ended("stopped", 0.0)) and not classes.post(sess, Ended("failed", 1.0))
    assert not classes.post(sess, Ended("done", 1.0))                  # the same run posts once
    rows = classes.board(code)["rows"]
    assert len(rows) == 2 and rows[0]["nickname"] == "<i>Bo</i>" and rows[0]["gain"] == pytest.approx(3.0)
    assert rows[0]["changed"] == {"temperature": "8"} and rows[0]["warnings"][0]["message"] == "a spike"
    assert rows[0]["kd_acc"] == 91.0 and rows[0]["twin_acc"] == 88.0 and rows[0]["seconds"] == 12.3


def _row(t, gain, collapsed=False):
    warn = [{"kind": "collapse", "group": "kd", "message": "collapsed"}] if collapsed else []
    return {"config": {"temperature": str(t), "method": "kd"}, "gain": gain, "kd_acc": 90.0 + gain,
            "twin_acc": 90.0, "warnings": warn}


def test_the_board_figure_is_valid_plotly_and_escapes_nicknames():
    import plotly.graph_objects as go
    from kdemo.figures.board import board_figure
    rows = [{**_row(t, g), "method": "kd", "nickname": "<b>x</b>"} for t, g in ((1, 0.5), (4, 2.0), (4, 3.0))]
    for presentation in (False, True):
        fig = board_figure(rows, summary(rows), "gain", "gain", presentation)
        go.Figure(fig.to_dict())                        # plotly's validation (the builder skips it for speed)
    assert fig.data[0].text[0] == "&lt;b&gt;x&lt;/b&gt;" and list(fig.data[1].y) == [0.5, 2.5]


def test_the_board_sentence_is_computed_from_the_rows():
    rows = [_row(4, 3.0), _row(4, 2.0), _row(4, 4.0), _row(16, -20.0, True), _row(16, 0.5), _row(1, 0.0)]
    s = summary(rows)
    assert s["axis"] == "temperature" and [g["value"] for g in s["groups"]] == ["1", "4", "16"]
    four = s["groups"][1]
    assert four["n"] == 3 and four["mean"] == pytest.approx(3.0) and four["half"] == pytest.approx(4.303 * 1 / 3**0.5,
                                                                                                      rel=1e-3)
    assert s["sentence"] == "6 runs: T = 4 gave the largest gain, +3.0 ± 2.5 points over 3 runs; T = 16 collapsed " \
                            "in 1 of 2."
    assert sentence([], None) .startswith("No runs yet")
    same = [_row(4, 1.0), _row(4, 3.0)]
    for i, r in enumerate(same):
        r["config"]["seed"] = str(i)                   # class mode: each student their own seed, never the axis
    s = summary(same)
    assert s["axis"] is None and s["sentence"] == "2 runs, all with the lesson's settings: KD gained +2.0 ± 12.7 " \
                                                  "points over 2 runs."


def _student(url, code, nick, settings, go, out):
    c = visitor(url)
    out["note"] = c.predict(code, nick, api_name="/class_join")[0]
    go.wait()
    first = c.predict(**settings, api_name="/train")[0]
    out["seen"] = [status_of(first)]
    out["positions"] = re.findall(r"(\d+)\w\w in line", first)
    while status_of(first) in ("queued", "running", "pending"):
        time.sleep(0.3)
        first = c.predict(api_name="/poll")[0]
        out["seen"].append(status_of(first))
        out["positions"] += re.findall(r"(\d+)\w\w in line", first)
    out["end"] = status_of(first)


def _board(url, code):
    return visitor(url).predict(code, "", "gain", api_name="/class_board")


CLASS = 6      # students at once: 2 run, 4 wait in line (the suite's time; the bench takes 30)


def test_a_class_through_the_api_none_refused_none_lost_after_kill_9(tmp_path):
    env = {"KDEMO_DATA_DIR": str(tmp_path), "KDEMO_MAX_RUNS": "2", "KDEMO_TORCH_THREADS": "1"}
    proc, url = serve(env)
    try:
        teacher = visitor(url)
        join, board_link, key, _ = teacher.predict(**TINY, question="", api_name="/class_start")
        code = board_link.split("board=")[1]
        assert f"class={code}" in join and "n_labeled=64" in join and key not in join
        go, outs = threading.Event(), [{} for _ in range(CLASS)]
        nicks = ["<img src=x onerror=alert(1)>"] + [""] * (CLASS - 1)
        settings = [{**TINY, "temperature": [1, 2, 4][i % 3]} for i in range(CLASS)]
        threads = [threading.Thread(target=_student, args=(url, code, nicks[i], settings[i], go, outs[i]))
                   for i in range(CLASS)]
        for t in threads:
            t.start()
        _wait(lambda: all("note" in o for o in outs), "the students did not join", 120)
        go.set()
        for t in threads:
            t.join(300)
        assert "&lt;img src=x" in outs[0]["note"] and "<img" not in outs[0]["note"]
        assert [o["end"] for o in outs].count("done") == CLASS, [o.get("end") for o in outs]
        waited = [o for o in outs if o["seen"][0] == "queued"]
        assert len(waited) >= CLASS - 2 and all(o["positions"] for o in waited)     # each saw their place in line
        board = _board(url, code)
        assert len(board["rows"]) == CLASS and board["summary"]["axis"] == "temperature"
        assert {r["nickname"] for r in board["rows"]} >= {"<img src=x onerror=alert(1)>", f"student {CLASS}"}
        assert re.match(rf"{CLASS} runs: T = \d+ gave the largest gain", board["summary"]["sentence"])
        for wrong, says in (("A" * 16, "no open class"), ("abc", "16 letters"), ("<b>x</b>", "16 letters")):
            with pytest.raises(AppError, match=says):
                _board(url, wrong)
        with pytest.raises(AppError, match="teacher key"):
            teacher.predict(code, "x" * 24, api_name="/class_clear")
    finally:
        proc.kill()                                      # kill -9: no shutdown, no flush
        proc.wait()
    proc, url = serve({**env, "KDEMO_MAX_RUNS": "1", "KDEMO_SESSION_IDLE_S": "3"})
    try:
        assert len(_board(url, code)["rows"]) == CLASS   # every posted row survived
        a, b, c = (visitor(url) for _ in range(3))
        assert status_of(a.predict(**{**TINY, "n_labeled": 2000, "epochs": 20.0}, api_name="/train")[0]) \
            in ("running", "pending")
        assert status_of(b.predict(**TINY, api_name="/train")[0]) == "queued"
        first_c = c.predict(**TINY, api_name="/train")[0]
        assert "2nd in line" in first_c
        assert "left the line" in b.predict(api_name="/stop")[0]       # Stop leaves the line
        assert "1st in line" in c.predict(api_name="/poll")[0]
        for _ in range(10):                              # c stops polling: its session expires, its place goes
            a.predict(api_name="/poll")                  # (a keeps polling: its run keeps its slot)
            time.sleep(0.5)
        assert status_of(c.predict(api_name="/poll")[0]) == ""         # a new, idle session
        d = visitor(url)
        assert "1st in line" in d.predict(**TINY, api_name="/train")[0]
        d.predict(api_name="/stop")
        a.predict(api_name="/stop")
    finally:
        proc.kill()
        proc.wait()


def test_the_board_says_its_sentence_in_german_on_the_page_and_english_in_the_api():
    from kdemo import lang
    from kdemo.teach.classboard import sentence_parts
    rows = [{"config": {"temperature": t}, "gain": g, "kd_acc": 90.0, "twin_acc": 88.0, "warnings": []}
            for t, g in (("1", 1.0), ("4", 3.5), ("4", 2.5))]
    assert sentence(rows, "temperature") == "3 runs: T = 4 gave the largest gain, +3.0 ± 6.4 points over 2 runs."
    german = "".join(lang.compose(p, "de") for p in sentence_parts(rows, "temperature"))
    assert german == "3 Läufe: T = 4 ergab den größten Gewinn, +3,0 ± 6,4 Punkte über 2 Läufe."
