"""The Temperature lab's drawing pad: a plain 2D canvas in a gr.HTML, its JavaScript and how its value is read.

Why not gr.Sketchpad: Gradio's image editor starts with no tool selected (and deselects the brush on clear), and
after every stroke it exports three PNGs through WebGL, uploads them one request each, uploads them again as files
and only then sends the event: 1-3 s per stroke on a CPU-only browser. This pad always draws, and on pointer-up
sends one small PNG (transparent, the ink in its alpha) as its value with the change event itself. The lab's API
endpoint keeps the Sketchpad payload ({background, layers, composite}); both end in kdemo.teach.lab.sketch_to_digit.
"""
from __future__ import annotations

import base64
import json
import binascii

from ... import lang
from ...teach.lab import LabInputError

PREFIX = "data:image/png;base64,"

PAD_HTML = f"""
<div class="kd-pad">
  <canvas width="280" height="280" role="img" aria-label="{lang.text('pad.aria')}"></canvas>
  <div class="kd-pad-bar">
    <button type="button" class="kd-pad-undo" title="{lang.text('pad.undo_title')}">{lang.html('lab.undo')}</button>
    <button type="button" class="kd-pad-clear" title="{lang.text('pad.clear_title')}">{lang.html('lab.clear')}</button>
  </div>
</div>
"""

_WORDS = {code: {k: lang.text(k, code) for k in ("pad.aria", "pad.undo_title", "pad.clear_title")}
          for code in lang.TABLES}
# `element`, `props` are given by gr.HTML. Setting props.value fires the component's change event (Gradio sends
# the event only when the value differs from the last one), so one stroke = one event; the event handler uses
# trigger_mode="always_last", so a backlog of strokes collapses into the latest drawing.
PAD_JS = r"""
{ // the canvas' and buttons' attributes in the page's language (kdemo/app/style.py's PAGE_JS picks it the same way)
  const words = KD_PAD_WORDS;
  const asked = new URLSearchParams(location.search).get('lang');
  const code = [asked, ...(navigator.languages || [navigator.language])].filter(Boolean)
    .map((l) => l.toLowerCase().slice(0, 2)).find((l) => l in words) || 'en';
  element.querySelector('canvas').setAttribute('aria-label', words[code]['pad.aria']);
  element.querySelector('.kd-pad-undo').title = words[code]['pad.undo_title'];
  element.querySelector('.kd-pad-clear').title = words[code]['pad.clear_title'];
}
const canvas = element.querySelector('canvas');
const ctx = canvas.getContext('2d');
const strokes = [];
let current = null;
const pen = () => {
  ctx.lineWidth = 20; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  ctx.strokeStyle = ctx.fillStyle = getComputedStyle(canvas).color;
};
const dot = (p) => { ctx.beginPath(); ctx.arc(p[0], p[1], 10, 0, 2 * Math.PI); ctx.fill(); };
const line = (a, b) => { ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke(); };
const redraw = () => {
  ctx.clearRect(0, 0, canvas.width, canvas.height); pen();
  for (const s of strokes) { dot(s[0]); for (let i = 1; i < s.length; i++) line(s[i - 1], s[i]); }
};
const at = (e) => {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
};
// an empty canvas is '' or ' ', alternately: every clear is a change, even after an MNIST digit was picked
const send = () => { props.value = strokes.length ? canvas.toDataURL('image/png') : (props.value === '' ? ' ' : ''); };
canvas.addEventListener('pointerdown', (e) => {
  if (e.button > 0) return;
  e.preventDefault();
  canvas.setPointerCapture(e.pointerId);
  current = [at(e)]; strokes.push(current); pen(); dot(current[0]);
});
canvas.addEventListener('pointermove', (e) => {
  if (!current) return;
  for (const ev of (e.getCoalescedEvents ? e.getCoalescedEvents() : [e])) {
    const p = at(ev); line(current[current.length - 1], p); current.push(p);
  }
});
const end = () => { if (current) { current = null; send(); } };
canvas.addEventListener('pointerup', end);
canvas.addEventListener('pointercancel', end);
element.querySelector('.kd-pad-undo').addEventListener('click', () => { strokes.pop(); redraw(); send(); });
element.querySelector('.kd-pad-clear').addEventListener('click', () => { strokes.length = 0; redraw(); send(); });
document.addEventListener('click', (e) => {   // a picked MNIST digit replaces the drawing on screen
  if (e.target.closest && e.target.closest('#lab-examples')) { strokes.length = 0; redraw(); }
});
new MutationObserver(redraw).observe(document.body, {attributes: true, attributeFilter: ['class']});  // theme ink
"""
PAD_JS = PAD_JS.replace("KD_PAD_WORDS", json.dumps(_WORDS))

PAD_CSS = """
#sketch .kd-pad { display: flex; flex-direction: column; align-items: center; gap: 8px; }
#sketch canvas { width: 280px; max-width: 100%; aspect-ratio: 1 / 1; touch-action: none; cursor: crosshair;
                 background: #fff; color: #000; border: 1px solid var(--border-color-primary); border-radius: 8px; }
.dark #sketch canvas { background: #0b0f19; color: #f3f4f6; }
#sketch .kd-pad-bar { display: flex; gap: 8px; }
#sketch .kd-pad-bar button { padding: 6px 14px; border-radius: var(--button-large-radius);
                             border: 1px solid var(--button-secondary-border-color);
                             background: var(--button-secondary-background-fill);
                             color: var(--button-secondary-text-color);
                             font-size: var(--button-medium-text-size); font-weight: 600; cursor: pointer; }
#sketch .kd-pad-bar button:hover { background: var(--button-secondary-background-fill-hover); }
"""


def pad_image(value, max_bytes: int) -> bytes | None:
    """The PNG bytes of a pad value (None or blank: an empty canvas), bounded before decoding."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not value.startswith(PREFIX):
        raise LabInputError("told.pad_png")
    if len(value) > 4 * max_bytes // 3 + len(PREFIX) + 4:
        raise LabInputError("told.pad_mb", mb=max_bytes // 2**20)
    try:
        return base64.b64decode(value[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise LabInputError("told.pad_base64") from None
