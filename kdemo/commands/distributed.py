"""Scaling out on PyTorch's own engine: `torchrun --nproc_per_node N -m kdemo train --config run.json`.

DDPContext is the torch.distributed face of kdemo.train.parallel.LocalContext: DistributedDataParallel wraps each
member's distiller (gloo on CPU, NCCL on GPUs with one process per GPU), and the engine's one training loop
shards the in-memory data the way DistributedSampler does and all-reduces what it logs. `batch_size` is per
process, so N processes train with a global batch of N x batch_size.

train_distributed checks on every rank what the run needs from disk before the first training step, so a
config that cannot run fails on all ranks together, with one message, instead of leaving ranks waiting in a
collective for a peer that has already died.
"""
from __future__ import annotations

import datetime
import gc
import logging
import os
import socket
from dataclasses import replace

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from ..data import datasets as data
from ..settings.config import TrainConfig
from ..zoo.device import pick_device
from ..train.engine import Run
from ..train.parallel import LocalContext
from ..train.progress import RUN_HEADER, follow, run_rows
from ..train.teachers import check_available, load_shared
from ..train.batches import training_split

log = logging.getLogger(__name__)
TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def is_distributed() -> bool:
    """True inside a torchrun worker: WORLD_SIZE > 1, or RANK given together with WORLD_SIZE."""
    world = os.environ.get("WORLD_SIZE")
    if world is None:
        return False
    try:
        return int(world) > 1 or "RANK" in os.environ
    except ValueError:
        raise ValueError(f"WORLD_SIZE must be a whole number, got {world!r}") from None


class DDPContext(LocalContext):
    """One rank of a torchrun job: rank and world size from torch.distributed, DDP wrapping, summed reductions.

    The device is picked once here: `cuda:{LOCAL_RANK}` with NCCL when the config's device resolves to CUDA
    (an explicit "cuda:K" is overridden, since each process owns one GPU), otherwise the CPU with gloo
    (MPS has no DDP backend, so "auto" on a Mac runs on the CPU).
    """

    def __init__(self, device: str = "auto", timeout_s: float = 1800.0):
        if not dist.is_initialized():
            missing = [k for k in TORCHRUN_VARS if k not in os.environ]
            if missing:
                raise ValueError(f"a distributed run needs {', '.join(missing)} in the environment; "
                                 f"start it with torchrun --nproc_per_node N -m kdemo train --config run.json")
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        picked = pick_device(device)
        if picked.type == "cuda":
            visible = torch.cuda.device_count()
            if self.local_rank >= visible:
                raise ValueError(f"local rank {self.local_rank} needs GPU {self.local_rank} but this machine has "
                                 f"{visible}; start at most --nproc_per_node {visible} processes per machine")
            self.device = torch.device("cuda", self.local_rank)
            torch.cuda.set_device(self.device)
            backend = "nccl"
        else:
            self.device, backend = torch.device("cpu"), "gloo"
        self._owns_group = not dist.is_initialized()
        if self._owns_group:
            dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout_s))
        self.backend = dist.get_backend()
        self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        # gloo reduces CPU tensors; NCCL reduces tensors on this rank's GPU
        self._comm_device = self.device if self.backend == "nccl" else torch.device("cpu")

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        # Frozen teacher parameters (requires_grad False) are left out of DDP's gradient buckets. Every trainable
        # parameter of every distiller is used at every step, so find_unused_parameters stays off.
        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def all_reduce_sum(self, t: torch.Tensor) -> torch.Tensor:
        buf = t.detach().to(self._comm_device, copy=True)
        dist.all_reduce(buf, op=dist.ReduceOp.SUM)
        return buf.to(device=t.device, dtype=t.dtype)

    def fail_together(self, error: str | None):
        """Collective: every rank raises RuntimeError with every rank's error when any rank has one."""
        errors: list[str | None] = [None] * self.world_size
        dist.all_gather_object(errors, error)
        if any(errors):
            raise RuntimeError("; ".join(e for e in errors if e))

    def close(self, drain: bool = False):
        """Destroy the process group; with `drain`, first leave together, with gloo's worker threads idle.

        gloo's threads free each finished collective's tensors a moment after the collective returns, and that
        needs the GIL; a rank that reached interpreter shutdown in that moment died with "terminate called
        without an active exception" (about 1 run in 20 on a 2-core machine). Collecting the DDP wrappers
        (which hold the process group) and meeting at a barrier first leaves no such work behind. Only after a
        run every rank finished: a failed rank leaves at once, so torchrun stops its peers instead of one rank
        waiting at a barrier while another waits in a training step's all-reduce.
        """
        if self._owns_group and dist.is_initialized():
            if drain:
                gc.collect()
                try:
                    dist.barrier()
                except RuntimeError:   # a peer already left (its own failure): nothing left to drain
                    pass
            dist.destroy_process_group()


def check_inputs(cfg: TrainConfig, ctx: DDPContext):
    """What the run reads from disk, loaded on every rank before training (local rank 0 first, so a download
    happens once per machine); then whether every rank gets at least one training sample."""
    train = None
    for turn_of_local_rank_0 in (True, False):
        error = None
        if (ctx.local_rank == 0) == turn_of_local_rank_0:
            try:
                train = data.load_dataset(cfg.dataset, "train")
                data.load_dataset(cfg.dataset, "test")
                check_available(cfg)
                if cfg.uses_teacher and cfg.teacher_source == "pretrained":
                    load_shared(cfg.teacher, cfg.dataset)
            except (RuntimeError, ValueError, OSError) as e:
                error = f"rank {ctx.rank} on {socket.gethostname()}: {e}"
        ctx.fail_together(error)
    n = len(training_split(cfg, train))   # the same on every rank, so every rank raises or none does
    if ctx.world_size > n:
        raise ValueError(f"{ctx.world_size} processes but only {n} training sample{'s' * (n != 1)}: every process "
                         f"needs samples of its own; start fewer processes or train on more data (n_labeled)")


def train_distributed(cfg: TrainConfig, save=None, quiet: bool = False) -> dict | None:
    """Train `cfg` as one rank of a torchrun job (called on every rank by `python -m kdemo train`).

    Rank 0 shows progress, writes the checkpoint (`save`: .safetensors + .json) and returns the run summary;
    the other ranks print nothing and return None. A config that cannot run raises ValueError/RuntimeError on
    every rank together; a rank whose training failed raises RuntimeError naming the rank.
    """
    ctx = DDPContext(cfg.device)
    finished = False   # every rank went through the whole loop: safe to meet at a barrier before leaving
    try:
        if not ctx.is_main:
            logging.getLogger("kdemo").setLevel(logging.ERROR)   # rank 0 logs; the others only their failures
        cfg = replace(cfg, device=str(ctx.device))
        check_inputs(cfg, ctx)
        run = Run(cfg, ctx=ctx)
        if not ctx.is_main:
            summary = run.run()
            if summary["status"] == "failed":
                raise RuntimeError(f"rank {ctx.rank}: {summary['error']}")
            finished = True
            return None
        follow(run, quiet=quiet, header=RUN_HEADER, rows=run_rows)
        summary = run.summary()
        if save and summary["status"] in ("done", "stopped") and run.has_model():
            run.save_student(save)
        finished = summary["status"] != "failed"
        return summary
    finally:
        ctx.close(drain=finished)
