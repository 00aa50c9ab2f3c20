"""Several seeds, one honest sentence: mean ± sd per side, the paired difference KD − twin with its 95% t-interval.

Seeds are paired: seed s's distilled student and its twin share initial weights and batches, so the difference of
the pair removes most of the seed's luck; its t-interval (n − 1 degrees of freedom) says whether the gap is real.
"""
from __future__ import annotations

import math

from ..lang import Signed, number, text

# Two-sided 95% quantiles of Student's t, t_{0.975}(df), for the seeds a run allows (1 to 8: df 1 to 7) and a few
# more for experiments that pool runs.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}


def t975(df: int) -> float:
    if df < 1:
        raise ValueError("a t-interval needs at least two values")
    known = [d for d in T975 if d <= df]
    return T975[max(known)] if df <= 30 else 1.96


def mean_sd(xs: list[float]) -> tuple[float, float | None]:
    """Mean and sample standard deviation (n − 1); sd is None for one value."""
    n = len(xs)
    if n == 0:
        raise ValueError("no values")
    m = sum(xs) / n
    if n == 1:
        return m, None
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))


def ci95(xs: list[float]) -> tuple[float, float] | None:
    """95% t-interval of the mean, or None for fewer than two values."""
    m, sd = mean_sd(xs)
    if sd is None:
        return None
    half = t975(len(xs) - 1) * sd / math.sqrt(len(xs))
    return m - half, m + half


def compare(kd: list[float], twin: list[float], seeds: list[int]) -> dict:
    """The fields of a several-seeds comparison (accuracies as fractions, like kd_acc)."""
    if len(kd) != len(twin) or len(kd) != len(seeds):
        raise ValueError("one KD and one twin accuracy per seed")
    diffs = [a - b for a, b in zip(kd, twin)]
    kd_m, kd_sd = mean_sd(kd)
    tw_m, tw_sd = mean_sd(twin)
    d_m, d_sd = mean_sd(diffs)
    out = {"kd_acc_mean": kd_m, "kd_acc_sd": kd_sd, "twin_acc_mean": tw_m, "twin_acc_sd": tw_sd,
           "diff_mean": d_m, "diff_sd": d_sd, "diff_ci95": list(ci95(diffs)) if len(diffs) > 1 else None,
           "per_seed": [{"seed": s, "kd_acc": a, "twin_acc": b, "diff": a - b}
                        for s, a, b in zip(seeds, kd, twin)]}
    out["verdict"] = verdict(out)
    return out


def verdict(c: dict, lang: str = "en") -> str:
    """"KD ahead by 2.1 ± 0.8 points over 5 seeds" (± the 95% interval's half width), "no clear difference", or
    "KD behind"; one seed says only what it saw and that it is one seed. Worded by kdemo.lang's "verdict.*"."""
    return worded(*verdict_parts(c), lang)


def worded(key: str, params: dict, lang: str = "en") -> str:
    """A verdict kept as data (verdict_parts) in `lang`: its points written the language's way."""
    return text(key, lang, **{k: number(v, lang, 1) if isinstance(v, float) else v for k, v in params.items()})


def verdict_parts(c: dict) -> tuple[str, dict]:
    """The verdict as data: its text's key in kdemo.lang and the numbers it names (points, floats)."""
    n = len(c["per_seed"])
    d = 100 * c["diff_mean"]
    if c["diff_ci95"] is None:
        if abs(d) < 0.05:
            return "verdict.level_one", {}
        return ("verdict.ahead_one" if d > 0 else "verdict.behind_one"), {"d": abs(d)}
    lo, hi = (100 * v for v in c["diff_ci95"])
    half = (hi - lo) / 2
    if lo > 0:
        return "verdict.ahead", {"d": d, "half": half, "n": n}
    if hi < 0:
        return "verdict.behind", {"d": -d, "half": half, "n": n}
    return "verdict.unclear", {"d": Signed(d), "half": half, "n": n}


def rate(lr: float) -> tuple[float, int]:
    """A learning rate as (value, decimals) for kdemo.lang's number: 0.005 stays 0.005 (0,005 in German)."""
    shown = f"{lr:g}"
    return lr, len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0


def fair_parts(base_key: str, kd_lr: float, twin_lr: float, best_lr: float, twin_stalled: bool = False):
    """What the verdict compares, as kdemo.lang keys: (prefix key, suffix key or None, their numbers).

    A twin held back (a rate the tables do not mark as its best, or a stall) makes KD look better than it is: the
    sentence then says that part of the gap is the learning rate, not the teacher."""
    fair = abs(twin_lr - best_lr) <= 1e-12 * max(1.0, best_lr)
    ahead = base_key.startswith("verdict.ahead")
    suffix = "verdict.rate_part" if ahead and not fair else "verdict.stall_part" if ahead and twin_stalled else None
    return ("verdict.fair" if fair else "verdict.rigged"), suffix, \
        {"kd_lr": rate(kd_lr), "twin_lr": rate(twin_lr), "best_lr": rate(best_lr)}


def fair_verdict(c: dict, kd_lr: float, twin_lr: float, best_lr: float, twin_stalled: bool = False,
                 lang: str = "en") -> str:
    """"KD (lr 0.005) vs twin at its own best rate (lr 0.05): KD ahead by ...": the verdict with what it compares."""
    prefix, suffix, nums = fair_parts(verdict_parts(c)[0], kd_lr, twin_lr, best_lr, twin_stalled)
    words = {k: number(v, lang, d) for k, (v, d) in nums.items()}
    return text(prefix, lang, **words) + verdict(c, lang) + (text(suffix, lang) if suffix else "")
