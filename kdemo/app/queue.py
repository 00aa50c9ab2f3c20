"""A fair run queue: runs beyond the server's capacity wait first come, first served, and start by themselves.

The queue owns the server's run slots (KDEMO_MAX_RUNS, training runs and experiment jobs together). A start that
finds a free slot and nobody waiting happens at once; otherwise the visitor gets a `Ticket`, a place in line
(at most KDEMO_MAX_QUEUED places; beyond that, Busy). When a run ends (the worker's `on_end` callback, in its own
thread) its slot goes to the first ticket in line, so no thread waits or polls for the queue. A ticket leaves the
line when its visitor presses Stop or their session closes (a closed tab, an expired session).

The wait estimate is honest about what it knows: it replays the line against the server's slots using the median
length of the runs that finished recently on this server ("about 40 s"); before any run has finished it says so
instead of guessing. Nothing here imports Gradio or torch.
"""
from __future__ import annotations

import heapq
import logging
import statistics
import threading
import time
from collections import deque

from .. import lang
from ..train.worker import plain_error

log = logging.getLogger(__name__)
RECENT = 20          # runs whose lengths the estimate uses


class Busy(lang.Told):
    """The server (or this visitor) already has as many runs going or waiting as it allows; the message says so."""


def ordinal(n: int) -> dict:
    """'3rd' as a part (German: 'Platz 3'): the key names English's suffix."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return {"key": f"queue.nth.{suffix}", "params": {"n": n}}


class Ticket:
    """A visitor's place in line: what to start (`start() -> worker`), for which session attribute (run or job)."""

    def __init__(self, queue: "RunQueue", session, start, attr: str):
        self.queue, self.session, self.start, self.attr = queue, session, start, attr
        self.since = time.time()
        self.state = "waiting"          # waiting | started | left | failed
        self.error: str | None = None

    @property
    def alive(self) -> bool:
        return self.state == "waiting"

    def stop(self):
        """Leave the line (Stop, or the session closed)."""
        self.queue.leave(self)

    def join(self, timeout: float | None = None) -> bool:
        return True

    def waited(self) -> float:
        return time.time() - self.since

    def line(self) -> lang.Said:
        """'3rd in line, about 40 s (waiting 12 s)' while waiting; what became of it otherwise (English as a
        string, every language as its parts)."""
        if self.state == "failed":
            return lang.say([{"key": "queue.failed", "params": {"error": lang.part_of(self.error)}}])
        if self.state in ("left", "started"):
            return lang.say([{"key": f"queue.{self.state}"}])
        where = self.queue.place(self)
        if where is None:
            return lang.say([{"key": "queue.soon"}])
        pos, eta = where
        about = {"key": "queue.no_estimate"} if eta is None else {"key": "queue.few"} if eta < 5 else \
            {"key": "queue.about", "params": {"s": f"{eta:.0f}"}}
        return lang.say([{"key": "queue.place", "params": {"pos": ordinal(pos), "about": about,
                                                           "s": f"{self.waited():.0f}"}}])

    def snapshot(self) -> dict:
        """What a poll shows: the place in line, as a status the status line understands."""
        return {"status": "queued", "position": self.position(), "message": self.line(), "elapsed": self.waited(),
                "progress": 0.0, "error": self.error}

    def position(self) -> int | None:
        where = self.queue.place(self)
        return where[0] if where else None


class RunQueue:
    """The server's run slots and the line for them. `on_start(session, worker)` sees every start."""

    def __init__(self, slots: int, size: int, on_start=None):
        self.slots, self.size, self.on_start = max(1, slots), max(0, size), on_start
        self._lock = threading.Lock()
        self._running: dict = {}            # worker -> wall time it started
        self._waiting: deque[Ticket] = deque()
        self._lengths: deque[float] = deque(maxlen=RECENT)   # seconds, start to end, of recent runs

    def submit(self, session, start, attr: str):
        """Start now (returns the worker, also set as session.<attr>) or take a place in line (returns the
        Ticket, also session.waiting); Busy when the line is full."""
        with self._lock:
            self._prune()
            if len(self._running) < self.slots and not self._waiting:
                return self._start(session, start, attr)
            if len(self._waiting) >= self.size:
                raise Busy("told.busy_server", running=len(self._running), waiting=len(self._waiting), size=self.size)
            ticket = Ticket(self, session, start, attr)
            self._waiting.append(ticket)
            session.waiting = ticket
            return ticket

    def _start(self, session, start, attr: str):
        """Under the lock: start, count the slot until the worker ends, tell the session and the hooks."""
        worker = start()       # started already (its hooks are added right after: runs take far longer to end)
        self._running[worker] = time.time()
        if hasattr(worker, "on_end"):
            worker.on_end.append(self._ended)   # a worker that ended before this line is caught by _prune
        setattr(session, attr, worker)
        if self.on_start is not None:
            self.on_start(session, worker)
        session.touch()     # starting can take seconds on a cold server: idle time counts from here
        return worker

    def _ended(self, worker):
        with self._lock:
            self._free(worker)
            self._pump()

    def _free(self, worker):
        """Under the lock: the worker's slot is free; a finished run's length feeds the estimate."""
        t0 = self._running.pop(worker, None)
        if t0 is not None and getattr(worker, "status", "") == "done":
            self._lengths.append(time.time() - t0)   # stopped or failed runs say little about a run's length

    def _prune(self):
        """Under the lock: slots of workers that ended without their callback (the safety net)."""
        for worker in [w for w in self._running if not w.alive]:
            self._free(worker)

    def _pump(self):
        """Under the lock: free slots go to the line, first come first served."""
        while self._waiting and len(self._running) < self.slots:
            ticket = self._waiting.popleft()
            try:
                self._start(ticket.session, ticket.start, ticket.attr)
                ticket.state = "started"
            except Exception as e:  # noqa: BLE001 - the visitor's poll shows why; the line goes on
                log.info("a queued %s could not start: %s", ticket.attr, e)
                ticket.state, ticket.error = "failed", plain_error(e)
                continue
            if ticket.session.waiting is ticket:
                ticket.session.waiting = None

    def leave(self, ticket: Ticket) -> bool:
        with self._lock:
            if ticket.state != "waiting":
                return False
            try:
                self._waiting.remove(ticket)
            except ValueError:
                pass
            ticket.state = "left"
            return True

    def place(self, ticket: Ticket) -> tuple[int, float | None] | None:
        """(1-based position, estimated seconds until it starts or None) while the ticket waits."""
        with self._lock:
            self._prune()
            self._pump()    # each poll of a waiting visitor also moves the line, should a callback be missed
            if ticket.state != "waiting":
                return None
            try:
                ahead = self._waiting.index(ticket)
            except ValueError:
                return None
            return ahead + 1, self._estimate(ahead)

    def _estimate(self, ahead: int) -> float | None:
        """Replay the line: each slot frees when its run reaches the median length, then takes the next ticket."""
        if not self._lengths:
            return None
        typical, now = statistics.median(self._lengths), time.time()
        free = [max(0.0, typical - (now - t0)) for t0 in self._running.values()]
        free += [0.0] * (self.slots - len(free))
        heapq.heapify(free)
        for _ in range(ahead):
            heapq.heappush(free, heapq.heappop(free) + typical)
        return free[0]

    def counts(self) -> dict:
        with self._lock:
            return {"running": len(self._running), "waiting": len(self._waiting), "slots": self.slots,
                    "size": self.size, "recent_lengths_s": [round(x, 1) for x in self._lengths]}
