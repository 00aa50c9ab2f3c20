"""How a Run sees its process group. The engine asks this object, never torch.distributed, so the single-process
case is the default and torchrun support (kdemo/commands/distributed.py) is one subclass, not a second training loop."""
from __future__ import annotations

import math

import torch


class LocalContext:
    """One process: the whole dataset, no wrapping, reductions are the identity."""
    rank, world_size = 0, 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        return module

    def all_reduce_sum(self, t: torch.Tensor) -> torch.Tensor:
        return t

    def shard(self, n: int, seed: int, epoch: int, shuffle: bool = True) -> torch.Tensor:
        """This rank's indices for one epoch, exactly as torch's DistributedSampler draws them."""
        if shuffle:
            g = torch.Generator().manual_seed(seed + epoch)
            order = torch.randperm(n, generator=g)
        else:
            order = torch.arange(n)
        per_rank = math.ceil(n / self.world_size)
        total = per_rank * self.world_size
        if total > n:  # pad by repeating the head, so every rank takes the same number of steps
            order = torch.cat([order, order[:total - n]])
        return order[self.rank:total:self.world_size]

    def shard_size(self, n: int) -> int:
        return math.ceil(n / self.world_size)
