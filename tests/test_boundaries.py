"""Clear boundaries in the training loop: the Recorder records through the Run's public methods only and decides
neither halting nor which member retires; teaching views read no worker's private state; the test-set logits
have one owner with a public reader."""
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

PKG = Path(__file__).resolve().parent.parent / "kdemo"


def test_the_recorder_and_the_views_use_public_names_only():
    records = (PKG / "train" / "records.py").read_text()
    assert not re.search(r"\brun\._\w", records), "records.py reaches into the Run's private state"
    assert "should_halt" not in records and "alive[" not in records and "checkpoint(" not in records
    for path in (PKG / "teach").glob("*.py"):
        assert "_t_end" not in path.read_text(), path.name
    assert "outputs_cache" not in "".join(p.read_text() for p in PKG.rglob("*.py"))


def test_the_run_retires_diverged_members_only():
    from kdemo.train.engine import Run
    members = SimpleNamespace(alive={"kd": [True, True], "scratch": [True, True]}, seeds=[3, 4])
    event = lambda group, seed, kind: SimpleNamespace(group=group, seed=seed, kind=kind)  # noqa: E731
    Run.retire(members, [event("kd", 4, "diverged"), event("scratch", 3, "spike")])
    assert members.alive == {"kd": [True, False], "scratch": [True, True]}


def test_the_run_halts_on_its_time_budget_and_says_so():
    from kdemo.settings.config import TrainConfig
    from kdemo.train.engine import Run
    run = Run(TrainConfig(time_budget_s=0.001, device="cpu"))
    run._t0 = 0.0                            # (test set-up only) a run that began long ago
    assert run.should_halt(5) is True and "time budget of 0.001s reached" in run.snapshot()["message"]
    assert Run(TrainConfig(device="cpu")).should_halt(5) is False


def test_the_test_logits_have_one_owner_that_computes_once(monkeypatch):
    from kdemo.train import outputs
    with pytest.raises(ValueError, match="not finished"):
        outputs.TestLogits(SimpleNamespace(final_states={})).read()
    calls = []
    monkeypatch.setattr(outputs, "_compute", lambda run: calls.append(run) or {"labels": "once"})
    owner = outputs.TestLogits(run := SimpleNamespace())
    assert owner.read() == {"labels": "once"} and owner.read() is owner.read() and calls == [run]


def test_a_pause_halts_the_work_at_its_next_step_boundary():
    """`paused` says a pause was asked for; `halted` only once the work waits at its gate (an evaluation in flight
    lands first: the browser tests wait on `halted`, not on time)."""
    import threading
    from kdemo.train.worker import Worker
    inside, leave = threading.Event(), threading.Event()

    class Steps(Worker):
        done = 0

        def _execute(self):
            while self.checkpoint():
                inside.set()
                leave.wait(10)                     # one step, held open by the test
                self.done += 1

    w = Steps().start()
    assert inside.wait(10)
    w.pause()
    assert w.paused and not w.halted               # asked for, not taken effect: the step is still running
    leave.set()
    deadline = time.time() + 10
    while not w.halted and time.time() < deadline:
        time.sleep(0.01)
    assert w.halted and w.done == 1                # at the gate after the step in flight, and no further
    w.resume()
    while w.done < 3 and time.time() < deadline:
        time.sleep(0.01)
    assert not w.halted and w.done >= 3
    w.stop()
    assert w.join(10) and w.status == "stopped" and not w.halted
