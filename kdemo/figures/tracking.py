"""A run's curves in the trackers people already use: TensorBoard and Hugging Face's Trackio, both optional.

They draw what the app's plots draw, from the same records, so they live beside the figures. The interface is
small on purpose (the CLI's `train --track`, `experiment run --track` and any sweep use it the same way):

    tracker = open_tracker(kind, folder, name, group, config)    # kind: "tensorboard" | "trackio"
    tracker.log(step, {"kd/test_acc": 0.93, ...})                  # numbers under kdemo's metric names
    tracker.note(step, "health", "the twin (seed 1) collapsed ...")
    tracker.close()

`RunFeed` turns a Run's snapshots into those calls (live, as records arrive, or all at once after the run);
`track_run` does it for a finished Run in one call. Metric names come from kdemo.train.records (one convention
for every tracker and for the summary's "metrics"). A tracker that is not installed raises ValueError with the
one line that says which extra to install; nothing here is imported by the app.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from pathlib import Path

from ..train.records import record_metrics

TRACKERS = ("tensorboard", "trackio")
PROJECT = "kdemo"          # Trackio's project; TensorBoard's runs go under FOLDER/GROUP/NAME


def _missing(kind: str, package: str) -> ValueError:
    return ValueError(f"--track {kind} needs the {package} package: pip install 'kdemo[{kind}]' "
                      f"(or pip install {package})")


class Tracker:
    """What kdemo asks of a tracker: numbers per step, a line of text per event, and a close that ends its
    threads and writes everything to disk."""

    def log(self, step: int, metrics: dict[str, float]):
        raise NotImplementedError

    def note(self, step: int, tag: str, text: str):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError


def _flat_config(config: dict) -> dict:
    """Hyperparameters as trackers take them: numbers, text and booleans (None and lists as text)."""
    return {k: v if isinstance(v, (bool, int, float, str)) else json.dumps(v) for k, v in config.items()}


class TensorBoardTracker(Tracker):
    """Event files in FOLDER/GROUP/NAME (read by `tensorboard --logdir FOLDER`); the config as hyperparameters
    (the HParams tab) and as a text table."""

    def __init__(self, folder: Path, name: str, group: str | None, config: dict):
        try:
            from torch.utils.tensorboard import SummaryWriter
            from torch.utils.tensorboard.summary import hparams
        except ImportError:
            raise _missing("tensorboard", "tensorboard") from None
        self.dir = folder / group / name if group else folder / name
        self.writer = SummaryWriter(log_dir=str(self.dir))
        flat = _flat_config(config)
        for summary in hparams(flat, {"final/kd/test_acc": 0.0, "final/twin/test_acc": 0.0, "final/diff": 0.0}):
            self.writer.file_writer.add_summary(summary)
        self.writer.add_text("config", "\n".join(f"    {k}: {v}" for k, v in flat.items()), 0)

    def log(self, step, metrics):
        for k, v in metrics.items():
            self.writer.add_scalar(k, v, step)

    def note(self, step, tag, text):
        self.writer.add_text(tag, text, step)

    def close(self):
        self.writer.close()


@contextlib.contextmanager
def _quiet_stdout():
    """Trackio prints its progress on stdout, which `--json` keeps for the summary: send it to stderr."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


class TrackioTracker(Tracker):
    """Trackio's local database (FOLDER/kdemo.db; `trackio show --project kdemo` with TRACKIO_DIR=FOLDER),
    one Trackio run per kdemo run, in its group."""

    def __init__(self, folder: Path | None, name: str, group: str | None, config: dict):
        # Trackio reads its folder from TRACKIO_DIR once, when imported: set it first, and refuse a second one
        if folder is not None:
            wanted, loaded = str(folder.resolve()), sys.modules.get("trackio") is not None
            if loaded and os.environ.get("TRACKIO_DIR") != wanted:
                raise ValueError("Trackio logs to one folder per process; it already writes to "
                                 f"{os.environ.get('TRACKIO_DIR') or 'its default folder'}")
            os.environ["TRACKIO_DIR"] = wanted
        try:
            import trackio
        except ImportError:
            raise _missing("trackio", "trackio") from None
        self.trackio = trackio
        with _quiet_stdout():
            self.run = trackio.init(project=PROJECT, name=name, group=group, config=_flat_config(config),
                                    embed=False, auto_log_gpu=False, auto_log_cpu=False)

    def log(self, step, metrics):
        with _quiet_stdout():
            self.run.log(dict(metrics), step=step)

    def note(self, step, tag, text):
        with _quiet_stdout():
            level = self.trackio.AlertLevel.WARN if tag == "health" else self.trackio.AlertLevel.INFO
            self.run.alert(title=tag, text=text, level=level, step=step)

    def close(self):
        with _quiet_stdout():
            self.trackio.finish()      # flushes and ends its sender thread, and forgets the current run


def open_tracker(kind: str, folder: str | Path | None, name: str, group: str | None, config: dict) -> Tracker:
    """A tracker for one run. folder: TensorBoard's log folder (default ./runs), Trackio's TRACKIO_DIR (default
    Trackio's own); group: runs compared together (an experiment, a sweep)."""
    if kind not in TRACKERS:
        raise ValueError(f"unknown tracker {kind!r}; choose one of {', '.join(TRACKERS)}")
    if kind == "tensorboard":
        return TensorBoardTracker(Path(folder or "runs"), name, group, config)
    return TrackioTracker(Path(folder) if folder else None, name, group, config)


class RunFeed:
    """Sends one Run's records to a tracker: `update(snapshot)` as often as wanted (each record once), then
    `finish(summary)` logs the final numbers and the verdict, and closes the tracker."""

    def __init__(self, tracker: Tracker, seeds: list[int]):
        self.tracker, self.seeds = tracker, seeds
        self.sent = self.events = self.step = 0

    def update(self, snap: dict):
        for rec in snap["records"][self.sent:]:
            self.step = rec["step"] if rec["phase"] == "student" else self.step
            self.tracker.log(rec["step"], record_metrics(rec, self.seeds))
        self.sent = len(snap["records"])
        health = snap.get("health", [])
        for event in health[self.events:]:
            self.tracker.note(event["step"], "health", event["message"])
        if len(health) > self.events:
            self.tracker.log(self.step, {"health/events": len(health)})
            self.events = len(health)

    def finish(self, summary: dict, snap: dict | None = None):
        try:
            if snap is not None:
                self.update(snap)
            final = dict(summary.get("metrics", {}))
            if final.get("health/events") == self.events:    # already logged when the last event came
                final.pop("health/events")
            self.tracker.log(self.step, final)
            if summary.get("verdict"):
                self.tracker.note(self.step, "verdict", summary["verdict"])
        finally:
            self.tracker.close()


def require(kind: str):
    """Fail now, in one line, when `kind` is unknown or its package is not installed (before any run starts)."""
    if kind not in TRACKERS:
        raise ValueError(f"unknown tracker {kind!r}; choose one of {', '.join(TRACKERS)}")
    if importlib.util.find_spec(kind) is None:     # found, not imported: Trackio must read its folder first
        raise _missing(kind, kind)


def track_run(run, kind: str, folder: str | Path | None, name: str, group: str | None = None):
    """Log a finished (or stopped) Run to a tracker in one go: its config, every record, the final numbers."""
    cfg = run.cfg
    feed = RunFeed(open_tracker(kind, folder, name, group, cfg.to_dict()), [cfg.seed + i for i in range(cfg.seeds)])
    feed.finish(run.summary(), run.snapshot())
