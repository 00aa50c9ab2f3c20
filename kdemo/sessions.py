"""Per-visitor bookkeeping for the app: sessions, limits read from env vars, and the results table.

Nothing here imports Gradio. Each browser session owns one `Session` (kept in gr.State and, for unload cleanup
and the server-wide run limit, in a `Registry` keyed by Gradio's session hash behind a lock). There is no
module-level run state: the one Registry lives on the Blocks built by kdemo.ui.build_demo.
"""
from __future__ import annotations

import csv
import functools
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

RESULT_COLUMNS = ["run", "dataset", "teacher", "student", "method", "hyperparameters", "KD acc %", "scratch acc %",
                  "teacher acc %", "epochs", "time s", "status"]
HYPER_LABELS = {"temperature": "T", "alpha": "α", "beta": "β", "ce_weight": "ce", "kd_weight": "kd",
                "feat_weight": "feat", "warmup_epochs": "warm-up", "standardized": "std"}


class Busy(RuntimeError):
    """The server (or this visitor) already has as many runs going as it allows; the message says so."""


def _env_number(name: str, default, cast, env) -> object:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in ("0", "none", "off", "unlimited"):
        return None
    try:
        value = cast(raw)
    except ValueError:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from None
    if value <= 0:
        return None
    return value


@dataclass(frozen=True)
class Limits:
    """What one server allows. Env: KDEMO_MAX_RUNS, KDEMO_MAX_EPOCHS, KDEMO_MAX_SECONDS, KDEMO_QUEUE_SIZE."""
    max_runs: int = 2                 # concurrent training runs + experiment jobs, all visitors together
    max_epochs: float | None = 20.0   # per run (student epochs, and teacher epochs for train-first)
    max_seconds: float | None = 900.0  # per run: becomes TrainConfig.time_budget_s (a user's own budget may be lower)
    queue_size: int = 64              # Gradio's queue max_size
    torch_threads: int | None = None  # CPU threads per process; None: cores // max_runs (runs share the cores)

    @classmethod
    def from_env(cls, env=None) -> "Limits":
        env = os.environ if env is None else env
        d = cls()
        return cls(max_runs=_env_number("KDEMO_MAX_RUNS", d.max_runs, int, env) or 1_000_000,
                   max_epochs=_env_number("KDEMO_MAX_EPOCHS", d.max_epochs, float, env),
                   max_seconds=_env_number("KDEMO_MAX_SECONDS", d.max_seconds, float, env),
                   queue_size=_env_number("KDEMO_QUEUE_SIZE", d.queue_size, int, env) or 1_000_000,
                   torch_threads=_env_number("KDEMO_TORCH_THREADS", None, int, env))

    def threads(self) -> int:
        """Torch CPU threads: oversubscribed OpenMP threads (2 runs x all cores) make every run many times slower."""
        if self.torch_threads:
            return self.torch_threads
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(1, cores // max(1, min(self.max_runs, cores)))

    def apply(self, cfg):
        """Check `cfg` against the caps (ValueError naming the env var) and put the time cap into its budget."""
        if self.max_epochs is not None:
            for name in ("epochs", "teacher_epochs"):
                if name == "teacher_epochs" and not (cfg.uses_teacher and cfg.teacher_source == "train"):
                    continue
                if getattr(cfg, name) > self.max_epochs:
                    raise ValueError(f"{name} is capped at {self.max_epochs:g} on this server "
                                     f"(KDEMO_MAX_EPOCHS); got {getattr(cfg, name):g}")
        if self.max_seconds is not None:
            budget = cfg.time_budget_s
            cfg.time_budget_s = self.max_seconds if budget is None else min(budget, self.max_seconds)
        return cfg


@dataclass
class Session:
    """One visitor: their current run and experiment job, finished results, and a temp folder for downloads."""
    key: str
    run: object | None = None          # kdemo.engine.Run
    job: object | None = None          # kdemo.experiments.ExperimentJob
    results: list[dict] = field(default_factory=list)
    recorded: set = field(default_factory=set)   # run ids already in `results`
    lab_cache: dict = field(default_factory=dict)  # the lab's copy of this session's student: version, model
    created: float = field(default_factory=time.time)
    _dir: str | None = None

    def __deepcopy__(self, memo):   # gr.State deep-copies values; a session must stay one object
        return self

    @property
    def folder(self) -> Path:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix=f"kdemo-{self.key[:8]}-")
        return Path(self._dir)

    def busy(self) -> bool:
        return any(x is not None and x.alive for x in (self.run, self.job))

    def stop_all(self):
        for x in (self.run, self.job):
            if x is not None:
                x.stop()

    def close(self, wait: float = 0.0):
        """Stop everything; with `wait`, also give the threads that long to finish (a process about to exit
        must not leave a thread inside torch: that aborts the interpreter)."""
        self.stop_all()
        for x in (self.run, self.job):
            if wait and x is not None and hasattr(x, "join"):
                x.join(wait)
        self.lab_cache.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # ---- finished runs -----------------------------------------------------------------------------------
    def record(self, run) -> dict | None:
        """Add a finished run to the results table once; returns its row (None if already there or not done)."""
        if run is None or run.alive or run.id in self.recorded or run.status in ("pending", "running"):
            return None
        row = result_row(run.summary(), run.cfg)
        self.recorded.add(run.id)
        self.results.append(row)
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


def hyperparameters(cfg) -> str:
    """The method's own knobs, e.g. 'T=4, ce=1, kd=1' (only those DISTILLERS[method].uses)."""
    from .distillers import DISTILLERS
    parts = []
    for name in DISTILLERS[cfg.method].uses:
        v = getattr(cfg, name)
        if name == "warmup_epochs" and not v:
            continue
        if isinstance(v, bool):
            if v:
                parts.append(HYPER_LABELS.get(name, name))
        else:
            parts.append(f"{HYPER_LABELS.get(name, name)}={v:g}")
    if cfg.n_labeled:
        parts.append(f"{cfg.n_labeled} labels")
    if cfg.omit_classes:
        parts.append("no " + "/".join(str(c) for c in cfg.omit_classes))
    return ", ".join(parts)


def _pct(v) -> float | None:
    return None if v is None else round(100 * v, 2)


def result_row(summary: dict, cfg) -> dict:
    return {"run": summary["id"], "dataset": cfg.dataset, "teacher": cfg.teacher if cfg.uses_teacher else "-",
            "student": cfg.student, "method": cfg.method, "hyperparameters": hyperparameters(cfg),
            "KD acc %": _pct(summary.get("kd_acc")), "scratch acc %": _pct(summary.get("scratch_acc")),
            "teacher acc %": _pct(summary.get("teacher_acc")), "epochs": round(summary.get("epochs_done", 0.0), 2),
            "time s": round(summary["elapsed_s"], 1), "status": summary["status"]}


def status_line(snapshot: dict) -> str:
    """'running · training the student · 42% · 12 s elapsed · ~16 s left', then any message or error."""
    parts = [snapshot["status"]]
    if snapshot["status"] == "running":
        parts.append(snapshot["phase"])
    parts.append(f"{100 * snapshot['progress']:.0f}%")
    parts.append(f"{snapshot['elapsed']:.0f} s elapsed")
    if snapshot.get("eta") is not None:
        parts.append(f"~{snapshot['eta']:.0f} s left")
    line = " · ".join(parts)
    if snapshot.get("message"):
        line += f" · {snapshot['message']}"
    if snapshot.get("error"):
        line += f" · ⚠️ {snapshot['error']}"
    return line


class Registry:
    """Every live Session by Gradio session hash, and the server-wide limit on concurrent runs."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    KEEP_SESSIONS = 500   # beyond this, idle sessions older than an hour are dropped (API clients never unload)

    def session(self, key: str | None) -> Session:
        key = key or f"anon-{time.time_ns()}"
        with self._lock:
            if key not in self._sessions:
                if len(self._sessions) >= self.KEEP_SESSIONS:
                    old = time.time() - 3600
                    for k in [k for k, s in self._sessions.items() if s.created < old and not s.busy()]:
                        del self._sessions[k]   # its gr.State may still hold it; nothing else does
                self._sessions[key] = Session(key)
            return self._sessions[key]

    def active(self) -> int:
        with self._lock:
            return sum(x is not None and x.alive for s in self._sessions.values() for x in (s.run, s.job))

    def _claim(self, session: Session, start, attr: str):
        """Start something (start() -> object with .alive) if this visitor and the server have room."""
        with self._lock:
            if session.busy():
                raise Busy("you already have a run going: stop it (or wait for it) before starting another")
            n = sum(x is not None and x.alive for s in self._sessions.values() for x in (s.run, s.job))
            if n >= self.limits.max_runs:
                raise Busy(f"server busy: {n} training runs are in progress (limit {self.limits.max_runs}); "
                           "please try again in a minute")
            started = start()
            setattr(session, attr, started)
            self._sessions.setdefault(session.key, session)   # counted by the limit, stopped by unload
            return started

    def start_run(self, session: Session, cfg, run_factory=None):
        """A started Run for `cfg` (caps applied), stored in the session; Busy or ValueError otherwise."""
        if run_factory is None:
            from .engine import Run as run_factory
        self.limits.apply(cfg)
        return self._claim(session, lambda: run_factory(cfg).start(), "run")

    def start_job(self, session: Session, start):
        return self._claim(session, start, "job")

    def forget(self, key: str | None):
        """Stop and drop a visitor's runs (Blocks.unload, or gr.State's delete callback)."""
        with self._lock:
            session = self._sessions.pop(key, None) if key else None
        if session is not None:
            session.close()

    def close_all(self, wait: float = 10.0):
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for s in sessions:
            s.stop_all()
        for s in sessions:
            s.close(wait)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)


# ---------------------------------------------------------------- controls -> TrainConfig

WHOLE_FIELDS = {"batch_size": False, "seed": False, "evals_per_epoch": False,   # name -> may be empty
                "n_labeled": True, "eval_samples": True}


def _whole(name: str, value, optional: bool):
    if value is None or value == "":
        if optional:
            return None
        raise ValueError(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or int(value) != value:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if optional and value == 0:   # 0 in a "empty = all" box means the same as empty
        return None
    return value


def config_from_controls(controls: dict):
    """A TrainConfig from the Train tab's values (numbers arrive as floats, empty boxes as None).

    Raises ValueError with a message for the user: bad numbers, unknown names, incompatible combinations, or a
    pretrained teacher that does not exist yet.
    """
    from .checkpoints import find_pretrained
    from .config import TrainConfig
    d = dict(controls)
    for name, optional in WHOLE_FIELDS.items():
        if name in d:
            d[name] = _whole(name, d[name], optional)
    if "omit_classes" in d:
        d["omit_classes"] = tuple(int(c) for c in (d["omit_classes"] or ()))
    if not d.get("time_budget_s"):
        d["time_budget_s"] = None
    cfg = TrainConfig.from_dict(d)
    if cfg.uses_teacher and cfg.teacher_source == "pretrained" and find_pretrained(cfg.teacher, cfg.dataset) is None:
        raise ValueError(f"there is no pretrained {cfg.teacher} for {cfg.dataset} on this server: set the teacher "
                         "source to 'train first' (or run `python -m kdemo pretrain`)")
    return cfg


# ---------------------------------------------------------------- models the Temperature lab shows

@functools.lru_cache(maxsize=16)   # read-only, shared by every visitor: inference only, under no_grad
def pretrained_model(model_key: str, dataset: str, role: str | None = None):
    from .checkpoints import load_pretrained
    model, entry = load_pretrained(model_key, dataset, "cpu", role=role)
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval(), entry


def pretrained_choices(dataset: str, role: str) -> list[tuple[str, str]]:
    """(label, model key) of the pretrained models of `role` for `dataset`, e.g. ('lenet5 · 99.1%', 'lenet5')."""
    from .checkpoints import read_manifest
    out = []
    for e in read_manifest().get("entries", []):
        if e.get("dataset") == dataset and e.get("role") == role:
            acc = e.get("test_acc")
            out.append((f"{e['model']}" + (f" · {100 * acc:.1f}% test" if acc else ""), e["model"]))
    return out


def session_student(session: Session, dataset: str = "mnist"):
    """(model, description) of the student this session trained on `dataset`, or None. Never the live model:
    run.model() is a CPU copy, refreshed when the run has published newer weights."""
    run = session.run
    if run is None or run.cfg.dataset != dataset or not run.has_model("kd"):
        return None
    version = (run.id, len(run.snapshot()["records"]), run.status)
    if session.lab_cache.get("version") != version:
        model = run.model("kd")
        for p in model.parameters():
            p.requires_grad_(False)
        session.lab_cache = {"version": version, "model": model}
    acc = run.final.get("kd", {}).get("acc")
    state = f"{100 * acc:.1f}% test" if acc is not None else run.status
    return session.lab_cache["model"], f"your {run.cfg.student} from run {run.id} ({run.cfg.method}, {state})"
