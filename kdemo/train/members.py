"""The models a run trains together: per seed, a student of each group (the distilled one, its twin), as one
stacked model where that pays, else one by one; one optimizer step updates all of them.

Every member of seed s starts from weights drawn from its own generator (seed s), and the groups of one seed
start identical and see the same batches: only their loss and their learning rate differ (the twin trains at its
own best rate: a fair race). Dropout draws come from per-member generators
too, so nothing here touches torch's process-wide random state.
"""
from __future__ import annotations

import copy
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


class Members:
    """Members for `seeds` x `groups`; `step` trains them all on one batch per seed."""

    def __init__(self, cfg, groups: list[Group], seeds: list[int], model_key: str, teacher, sample_x, device, ctx,
                 stack: bool = True):
        self.cfg, self.groups, self.seeds, self.device, self.ctx = cfg, groups, seeds, device, ctx
        self.alive = {g.name: [True] * len(seeds) for g in groups}
        self.keys: dict[str, tuple] = {}
        models = {}
        for si, seed in enumerate(seeds):
            base = use_generator(build_for(model_key, cfg.dataset, torch.Generator().manual_seed(seed)), None)
            for j, g in enumerate(groups):
                m = (base if j == 0 else copy.deepcopy(base)).to(device)
                models[g.name, si] = use_generator(m, torch.Generator(device).manual_seed(seed + DROPOUT_SEED))
        first = models[groups[0].name, 0]
        self.mode, self.why = choose_mode(first, groups, len(models), ctx.world_size)
        if not stack and self.mode == "stacked":
            self.mode, self.why = "loop", "stacking turned off"
        hp = cfg.hyper()
        self.rates = [cfg.lr if g.lr is None else g.lr for g in groups]
        self._rescale: list[tuple[int, float]] = []
        if self.mode == "stacked":
            self.net = StackedNet([models[g.name, si] for si in range(len(seeds)) for g in groups]).to(device)
            self.losses = {g.name: g.distiller(self.net, None, hp) for g in groups}   # used for loss_parts only
            # One tensor holds every member, so one optimizer param group steps them all at the first group's
            # rate. SGD's and Adam's change to a weight is proportional to the rate (their state never reads it),
            # so another group's rows of that change are scaled by its rate / the first one's after each step:
            # the weights members trained alone with their own param groups get (tests/test_members.py).
            param_groups = [{"params": list(self.net.parameters()), "lr": self.rates[0]}]
            self._rescale = [(j, r / self.rates[0]) for j, r in enumerate(self.rates) if r != self.rates[0]]
        else:
            self.units = {}
            for (name, si), m in models.items():
                cls = next(g.distiller for g in groups if g.name == name)
                d = cls(m, teacher if cls.needs_teacher else None, hp, sample_x,
                        generator=torch.Generator().manual_seed(seeds[si] + 7)).to(device)
                self.units[name, si] = (d, ctx.wrap(d))
            param_groups = [{"params": [p for (name, _), (d, _) in self.units.items() if name == g.name
                                        for p in d.trainable_parameters()], "lr": lr}
                            for g, lr in zip(groups, self.rates)]
        self.optimizer = make_optimizer(cfg, param_groups)
        self._base_lrs = [pg["lr"] for pg in self.optimizer.param_groups]

    def __len__(self) -> int:
        return len(self.seeds) * len(self.groups)

    def set_scale(self, factor: float):
        """Every group's rate times `factor` (a schedule's multiplier); the ratios between groups stay."""
        for group, base in zip(self.optimizer.param_groups, self._base_lrs):
            group["lr"] = base * factor

    def train(self):
        if self.mode == "loop":
            for d, _ in self.units.values():
                d.train()

    def step(self, x, y, t_logits, t_feats, progress: float, labeled):
        """One optimizer step for every member. x (S, B, ...), y (S, B), t_logits (S, B, K).

        Returns {group: (loss parts (S, P), correct (S,))}, detached; a member that is no longer alive is skipped
        where that saves work (loop) and reads NaN.
        """
        self.optimizer.zero_grad(set_to_none=True)
        out = self._step_stacked(x, y, t_logits, progress, labeled) if self.mode == "stacked" \
            else self._step_loop(x, y, t_logits, t_feats, progress, labeled)
        self._optimizer_step()
        return out

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

    def _hits(self, logits, y, labeled):
        hit = logits.argmax(dim=-1) == y
        return (hit if labeled is None else hit & labeled).sum(dim=-1)

    def _step_stacked(self, x, y, t_logits, progress, labeled):
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

    def _step_loop(self, x, y, t_logits, t_feats, progress, labeled):
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
        """{group: [scores of each seed]}: one pass over `data` for every member when stacked."""
        if self.mode == "loop":
            return {g.name: [evaluate(self.units[g.name, si][0].student, data, self.device, ctx=self.ctx)
                             for si in range(len(self.seeds))] for g in self.groups}
        k, num = len(self.groups), data.info.num_classes
        counts = torch.zeros(len(self), 3, num, dtype=torch.float64, device=self.device)
        chunk = max(125, min(500, BATCH // len(self)))   # every member's activations of a chunk stay in cache
        for start in range(0, len(data), chunk):
            xb, yb = data.batch(torch.arange(start, min(start + chunk, len(data))), device=self.device)
            counts += tally(self.net(xb), yb, num)
        return {g.name: [scores(counts[si * k + j]) for si in range(len(self.seeds))]
                for j, g in enumerate(self.groups)}

    def state(self, group: str, si: int = 0) -> dict[str, torch.Tensor]:
        """Member (group, seed index)'s weights as a plain model's state dict, on the CPU."""
        if self.mode == "stacked":
            return self.net.member_state(si * len(self.groups) + [g.name for g in self.groups].index(group))
        student = self.units[group, si][0].student
        return {k: v.detach().to("cpu", copy=True) for k, v in student.state_dict().items()}
