"""Distributed training on PyTorch's own engine: 2 gloo processes over loopback on CPU.

Starting processes is the slow part on a 2-core machine, so one module fixture runs every in-process scenario in
a single pair of spawned workers (each scenario on its own port), and one torchrun run covers the command line.
"""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from torch.utils.data.distributed import DistributedSampler

from kdemo.commands import cli
from kdemo.settings.config import TrainConfig
from kdemo.commands.distributed import is_distributed
from kdemo.train.parallel import LocalContext

REPO = Path(__file__).resolve().parent.parent
# Plain SGD, no momentum, no dropout, no BatchNorm: 2 processes x batch B/2 must match 1 process x batch B.
EQUIV = dict(dataset="mnist", teacher="lenet5", student="lenet5_half", method="kd", n_labeled=256, epochs=1.0,
             optimizer="sgd", momentum=0.0, lr=0.1, eval_samples=200, log_points=4, eval_points=2,
             twin=True, seeds=1, device="cpu")
B = 64  # 256 samples: 4 steps of 64, or 4 steps of 32 on each of 2 ranks
SMALL = dict(dataset="mnist", method="ce", n_labeled=100, epochs=0.1, twin=False, seeds=1, device="cpu")
WORKER_TIMEOUT_S = 240  # a safety net against a hung collective, not a claim about speed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_teacher() -> torch.nn.Module:
    """A fixed random LeNet-5: the same in every process, and no dependence on pretrained/."""
    from kdemo.zoo.models import create_model
    torch.manual_seed(123)
    return create_model("lenet5").eval()


# ---- scenarios run inside each spawned rank ----------------------------------------------------------------

def _equivalence(rank: int, out: Path) -> dict:
    import kdemo.train.engine as engine
    from kdemo.data.datasets import load_dataset
    from kdemo.commands.distributed import DDPContext
    from kdemo.train.batches import training_split
    caches = []

    class Recording(engine.TeacherOutputs):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            caches.append(self)

    original, engine.TeacherOutputs = engine.TeacherOutputs, Recording   # this worker process only
    cfg = TrainConfig(**EQUIV, batch_size=B // 2)
    ctx = DDPContext(cfg.device)
    try:
        run = engine.Run(cfg, teacher=make_teacher(), ctx=ctx)
        summary = run.run()
    finally:
        ctx.close()
        engine.TeacherOutputs = original
    if rank == 0 and summary["status"] == "done":
        torch.save({w: run.model(w).state_dict() for w in ("kd", "scratch")}, out / "ddp_states.pt")
    n = len(training_split(cfg, load_dataset(cfg.dataset)))
    return {"status": summary["status"], "error": summary["error"], "kd_acc": summary.get("kd_acc"),
            "train": [r for r in run.snapshot()["records"] if r["kind"] == "train"],
            "cache_mode": caches[0].mode, "cached": caches[0].filled.nonzero().flatten().tolist(),
            "shard": sorted(ctx.shard(n, cfg.seed, 0).tolist())}


def _missing_data(rank: int, out: Path) -> dict:
    import kdemo.data.datasets as data
    from kdemo.commands.distributed import train_distributed

    def unavailable(name, split="train", root=None, download=True):
        raise data.DatasetUnavailable(f"MNIST ({split}) is not available. Looked in: /nowhere")

    original = data.load_dataset
    if rank == 1:
        data.load_dataset = unavailable
    try:
        train_distributed(TrainConfig(**SMALL), quiet=True)
    finally:
        data.load_dataset = original
    return {"error": None}


def _too_many_ranks(rank: int, out: Path) -> dict:
    from kdemo.commands.distributed import train_distributed
    train_distributed(TrainConfig(**{**SMALL, "n_labeled": 1}), quiet=True)
    return {"error": None}


SCENARIOS = {"equivalence": _equivalence, "missing_data": _missing_data, "too_many_ranks": _too_many_ranks}


def _worker(rank: int, ports: list[int], out: str):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2")
    results = {}
    for (name, scenario), port in zip(SCENARIOS.items(), ports):
        os.environ["MASTER_PORT"] = str(port)
        try:
            results[name] = scenario(rank, Path(out))
        except Exception as e:
            results[name] = {"error": f"{type(e).__name__}: {e}"}
    (Path(out) / f"rank{rank}.json").write_text(json.dumps(results))


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """Both ranks' results of every scenario, and the folder rank 0 wrote to."""
    out = tmp_path_factory.mktemp("ddp")
    procs = mp.start_processes(_worker, args=([free_port() for _ in SCENARIOS], str(out)), nprocs=2, join=False,
                               start_method="spawn")
    deadline = time.time() + WORKER_TIMEOUT_S
    while not procs.join(timeout=1):
        if time.time() > deadline:
            for p in procs.processes:
                p.kill()
            pytest.fail(f"spawned gloo ranks still running after {WORKER_TIMEOUT_S}s: a collective hung")
    return out, [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]


# ---- tests -------------------------------------------------------------------------------------------------

def test_two_processes_with_half_batches_match_one_process(ranks):
    from kdemo.train.engine import Run
    from kdemo.zoo.models import create_model
    out, results = ranks
    ddp = results[0]["equivalence"]
    assert ddp["status"] == "done", ddp["error"]
    ref = Run(TrainConfig(**EQUIV, batch_size=B), teacher=make_teacher())
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # like each rank; two threads on two busy cores run several times slower
    try:
        summary = ref.run()
    finally:
        torch.set_num_threads(threads)
    assert summary["status"] == "done", summary["error"]
    states = torch.load(out / "ddp_states.pt")
    init = create_model("lenet5_half", generator=torch.Generator().manual_seed(0)).state_dict()   # the initial student
    for which in ("kd", "scratch"):
        expected = ref.model(which).state_dict()
        for k, v in states[which].items():
            torch.testing.assert_close(v, expected[k], atol=1e-5, rtol=1e-4, msg=f"{which} {k}")
        moved = max((v - init[k]).abs().max().item() for k, v in expected.items())
        assert moved > 1e-3   # the comparison is not vacuous: training changed the weights
    # The all-reduced loss logged at every step is the single process's batch mean.
    ref_train = [r for r in ref.snapshot()["records"] if r["kind"] == "train"]
    assert len(ddp["train"]) == len(ref_train) == 4
    for got, want in zip(ddp["train"], ref_train):
        assert got["epoch"] == want["epoch"]
        for key in ("kd/loss_ce", "kd/loss_kd", "scratch/loss_ce", "kd/train_acc"):
            assert got[key] == pytest.approx(want[key], abs=1e-5), key
    assert ddp["kd_acc"] == pytest.approx(summary["kd_acc"], abs=2e-4)   # at most 2 of 10,000 test images flip


def test_each_rank_caches_teacher_outputs_only_for_its_shard(ranks):
    _, results = ranks
    cached = []
    for r in (0, 1):
        res = results[r]["equivalence"]
        assert res["cache_mode"] == "lazy"
        assert res["cached"] == res["shard"] and len(res["shard"]) == 128
        cached.append(set(res["cached"]))
    assert not cached[0] & cached[1] and len(cached[0] | cached[1]) == 256


def test_dataset_missing_on_one_rank_fails_every_rank_with_its_message(ranks):
    _, results = ranks
    for r in (0, 1):
        error = results[r]["missing_data"]["error"]
        assert error.startswith("RuntimeError: rank 1 on ") and "MNIST (train) is not available" in error, error
        assert "rank 0" not in error


def test_more_processes_than_training_samples_fails_every_rank_clearly(ranks):
    _, results = ranks
    for r in (0, 1):
        error = results[r]["too_many_ranks"]["error"]
        assert error.startswith("ValueError: 2 processes but only 1 training sample:"), error


@pytest.mark.parametrize("n,world", [(10, 2), (11, 2), (11, 3)])
def test_shard_draws_exactly_what_distributed_sampler_draws(n, world):
    class Rank(LocalContext):
        def __init__(self, rank):
            self.rank, self.world_size = rank, world

    for rank in range(world):
        for epoch in (0, 1):
            sampler = DistributedSampler(list(range(n)), num_replicas=world, rank=rank, shuffle=True, seed=7)
            sampler.set_epoch(epoch)
            assert Rank(rank).shard(n, 7, epoch).tolist() == list(sampler)


@pytest.mark.parametrize("env,expected", [({}, False), ({"WORLD_SIZE": "1"}, False), ({"WORLD_SIZE": "2"}, True),
                                          ({"WORLD_SIZE": "1", "RANK": "0"}, True)])
def test_is_distributed_reads_the_torchrun_environment(monkeypatch, env, expected):
    for k in ("WORLD_SIZE", "RANK"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert is_distributed() is expected


@pytest.mark.parametrize("rank, lines", [("0", ["error: unknown config keys: learning_rate"]), ("1", [])])
def test_unknown_config_key_under_torchrun_is_one_clear_line(tmp_path, monkeypatch, capsys, rank, lines):
    """Rejected before any process group exists; only rank 0 says so, so torchrun shows the line once."""
    for k, v in dict(RANK=rank, LOCAL_RANK=rank, WORLD_SIZE="2", MASTER_ADDR="127.0.0.1", MASTER_PORT="1").items():
        monkeypatch.setenv(k, v)   # what torchrun sets
    path = tmp_path / "run.json"
    path.write_text(json.dumps({**TrainConfig().to_dict(), "learning_rate": 0.1}))
    assert cli.main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == lines


def test_torchrun_trains_learns_and_leaves_one_set_of_outputs(tmp_path):
    from kdemo.zoo.checkpoints import load_model
    cfg = TrainConfig(dataset="mnist", teacher="lenet5", student="lenet5_half", method="kd", teacher_source="train",
                      teacher_epochs=0.05, n_labeled=1000, batch_size=8, epochs=2.0, lr=0.01, eval_samples=500,
                      device="cpu", log_points=4, eval_points=2, seeds=1)   # ~190 teacher + 126 student steps a rank
    config = tmp_path / "run.json"
    config.write_text(cfg.to_json() + "\n")   # what `--export run.json` and the app's config download write
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(free_port()), "-m", "kdemo", "train", "--config", str(config),
           "--save", str(out / "student.safetensors"), "--json"]
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": path}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr[-4000:]
    summary = json.loads(proc.stdout)   # one JSON document: only rank 0 printed
    assert summary["status"] == "done", summary["error"]
    assert summary["teacher_acc"] > 0.5 and summary["kd_acc"] > 0.5 and summary["scratch_acc"] > 0.5  # chance 0.1
    assert sorted(p.name for p in out.iterdir()) == ["student.json", "student.safetensors"]
    _, meta = load_model(out / "student.safetensors")
    assert meta["test_acc"] == pytest.approx(summary["kd_acc"])
