"""What a class found, from the rows of its board: the setting that varies most, each value's mean and 95% interval
over the runs, and one sentence ("14 runs: T = 4 gave the largest gain, +3.1 ± 0.8 points over 5 runs; T = 16
collapsed in 3 of 4"). Pure functions of the rows (dicts, as kdemo.app.classes posts them); the class is the sample.

A row's `config` holds every shared setting as text (the parameter table's format), so any setting can be the
axis; `gain` is KD − twin in points (mean over the run's seeds), `kd_acc` and `twin_acc` in percent.
"""
from __future__ import annotations

from ..lang import Signed, compose
from ..settings.params import BY_NAME, PARAMS
from ..train.stats import ci95, mean_sd

METRICS = {"gain": ("gain", "gain: KD − twin (points)"), "kd": ("kd_acc", "KD student accuracy (%)"),
           "twin": ("twin_acc", "twin accuracy (%)")}
COLLAPSE = ("diverged", "collapse")       # health events that mean the distilled student failed
NOT_AN_AXIS = ("seed", "seeds", "time_budget_s")   # class mode gives each student their own seed; the server's cap


def label(name: str) -> str:
    """How a setting is named in a sentence: its short label ("T"), or the name for an unknown one."""
    p = BY_NAME.get(name)
    return p.short if p is not None and p.short else name


def number(text):
    """A setting's value as a number when it is one (for the scatter's axis and the order of values)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def varying(rows: list[dict]) -> list[str]:
    """Settings with two or more values across the rows, the one with the most values first (table order on ties)."""
    order = {p.name: i for i, p in enumerate(PARAMS)}
    counts = {}
    for name in order:
        if name in NOT_AN_AXIS:
            continue
        values = {str(r.get("config", {}).get(name)) for r in rows if name in r.get("config", {})}
        if len(values) > 1:
            counts[name] = len(values)
    return sorted(counts, key=lambda n: (-counts[n], order[n]))


def collapsed(row: dict) -> bool:
    return any(w.get("kind") in COLLAPSE and w.get("group") == "kd" for w in row.get("warnings", []))


def groups(rows: list[dict], axis: str | None, metric: str = "gain") -> list[dict]:
    """One entry per value of `axis` (all rows as one when None): runs, mean and 95% half-width of the metric
    over the runs that have it, and how many runs collapsed. Numeric values in numeric order."""
    key = METRICS[metric][0]
    by_value: dict[str, list[dict]] = {}
    for r in rows:
        v = str(r.get("config", {}).get(axis)) if axis else "all"
        by_value.setdefault(v, []).append(r)
    out = []
    for v, rs in by_value.items():
        xs = [float(r[key]) for r in rs if isinstance(r.get(key), (int, float))]
        mean = mean_sd(xs)[0] if xs else None
        interval = ci95(xs) if len(xs) > 1 else None
        out.append({"value": v, "runs": len(rs), "n": len(xs), "mean": mean,
                    "half": None if interval is None else (interval[1] - interval[0]) / 2,
                    "collapsed": sum(collapsed(r) for r in rs)})
    return sorted(out, key=lambda g: (number(g["value"]) is None, number(g["value"]) or 0.0, g["value"]))


def _p(key: str, **params) -> dict:
    """A piece of the sentence as data (kdemo.lang.compose): its key under "board." and its parameters."""
    return {"key": "board." + key, "params": params}


def _runs(n: int) -> dict:
    return _p("run" if n == 1 else "runs", n=n)


def _pm(g: dict, metric: str) -> dict:
    unit = _p("points" if metric == "gain" else "pct")
    mean = [Signed(g["mean"]) if metric == "gain" else g["mean"], 1]
    if g["half"] is None:
        return _p("mean", mean=mean, unit=unit, runs=_runs(g["n"]))
    return _p("mean_pm", mean=mean, half=[g["half"], 1], unit=unit, runs=_runs(g["n"]))


def sentence_parts(rows: list[dict], axis: str | None, metric: str = "gain") -> list[dict]:
    """What the board shows, in one sentence (± is the 95% interval's half width over the runs), as pieces."""
    n = len(rows)
    if n == 0:
        return [_p("empty")]
    head = _runs(n)
    gs = groups(rows, axis, metric)
    measured = [g for g in gs if g["mean"] is not None]
    if not measured:
        return [_p("none", head=head, what=_p(f"what.{metric}"))]
    if axis is None:
        text = [_p("same", head=head, reached=_p(f"reached.{metric}"), pm=_pm(measured[0], metric))]
    else:
        best = max(measured, key=lambda g: g["mean"])
        text = [_p("best", head=head, axis=label(axis), value=best["value"], word=_p(f"word.{metric}"),
                   pm=_pm(best, metric))]
    fails = [g for g in gs if g["collapsed"]]
    if fails:
        worst = max(fails, key=lambda g: g["collapsed"] / g["runs"])
        where = _p("where", axis=label(axis), value=worst["value"]) if axis else \
            {"key": "as_is", "params": {"value": ""}}
        text.append(_p("collapsed", where=where, c=worst["collapsed"], r=worst["runs"]))
    return text + [_p("end")]


def sentence(rows: list[dict], axis: str | None, metric: str = "gain") -> str:
    """What the board shows, in one English sentence (the API's; the page words sentence_parts its own way)."""
    return "".join(compose(p) for p in sentence_parts(rows, axis, metric))


def summary(rows: list[dict], axis: str | None = None, metric: str = "gain") -> dict:
    """The board's summary: the axis (the given one if it varies, else the one that varies most), its choices,
    each value's group and the sentence."""
    if metric not in METRICS:
        raise ValueError(f"unknown measure; choose one of {', '.join(METRICS)}")
    choices = varying(rows)
    axis = axis if axis in choices else (choices[0] if choices else None)
    return {"runs": len(rows), "axis": axis, "axis_label": label(axis) if axis else None, "axes": choices,
            "metric": metric, "groups": groups(rows, axis, metric), "sentence": sentence(rows, axis, metric)}
