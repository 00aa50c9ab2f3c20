"""What an experiment's result says, in words: one line computed from its table, and readable column headers.

Pure functions of a job snapshot's rows (partial ones too: a line appears once the rows it needs exist).
"""
from __future__ import annotations

import re

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


def _pct(v) -> str:
    return "–" if v is None else f"{v:.1f}%"


def _find(rows: list[dict], start: str) -> dict | None:
    return next((r for r in rows if str(r.get("condition", "")).startswith(start)), None)


def _missing_digit(rows: list[dict]) -> str:
    kd, tw = _find(rows, "KD"), _find(rows, "scratch")
    if not kd:
        return ""
    d = next((m.group(1) for k in kd if (m := re.match(r"^test_(\d)s$", k))), None)
    if d is None:
        return ""
    n, right = kd[f"test_{d}s"], f"test_{d}s_right_after"
    line = f"After the bias fix the distilled student recognised **{kd[right]} of {n}** test {d}s"
    if tw:
        line += f", its scratch twin **{tw[right]}**"
    return line + f" (before the fix: {kd[f'test_{d}s_right']}" + (f" and {tw[f'test_{d}s_right']})." if tw else ").")


def _few_labels(rows: list[dict]) -> str:
    scratch = _find(rows, "scratch")
    transfer = next((r for r in rows if "transfer" in r["condition"]), None)
    kd = next((r for r in rows if r["condition"].startswith("KD") and r is not transfer), None)
    if not (scratch and kd):
        return ""
    line = (f"With {scratch.get('labels', 'a few')} labels and the same optimizer steps: scratch "
            f"**{_pct(scratch['test_acc_%'])}**, KD **{_pct(kd['test_acc_%'])}**")
    return line + (f", KD + transfer set **{_pct(transfer['test_acc_%'])}**." if transfer else ".")


def _temperature_sweep(rows: list[dict]) -> str:
    kd = [r for r in rows if r.get("T") is not None and r["condition"].startswith("KD")]
    if len(kd) < 2:
        return ""
    best, worst = max(kd, key=lambda r: r["test_acc_%"]), min(kd, key=lambda r: r["test_acc_%"])
    line = (f"Best T = {best['T']:g} (**{_pct(best['test_acc_%'])}**), "
            f"worst T = {worst['T']:g} ({_pct(worst['test_acc_%'])})")
    scratch = _find(rows, "scratch")
    return line + (f"; the scratch twin {_pct(scratch['test_acc_%'])}." if scratch else ".")


def _dkd_grid(rows: list[dict]) -> str:
    grid = [r for r in rows if r.get("alpha") is not None]
    if not grid:
        return ""
    best = max(grid, key=lambda r: r["test_acc_%"])
    line = f"Best DKD: α = {best['alpha']:g}, β = {best['beta']:g} at **{_pct(best['test_acc_%'])}**"
    ce = next((r for r in grid if r["alpha"] == 0 and r["beta"] == 0), None)
    if ce:
        line += f"; cross-entropy alone at the grid's rate {_pct(ce['test_acc_%'])}"
    kd = next((r for r in rows if r.get("alpha") is None and not r["condition"].startswith("scratch")), None)
    if kd:
        line += f"; classic KD {_pct(kd['test_acc_%'])} (its NCKD weight only {kd.get('nckd_weight', 0):.3f})"
    twin = _find(rows, "scratch")
    if twin:
        line += f"; the labels-only twin at its own rate {_pct(twin['test_acc_%'])}"
    return line + "."


def _versus_twin(rows: list[dict]) -> str:
    student = next((r for r in rows if not r["condition"].startswith("scratch")), None)
    twin = _find(rows, "scratch")
    if not (student and twin):
        return ""
    gap = student["test_acc_%"] - twin["test_acc_%"]
    return (f"{student['condition']} **{_pct(student['test_acc_%'])}**, its scratch twin "
            f"**{_pct(twin['test_acc_%'])}** ({gap:+.1f} points).")


def _prob_bug(rows: list[dict]) -> str:
    good, bad, twin = _find(rows, "KD (log"), _find(rows, "KD with"), _find(rows, "scratch")
    if not (good and bad):
        return ""
    line = f"Correct KD **{_pct(good['test_acc_%'])}**, the probabilities bug **{_pct(bad['test_acc_%'])}**"
    if twin:
        line += f", the scratch twin {_pct(twin['test_acc_%'])}"
    if bad.get("soft_loss_first") is not None:
        line += f"; the bug's soft loss went {bad['soft_loss_first']:.3g} → {bad['soft_loss_last']:.3g}"
    return line + "."


TAKEAWAYS = {"missing_digit": _missing_digit, "few_labels": _few_labels, "temperature_sweep": _temperature_sweep,
             "dkd_grid": _dkd_grid, "notebook_lenet_dkd": _versus_twin, "notebook_mlp_kd": _versus_twin,
             "notebook_cifar_cnn": _versus_twin, "prob_bug": _prob_bug}


def takeaway(key: str, snap: dict) -> str:
    """One line of what the finished runs of experiment `key` show ('' until there is something to say)."""
    rows = [r for r in snap.get("table") or [] if r.get("test_acc_%") is not None]
    fn = TAKEAWAYS.get(key, _versus_twin)
    try:
        line = fn(rows) if rows else ""
    except (KeyError, TypeError, ValueError):   # a partial or unexpected table: no line rather than a wrong one
        return ""
    return f"**Takeaway:** {line}" if line else ""
