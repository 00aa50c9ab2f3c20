"""A whole class at once: "Start a class" (Train tab), a student's membership line, and the board page
(`?board=CODE`) for the projector. Layout, wiring and handlers that return updates by name (kdemo/app/kit.py);
the classes themselves are kdemo.app.classes, the board's maths kdemo.teach.classboard.

Everything a board shows that a person typed (nicknames) or a link carried is escaped text.
"""
from __future__ import annotations

import csv
import html
import json
import time

import gradio as gr
import pandas as pd
from gradio import route_utils

from ... import lang
from ...figures.board import board_figure
from ...figures.words import phrase
from ...teach.classboard import METRICS, label as short_name, sentence_parts, summary
from ..labels import label
from ..kit import Wired, said, session_of, warn
from .controls import UI_PARAMS
from .share import make_link

BOARD_EVERY_S = 2.0
TABLE = ["#", "student", "method", "changed settings", "KD acc %", "twin acc %", "gain (points)", "verdict",
         "warnings", "run s"]
DATATYPE = ["str"] * 7 + ["html", "html", "str"]     # the page's verdict and warnings cells: kdemo's own HTML
NOT_SHOWN = f"<div class='kd-status'>{lang.html('board.not_shown')}</div>"


def page_url(request) -> str:
    """The app's public address (behind a proxy too), for links a teacher hands out."""
    req = getattr(request, "request", None)
    if req is None:
        return ""
    root = route_utils.get_root_url(req, req.url.path, req.scope.get("root_path") or None)
    return root.split("/gradio_api")[0]


def class_start(classes, hide=(), lock=False, autorun=False, question="", request: gr.Request = None,
                **controls) -> dict:
    """A new class for the Train tab's setup (and the share box's lesson options): the links and the key."""
    # the share box's options are null while its accordion was never opened (not rendered): its defaults then
    hide, question = (() if hide is None else hide), ("" if question is None else question)
    lock, autorun = bool(lock) if lock is None else lock, bool(autorun) if autorun is None else autorun
    query = make_link(hide, lock, autorun, question, **controls)["share_query"]
    code, key = classes.start(query)
    base = page_url(request)
    join = f"{base}/?{query + '&' if query else ''}class={code}"
    board = f"{base}/?board={code}"
    note = lang.html("class.started")
    return {"class_join_link": join, "class_board_link": board, "class_key": key, "class_start_note": note}


def member_line(member) -> str:
    """The student's line, in every language kdemo speaks (the nickname is the visitor's: escaped)."""
    default = member.nickname == f"student {member.number}"
    number = (lambda code: "" if default else lang.text("class.member_number", code, n=member.number))
    line = lang.html("class.member", nickname=member.nickname, number=number, offset=member.number - 1)
    return f"<div class='kd-question'>{line}</div>"


def class_join(classes, registry, code, nickname, sess, request: gr.Request = None) -> dict:
    """Join the class with `code` (or change this student's nickname in it)."""
    sess = session_of(registry, sess, request)
    member = classes.join(sess, code, nickname)
    return {"sess": sess, "class_member": gr.update(visible=True), "class_note": member_line(member),
            "class_code": code.strip(), "class_nick": member.nickname}


def _cell(mean, sd):
    if mean is None:
        return None
    return f"{mean:.2f}" if sd is None else f"{mean:.2f} ± {sd:.2f}"


def _changed(row) -> str:
    return ", ".join(f"{short_name(k)}={v}" for k, v in row.get("changed", {}).items()) or "(the lesson's)"


def board_frame(rows: list[dict], page: bool = False) -> pd.DataFrame:
    """The board's table: plain text cells (CSV and the files). For the page, the verdict and warnings cells are
    in every language kdemo speaks, escaped HTML in spans the page shows one of (DATATYPE: every other cell,
    the nicknames among them, stays text, never markup)."""
    def verdict(r):
        said = r.get("verdict_said") or {}
        return lang.html("as_is", value=lambda code: said.get(code) or r.get("verdict", "")) if page and said \
            else html.escape(r.get("verdict", "")) if page else r.get("verdict", "")

    def warnings(r):
        ws = r.get("warnings", [])
        if not page:
            return "; ".join(w["message"] for w in ws)
        return lang.html("as_is", value=lambda code: " ".join(     # sentences, each ending in its full stop
            " ".join(lang.compose(p, code) for p in w["parts"]) if w.get("parts") else w["message"] for w in ws)) \
            if ws else ""
    return pd.DataFrame([[i + 1, r["nickname"], r["method"], _changed(r), _cell(r["kd_acc"], r.get("kd_sd")),
                          _cell(r["twin_acc"], r.get("twin_sd")),
                          None if r.get("gain") is None else f"{r['gain']:+.2f}", verdict(r), warnings(r),
                          r.get("seconds")]
                         for i, r in enumerate(rows)], columns=TABLE)


def _safe(v):
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if v is None else str(v)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export(sess, data: dict) -> tuple[str, str]:
    """The board as CSV and JSON files in the visitor's own folder."""
    frame = board_frame(data["rows"])
    path_csv, path_json = sess.folder / "class_board.csv", sess.folder / "class_board.json"
    with open(path_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(TABLE)
        w.writerows([[_safe(v) for v in row] for row in frame.itertuples(index=False)])
    path_json.write_text(json.dumps(data, indent=1))
    return str(path_csv), str(path_json)


def _check(axis, metric):
    if axis is not None and not isinstance(axis, str):
        raise lang.Told("told.axis")
    if not isinstance(metric, str) or metric not in METRICS:
        raise lang.Told("told.measure", choices=", ".join(METRICS))


def board_data(classes, code, axis=None, metric="gain") -> dict:
    """What /class_board returns: the board (lesson, rows) and its summary."""
    _check(axis, metric)
    data = classes.board(code)
    return {**data, "summary": summary(data["rows"], axis or None, metric)}


def class_board(classes, code, axis=None, metric="gain") -> dict:
    return {"board_json": board_data(classes, code, axis, metric)}


def board_refresh(classes, registry, code, axis, metric, presentation, seen, sess, request: gr.Request = None):
    """The board page, live: sentence, scatter, table; the export files when the rows changed."""
    if not code:        # a page that shows no board (presentation mode toggled on an ordinary page)
        return {}
    data = board_data(classes, code, axis, metric)
    s, rows = data["summary"], data["rows"]
    state = "board.closed" if data["closed"] else "board.open"
    days = max(0.0, (data["expires"] - time.time()) / 86400)
    parts = sentence_parts(rows, s["axis"], metric)     # s["sentence"], in every language (escaped)
    said = lang.html("as_is", value=lambda code: "".join(lang.compose(p, code) for p in parts))
    n = len(rows)
    note = lang.html("board.note", members=data["members"], days=(days, 1),
                     rows=lambda code: lang.text("board.row" if n == 1 else "board.rows", code, n=n),
                     state=lambda code: lang.text(state, code))
    head = f"<div class='kd-board-sentence'>{said}</div><div class='kd-note'>{note}</div>"
    out = {"board_head": head, "board_table": board_frame(rows, page=True),
           "board_plot": board_figure(rows, s, METRICS[metric][0], phrase(f"board.metric.{metric}"), presentation),
           "board_axis": gr.update(choices=[(f"{short_name(a)} ({a})", a) for a in s["axes"]]
                                   or [(label("board.nothing"), "")], value=s["axis"] or "")}
    mark = [len(rows), rows[-1]["run"] if rows else None]
    if mark != seen:
        sess = session_of(registry, sess, request)
        path_csv, path_json = export(sess, data)
        out.update({"sess": sess, "board_seen": mark, "board_csv": gr.DownloadButton(value=path_csv, interactive=True),
                    "board_json_file": gr.DownloadButton(value=path_json, interactive=True)})
    return out


def board_clear(classes, code, key) -> dict:
    n = classes.clear(code, key)
    return {"board_teacher_note": lang.html("board.cleared_one" if n == 1 else "board.cleared", n=n)}


def board_close(classes, code, key) -> dict:
    classes.close(code, key)
    return {"board_teacher_note": lang.html("board.closed_now")}


def on_load(classes, registry, sess, request: gr.Request = None) -> dict:
    """A board link shows the board (for the projector); a join link puts the visitor in the class."""
    params = getattr(request, "query_params", None) or {}
    board, code = params.get("board"), params.get("class")
    if board:
        try:
            classes.board(board)
        except ValueError as e:
            return {"board_view": gr.update(visible=True), "tabs": gr.Tabs(visible=False),
                    "board_head": f"<div class='kd-status failed'>{said(e)}</div>"}
        return {"board_view": gr.update(visible=True), "tabs": gr.Tabs(visible=False), "board_code": board,
                "board_timer": gr.Timer(active=True)}
    if code:
        try:
            return class_join(classes, registry, code, None, sess, request)
        except ValueError as e:
            warn({"key": "told.join_failed", "params": {"error": lang.part_of(e)}}, "title.class")
    return {}


def build_top(ui: Wired):
    """Above the tabs: the board page (hidden unless the link is a board link) and a student's class line."""
    with gr.Column(visible=False, elem_id="class-board") as view:
        ui["board_view"] = view
        ui["board_head"] = gr.HTML(NOT_SHOWN, elem_id="board-head")
        with gr.Row():
            ui["board_axis"] = gr.Dropdown([(label("board.nothing"), "")], value="",
                                           label=label("board.axis"),
                                           elem_id="board-axis", scale=2)
            ui["board_metric"] = gr.Radio([(label(f"board.metric.{k}"), k) for k in METRICS], value="gain",
                                          label=label("board.metric"),
                                          elem_id="board-metric", scale=3)
        ui["board_plot"] = gr.Plot(show_label=False, elem_id="board-plot")
        ui["board_table"] = gr.Dataframe(board_frame([], page=True), interactive=False, wrap=True, max_height=420,
                                         elem_id="board-table", datatype=DATATYPE)
        with gr.Row():
            ui["board_csv"] = gr.DownloadButton(label("board.csv"), interactive=False, elem_id="board-csv")
            ui["board_json_file"] = gr.DownloadButton(label("board.json"), interactive=False, elem_id="board-json")
        with gr.Accordion(label("board.teacher"), open=False, elem_id="board-teacher"):
            ui["board_key"] = gr.Textbox(label=label("board.key"), type="password", max_lines=1, elem_id="board-key")
            with gr.Row():
                ui["board_clear"] = gr.Button(label("board.clear"), elem_id="board-clear")
                ui["board_close"] = gr.Button(label("board.close"), variant="stop", elem_id="board-close")
            ui["board_teacher_note"] = gr.Markdown(elem_id="board-teacher-note")
        ui["board_code"] = gr.Textbox(visible=False, label=label("board.code"))
        ui["board_json"] = gr.JSON(visible=False)
        ui["board_api"] = gr.Button(visible=False)
        ui["board_timer"] = gr.Timer(BOARD_EVERY_S, active=False)
        ui["board_seen"] = gr.State(None)
    with gr.Row(visible=False, elem_id="class-member", equal_height=True) as row:
        ui["class_member"] = row
        ui["class_note"] = gr.HTML(elem_id="class-note", scale=4)
        with gr.Column(scale=1, min_width=260):
            ui["class_nick"] = gr.Textbox(label=label("board.nick"), max_lines=1, max_length=40,
                                          elem_id="class-nick")
            ui["class_join_btn"] = gr.Button(label("board.join"), size="sm", elem_id="class-join-btn")
    ui["class_code"] = gr.Textbox(visible=False, label=label("board.code"))


def build_start(ui: Wired):
    """In the Train tab: "Start a class" for this setup."""
    with gr.Accordion(label("class.open"), open=False, elem_id="class-start"):
        gr.Markdown(label("class.intro"), elem_classes="kd-note")
        ui["class_start_btn"] = gr.Button(label("class.start"), elem_id="class-start-btn")
        ui["class_start_note"] = gr.Markdown()
        ui["class_join_link"] = gr.Textbox(label=label("class.join_link"), interactive=False, buttons=["copy"],
                                           elem_id="class-join-link")
        ui["class_board_link"] = gr.Textbox(label=label("class.board_link"), interactive=False,
                                            buttons=["copy"], elem_id="class-board-link")
        ui["class_key"] = gr.Textbox(label=label("class.key"), interactive=False,
                                     buttons=["copy"], elem_id="class-key")


def wire(ui: Wired, demo: gr.Blocks, registry, classes, sess, presentation):
    bind = {"classes": classes}
    controls = {p.name: ui[p.name] for p in UI_PARAMS}
    ui.on(ui["class_start_btn"].click, class_start, ["share_hide", "share_lock", "share_autorun", "share_question"],
          ("class_join_link", "class_board_link", "class_key", "class_start_note"), inputs_kwargs=controls,
          api_name="class_start", title="title.class_start", bind=bind)
    ui.on(ui["class_join_btn"].click, class_join, ["class_code", "class_nick", sess],
          ("sess", "class_member", "class_note", "class_code", "class_nick"), api_name="class_join",
          title="title.class_join", bind={**bind, "registry": registry})
    ui.on(ui["board_api"].click, class_board, ["board_code", "board_axis", "board_metric"], ("board_json",),
          api_name="class_board", title="title.board", bind=bind)
    shown = ("board_head", "board_table", "board_plot", "board_axis", "sess", "board_seen", "board_csv",
             "board_json_file")
    inputs = ["board_code", "board_axis", "board_metric", presentation, "board_seen", sess]
    for event in (ui["board_timer"].tick, ui["board_axis"].input, ui["board_metric"].input, presentation.input):
        ui.on(event, board_refresh, inputs, shown, api_visibility="private", show_progress="hidden",
              concurrency_id="poll", title="title.board", bind={**bind, "registry": registry})
    teacher = ["board_code", "board_key"]
    ui.on(ui["board_clear"].click, board_clear, teacher, ("board_teacher_note",), api_name="class_clear",
          title="title.board_clear", bind=bind)
    ui.on(ui["board_close"].click, board_close, teacher, ("board_teacher_note",), api_name="class_close",
          title="title.board_close", bind=bind)
    ui.on(demo.load, on_load, [sess], ("board_view", "tabs", "board_head", "board_code", "board_timer", "sess",
                                       "class_member", "class_note", "class_code", "class_nick"),
          api_visibility="private", show_progress="hidden", title="title.class", bind={**bind, "registry": registry})
