"""What one server allows, read from environment variables: runs at a time, run length, members per run, session
lifetime, upload and drawing sizes. Every limit a visitor can run into is here, with the variable that sets it."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .. import lang

MB = 2**20


def _env_number(name: str, default, cast, env):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in ("0", "none", "off", "unlimited"):
        return None
    try:
        value = cast(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from None
    return value if value > 0 else None


@dataclass(frozen=True)
class Limits:
    """A server's limits. Each field's env var is in ENV (0 or 'none' turns a cap off where that makes sense)."""
    max_runs: int = 2                   # concurrent training runs + experiment jobs, all visitors together
    max_epochs: float | None = 20.0     # per run (student epochs, and teacher epochs for train-first)
    max_seconds: float | None = 900.0   # per run: becomes TrainConfig.time_budget_s (a user's own may be lower)
    max_members: int = 16               # models trained at once in one run (seeds x (student + twin))
    queue_size: int = 64                # Gradio's queue max_size
    torch_threads: int | None = None    # CPU threads per process; None: cores // max_runs (runs share the cores)
    session_idle_s: float = 1800.0      # a session with no request (page heartbeat included) for this long closes
    max_sessions: int = 500             # beyond this, the longest-idle sessions close
    max_upload_mb: float = 5.0          # any uploaded file
    max_image_side: int = 2048          # pixels: the lab refuses larger drawings before decoding them
    max_layers: int = 4                 # the lab's sketch: background plus at most this many layers
    max_queued: int = 64                # runs and jobs waiting in line for a free slot; 0: no line ("server busy")
    board_days: float = 7.0             # a class board (and its rows) is removed this long after it was started
    board_rows: int = 500               # rows one class board takes
    max_boards: int = 200               # class boards one server keeps at once

    ENV = {"max_runs": "KDEMO_MAX_RUNS", "max_epochs": "KDEMO_MAX_EPOCHS", "max_seconds": "KDEMO_MAX_SECONDS",
           "max_members": "KDEMO_MAX_MEMBERS", "queue_size": "KDEMO_QUEUE_SIZE",
           "torch_threads": "KDEMO_TORCH_THREADS", "session_idle_s": "KDEMO_SESSION_IDLE_S",
           "max_sessions": "KDEMO_MAX_SESSIONS", "max_upload_mb": "KDEMO_MAX_UPLOAD_MB",
           "max_queued": "KDEMO_MAX_QUEUED", "board_days": "KDEMO_BOARD_DAYS", "board_rows": "KDEMO_BOARD_ROWS",
           "max_boards": "KDEMO_MAX_BOARDS"}

    @classmethod
    def from_env(cls, env=None) -> "Limits":
        env = os.environ if env is None else env
        d = cls()
        big = 1_000_000
        return cls(max_runs=_env_number("KDEMO_MAX_RUNS", d.max_runs, int, env) or big,
                   max_epochs=_env_number("KDEMO_MAX_EPOCHS", d.max_epochs, float, env),
                   max_seconds=_env_number("KDEMO_MAX_SECONDS", d.max_seconds, float, env),
                   max_members=_env_number("KDEMO_MAX_MEMBERS", d.max_members, int, env) or big,
                   queue_size=_env_number("KDEMO_QUEUE_SIZE", d.queue_size, int, env) or big,
                   torch_threads=_env_number("KDEMO_TORCH_THREADS", None, int, env),
                   session_idle_s=_env_number("KDEMO_SESSION_IDLE_S", d.session_idle_s, float, env) or float("inf"),
                   max_sessions=_env_number("KDEMO_MAX_SESSIONS", d.max_sessions, int, env) or big,
                   max_upload_mb=_env_number("KDEMO_MAX_UPLOAD_MB", d.max_upload_mb, float, env) or 1024.0,
                   max_queued=_env_number("KDEMO_MAX_QUEUED", d.max_queued, int, env) or 0,
                   board_days=_env_number("KDEMO_BOARD_DAYS", d.board_days, float, env) or 36500.0,
                   board_rows=_env_number("KDEMO_BOARD_ROWS", d.board_rows, int, env) or big,
                   max_boards=_env_number("KDEMO_MAX_BOARDS", d.max_boards, int, env) or big)

    def threads(self) -> int:
        """Torch CPU threads: oversubscribed OpenMP threads (2 runs x all cores) make every run many times slower."""
        if self.torch_threads:
            return self.torch_threads
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(1, cores // max(1, min(self.max_runs, cores)))

    def apply(self, cfg):
        """`cfg` within the caps: ValueError naming the env var where it exceeds one, else a new config whose time
        budget is the cap (or the visitor's lower one), built and checked from that value: never changed after."""
        if self.max_epochs is not None:
            for name in ("epochs", "teacher_epochs"):
                if name == "teacher_epochs" and not (cfg.uses_teacher and cfg.teacher_source == "train"):
                    continue
                if getattr(cfg, name) > self.max_epochs:
                    raise lang.Told("told.capped", setting=lang.setting(name, name), most=lang.num(self.max_epochs),
                                    got=lang.num(getattr(cfg, name)))
        if cfg.members > self.max_members:
            raise lang.Told("told.members_twins" if cfg.trains_twin else "told.members", n=cfg.members,
                            seeds=cfg.seeds, most=self.max_members)
        if self.max_seconds is None:
            return cfg
        budget = cfg.time_budget_s
        return cfg.replace(time_budget_s=self.max_seconds if budget is None else min(budget, self.max_seconds))
