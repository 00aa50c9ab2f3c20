"""What a class found, from the rows of its board: the setting that varies most, each value's mean and 95% interval
over the runs, and one sentence ("14 runs: T = 4 gave the largest gain, +3.1 ± 0.8 points over 5 runs; T = 16
collapsed in 3 of 4"). Pure functions of the rows (dicts, as kdemo.app.classes posts them); the class is the sample.

A row's `config` holds every shared setting as text (the parameter table's format), so any setting can be the
axis; `gain` is KD − twin in points (mean over the run's seeds), `kd_acc` and `twin_acc` in percent.
"""
from __future__ import annotations

from ..settings.params import BY_NAME, PARAMS
from ..train.stats import ci95, mean_sd

METRICS = {"gain": ("gain", "gain: KD − twin (points)"), "kd": ("kd_acc", "KD student accuracy (%)"),
           "twin": ("twin_acc", "twin accuracy (%)")}
COLLAPSE = ("diverged", "collapse")       # health events that mean the distilled student failed
NOT_AN_AXIS = ("seed", "seeds", "time_budget_s")   # class mode gives each student their own seed; the server's cap
REACHED = {"gain": "KD gained", "kd": "the KD student reached", "twin": "the twin reached"}


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


def _pm(g: dict, unit: str, signed: bool) -> str:
    mean = f"{g['mean']:+.1f}" if signed else f"{g['mean']:.1f}"
    runs = f"{g['n']} run{'s' if g['n'] != 1 else ''}"
    return f"{mean} {unit} over {runs}" if g["half"] is None else f"{mean} ± {g['half']:.1f} {unit} over {runs}"


def sentence(rows: list[dict], axis: str | None, metric: str = "gain") -> str:
    """What the board shows, in one sentence (± is the 95% interval's half width over the runs)."""
    n = len(rows)
    if n == 0:
        return "No runs yet: each student's finished run appears here."
    key, what = METRICS[metric]
    signed = metric == "gain"
    unit = "points" if signed else "%"
    head = f"{n} run{'s' if n != 1 else ''}"
    gs = groups(rows, axis, metric)
    measured = [g for g in gs if g["mean"] is not None]
    if not measured:
        return f"{head}: none measured {what.split(':')[0]} (the gain needs the twin)."
    if axis is None:
        g = measured[0]
        text = f"{head}, all with the lesson's settings: {REACHED[metric]} {_pm(g, unit, signed)}"
    else:
        best = max(measured, key=lambda g: g["mean"])
        word = {"gain": "the largest gain", "kd": "the most accurate KD student",
                "twin": "the most accurate twin"}[metric]
        text = f"{head}: {label(axis)} = {best['value']} gave {word}, {_pm(best, unit, signed)}"
    fails = [g for g in gs if g["collapsed"]]
    if fails:
        worst = max(fails, key=lambda g: g["collapsed"] / g["runs"])
        where = f"{label(axis)} = {worst['value']} " if axis else ""
        text += f"; {where}collapsed in {worst['collapsed']} of {worst['runs']}"
    return text + "."


def summary(rows: list[dict], axis: str | None = None, metric: str = "gain") -> dict:
    """The board's summary: the axis (the given one if it varies, else the one that varies most), its choices,
    each value's group and the sentence."""
    if metric not in METRICS:
        raise ValueError(f"unknown measure; choose one of {', '.join(METRICS)}")
    choices = varying(rows)
    axis = axis if axis in choices else (choices[0] if choices else None)
    return {"runs": len(rows), "axis": axis, "axis_label": label(axis) if axis else None, "axes": choices,
            "metric": metric, "groups": groups(rows, axis, metric), "sentence": sentence(rows, axis, metric)}
