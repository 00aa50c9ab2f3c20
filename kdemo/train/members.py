"""The models a run trains together: per seed, a student of each group (the distilled one, its twin). Two ways to
train them behind one interface, `Members`: `StackedMembers` holds them all as one stacked model, `LoopMembers`
trains them one by one; `make_members` builds the members and picks the way (`choose_mode`). One optimizer step
updates all of them either way.

Every member of seed s starts from weights drawn from its own generator (seed s), and the groups of one seed
start identical and see the same batches: only their loss and their learning rate differ (the twin trains at its
own best rate: a fair race). Dropout draws come from per-member generators
too, so nothing here touches torch's process-wide random state.
"""
from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch

from ..methods.distillers import Distiller
from ..zoo.inference import BATCH, evaluate, scores, tally
from ..zoo.models import build_for, use_generator
from ..zoo.stacked import StackedNet, unsupported
from .batches import make_optimizer

DROPOUT_SEED = 1_000_003   # dropout generators are seeded apart from the init generator of the same seed


@dataclass(frozen=True)
class Group:
    """One kind of member: its name in records ("kd", "scratch", "teacher"), the distiller it learns with, and its
    learning rate (None: the config's `lr`)."""
    name: str
    distiller: type[Distiller]
    lr: float | None = None


def choose_mode(model, groups: list[Group], n_members: int, world_size: int) -> tuple[str, str]:
    """("stacked" | "loop", why): stack where every member can share one op and there is more than one."""
    key = getattr(model, "key", "this model")
    if world_size > 1:
        return "loop", "a distributed run wraps each member in DistributedDataParallel"
    if any(g.distiller.feature for g in groups):
        return "loop", "feature methods keep a regressor per member"
    why = unsupported(model)
    if why:
        return "loop", f"{key} cannot be stacked: {why}"
    if n_members < 2:
        return "loop", "one member"
    return "stacked", f"{n_members} {key} members as one model (grouped convolutions, batched matmuls)"


def make_members(cfg, groups: list[Group], seeds: list[int], model_key: str, teacher, sample_x, device, ctx,
                 stack: bool = True) -> Members:
    """Members for `seeds` x `groups`, stacked where `choose_mode` allows it (and `stack` does not forbid it)."""
    models = {}   # (group name, seed index) -> its model
    for si, seed in enumerate(seeds):
        base = use_generator(build_for(model_key, cfg.dataset, torch.Generator().manual_seed(seed)), None)
        for j, g in enumerate(groups):
            m = (base if j == 0 else copy.deepcopy(base)).to(device)
            models[g.name, si] = use_generator(m, torch.Generator(device).manual_seed(seed + DROPOUT_SEED))
    mode, why = choose_mode(models[groups[0].name, 0], groups, len(models), ctx.world_size)
    if mode == "stacked" and not stack:
        mode, why = "loop", "stacking turned off"
    if mode == "stacked":
        return StackedMembers(cfg, groups, seeds, models, device, ctx, why)
    return LoopMembers(cfg, groups, seeds, models, teacher, sample_x, device, ctx, why)


class Members(ABC):
    """Members for `seeds` x `groups`; `step` trains them all on one batch per seed. Subclasses build the models'
    optimizer param groups and say how one step's losses are computed, how members are evaluated and read."""
    mode: str   # "stacked" | "loop": shown to the user with `why`

    def __init__(self, cfg, groups: list[Group], seeds: list[int], device, ctx, why: str):
        self.cfg, self.groups, self.seeds, self.device, self.ctx, self.why = cfg, groups, seeds, device, ctx, why
        self.alive = {g.name: [True] * len(seeds) for g in groups}   # the Run retires diverged members
        self.keys: dict[str, tuple] = {}                               # group -> names of its loss parts
        self.rates = [cfg.lr if g.lr is None else g.lr for g in groups]

    def _make_optimizer(self, param_groups: list[dict]):
        self.optimizer = make_optimizer(self.cfg, param_groups)
        self._base_lrs = [pg["lr"] for pg in self.optimizer.param_groups]

    def __len__(self) -> int:
        return len(self.seeds) * len(self.groups)

    def set_scale(self, factor: float):
        """Every group's rate times `factor` (a schedule's multiplier); the ratios between groups stay."""
        for group, base in zip(self.optimizer.param_groups, self._base_lrs):
            group["lr"] = base * factor

    @abstractmethod
    def train(self):
        """Put every member in training mode (before the loop)."""

    def step(self, x, y, t_logits, t_feats, progress: float, labeled):
        """One optimizer step for every member. x (S, B, ...), y (S, B), t_logits (S, B, K).

        Returns {group: (loss parts (S, P), correct (S,))}, detached; a member that is no longer alive is skipped
        where that saves work (loop) and reads NaN.
        """
        self.optimizer.zero_grad(set_to_none=True)
        out = self._backward(x, y, t_logits, t_feats, progress, labeled)
        self._optimizer_step()
        return out

    @abstractmethod
    def _backward(self, x, y, t_logits, t_feats, progress, labeled) -> dict:
        """Every live member's loss, backpropagated; returns what `step` returns."""

    @torch.no_grad()
    def _optimizer_step(self):
        self.optimizer.step()

    @staticmethod
    def _hits(logits, y, labeled):
        hit = logits.argmax(dim=-1) == y
        return (hit if labeled is None else hit & labeled).sum(dim=-1)

    @abstractmethod
    def evaluate(self, data) -> dict[str, list[dict]]:
        """{group: [scores of each seed]} on `data`."""

    @abstractmethod
    def state(self, group: str, si: int = 0) -> dict[str, torch.Tensor]:
        """Member (group, seed index)'s weights as a plain model's state dict, on the CPU."""


class StackedMembers(Members):
    """Every member as one StackedNet (seed-major: member si * len(groups) + j is group j of seed si): one forward,
    one backward and one evaluation pass serve them all."""
    mode = "stacked"

    def __init__(self, cfg, groups, seeds, models: dict, device, ctx, why: str):
        super().__init__(cfg, groups, seeds, device, ctx, why)
        self.net = StackedNet([models[g.name, si] for si in range(len(seeds)) for g in groups]).to(device)
        hp = cfg.hyper()
        self.losses = {g.name: g.distiller(self.net, None, hp) for g in groups}   # used for loss_parts only
        # One tensor holds every member, so one optimizer param group steps them all at the first group's
        # rate. SGD's and Adam's change to a weight is proportional to the rate (their state never reads it),
        # so another group's rows of that change are scaled by its rate / the first one's after each step:
        # the weights members trained alone with their own param groups get (tests/test_members.py).
        self._rescale = [(j, r / self.rates[0]) for j, r in enumerate(self.rates) if r != self.rates[0]]
        self._make_optimizer([{"params": list(self.net.parameters()), "lr": self.rates[0]}])

    def train(self):
        """Nothing to switch: a stackable model has no dropout or batch norm (zoo.stacked.unsupported)."""

    @torch.no_grad()
    def _optimizer_step(self):
        if not self._rescale:
            self.optimizer.step()
            return
        k, params = len(self.groups), list(self.net.parameters())
        before = [[p[j::k].clone() for p in params] for j, _ in self._rescale]   # members are seed-major
        self.optimizer.step()
        for (j, ratio), old in zip(self._rescale, before):
            for p, o in zip(params, old):
                p[j::k].sub_(o).mul_(ratio).add_(o)

    def _backward(self, x, y, t_logits, t_feats, progress, labeled):
        k = len(self.groups)
        logits = self.net(x)                                           # (S*k, B, K), seed-major
        total, out = 0.0, {}
        for j, g in enumerate(self.groups):
            lg = logits[j::k]
            parts = self.losses[g.name].loss_parts(lg, None, y, t_logits, None, progress)
            self.keys[g.name] = tuple(parts)
            vals = torch.stack(tuple(parts.values()), dim=-1)           # (S, P)
            total = total + vals.sum()    # members share no weights: each gradient is its own loss's
            out[g.name] = (vals.detach(), self._hits(lg.detach(), y, labeled))
        total.backward()
        return out

    @torch.no_grad()
    def evaluate(self, data) -> dict[str, list[dict]]:
        """{group: [scores of each seed]}: one pass over `data` for every member."""
        k, num = len(self.groups), data.info.num_classes
        counts = torch.zeros(len(self), 3, num, dtype=torch.float64, device=self.device)
        chunk = max(125, min(500, BATCH // len(self)))   # every member's activations of a chunk stay in cache
        for start in range(0, len(data), chunk):
            xb, yb = data.batch(torch.arange(start, min(start + chunk, len(data))), device=self.device)
            counts += tally(self.net(xb), yb, num)
        return {g.name: [scores(counts[si * k + j]) for si in range(len(self.seeds))]
                for j, g in enumerate(self.groups)}

    def state(self, group: str, si: int = 0) -> dict[str, torch.Tensor]:
        return self.net.member_state(si * len(self.groups) + [g.name for g in self.groups].index(group))


class LoopMembers(Members):
    """Each member its own distiller (wrapped by the context, e.g. in DistributedDataParallel), trained one by one;
    each group one optimizer param group at its own rate."""
    mode = "loop"

    def __init__(self, cfg, groups, seeds, models: dict, teacher, sample_x, device, ctx, why: str):
        super().__init__(cfg, groups, seeds, device, ctx, why)
        hp = cfg.hyper()
        self.units = {}   # (group name, seed index) -> (distiller, the same wrapped by the context)
        for (name, si), m in models.items():
            cls = next(g.distiller for g in groups if g.name == name)
            d = cls(m, teacher if cls.needs_teacher else None, hp, sample_x,
                    generator=torch.Generator().manual_seed(seeds[si] + 7)).to(device)
            self.units[name, si] = (d, ctx.wrap(d))
        self._make_optimizer([{"params": [p for (name, _), (d, _) in self.units.items() if name == g.name
                                          for p in d.trainable_parameters()], "lr": lr}
                              for g, lr in zip(groups, self.rates)])

    def train(self):
        for d, _ in self.units.values():
            d.train()

    def _backward(self, x, y, t_logits, t_feats, progress, labeled):
        out = {}
        for g in self.groups:
            vals, hits = [], []
            for si in range(len(self.seeds)):
                d, model = self.units[g.name, si]
                if not self.alive[g.name][si]:
                    vals.append(None)
                    hits.append(torch.zeros((), dtype=torch.long, device=y.device))
                    continue
                tl = t_logits[si] if t_logits is not None else None
                tf = {kk: v[si] for kk, v in t_feats.items()} if t_feats is not None else None
                logits, parts = model(x[si], y[si], tl, tf, progress)
                self.keys[g.name] = tuple(parts)
                v = torch.stack(tuple(parts.values()))
                v.sum().backward()
                vals.append(v.detach())
                hits.append(self._hits(logits.detach(), y[si], None if labeled is None else labeled[si]))
            if len(vals) == 1 and vals[0] is not None:     # one member (the common case): no padding needed
                out[g.name] = (vals[0][None], hits[0][None])
                continue
            n = len(self.keys.get(g.name, ("loss_ce",)))
            nan = torch.full((n,), float("nan"), device=y.device)
            out[g.name] = (torch.stack([v if v is not None else nan for v in vals]), torch.stack(hits))
        return out

    @torch.no_grad()
    def evaluate(self, data) -> dict[str, list[dict]]:
        """{group: [scores of each seed]}: one pass over `data` per member."""
        return {g.name: [evaluate(self.units[g.name, si][0].student, data, self.device, ctx=self.ctx)
                         for si in range(len(self.seeds))] for g in self.groups}

    def state(self, group: str, si: int = 0) -> dict[str, torch.Tensor]:
        student = self.units[group, si][0].student
        return {k: v.detach().to("cpu", copy=True) for k, v in student.state_dict().items()}
