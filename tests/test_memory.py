"""What a server keeps after its visitors leave, measured as growth per round, not as one number.

The server is warmed first (one visitor of each kind: lazy models, caches and first uses are paid), then rounds of
API-only visitors each end with every session expired. A leak grows every round; a cache grows in the first round
and then stays. Resident memory moves by tens of MB between rounds on its own (the allocator's arenas, torch's
buffers), and so does the count of all Python objects (Gradio keeps bounded records), so the test counts what a
leak is made of: kdemo's Sessions and Runs and Gradio's per-session states, back at the baseline after every round.
`python -m kdemo bench memory` prints the
resident memory of a real server over 200 visitors and 30 varied runs (README, Hosting).

The same server (in this process) also takes runs of varied configs: their sessions expire and leave nothing.
"""
import gc
import os
import tempfile
from pathlib import Path

import pytest

from kdemo.commands.bench_memory import VARIED, Visitors, free_port

ROUNDS, PER_ROUND = 3, 6          # 6: one visitor of each kind per round (Visitors.one)
PARALLEL = 4            # visitors at a time (Visitors.round)


def live(cls) -> int:
    return sum(isinstance(o, cls) for o in gc.get_objects())


@pytest.fixture(scope="module")
def server(kdemo_pretrained):
    """The app in this process, with an 8 s idle limit (a visitor polling a run on a busy machine must not expire
    mid-run) and its sweeper running every second; each round ends with a sweep at a clock past that limit."""
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")   # what app.py's server sets (a bounded record)
    from kdemo.app.build import build_demo, launch_options, queue_options
    from kdemo.app.limits import Limits
    from kdemo.app.sessions import Registry
    registry = Registry(Limits(max_runs=4, max_epochs=20, max_seconds=120, session_idle_s=8))
    demo = build_demo(registry)
    port = free_port()
    demo.queue(**queue_options(demo)).launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port,
                                             quiet=True, **launch_options(registry))
    registry.start_sweeper(1.0)
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory() as tmp:
        # the end of each round expires its sessions at once (the sweeper's own call, its clock moved past the
        # idle limit) rather than waiting the limit out: the suite's time
        yield demo, registry, Visitors(url, os.getpid(), registry.root, Path(tmp), registry.limits.session_idle_s,
                                       sweep=registry.sweep)
    registry.close_all()
    demo.close()
    registry.remove_root()


def census(demo, registry) -> dict:
    from gradio.state_holder import SessionState

    from kdemo.app.sessions import Session
    from kdemo.train.engine import Run
    gc.collect()
    return {"objects": len(gc.get_objects()), "sessions": live(Session), "runs": live(Run),
            "gradio_states": live(SessionState), "held": len(demo.state_holder.session_data), "registry": len(registry)}


def gone(r: dict, base: dict) -> bool:
    """Every visitor of this server is gone: no Session, Run or Gradio state beyond what the process held before
    (other servers of the test session keep theirs), and Gradio holds at most the API clients' current sessions:
    each client's heartbeat keeps its latest one open, as an open tab does."""
    return r["sessions"] == base["sessions"] and r["runs"] == base["runs"] and r["registry"] == 0 \
        and r["held"] <= PARALLEL and r["gradio_states"] - r["held"] <= base["gradio_states"] - base["held"] + 2


def test_rounds_of_visitors_leave_nothing_behind(server):
    demo, registry, v = server
    for k in (0, 1, 3):         # warm: one visitor of each kind (a run and a view, the lab and a link, a link)
        v.one(k)
    v.expire()
    base = census(demo, registry)
    rounds = []
    for _ in range(ROUNDS):
        v.round(PER_ROUND)
        rounds.append(census(demo, registry))
    print({"base": base, "rounds": rounds})
    for r in rounds:            # each round returns to the baseline: a leaked visitor would be counted here
        assert gone(r, base), (base, r)


def test_varied_runs_leave_only_shared_caches(server):
    """Runs of every shipped dataset, stacked and looped members, feature methods: their sessions expire and no
    run, model or session stays, after one pass over the configs or two."""
    demo, registry, v = server
    base = census(demo, registry)
    configs = [VARIED[i] | {"seed": i} for i in (0, 2, 3, 5)]
    v.runs(configs)
    first = census(demo, registry)
    v.runs(configs)
    second = census(demo, registry)
    print({"base": base, "after_runs": first, "again": second})
    assert gone(first, base) and gone(second, base), (base, first, second)
