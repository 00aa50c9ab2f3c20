"""Where class boards live: one small interface (`BoardStore`) and its SQLite implementation.

A board is found by the SHA-256 of its code (the code itself is never stored, so the database lists no codes)
and holds the lesson it was started with, a member counter, and rows that are only ever added, never edited (one
per run: a run that reports twice is stored once). SQLite in WAL mode, one short connection per operation, each
write in its own IMMEDIATE transaction with synchronous=FULL: a row the server acknowledged survives a crash
(kill -9) and a restart, and thirty students posting at once wait their turn on the file's lock instead of
overwriting each other. Replacing SQLite (several server replicas behind one class) means writing these eight
methods against a server database; nothing else reads the file.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Protocol

from .. import lang

SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, lesson TEXT NOT NULL,
    created REAL NOT NULL, closed INTEGER NOT NULL DEFAULT 0, members INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS rows (board TEXT NOT NULL, run TEXT NOT NULL, posted REAL NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (board, run));
"""


class Full(lang.Told):
    """A cap was reached (boards on this server, rows on a board); the message says which and what to do."""


def data_dir(env=None) -> Path:
    """KDEMO_DATA_DIR; else /data/kdemo on a Hugging Face Space with persistent storage; else
    ~/.local/share/kdemo (XDG_DATA_HOME/kdemo)."""
    env = os.environ if env is None else env
    if env.get("KDEMO_DATA_DIR", "").strip():
        return Path(env["KDEMO_DATA_DIR"].strip()).expanduser()
    if env.get("SPACE_ID") and os.path.isdir("/data") and os.access("/data", os.W_OK):
        return Path("/data/kdemo")
    base = env.get("XDG_DATA_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "kdemo"


class BoardStore(Protocol):
    """What class boards need from storage. `board` is the hash of a code, never the code."""

    def create(self, board: str, key_hash: str, lesson: str, max_boards: int) -> None: ...
    def get(self, board: str) -> dict | None: ...            # lesson, created, closed, members, rows, key_hash
    def add_member(self, board: str) -> int: ...             # the new member's number (1, 2, ...)
    def post(self, board: str, run: str, row: dict, max_rows: int) -> bool: ...   # False: already posted
    def rows(self, board: str) -> list[dict]: ...             # in the order they were posted
    def clear(self, board: str) -> int: ...                   # rows removed
    def close(self, board: str) -> None: ...                  # no more rows
    def expire(self, before: float) -> int: ...               # boards (and rows) created before `before` removed


class SqliteBoards:
    """BoardStore in one SQLite file (`folder`/boards.sqlite3), created on first use."""

    def __init__(self, folder: Path | str):
        self.path = Path(folder) / "boards.sqlite3"
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA synchronous=FULL")
        if not self._ready:
            con.execute("PRAGMA journal_mode=WAL")      # stays set in the file; readers never block the writer
            con.executescript(SCHEMA)
            self._ready = True
        return con

    def _write(self, fn):
        """fn(connection) inside one IMMEDIATE transaction: it holds the write lock from its first statement."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                out = fn(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            return out

    def create(self, board, key_hash, lesson, max_boards):
        def go(con):
            n = con.execute("SELECT COUNT(*) FROM boards").fetchone()[0]
            if n >= max_boards:
                raise Full("told.boards_full", n=n)
            con.execute("INSERT INTO boards (id, key_hash, lesson, created) VALUES (?, ?, ?, ?)",
                        (board, key_hash, lesson, time.time()))
        self._write(go)

    def get(self, board):
        with closing(self._connect()) as con:
            r = con.execute("SELECT key_hash, lesson, created, closed, members, "
                            "(SELECT COUNT(*) FROM rows WHERE rows.board = boards.id) FROM boards WHERE id = ?",
                            (board,)).fetchone()
        if r is None:
            return None
        return {"key_hash": r[0], "lesson": r[1], "created": r[2], "closed": bool(r[3]), "members": r[4],
                "rows": r[5]}

    def add_member(self, board):
        def go(con):
            con.execute("UPDATE boards SET members = members + 1 WHERE id = ?", (board,))
            return con.execute("SELECT members FROM boards WHERE id = ?", (board,)).fetchone()[0]
        return self._write(go)

    def post(self, board, run, row, max_rows):
        def go(con):
            closed = con.execute("SELECT closed FROM boards WHERE id = ?", (board,)).fetchone()
            if closed is None or closed[0]:
                raise Full("told.board_closed")
            n = con.execute("SELECT COUNT(*) FROM rows WHERE board = ?", (board,)).fetchone()[0]
            if n >= max_rows:
                raise Full("told.board_full", n=n)
            cur = con.execute("INSERT OR IGNORE INTO rows (board, run, posted, data) VALUES (?, ?, ?, ?)",
                              (board, run, time.time(), json.dumps(row)))
            return cur.rowcount == 1
        return self._write(go)

    def rows(self, board):
        with closing(self._connect()) as con:
            found = con.execute("SELECT data FROM rows WHERE board = ? ORDER BY posted, rowid", (board,)).fetchall()
        return [json.loads(d) for (d,) in found]

    def clear(self, board):
        return self._write(lambda con: con.execute("DELETE FROM rows WHERE board = ?", (board,)).rowcount)

    def close(self, board):
        self._write(lambda con: con.execute("UPDATE boards SET closed = 1 WHERE id = ?", (board,)))

    def expire(self, before):
        def go(con):
            old = [b for (b,) in con.execute("SELECT id FROM boards WHERE created < ?", (before,))]
            for b in old:
                con.execute("DELETE FROM rows WHERE board = ?", (b,))
                con.execute("DELETE FROM boards WHERE id = ?", (b,))
            return len(old)
        return self._write(go)
