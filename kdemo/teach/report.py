"""`python -m kdemo report RUN_DIR --out report.html [--json]`: the teaching views of one finished run as a handout.

One self-contained HTML file (plotly.js embedded once, no CDN, so it opens offline) with every view of the
Teaching views tab, drawn by the same functions (one section per entry of kdemo/teach/catalog.py's VIEWS);
`--json` prints the numbers behind it.
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
from .catalog import VIEWS, rounded as _r
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


def sections(data: dict, cfg) -> tuple[list[tuple[str, str, list]], dict]:
    """([(heading, words, [figures])], the numbers) for one run's data: one section per view that has one."""
    T, have = _T(cfg), view.present(data)
    labels = data["labels"]
    out, nums = [], {"dataset": data["dataset"], "classes": data["classes"], "seeds": data["seeds"], "T": T,
                     "test_images": len(labels)}
    nums["accuracy"] = {k: _r((ins.predictions(data[k]) == labels).double().mean()) for k in have}
    for entry in VIEWS.values():
        section = entry.section(data, cfg, T)
        if section is not None:
            words, figs, numbers = section
            out.append((entry.title, words, figs))
            nums.update(numbers)
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
