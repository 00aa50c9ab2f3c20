"""Serving the app for strangers: a clean start and a clean stop.

At start the folders of earlier kdemo servers whose process is gone are removed (never a live server's), and
Gradio's uploads go under this server's own folder. SIGINT (Ctrl-C) and SIGTERM stop every run, wait for their
threads (a thread left inside torch when the interpreter exits aborts it: "terminate called without an active
exception"), close the server, remove this server's folders, and exit 0. A sweeper thread closes idle sessions.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from .sessions import ROOT_PREFIX, Registry

log = logging.getLogger("kdemo.app.server")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # someone else's live process
        return True
    return True


def remove_stale_roots(tmp: Path | None = None) -> list[Path]:
    """Folders of earlier kdemo servers whose process is gone (never those of a live server)."""
    tmp = Path(tmp or tempfile.gettempdir())
    removed = []
    for d in tmp.glob(f"{ROOT_PREFIX}*"):
        m = re.match(rf"{ROOT_PREFIX}(\d+)-", d.name)
        if m and d.is_dir() and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def prepare(registry: Registry) -> None:
    """Before Gradio is used: leftovers of dead servers go, and Gradio's files go under this server's folder."""
    removed = remove_stale_roots()
    if removed:
        log.warning("removed %d folder(s) of kdemo servers that are no longer running", len(removed))
    os.environ.setdefault("GRADIO_TEMP_DIR", str(registry.root / "gradio"))
    # Gradio keeps timing records of its last N events for its monitoring page (10,000 by default): enough here
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")


def serve(demo, registry: Registry, queue: dict, launch: dict, stop: threading.Event | None = None) -> int:
    """Launch and wait until SIGINT/SIGTERM (or `stop`), then shut down cleanly; returns the exit status."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    registry.start_sweeper()
    demo.queue(**queue).launch(prevent_thread_lock=True, **launch)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        busy = registry.active()
        log.warning("shutting down: stopping %d run(s)", busy)
        registry.close_all(wait=5.0)
        demo.close()
        registry.remove_root()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
