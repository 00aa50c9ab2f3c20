"""The results table of a session: one row per finished run, its hyperparameter column written from the parameter
table (only the method's own settings, by their short labels)."""
from __future__ import annotations

from .. import lang
from ..settings.params import method_params

# "student": the run's trained student (distilled when the method has a teacher); "twin": its labels-only twin
RESULT_COLUMNS = ["run", "dataset", "teacher", "student", "method", "hyperparameters", "seeds", "lr", "twin lr",
                  "student acc %", "twin acc %", "student − twin", "teacher acc %", "epochs", "time s", "status"]


def hyperparameters(cfg) -> lang.Said:
    """The method's own knobs, e.g. 'T=4, ce=1, kd=1', then the data it saw ('1000 labels', 'no 3'): English as a
    str (the CSV, the CLI, API clients), its words in any language as parts (the page's table: lang.speak)."""
    knobs = []
    for p in method_params(cfg.method):
        v = getattr(cfg, p.name)
        if v == p.default and p.name == "warmup_epochs":
            continue
        if p.kind == "bool":
            if v:
                knobs.append(p.short)
        else:
            knobs.append(f"{p.short}={v:g}")
    parts = [{"key": "as_is", "params": {"value": k}} for k in knobs]
    if cfg.n_labeled:
        parts.append({"key": "row.labels", "params": {"n": cfg.n_labeled}})
    if cfg.omit_classes:
        parts.append({"key": "row.omit", "params": {"classes": "/".join(str(c) for c in cfg.omit_classes)}})
    if cfg.transfer_set == "all" and cfg.uses_teacher:
        parts.append({"key": "row.transfer"})
    return lang.say(parts, ", ")


def _pct(v) -> float | None:
    return None if not isinstance(v, (int, float)) or v != v else round(100 * v, 2)


def _pm(mean, sd) -> str | float | None:
    if mean is None:
        return None
    return _pct(mean) if sd is None else f"{100 * mean:.2f} ± {100 * sd:.2f}"


def _twin_rate(summary: dict) -> lang.Said | None:
    """'0.02 (its best)' or '0.005 (best: 0.02)': whether the twin ran at the rate the tables mark as its own."""
    lr, best = summary.get("twin_lr"), summary.get("twin_lr_best")
    if lr is None:
        return None
    if lr == best:
        return lang.say([{"key": "row.its_best", "params": {"lr": f"{lr:g}"}}])
    return lang.say([{"key": "row.best_is", "params": {"lr": f"{lr:g}", "best": f"{best:g}"}}])


def result_row(summary: dict, cfg) -> dict:
    """One row of the results table; several seeds show mean ± sd and the paired difference's 95% interval."""
    twin = cfg.trains_twin
    kd, tw = summary.get("kd_acc"), summary.get("scratch_acc")
    if "kd_acc_sd" in summary:
        kd_cell, tw_cell = _pm(summary["kd_acc_mean"], summary["kd_acc_sd"]), \
            _pm(summary["twin_acc_mean"], summary["twin_acc_sd"])
        lo, hi = summary["diff_ci95"]
        diff = f"{100 * summary['diff_mean']:+.2f} [{100 * lo:+.1f}, {100 * hi:+.1f}]"
    else:
        kd_cell, tw_cell = _pct(kd), _pct(tw) if twin else None
        diff = f"{100 * (kd - tw):+.2f}" if twin and kd is not None and tw is not None else None
    return {"run": summary["id"], "dataset": cfg.dataset, "teacher": cfg.teacher if cfg.uses_teacher else "-",
            "student": cfg.student, "method": cfg.method, "hyperparameters": hyperparameters(cfg),
            "seeds": cfg.seeds, "lr": summary.get("kd_lr", cfg.lr), "twin lr": _twin_rate(summary) if twin else None,
            "student acc %": kd_cell, "twin acc %": tw_cell, "student − twin": diff,
            "teacher acc %": _pct(summary.get("teacher_acc")), "epochs": round(summary.get("epochs_done", 0.0), 2),
            "time s": round(summary["elapsed_s"], 1), "status": summary["status"]}
