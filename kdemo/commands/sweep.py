"""`python -m kdemo sweep`: a grid of one or two settings, several seeds per cell, and the rule's pick.

    python -m kdemo sweep --param lr --values 0.002,0.005,0.01,0.02 --seeds 5 [any train flags] [--json|--markdown]
    python -m kdemo sweep --param method --values kd,dkd --param lr --values 0.002,0.005 --seeds 5

Every cell is one run of `python -m kdemo train` with the flags plus the cell's values (each seed a student, and
its twin when the run trains one). Per cell: the student's test accuracy, mean ± sd over the seeds, the twin's, and
the health warnings any seed raised. The rule that made kdemo's rate tables (kdemo/methods/rates.py,
docs/defaults.md) marks its pick: among the cells where every seed trained without a divergence, collapse or
stall and the seeds are within 3 points of each other, the best mean; if no cell is that steady, the best mean of
the cells without warnings, said so. The same rule, on the same grid, picks the methods' rates and the twin's.
"""
from __future__ import annotations

import itertools
import json
import sys

from ..settings.config import TrainConfig
from ..settings.params import BY_NAME, param
from ..settings.text import add_flags, settings_from_args
from ..train.engine import Run
from ..train.stats import mean_sd

SPREAD = 0.03          # seeds within 3 points of each other
SERIOUS = ("diverged", "collapse", "stall")
MAX_CELLS = 64


def grid(params: list[str], values: list[str]) -> list[dict]:
    """Every combination of the given values, each parsed and checked by its table entry."""
    if not params or len(params) > 2 or len(params) != len(values):
        raise ValueError("give one or two --param NAME --values A,B,... pairs")
    axes = []
    for name, text in zip(params, values):
        p = param(name)
        if not p.shared:
            raise ValueError(f"{name} is not a run setting a sweep can vary")
        vals = [p.parse(v) for v in text.split(",") if v.strip()]
        if not vals:
            raise ValueError(f"--values for {name} lists no value")
        axes.append([(name, v) for v in vals])
    cells = [dict(c) for c in itertools.product(*axes)]
    if len(cells) > MAX_CELLS:
        raise ValueError(f"{len(cells)} cells: a sweep runs at most {MAX_CELLS}")
    return cells


def side(run: Run, group: str) -> dict | None:
    final = run.final.get(group)
    if not final:
        return None
    accs = list(final["seeds"])
    m, sd = mean_sd(accs)
    kinds = sorted({e.kind for e in run.rec.events if e.group == group})
    return {"seeds": accs, "mean": m, "sd": sd, "spread": max(accs) - min(accs), "warnings": kinds}


def run_cell(base: dict, cell: dict) -> dict:
    cfg = TrainConfig.from_dict({**base, **cell})
    run = Run(cfg)
    summary = run.run()
    return {"cell": cell, "status": summary["status"], "elapsed_s": summary["elapsed_s"], "lr": cfg.lr,
            "student": side(run, "kd"), "twin": side(run, "scratch"),
            "twin_lr": summary.get("twin_lr"), "verdict": summary.get("verdict")}


def pick(cells: list[dict], judged: str = "student") -> tuple[int | None, str]:
    """(index of the rule's pick, why)."""
    ok = [(i, c[judged]) for i, c in enumerate(cells) if c.get(judged) and c["status"] == "done"]
    quiet = [(i, s) for i, s in ok if not set(s["warnings"]) & set(SERIOUS)]
    steady = [(i, s) for i, s in quiet if s["spread"] <= SPREAD + 1e-9]
    if steady:
        return max(steady, key=lambda t: t[1]["mean"])[0], "best mean of the cells with no warning and the seeds " \
            "within 3 points"
    if quiet:
        return max(quiet, key=lambda t: t[1]["mean"])[0], "no cell had its seeds within 3 points: best mean of " \
            "the cells with no warning"
    return None, "every cell raised a warning: no pick"


def cell_text(s: dict | None) -> str:
    if s is None:
        return "-"
    text = f"{100 * s['mean']:.1f}" + (f" ± {100 * s['sd']:.1f}" if s["sd"] is not None else "")
    return text + (f" ⚠ {', '.join(s['warnings'])}" if s["warnings"] else "")


def markdown(result: dict) -> str:
    cells, params = result["cells"], result["params"]
    best = result["pick"]
    judged = result["judged"]

    def shown(i):
        t = cell_text(cells[i][judged])
        return f"**{t}**" if i == best else t
    if len(params) == 1:
        name = params[0]
        has_twin = any(c["twin"] for c in cells) and judged == "student"
        head = f"| {name} | {judged} acc % |" + (" twin acc % |" if has_twin else "")
        rows = [head, "|---|---|" + ("---|" if has_twin else "")]
        for i, c in enumerate(cells):
            rows.append(f"| {BY_NAME[name].format(c['cell'][name])} | {shown(i)} |"
                        + (f" {cell_text(c['twin'])} |" if has_twin else ""))
    else:
        a, b = params
        cols = list(dict.fromkeys(c["cell"][b] for c in cells))
        rows = [f"| {a} \\ {b} | " + " | ".join(BY_NAME[b].format(v) for v in cols) + " |",
                "|---|" + "---|" * len(cols)]
        for va in dict.fromkeys(c["cell"][a] for c in cells):
            line = [shown(i) for i, c in enumerate(cells) if c["cell"][a] == va]
            rows.append(f"| {BY_NAME[a].format(va)} | " + " | ".join(line) + " |")
    return "\n".join(rows) + f"\n\nPick ({result['why']}): " + (
        ", ".join(f"{k} {BY_NAME[k].format(v)}" for k, v in cells[best]["cell"].items()) if best is not None
        else "none") + "\n"


def sweep(base: dict, params: list[str], values: list[str], judged: str = "student", say=None) -> dict:
    cells = grid(params, values)
    TrainConfig.from_dict({**base, **cells[0]})         # a bad flag fails before the first run
    out = []
    for k, cell in enumerate(cells):
        r = run_cell(base, cell)
        out.append(r)
        if say:
            say(f"[{k + 1}/{len(cells)}] {', '.join(f'{n}={BY_NAME[n].format(v)}' for n, v in cell.items())}: "
                f"{judged} {cell_text(r[judged])}" + (f", twin {cell_text(r['twin'])}" if r["twin"] else "")
                + f" ({r['elapsed_s']:.0f} s)")
    best, why = pick(out, judged)
    return {"params": params, "judged": judged, "base": base, "cells": out, "pick": best, "why": why}


def cmd(args) -> int:
    base = settings_from_args(args)
    result = sweep(base, args.param or [], args.values or [], args.judge,
                   None if args.json else (lambda s: print(s, file=sys.stderr)))
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.markdown:
        print(markdown(result))
    else:
        print(markdown(result))
    return 0


def add_parser(sub, common):
    p = sub.add_parser("sweep", parents=[common], help="a grid of one or two settings over several seeds, with "
                       "mean ± sd, health warnings and the rate tables' rule's pick")
    p.add_argument("--param", action="append", help="a setting of the parameter table (give once or twice)")
    p.add_argument("--values", action="append", help="its values, comma-separated (one --values per --param)")
    p.add_argument("--judge", choices=("student", "twin"), default="student",
                   help="whose accuracy the rule judges (default: the student; the twin for its own rate)")
    p.add_argument("--json", action="store_true", help="every cell's numbers as JSON")
    p.add_argument("--markdown", action="store_true", help="the grid as a markdown table (the default output)")
    add_flags(p)
