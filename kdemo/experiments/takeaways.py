"""What an experiment's result says, in words: one line computed from its table, and readable column headers.

Pure functions of a job snapshot's rows (partial ones too: a line appears once the rows it needs exist). A line is
kept as pieces with numbers (kdemo.lang's "take.*" keys), so the page words it in the visitor's language.
"""
from __future__ import annotations

import re

from .. import lang
from ..lang import Signed

HEADERS = {"condition": "condition", "test_acc_%": "test acc %", "test_acc_%_after": "test acc % after bias fix",
           "bias_delta": "bias added", "epochs": "epochs", "run_s": "time s", "labels": "labels",
           "steps": "optimizer steps", "ce_weight": "CE weight", "soft_target_images": "soft-target images",
           "T": "T", "teacher_p_max": "teacher's mean top p", "teacher_entropy_bits": "teacher entropy (bits)",
           "alpha": "α (TCKD)", "beta": "β (NCKD)", "tckd_weight": "TCKD weight", "nckd_weight": "NCKD weight",
           "teacher_acc_%": "teacher acc %", "soft_loss_first": "soft loss at start",
           "soft_loss_last": "soft loss at end"}
_DIGIT = [(r"^test_(\d)s$", "test {}s"), (r"^test_(\d)s_right$", "{}s right"), (r"^test_(\d)s_%$", "{}s right %"),
          (r"^test_(\d)s_right_after$", "{}s right after fix"), (r"^test_(\d)s_%_after$", "{}s right % after fix")]


def header(column: str) -> str:
    """'test_3s_right_after' -> '3s right after fix'; unknown names lose their underscores."""
    if column in HEADERS:
        return HEADERS[column]
    for pattern, text in _DIGIT:
        found = re.match(pattern, column)
        if found:
            return text.format(found.group(1))
    return column.replace("_", " ")


def _p(key: str, **params) -> dict:
    """A piece of a takeaway as data (kdemo.lang.compose): its key under "take." and its parameters."""
    return {"key": "take." + key, "params": params}


def _pct(v) -> dict:
    return _p("none") if v is None else _p("pct", v=[v, 1])


def _find(rows: list[dict], start: str) -> dict | None:
    return next((r for r in rows if str(r.get("condition", "")).startswith(start)), None)


def _missing_digit(rows: list[dict]) -> list:
    kd, tw = _find(rows, "KD"), _find(rows, "scratch")
    if not kd:
        return []
    d = next((m.group(1) for k in kd if (m := re.match(r"^test_(\d)s$", k))), None)
    if d is None:
        return []
    n, right, before = kd[f"test_{d}s"], f"test_{d}s_right_after", f"test_{d}s_right"
    line = [_p("missing", right=kd[right], n=n, d=d)]
    if tw:
        line.append(_p("missing_twin", right=tw[right]))
    return line + [_p("missing_before_both", kd=kd[before], twin=tw[before]) if tw else
                   _p("missing_before", kd=kd[before])]


def _few_labels(rows: list[dict]) -> list:
    scratch = _find(rows, "scratch")
    transfer = next((r for r in rows if "transfer" in r["condition"]), None)
    kd = next((r for r in rows if r["condition"].startswith("KD") and r is not transfer), None)
    if not (scratch and kd):
        return []
    labels = scratch["labels"] if "labels" in scratch else _p("a_few")
    line = [_p("few", labels=labels, scratch=_pct(scratch["test_acc_%"]), kd=_pct(kd["test_acc_%"]))]
    return line + [_p("few_transfer", acc=_pct(transfer["test_acc_%"])) if transfer else _p("end")]


def _temperature_sweep(rows: list[dict]) -> list:
    kd = [r for r in rows if r.get("T") is not None and r["condition"].startswith("KD")]
    if len(kd) < 2:
        return []
    best, worst = max(kd, key=lambda r: r["test_acc_%"]), min(kd, key=lambda r: r["test_acc_%"])
    line = [_p("sweep", best=[best["T"], None], best_acc=_pct(best["test_acc_%"]), worst=[worst["T"], None],
               worst_acc=_pct(worst["test_acc_%"]))]
    scratch = _find(rows, "scratch")
    return line + [_p("sweep_twin", acc=_pct(scratch["test_acc_%"])) if scratch else _p("end")]


def _dkd_grid(rows: list[dict]) -> list:
    grid = [r for r in rows if r.get("alpha") is not None]
    if not grid:
        return []
    best = max(grid, key=lambda r: r["test_acc_%"])
    line = [_p("dkd", alpha=[best["alpha"], None], beta=[best["beta"], None], acc=_pct(best["test_acc_%"]))]
    ce = next((r for r in grid if r["alpha"] == 0 and r["beta"] == 0), None)
    if ce:
        line.append(_p("dkd_ce", acc=_pct(ce["test_acc_%"])))
    kd = next((r for r in rows if r.get("alpha") is None and not r["condition"].startswith("scratch")), None)
    if kd:
        line.append(_p("dkd_kd", acc=_pct(kd["test_acc_%"]), nckd=[kd.get("nckd_weight", 0), 3]))
    twin = _find(rows, "scratch")
    if twin:
        line.append(_p("dkd_twin", acc=_pct(twin["test_acc_%"])))
    return line + [_p("end")]


def _versus_twin(rows: list[dict]) -> list:
    student = next((r for r in rows if not r["condition"].startswith("scratch")), None)
    twin = _find(rows, "scratch")
    if not (student and twin):
        return []
    gap = student["test_acc_%"] - twin["test_acc_%"]
    return [_p("versus", student=student["condition"], acc=_pct(student["test_acc_%"]),
               twin=_pct(twin["test_acc_%"]), gap=[Signed(gap), 1])]


def _prob_bug(rows: list[dict]) -> list:
    good, bad, twin = _find(rows, "KD (log"), _find(rows, "KD with"), _find(rows, "scratch")
    if not (good and bad):
        return []
    line = [_p("bug", good=_pct(good["test_acc_%"]), bad=_pct(bad["test_acc_%"]))]
    if twin:
        line.append(_p("bug_twin", acc=_pct(twin["test_acc_%"])))
    if bad.get("soft_loss_first") is not None:     # 3 significant digits, as :.3g writes them
        line.append(_p("bug_loss", first=[float(f"{bad['soft_loss_first']:.3g}"), None],
                       last=[float(f"{bad['soft_loss_last']:.3g}"), None]))
    return line + [_p("end")]


TAKEAWAYS = {"missing_digit": _missing_digit, "few_labels": _few_labels, "temperature_sweep": _temperature_sweep,
             "dkd_grid": _dkd_grid, "notebook_lenet_dkd": _versus_twin, "notebook_mlp_kd": _versus_twin,
             "notebook_cifar_cnn": _versus_twin, "prob_bug": _prob_bug}


def takeaway_parts(key: str, snap: dict) -> list[dict]:
    """What the finished runs of experiment `key` show, as pieces of one line (kdemo.lang.compose words each, in
    order); [] until there is something to say."""
    rows = [r for r in snap.get("table") or [] if r.get("test_acc_%") is not None]
    fn = TAKEAWAYS.get(key, _versus_twin)
    try:
        parts = fn(rows) if rows else []
        for p in parts:
            lang.compose(p)     # a value that cannot be written (None where a number belongs) raises here
        return parts
    except (KeyError, TypeError, ValueError):   # a partial or unexpected table: no line rather than a wrong one
        return []


def takeaway(key: str, snap: dict, code: str = "en") -> str:
    """One line of what the finished runs of experiment `key` show, in language `code` ('' until there is
    something to say)."""
    parts = takeaway_parts(key, snap)
    return lang.text("exp.takeaway", code, line="".join(lang.compose(p, code) for p in parts)) if parts else ""
