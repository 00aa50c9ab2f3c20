"""What every tab of the app shares: the one door and the one error boundary, handlers that return updates by name,
the status line.

Handlers are module-level functions of plain values that return a dict {component name: new value or update}
(testable without a browser); `Wired.on` maps the names to this page's components, checks the handler's arguments
against their declarations (kdemo/teach/inputs.py: the parameter table's `Param`, by argument name; the run
settings go through the table itself) and wraps the function in `guard`, the one error boundary: any exception
becomes a short message in the UI and the API (gr.Error, never an empty one), the traceback goes to the server
log, and the session keeps working. The guard speaks the request's language (the page's ?lang=, then the
browser's): a refusal raised as kdemo.lang.Told is said in it, and so are the warnings a handler shows (`warn`);
an API client that names no language reads English.
"""
from __future__ import annotations

import contextvars
import functools
import html
import inspect
import logging
import typing

import gradio as gr
import plotly.graph_objects as go

from .. import lang
from ..teach.inputs import ARGS
from ..figures.describe import alt_html
from .labels import english, label
from ..train.worker import plain_error

log = logging.getLogger("kdemo.app.build")
HIDDEN = "kd_request"     # the request parameter `Wired.on` adds to a handler that has none


# The language of the request being handled, set by `guard` around each handler (it runs in Gradio's worker
# thread, and a ContextVar is per thread and per call: never shared between visitors, as Gradio's own gr.Warning
# finds its event): what a toast the handler raises says.
_SPEAKING: contextvars.ContextVar[str] = contextvars.ContextVar("kdemo_speaking", default=lang.DEFAULT)


def speaks(request) -> str:
    """The visitor's language for a request: the page link's `?lang=` (Gradio forwards the page's query to its
    calls), then the browser's Accept-Language; English for an API client that sends neither."""
    if request is None:
        return lang.DEFAULT
    query, headers = getattr(request, "query_params", None) or {}, getattr(request, "headers", None) or {}
    return lang.pick(query.get("lang"), headers.get("accept-language"))


def speaking() -> str:
    """The language of the request being handled (English outside a guarded handler: tests, the CLI)."""
    return _SPEAKING.get()


def heading(title: str, code: str) -> str:
    """A toast's title: a kdemo.lang key in `code`, or the text as it is."""
    return lang.text(title, code) if title in lang.TABLES[lang.DEFAULT] else title


def warn(message, title: str, code: str | None = None):
    """A warning toast in the visitor's language: `message` a lang.Told (or any error), a Said, or a key; the
    toast shows its text as HTML, so the words are escaped."""
    code = code or speaking()
    words = lang.speak(message, code) if isinstance(message, (BaseException, lang.Said)) else \
        lang.compose(message, code) if isinstance(message, dict) else \
        lang.text(message, code) if message in lang.TABLES[lang.DEFAULT] else str(message)
    gr.Warning(html.escape(words[:1000], quote=False), title=heading(title, code))


def said(message) -> str:
    """A message (a Told, a Said, or text) for an HTML output of the page: every language, escaped."""
    return lang.html("as_is", value=lambda code: lang.speak(message, code))


def guard(fn, title: str = "title.kdemo"):
    """The error boundary around an event handler; `title` a kdemo.lang key (or text) for the toast's title."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        code = speaks(next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None))
        token = _SPEAKING.set(code)
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as e:   # noqa: BLE001 - the boundary: every error becomes a message, never a crash
            if isinstance(e, (ValueError, LookupError)) or type(e).__module__.startswith("kdemo"):
                log.info("%s refused: %s", fn.__name__, e)
                message = lang.speak(plain_error(e), code)
            else:
                log.exception("%s failed", fn.__name__)
                message = lang.text("told.server", code, kind=type(e).__name__)
            raise gr.Error(message[:500] or lang.text("told.unhandled", code), title=heading(title, code),
                           print_exception=False) from None
        finally:
            _SPEAKING.reset(token)
    return wrapper


class Wired(dict):
    """This page's components by name, and `on`: wire a name-returning handler to an event. A plot made with
    `plot` has a text alternative (`<name>_alt`) that follows its figure: `on` writes the description into each
    new figure of such a plot (layout.meta, see `with_alt`) and the plot's change event copies it into the box in
    the browser (ALT_JS), with no request to the server. (A server round trip per redraw sent every figure back
    up: three more requests per poll of a live run, and most of Chromium's work while it watched one.) The
    endpoints that draw the plot keep their outputs; API clients see no extra value."""

    def plot(self, name: str, fig=None, alt: bool = True, waits: str | None = None, **kw) -> gr.Plot:
        """A gr.Plot and, right under it (unless `alt` is False: then call `alt`), its text alternative.
        `waits` (a label key): the plot starts with no figure and shows those words in its place until its first
        one; `fig` (the placeholder) then only gives the text alternative its words. Plotly is a large part of a
        page load (its code, then each figure drawn): a first screen whose plots wait loads without it."""
        if waits:
            kw = {**kw, "label": label(waits), "elem_classes": ["kd-waits", *kw.get("elem_classes", ())]}
        # Gradio fires `change` for a first value too
        self[name] = gr.Plot(None if waits else with_alt(fig) if alt else fig, **kw)
        if alt:
            self.alt(name, fig, kw.get("visible", True))
        return self[name]

    def alt(self, name: str, fig=None, visible: bool = True) -> gr.HTML:
        # rendered from the start (empty until a figure comes): an HTML first made invisible stays unrendered;
        # a figure `plot` described already carries its words (computed once, at start-up)
        meta = fig.layout.meta if isinstance(fig, go.Figure) and isinstance(fig.layout.meta, dict) else {}
        words = "" if fig is None else meta.get("kdemo_alt") or alt_html(fig)
        alt = self[f"{name}_alt"] = gr.HTML(words, visible=visible, elem_classes="kd-alt-box", padding=False)
        self.__dict__.setdefault("described", set()).add(name)
        self[name].change(None, inputs=[self[name], alt], outputs=[alt], js=ALT_JS, queue=False,
                          show_progress="hidden", api_visibility="private")
        return alt

    def on(self, event, fn, inputs=(), outputs=(), title: str = "title.kdemo", bind: dict | None = None,
           check: dict | None = None, **kw):
        """`fn(*inputs)` -> {output name: value}; `bind` fills server-side arguments (the registry, limits) by
        name; `check` (default: inputs.ARGS) declares fn's arguments by name, each taken through its `Param` before
        fn runs. The wrapper shows Gradio fn's other parameters with their annotations resolved to real classes,
        so gr.Request and gr.SelectData arguments are still recognised and filled in."""
        names, bound = list(outputs), dict(bind or {})
        sig, hints = inspect.signature(fn), typing.get_type_hints(fn)
        params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()
                  if p.name not in bound]
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        declared = {name: p for name, p in (ARGS if check is None else check).items() if name in sig.parameters}
        # a handler without a gr.Request gets one anyway, hidden from it (and from the API): the guard reads the
        # visitor's language from it
        hidden = not any(p.annotation in (gr.Request, typing.Optional[gr.Request]) for p in params)
        if hidden:
            params.insert(len(positional), inspect.Parameter(HIDDEN, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                             default=None, annotation=gr.Request))

        def by_component(*args, **kwargs):
            if hidden:
                args = [a for a in args if not isinstance(a, gr.Request)]
                kwargs.pop(HIDDEN, None)
            values = {**dict(zip(positional, args)), **kwargs}
            for name, p in declared.items():      # the door: the same declared types on every endpoint
                if name in values:
                    values[name] = p.take(values[name])
            result = fn(**values, **bound) or {}
            unknown = set(result) - set(names)
            if unknown:
                raise RuntimeError(f"{fn.__name__} returned outputs it was not wired to: {sorted(unknown)}")
            # Every output, in order, gr.skip() where the handler changes nothing: an empty or partial dict would
            # be ambiguous to Gradio (a lone dict can read as the first output's value).
            described = self.__dict__.get("described", ())
            values = [with_alt(result[n]) if n in described and n in result else result.get(n, gr.skip())
                      for n in names]
            return values[0] if len(values) == 1 else tuple(values)
        by_component.__name__ = getattr(fn, "__name__", "handler")
        by_component.__signature__ = sig.replace(parameters=params)
        by_component.__annotations__ = {**{k: v for k, v in hints.items() if k not in bound},
                                        **({HIDDEN: gr.Request} if hidden else {})}
        ins = [self[i] if isinstance(i, str) else i for i in inputs]
        comps = [self[n] for n in names]
        # Raw values: Gradio's own preprocessing answers a null slider or a word in a number box in Python's
        # words ("'<' not supported between 'NoneType' and 'float'"); every handler checks its inputs itself.
        kw.setdefault("preprocess", False)
        if kw.get("show_progress") == "hidden":
            # No component tracks a hidden event's progress. Gradio's page keeps a loading status for every
            # component that was ever an event's progress target (by default all its outputs), and on each status
            # change of any event it writes every one of them back into its tree (the load events' outputs alone
            # are 73). Six quick presentation toggles took 16-20 s of a busy page before, 10-11 s after.
            kw.setdefault("show_progress_on", [])
        return event(guard(by_component, title), inputs=ins, outputs=comps, **kw)


# The plot's change event, in the browser: its figure's description (with_alt), or nothing when the figure has none.
# No figure (a plot that waits for its first one): the box keeps the words it has (the placeholder's)
ALT_JS = """(fig, words) => { if (!fig || !fig.plot) return words;
  try { const meta = JSON.parse(fig.plot).layout.meta; return (meta && meta.kdemo_alt) || ''; }
  catch (e) { return ''; } }"""


def with_alt(value):
    """A figure for a plot with a text alternative, carrying its description (every language's, as HTML) in
    layout.meta["kdemo_alt"]; anything else (an update, a skip, nothing) as it is."""
    if isinstance(value, go.Figure):
        meta = value.layout.meta if isinstance(value.layout.meta, dict) else {}
        value.layout.meta = {**meta, "kdemo_alt": alt_html(value)}
    return value


def guard_requests(demo: gr.Blocks) -> gr.Blocks:
    """The error boundary's first half: Gradio checks a request's values (how many, and files against their data
    model) before any handler runs, and answers in its own words (pydantic's "validation errors for EditorData",
    "didn't receive enough input values", the values echoed back). This turns those into one plain sentence;
    the details go to the server log. (An instance attribute: Blocks looks the method up on itself.)"""
    original = demo.preprocess_data

    async def preprocess_data(block_fn, inputs, state, explicit_call=False):
        try:
            return await original(block_fn, inputs, state, explicit_call)
        except gr.Error:
            raise
        except Exception as e:   # noqa: BLE001 - the boundary for what Gradio refuses before a handler runs
            log.info("request refused before %s: %s", getattr(block_fn, "name", "?"), str(e)[:300])
            names = [english(getattr(b, "label", None)) or type(b).__name__.lower() for b in block_fn.inputs]
            count = f"{len(inputs)} value(s) sent, {len(names)} expected" if len(inputs) != len(names) else \
                "a value sent is not in the form this endpoint takes"
            raise gr.Error(f"The request was refused: {count}. This endpoint takes: {', '.join(names)[:300]} "
                           "(see the app's API page for the types).", print_exception=False) from None
    demo.preprocess_data = preprocess_data
    return demo


def status_line(snapshot: dict, code: str = "en") -> str:
    """'running · training the student · 42% · 12 s elapsed · ~16 s left', then any message or error, in `code`
    (a message or an error from below the app stays as it came)."""
    status = "paused" if snapshot.get("paused") else snapshot.get("status", "")
    if status == "queued":      # a place in the server's line (kdemo.app.queue.Ticket.snapshot)
        return lang.text("status.waiting", code, message=lang.speak(snapshot.get("message", ""), code))
    parts = [lang.words(status, code)]
    if status in ("running", "paused") and snapshot.get("phase"):
        parts.append(lang.words(str(snapshot["phase"]), code))
    parts.append(f"{100 * float(snapshot.get('progress') or 0):.0f}%")
    parts.append(lang.text("status.elapsed", code, s=f"{float(snapshot.get('elapsed') or 0):.0f}"))
    if snapshot.get("eta") is not None:
        parts.append(lang.text("status.left", code, s=f"{snapshot['eta']:.0f}"))
    line = " · ".join(parts)
    if snapshot.get("message"):
        line += f" · {lang.speak(snapshot['message'], code)}"
    if snapshot.get("error"):
        line += f" · ⚠️ {lang.speak(snapshot['error'], code)}"
    return line


def status_html(snapshot: dict | None, text: str | None = None, idle: str = "train.idle") -> str:
    """A status line with a progress bar, for a run or an experiment job (or a note when there is none): every
    language (kdemo.lang.html). `text`: a note (a kdemo.lang key, a Told or a Said, lang.Raw HTML, or plain
    text); `idle`: a key."""
    note = "" if not text else said(text) if isinstance(text, (lang.Told, lang.Said)) else \
        lang.html(text) if text in lang.TABLES[lang.DEFAULT] else text if isinstance(text, lang.Raw) else \
        html.escape(text)
    if snapshot is None:
        return f"<div class='kd-status'>{note or lang.html(idle)}</div>"
    pct = 100 * float(snapshot.get("progress") or 0)
    cls = "paused" if snapshot.get("paused") else html.escape(str(snapshot.get("status", "")))
    extra = f"<div class='kd-note-line'>{note}</div>" if note else ""
    line = lang.html("as_is", value=lambda code: status_line(snapshot, code))
    return (f"<div class='kd-status {cls}'><div class='kd-line'>{line}</div>"
            f"<div class='kd-bar'><div style='width:{pct:.1f}%'></div></div>{extra}</div>")


def session_of(registry, sess, request):
    """The visitor's Session: the one in gr.State, or a new one (first call, or the old one was closed)."""
    if sess is None or getattr(sess, "closed", False):
        return registry.session(getattr(request, "session_hash", None))
    sess.touch()
    return sess


def waiting_ticket(sess, attr: str):
    """The session's place in line for a run (or a job), while it waits; a failed start is said once."""
    ticket = sess.waiting if sess is not None else None
    if ticket is None or ticket.attr != attr:
        return None
    if not ticket.alive:
        sess.waiting = None
        if ticket.state == "failed":
            warn(ticket.line(), "title.failed")
        return None
    return ticket
