"""Per-visitor bookkeeping for the app: sessions, their lifetime, their files, and the server-wide run limit.

Nothing here imports Gradio. Each browser session owns one `Session` (kept in gr.State and, for cleanup and the
server-wide run limit, in a `Registry` keyed by Gradio's session hash behind a lock). There is no module-level
run state: the one Registry lives on the Blocks built by kdemo.app.build.build_demo. A session closes (its run stopped,
its folder removed) when its tab closes, when it has been idle too long (API clients never close a tab), when the
server has too many, and when the server shuts down. Folders live under one per-process root, so a server removes
exactly its own at exit, and the leftovers of a crashed earlier server (a dead pid) at start.
"""
from __future__ import annotations

import csv
import ctypes
import gc
import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from .limits import Limits
from .queue import Busy, RunQueue  # noqa: F401 - Busy is raised here and imported from here by the tabs
from ..train.results import RESULT_COLUMNS, result_row

ROOT_PREFIX = "kdemo-server-"


@dataclass(eq=False)
class Session:
    """One visitor: their current run and experiment job, finished results, and a folder for downloads."""
    key: str
    root: Path | None = None
    run: object | None = None          # kdemo.train.engine.Run
    job: object | None = None          # kdemo.experiments.ExperimentJob
    waiting: object | None = None      # kdemo.app.queue.Ticket: a run or job waiting in line
    member: object | None = None       # kdemo.app.classes.Member: the class this visitor's runs post to
    results: list[dict] = field(default_factory=list)
    recorded: set = field(default_factory=set)   # run ids already in `results`
    lab_cache: dict = field(default_factory=dict)  # the lab's copy of this session's student: version, model
    created: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)
    closed: bool = False
    _dir: str | None = None

    def __deepcopy__(self, memo):   # gr.State deep-copies values; a session must stay one object
        return self

    def touch(self):
        self.last_seen = time.time()

    @property
    def folder(self) -> Path:
        if self._dir is None:
            root = self.root or Path(tempfile.gettempdir())
            root.mkdir(parents=True, exist_ok=True)
            self._dir = tempfile.mkdtemp(prefix=f"s-{re.sub(r'[^A-Za-z0-9]', '', self.key)[:8]}-", dir=root)
        return Path(self._dir)

    def busy(self) -> bool:
        return any(x is not None and x.alive for x in (self.run, self.job, self.waiting))

    def stop_all(self):
        for x in (self.waiting, self.run, self.job):
            if x is not None:
                x.stop()

    def close(self, wait: float = 0.0):
        """Stop everything and remove the folder; with `wait`, give the threads that long to finish (a process
        about to exit must not leave a thread inside torch: that aborts the interpreter)."""
        self.closed = True
        self.stop_all()
        for x in (self.run, self.job):
            if wait and x is not None:
                x.join(wait)
        self.lab_cache.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        if not wait or not self.busy():   # a closed session keeps nothing alive (gr.State may still hold it)
            self.run = self.job = self.waiting = self.member = None
            self.results, self.recorded = [], set()

    # ---- finished runs -----------------------------------------------------------------------------------
    def record(self, run) -> dict | None:
        """Add a finished run to the results table once; returns its row (None if already there or not done)."""
        if run is None or run.alive or run.id in self.recorded or run.status in ("pending", "running"):
            return None
        row = result_row(run.summary(), run.cfg)
        self.recorded.add(run.id)
        self.results.append(row)
        del self.results[:-200]     # a long session keeps its last 200 rows
        return row

    def results_csv(self) -> Path:
        path = self.folder / "kdemo_results.csv"
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=RESULT_COLUMNS)
            w.writeheader()
            w.writerows(self.results)
        return path

    def config_json(self, run) -> Path:
        path = self.folder / f"run_{run.id}.json"
        path.write_text(run.cfg.to_json() + "\n")
        return path

    def student_file(self, run) -> Path | None:
        if not run.has_model("kd"):
            return None
        path = self.folder / f"student_{run.cfg.student}_{run.cfg.dataset}_{run.id}.safetensors"
        if not path.exists():
            run.save_student(path)
        return path

    def image_file(self, pixels) -> str:
        """`pixels` (uint8 array) as a PNG in this session's folder, named by its content. Gradio saves an array
        output to one content-named file shared by all visitors, rewriting it in place: a class clicking the same
        digit at once can be served a half-written file. Ours is written aside and renamed in, never partial."""
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, format="PNG")
        data = buf.getvalue()
        path = self.folder / f"img-{hashlib.sha256(data).hexdigest()[:24]}.png"
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return str(path)


def release_memory():
    """After sessions closed: collect their objects and hand freed heap back to the OS. glibc keeps freed memory
    in its per-thread arenas otherwise, and a server that served many API sessions would look as if it leaked."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc: nothing to trim
        pass


class Registry:
    """Every live Session by Gradio session hash, their lifetime, and the server-wide limit on concurrent runs."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self.root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-"))
        self._closing = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._retired: list = []   # runs of closed sessions, perhaps still finishing: shutdown waits for them
        self.on_close: list = []   # callbacks(key) when a session closes (the app drops Gradio's state of it)
        self.on_sweep: list = []   # callbacks(now) -> how many things they released (Gradio's orphaned states)
        self.on_start: list = []   # callbacks(session, worker) when a run or job starts (class boards)
        self.queue = RunQueue(self.limits.max_runs, self.limits.max_queued, self._started)

    def _started(self, session: Session, worker):
        for hook in self.on_start:
            hook(session, worker)

    def _close(self, sessions: list[Session]):
        """Close sessions taken out of the registry; their workers are remembered until they have ended."""
        with self._lock:
            self._retired = [w for w in self._retired if w.alive]
            self._retired += [x for s in sessions for x in (s.run, s.job) if x is not None and x.alive]
        for s in sessions:
            s.close()
            for hook in self.on_close:
                hook(s.key)

    def start_sweeper(self, every: float | None = None):
        """A daemon thread that closes idle sessions every `every` seconds, until close_all."""
        every = every or max(1.0, min(60.0, self.limits.session_idle_s / 4))

        def loop():
            while not self._closing.wait(every):
                self.sweep()
        self._sweeper = threading.Thread(target=loop, name="kdemo-sweeper", daemon=True)
        self._sweeper.start()

    def session(self, key: str | None) -> Session:
        """The visitor's session (made on first sight), marked as seen now."""
        key = (key or f"anon-{time.time_ns()}")[:64]
        with self._lock:
            s = self._sessions.get(key)
            if s is None:
                s = self._sessions[key] = Session(key, self.root)
                evicted = self._over_cap()
            else:
                evicted = []
        self._close(evicted)
        s.touch()
        return s

    def _over_cap(self) -> list[Session]:
        """Under the lock: the longest-idle sessions beyond max_sessions, taken out of the registry."""
        extra = len(self._sessions) - self.limits.max_sessions
        if extra <= 0:
            return []
        idle = sorted((s for s in self._sessions.values() if not s.busy()), key=lambda s: s.last_seen)[:extra]
        for s in idle:
            del self._sessions[s.key]
        return idle

    def sweep(self, now: float | None = None) -> int:
        """Close the sessions idle longer than the limit (their runs are stopped); returns how many."""
        now = time.time() if now is None else now
        with self._lock:
            old = [s for s in self._sessions.values() if now - s.last_seen > self.limits.session_idle_s]
            for s in old:
                del self._sessions[s.key]
        self._close(old)
        released = sum(hook(now) for hook in self.on_sweep)
        if old or released:
            release_memory()
        return len(old)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._sessions

    def active(self) -> int:
        """Runs and jobs still going, of open sessions and of closed ones that are finishing."""
        with self._lock:
            return sum(x is not None and x.alive for s in self._sessions.values() for x in (s.run, s.job)) + \
                sum(w.alive for w in self._retired)

    def _claim(self, session: Session, start, attr: str):
        """Start something (start() -> object with .alive) if this visitor has nothing going or waiting: now if
        the server has room, else a place in its line (kdemo.app.queue); Busy when the line is full too."""
        with self._lock:
            if session.busy():
                raise Busy("told.busy_you")
            self._sessions.setdefault(session.key, session)   # counted, stopped (or taken out of line) when it closes
            session.touch()
            return self.queue.submit(session, start, attr)

    def start_run(self, session: Session, cfg, run_factory):
        """A started Run for `cfg` (caps applied), or its Ticket in the server's line (session.waiting); the run
        becomes session.run when it starts. Busy or ValueError otherwise."""
        cfg = self.limits.apply(cfg)
        return self._claim(session, lambda: run_factory(cfg).start(), "run")

    def start_job(self, session: Session, start):
        return self._claim(session, start, "job")

    def forget(self, key: str | None):
        """Close a visitor's session (Blocks.unload, gr.State's delete callback)."""
        with self._lock:
            session = self._sessions.pop(key, None) if key else None
        if session is not None:
            self._close([session])

    def close_all(self, wait: float = 10.0):
        """Shutdown: stop the sweeper and every run, wait for the threads, remove the sessions' folders."""
        self._closing.set()
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
            retired, self._retired = self._retired, []
        for s in sessions:
            s.stop_all()
        for s in sessions:
            s.close(wait)
        for w in retired:
            w.stop()
            w.join(wait)
        if self._sweeper is not None:
            self._sweeper.join(wait)

    def remove_root(self):
        """This server's folder, Gradio's uploads included (after the server closed)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
