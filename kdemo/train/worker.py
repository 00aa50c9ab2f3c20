"""The thread control shared by a training Run and an experiment job: a thread, stop, pause/resume/step, status.

A worker owns its thread, a stop Event, a pause gate and a lock for whatever its snapshot reads; nothing here is
module state, so every visitor of the app holds their own. The work (`_execute`) calls `checkpoint()` between
steps: it returns False once stop was asked for, and while paused it blocks on an Event (no CPU) until resume,
step or stop. `step()` while paused runs to the next evaluation (`evaluated()` marks one) and pauses again.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid

from .. import lang

log = logging.getLogger(__name__)
FINISHED = ("done", "stopped", "failed")


def plain_error(e: BaseException) -> str:
    """The message of one of kdemo's own errors (written for people: a lang.Told keeps its words as a Said, for the
    page to say in the visitor's language); the type too for anything unexpected."""
    if isinstance(e, lang.Told):
        return lang.say([e.part])
    mine = isinstance(e, ValueError) or type(e).__module__.startswith("kdemo")
    text = str(e).strip()
    return text if mine and text else f"{type(e).__name__}: {text or 'no message'}"


class Worker:
    """Base of Run and ExperimentJob. Subclasses write `_execute()` and call `checkpoint()` in their loop."""
    kind = "run"

    def __init__(self):
        self.id = uuid.uuid4().hex[:8]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._go = threading.Event()            # set: running; clear: paused
        self._go.set()
        self._halted = threading.Event()        # set while the work waits at the pause gate
        self._stepping = False                  # run to the next evaluation, then pause again
        self._status, self._phase, self._message, self.error = "pending", "waiting", "", None
        self._t0: float | None = None
        self._t_end: float | None = None
        self._paused_since: float | None = None
        self._paused_total = 0.0
        self._thread: threading.Thread | None = None
        self.on_end: list = []                  # callbacks(worker) once the status is final, in the worker's thread

    # ---- control ----------------------------------------------------------------------------------------------
    def start(self):
        self._set(status="running", t0=time.time())   # running from now on, also for a reader right after start
        self._thread = threading.Thread(target=self._main, name=f"kdemo-{self.kind}-{self.id}", daemon=True)
        self._thread.start()
        return self

    def run(self):
        """Work in the caller's thread; returns the summary."""
        self._main()
        return self.summary()

    def stop(self):
        self._stop.set()
        self._go.set()                          # a paused thread wakes up to leave

    def pause(self) -> bool:
        """Pause at the next step boundary (the thread then waits, using no CPU). False if not running."""
        with self._lock:
            if self._status != "running" or self._stop.is_set():
                return False
            if self._paused_since is None:
                self._paused_since = time.time()
            self._stepping = False
            self._go.clear()
            return True

    def resume(self) -> bool:
        with self._lock:
            if self._paused_since is None:
                return False
            self._paused_total += time.time() - self._paused_since
            self._paused_since, self._stepping = None, False
            self._go.set()
            return True

    def step(self) -> bool:
        """While paused: train up to the next evaluation, then pause again."""
        with self._lock:
            if self._paused_since is None or self._status != "running":
                return False
            self._paused_total += time.time() - self._paused_since
            self._paused_since, self._stepping = None, True
            self._go.set()
            return True

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.alive

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def status(self) -> str:
        return self._status

    @property
    def paused(self) -> bool:
        return self._paused_since is not None and self._status == "running"

    @property
    def halted(self) -> bool:
        """The work waits at the pause gate. `paused` turns True at once; the work halts at the next step boundary,
        so an evaluation in flight lands first."""
        return self._halted.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def finished_at(self) -> float | None:
        """When the work ended (time.time()), None while it runs: which of a visitor's runs is the latest."""
        return self._t_end

    # ---- for the work -----------------------------------------------------------------------------------------
    def checkpoint(self) -> bool:
        """Between steps: wait while paused; False once stop was asked for (the work should return)."""
        if not self._go.is_set():
            self._halted.set()
            self._go.wait()
            self._halted.clear()
        return not self._stop.is_set()

    def evaluated(self):
        """Called by the work after each evaluation: a single step (`step()`) ends here."""
        with self._lock:
            if self._stepping and not self._stop.is_set():
                self._stepping = False
                self._paused_since = time.time()
                self._go.clear()

    def elapsed(self) -> float:
        """Seconds of work: time paused does not count (nor towards a time budget)."""
        if self._t0 is None:
            return 0.0
        end = self._t_end or self._paused_since or time.time()
        return end - self._t0 - self._paused_total

    def _set(self, **kw):
        with self._lock:
            for k, v in kw.items():
                setattr(self, f"_{k}", v)

    def _main(self):
        self._set(status="running", t0=self._t0 or time.time())
        try:
            self._execute()
            status = "stopped" if self._stop.is_set() else "done"
        except Exception as e:  # the worker reports its failure; the caller (UI, CLI) decides how to show it
            self._failed(e)
            if self.error is None:
                self.error = plain_error(e)
            status = "failed"
        with self._lock:
            if self._paused_since is not None:
                self._paused_total += time.time() - self._paused_since
                self._paused_since = None
            self._status, self._phase, self._t_end = status, "finished", time.time()
        self._finished(status)
        for fn in self.on_end:      # the app's queue and class boards: a failing callback must not hide the others
            try:
                fn(self)
            except Exception:  # noqa: BLE001 - logged; the run itself is over and its status stands
                log.exception("%s %s: an end callback failed", self.kind, self.id)

    def _failed(self, e: Exception):
        log.exception("%s %s failed", self.kind, self.id)

    def _finished(self, status: str):
        """Hook: after the status is final."""

    def _execute(self):
        raise NotImplementedError

    def summary(self) -> dict:
        raise NotImplementedError
