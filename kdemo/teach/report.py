"""`python -m kdemo report RUN_DIR --out report.html [--json]`: the teaching views of one finished run as a handout.

One self-contained HTML file (plotly.js embedded once, no CDN, so it opens offline) with every view of the
Teaching views tab, drawn by the same functions (kdemo/teach/views.py); `--json` prints the numbers behind it.
The app offers the same file after each run. Text that comes from the run folder is escaped.
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import plotly.graph_objects as go
import torch

from . import insights as ins
from . import views as view
from .missing import bias_accuracy
from ..train.outputs import load_run, run_logits

STYLE = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
         "h2{margin-top:1.6em;border-bottom:1px solid #ddd}table{border-collapse:collapse}"
         "td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}.note{color:#555}")


def check_logits(data: dict) -> None:
    """A run folder's logits hang together: labels (N,), kd (S, N, K), K class names; ValueError otherwise."""
    labels, kd = data.get("labels"), data.get("kd")
    if not isinstance(labels, torch.Tensor) or not isinstance(kd, torch.Tensor) or labels.dim() != 1 \
            or kd.dim() != 3 or kd.shape[1] != len(labels) or kd.shape[2] != len(data.get("classes") or []):
        raise ValueError("the run folder's logits.safetensors lacks the labels or the students' logits, or their "
                         "shapes disagree")
    for k in ("teacher", "scratch"):
        t = data.get(k)
        if t is not None and tuple(t.shape[-2:]) != tuple(kd.shape[1:]):
            raise ValueError(f"the run folder's {k} logits do not match the students' shape")


def _T(cfg) -> float:
    """The run's own temperature where it has one, else 4 (a middle value where dark knowledge shows)."""
    return float(cfg.temperature) if cfg.uses_teacher else 4.0


def _r(x, digits: int = 6):
    return None if x is None or x != x else round(float(x), digits)


def sections(data: dict, cfg) -> tuple[list[tuple[str, str, list]], dict]:
    """([(heading, words, [figures])], the numbers) for one run's data."""
    T, have = _T(cfg), view.present(data)
    labels = data["labels"]
    out, nums = [], {"dataset": data["dataset"], "classes": data["classes"], "seeds": data["seeds"], "T": T,
                     "test_images": len(labels)}
    nums["accuracy"] = {k: _r((ins.predictions(data[k]) == labels).double().mean()) for k in have}
    sims = [view.similarity_view(data, T, k) for k in have + (["diff"] if {"teacher", "kd"} <= set(have) else [])]
    nums["similar_pairs"] = {k: ins.similar_pairs(ins.class_similarity(data[k], labels, T), data["classes"])
                             for k in have}
    out.append(("Class similarity (dark knowledge)", " ".join(s["ins_sim_caption"] for s in sims[:len(have)]),
                [s["ins_sim"] for s in sims]))
    cal = view.calibration_view(data)
    nums["ece"] = {k: _r(r["ece"]) for k, r in cal["_rels"].items()}
    nums["calibration"] = {k: ins.calibration_judgement(r, view.WHO[k]) for k, r in cal["_rels"].items()}
    out.append(("Calibration", cal["ins_cal_text"], [cal["ins_cal"]]))
    per = view.per_class_view(data)
    nums["per_class_acc"] = {k: [_r(a) for a in ins.per_class_accuracy(data[k], labels).mean(dim=0).tolist()]
                             for k in have}     # mean over seeds
    confs = [view.confusion_view(data, k) for k in ("kd", "scratch") if k in have]
    out.append(("Where the students fail", "Per-class test accuracy, then the confusion matrix of each student.",
                [per["ins_acc"]] + [c["ins_confusion_fig"] for c in confs]))
    if data.get("teacher") is not None:
        dkd = view.nckd_view(data, T, cfg.beta if cfg.method == "dkd" else 2.0)
        nums["kd_weight_on_nckd"] = {k: _r(v) if isinstance(v, float) else v for k, v in dkd["_stats"].items()
                                     if not k.endswith("hist") and k != "edges"}
        out.append(("Why DKD: the weight classic KD puts on NCKD", dkd["ins_dkd_text"], [dkd["ins_dkd"]]))
    if data["omit"]:
        setup, figs, words = view.missing_setup(data), [], []
        nums["missing"] = {}
        for c in data["omit"]:
            rule = setup["rules"][c].get("kd", 0.0)
            mv = view.missing_view(data, c, rule, setup=setup)
            figs.append(mv["ins_bias_plot"])
            words.append(mv["ins_bias_text"])
            acc = {k: {b: bias_accuracy(data[k], labels, c, v) for b, v in (("no_bias", 0.0), ("rule_bias", r))}
                   for k, r in setup["rules"][c].items()}
            nums["missing"][str(c)] = {"rule_bias": {k: _r(v) for k, v in setup["rules"][c].items()},
                                       **{f"{what}_{b}": {k: _r(a[b][f"{what}_acc"]) for k, a in acc.items()}
                                          for what in ("class", "overall") for b in ("no_bias", "rule_bias")}}
        out.append(("The missing class: raising its bias", "\n\n".join(words), figs))
    return out, nums


def _md(text: str) -> str:
    """The views' little markdown (bold, bullet lines, p<sub>t</sub>) as HTML, everything else escaped."""
    s = html.escape(text).replace("&lt;sub&gt;", "<sub>").replace("&lt;/sub&gt;", "</sub>")
    s = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", s)
    lines = [f"<li>{ln[2:]}</li>" if ln.startswith("- ") else f"<p>{ln}</p>" for ln in s.split("\n") if ln.strip()]
    return "\n".join(lines)


def render(data: dict, cfg, summary: dict) -> tuple[str, dict]:
    """(the HTML page, the numbers)."""
    check_logits(data)
    parts, nums = sections(data, cfg)
    nums.update({k: summary.get(k) for k in ("id", "status", "verdict", "diff_mean", "diff_ci95") if k in summary})
    title = f"kdemo report · run {summary.get('id', '?')} · {cfg.student} from {cfg.teacher} ({cfg.method})"
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in cfg.to_dict().items())
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p><b>{html.escape(str(summary.get('verdict') or ''))}</b></p>",
            f"<details><summary>Run settings</summary><table>{rows}</table></details>"]
    first = True
    for heading, words, figs in parts:
        body.append(f"<h2>{html.escape(heading)}</h2>{_md(words)}")
        for fig in figs:
            # validated here (the views skip it for speed): it turns the template's name into the template
            fig = go.Figure(fig.to_plotly_json())
            body.append(fig.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False}))
            first = False    # plotly.js once, inline: the file opens offline
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}<p class='note'>Made by kdemo "
            "(python -m kdemo report).</p></body></html>")
    return page, nums


def session_report(run, folder: Path) -> Path:
    """The app's download: the report of a finished run, written once per run into the visitor's folder."""
    path = Path(folder) / f"kdemo_report_run{run.id}.html"
    if not path.exists():
        data = {**run_logits(run), "omit": tuple(run.cfg.omit_classes)}
        page, _ = render(data, run.cfg, run.summary())
        path.write_text(page)
    return path


def read_folder(folder) -> tuple:
    try:
        cfg, summary, logits = load_run(folder)
    except ValueError:
        raise
    except Exception as e:   # noqa: BLE001 - a damaged safetensors file: one line, not a traceback
        raise ValueError(f"{folder} is not a readable run folder ({type(e).__name__}: {str(e)[:120]})") from None
    return cfg, summary, {**logits, "omit": tuple(cfg.omit_classes)}


def add_parser(sub, common):
    p = sub.add_parser("report", parents=[common], help="an HTML handout of a finished run's teaching views",
                       description="Write the teaching views of a run folder (python -m kdemo train --out RUN_DIR) "
                                   "as one HTML file that opens offline.")
    p.add_argument("run_dir", type=Path, help="a folder written by python -m kdemo train --out")
    p.add_argument("--out", type=Path, help="the HTML file to write (default: RUN_DIR/report.html)")
    p.add_argument("--json", action="store_true", help="print the numbers behind the figures as JSON on stdout")


def cmd(args) -> int:
    cfg, summary, data = read_folder(args.run_dir)
    page, nums = render(data, cfg, summary)
    out = args.out or args.run_dir / "report.html"
    try:
        out.write_text(page)
    except OSError as e:
        raise ValueError(f"cannot write {out}: {e.strerror}") from None
    if args.json:
        print(json.dumps(nums, indent=2))
    print(f"wrote {out} ({len(page) / 1e6:.1f} MB)", file=sys.stderr)
    return 0
