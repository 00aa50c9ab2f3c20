"""Classes: a teacher starts one, students join with its code, and every run a student finishes posts one row.

A code is 16 URL-safe characters from `secrets` (96 random bits) and the teacher key 24 (144 bits). The store
only ever sees their SHA-256: codes are never listed, a lookup goes by the hash (its time does not depend on how
close a guess is), and the teacher key is compared with `hmac.compare_digest`. A wrong code, a code of the wrong
shape and an expired or removed board all get the same answer, which reveals nothing.

Rows are posted by the server from the visitor's own session when their run ends (a worker's `on_end`), so a
student cannot post for anyone else, and nothing edits a row. A run posts if it finished, or was stopped after
at least one evaluation of the student.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass

from .. import lang
from .boards import BoardStore
from ..settings.lessons import parse_link
from ..settings.params import PARAMS
from ..teach.classboard import NOT_AN_AXIS
from ..train.stats import worded

log = logging.getLogger(__name__)
CODE = re.compile(r"[A-Za-z0-9_-]{16}")
KEY = re.compile(r"[A-Za-z0-9_-]{24}")
NICK_MAX = 40


@dataclass(frozen=True)
class Member:
    """A session's place in a class: which board (the code's hash) and the name its rows show."""
    board: str
    nickname: str
    number: int

    def config(self, cfg):
        """Class mode: one seed per student, each student their own (the lesson's seed + number − 1), so the
        class is the sample and the board pools seeds across students."""
        return cfg.replace(seeds=1, seed=(cfg.seed + self.number - 1) % 2**31)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def clean_nickname(name, number: int) -> str:
    """One line of printable text, at most NICK_MAX characters; 'student N' when empty. Shown escaped."""
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise lang.Told("told.nick_text")
    if len(name) > 10 * NICK_MAX:
        raise lang.Told("told.nick_long", n=len(name), most=NICK_MAX)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split())[:NICK_MAX]
    return name or f"student {number}"


def _pct(v):
    return None if not isinstance(v, (int, float)) or v != v else round(100 * v, 2)


def run_row(run, member: Member, lesson_cfg) -> dict | None:
    """The board row of a run that ended, or None when it does not post (failed, or stopped before the first
    evaluation of the student)."""
    summary = run.summary()
    if summary["status"] not in ("done", "stopped") or summary.get("kd_acc") is None:
        return None
    if summary["status"] == "stopped" and not summary.get("epochs_done"):
        return None
    cfg = run.cfg
    config = {p.name: p.format(getattr(cfg, p.name)) for p in PARAMS if p.shared}
    lesson = {p.name: p.format(getattr(lesson_cfg, p.name)) for p in PARAMS if p.shared}
    many = "kd_acc_sd" in summary
    kd = summary["kd_acc_mean"] if many else summary["kd_acc"]
    twin = summary["twin_acc_mean"] if many else summary.get("scratch_acc")
    gain = None if twin is None or kd is None else round(100 * (summary["diff_mean"] if many else kd - twin), 2)
    return {"nickname": member.nickname, "student": member.number, "run": run.id, "method": cfg.method,
            "changed": {k: v for k, v in config.items() if v != lesson[k] and k not in NOT_AN_AXIS}, "config": config,
            "kd_acc": _pct(kd), "kd_sd": _pct(summary.get("kd_acc_sd")), "twin_acc": _pct(twin),
            "twin_sd": _pct(summary.get("twin_acc_sd")), "gain": gain, "seeds": cfg.seeds,
            "verdict": summary.get("verdict") or "", "status": summary["status"],
            # the board page says the verdict and warnings in the visitor's language; CSV and API read the English
            "verdict_said": {code: worded(*summary["verdict_parts"], code) for code in lang.TABLES}
            if summary.get("verdict_parts") else None,
            "warnings": [{"kind": e["kind"], "group": e["group"], "message": e["message"], "parts": e.get("parts")}
                         for e in summary.get("health", [])][:12],
            "seconds": round(summary["elapsed_s"], 1), "epochs": round(summary.get("epochs_done") or 0.0, 2)}


class Classes:
    """Starting, joining and reading class boards, behind a BoardStore; posts rows when members' runs end."""

    def __init__(self, store: BoardStore, limits):
        self.store, self.limits = store, limits

    def attach(self, registry):
        """Every run started from now on posts to its session's class (if any) when it ends."""
        def started(session, worker):
            if getattr(worker, "kind", "") == "run":
                worker.on_end.append(lambda run: self.post(session, run))
        registry.on_start.append(started)

    # ---- boards ----------------------------------------------------------------------------------------------
    def _live(self, code) -> tuple[str, dict]:
        """(board id, board) for a code, or ValueError saying nothing about which codes exist."""
        if not isinstance(code, str) or not CODE.fullmatch(code.strip()):
            raise lang.Told("told.code")
        board_id = digest(code.strip())
        board = self.store.get(board_id)
        if board is None or time.time() - board["created"] > self.limits.board_days * 86400:
            raise lang.Told("told.no_class")
        return board_id, board

    def start(self, lesson_query: str) -> tuple[str, str]:
        """A new class for the lesson (its link's query string): (code, teacher key)."""
        self.store.expire(time.time() - self.limits.board_days * 86400)
        code, key = secrets.token_urlsafe(12), secrets.token_urlsafe(18)
        self.store.create(digest(code), digest(key), lesson_query, self.limits.max_boards)
        return code, key

    def join(self, session, code, nickname=None) -> Member:
        """Put the session in the class (again: a new nickname keeps the student's number)."""
        board_id, board = self._live(code)
        if board["closed"]:
            raise lang.Told("told.class_closed")
        old = session.member
        number = old.number if old is not None and old.board == board_id else None
        name = clean_nickname(nickname, number or board["members"] + 1)   # checked before a number is taken
        if number is None:
            number = self.store.add_member(board_id)
            name = clean_nickname(nickname, number)
        session.member = Member(board_id, name, number)
        return session.member

    def post(self, session, run) -> bool:
        """The run's row on its session's board (called when the run ends); False when it does not post."""
        member = session.member
        if member is None:
            return False
        board = self.store.get(member.board)
        if board is None:
            return False
        lesson = self.limits.apply(parse_link(board["lesson"]).cfg)   # the server's time cap is no student's change
        row = run_row(run, member, lesson)
        if row is None:
            return False
        try:
            return self.store.post(member.board, run.id, row, self.limits.board_rows)
        except ValueError as e:     # full or closed: the run keeps its result; the board says nothing new
            log.info("run %s not posted: %s", run.id, e)
            return False

    def board(self, code) -> dict:
        """The board's lesson and rows (what /class_board returns, with the summary added by the caller)."""
        board_id, board = self._live(code)
        return {"lesson": board["lesson"], "closed": board["closed"], "members": board["members"],
                "created": board["created"],
                "expires": board["created"] + self.limits.board_days * 86400, "rows": self.store.rows(board_id)}

    def _teacher(self, code, key) -> str:
        board_id, board = self._live(code)
        if not isinstance(key, str) or not KEY.fullmatch(key.strip()) or \
                not hmac.compare_digest(digest(key.strip()), board["key_hash"]):
            raise lang.Told("told.teacher_key")
        return board_id

    def clear(self, code, key) -> int:
        return self.store.clear(self._teacher(code, key))

    def close(self, code, key) -> None:
        self.store.close(self._teacher(code, key))
