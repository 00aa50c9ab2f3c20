"""The app's look: theme and CSS (status bar, lab, tables, presentation mode, dark plots, phones), in one place.

Plots follow the page's theme here, in the browser: figures are drawn with transparent backgrounds and plotly's
light-theme text colour, and in dark mode the CSS below repaints that text and the gridlines light. An exported
PNG (plotly's camera button) is drawn from the figure itself, so it keeps dark text: readable on paper.
"""
from __future__ import annotations

import json

import gradio as gr

from .. import lang
from ..lang import TABLES as LANGS
from ..figures.curves import style as curve_style
from .tabs.pad import PAD_CSS

# Soft's defaults put blue-500 labels on blue-100 (3.0:1), white on blue-500 buttons (3.7:1) and slate-400 hints
# (2.6:1): below WCAG AA's 4.5:1 for text. One shade darker each passes (blue-700 on blue-100 8.2:1, white on
# blue-600 5.2:1, slate-600 on white 7.6:1; the selected tab: A11Y_CSS); in dark mode only a hovered button's
# blue-500 fails.
THEME = gr.themes.Soft(primary_hue="blue", neutral_hue="slate").set(
    block_label_text_color="*primary_700", block_title_text_color="*primary_700",
    button_primary_background_fill="*primary_600", button_primary_background_fill_hover="*primary_700",
    checkbox_label_background_fill_selected="*primary_600",
    button_secondary_background_fill_hover_dark="*primary_600",
    body_text_color_subdued="*neutral_600", body_text_color_subdued_dark="*neutral_300")

SCALE = 1.4   # presentation mode: every text size, on the page and in the plots (kdemo/figures/curves.py's style)

BASE_CSS = """
#kd-header h1 { margin-bottom: 0.2em; }
.kd-status { font-size: var(--text-lg); padding: 10px 14px; border-radius: 10px;
             background: var(--block-background-fill); border: 1px solid var(--border-color-primary); }
.kd-status .kd-line { margin-bottom: 6px; }
.kd-bar { height: 10px; border-radius: 5px; background: var(--neutral-200); overflow: hidden; }
.dark .kd-bar { background: var(--neutral-700); }
.kd-bar > div { height: 100%; background: var(--color-accent); transition: width 0.4s linear; }
.kd-status.done .kd-bar > div { background: #009E73; }
.kd-status.stopped .kd-bar > div, .kd-status.failed .kd-bar > div { background: #D55E00; }
.kd-note { opacity: 0.75; font-size: var(--text-sm); }
#lab-preview img { image-rendering: pixelated; object-fit: contain; }
#lab-examples img { image-rendering: pixelated; }
#lab-examples .grid-container { grid-template-columns: repeat(10, minmax(0, 1fr)) !important; gap: 6px; }
#lab-examples .thumbnail-item { height: auto !important; aspect-ratio: 1 / 1; }
#exp-takeaway { font-size: var(--text-lg); }
.kd-question { font-size: var(--text-lg); padding: 10px 14px; border-radius: 10px; border-left: 6px solid #E69F00;
               background: var(--block-background-fill); }
#train-controls input:disabled, #train-controls textarea:disabled, #train-controls .disabled {
    opacity: 0.65; cursor: not-allowed; }   /* a locked lesson: values visible, clearly not editable */
#ins-gallery img { image-rendering: pixelated; }
#ins-confusion td { cursor: pointer; }
.kd-board-sentence { font-size: var(--text-xxl); font-weight: 600; padding: 8px 4px; }   /* read from the back row */
.kd-status.queued { border-left: 6px solid #56B4E9; }
/* a plot that waits for its first figure (kit.Wired.plot): its words where the figure will be (WAITS_CSS: at its
   height) */
.kd-waits .empty .icon { display: none; }
.kd-waits:has(.empty) label[data-testid="block-label"] {
    display: flex !important; position: absolute; inset: 0; width: auto; height: auto; margin: 0; padding: 0 12px;
    clip: auto; clip-path: none; overflow: visible; white-space: normal; justify-content: center; align-items: center;
    text-align: center; font-size: 15px; font-weight: normal; color: var(--body-text-color-subdued);
    background: none; border: none; box-shadow: none; }
.kd-waits label[data-testid="block-label"] > span { display: none; }
.kd-present .kd-waits:has(.empty) label[data-testid="block-label"] { font-size: 21px; }
"""

# Accessibility: the page speaks one language (texts computed on the server come in every language, each marked
# kd-l-<code>; PAGE_JS sets body.kd-lang-<code>); a plot's text alternative (kdemo/figures/describe.py) sits under
# it as a small <details>; keyboard focus is always visible. (Rules start at body: Gradio also prefixes each rule
# with its container, and a prefixed rule outranks an unprefixed one.)
A11Y_CSS = """
body:not(.kd-lang-de) .kd-l-de { display: none !important; }
body.kd-lang-de .kd-l-en { display: none !important; }
.kd-alt-box { font-size: var(--text-sm); }
.kd-alt summary { cursor: pointer; color: var(--body-text-color); text-decoration: underline; }
.kd-alt table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
.kd-alt th, .kd-alt td { border: 1px solid var(--border-color-primary); padding: 2px 8px; text-align: right; }
.kd-alt caption { text-align: left; font-weight: 600; }
#kd-tabs [role=tab].selected { color: var(--primary-600); }   /* Gradio's accent, blue-500, is 3.7:1 on white */
.dark #kd-tabs [role=tab].selected { color: var(--primary-400); }
#kd-tour { border: 2px solid var(--color-accent); border-radius: 10px; }
#tour-text { font-size: var(--text-lg); }
#tour-text .kd-tour-head { font-size: var(--text-sm); font-weight: 600; color: var(--body-text-color-subdued); }
:focus-visible { outline: 3px solid var(--color-accent) !important; outline-offset: 2px; }
"""

# Results tables: Gradio sizes each column to its unwrapped content. Capping that width (a CSS variable the
# dataframe reads) makes long cells wrap instead, so the 14 columns fit 1440 px without sideways scrolling; headers
# wrap between words only (a German header, longer than its English, too: Gradio measures the columns again when
# PAGE_JS relabels them). The class board's verdicts get a wider column.
TABLE_CSS = """
#results, #exp-table, #board-table { --size-2: 5px; }
#results .table-wrap, #exp-table .table-wrap { --df-max-col-width: 120px !important; }
#board-table .table-wrap { --df-max-col-width: 200px !important; }
#results .header-table, #results .virtual-row, #exp-table .header-table, #exp-table .virtual-row,
#board-table .header-table, #board-table .virtual-row { font-family: var(--font); font-size: var(--text-sm); }
#results .header, #exp-table .header, #board-table .header, #ins-confusion .header {
    overflow-wrap: normal; word-break: normal; }
"""


def _sizes(scale: float) -> str:
    """Gradio's text sizes times `scale`, and every size derived from them declared again beside them: a derived
    variable is resolved where it is declared (the theme's :root), so overriding --text-md alone changes nothing."""
    base = {"xxs": 9, "xs": 10, "sm": 12, "md": 14, "lg": 16, "xl": 22, "xxl": 26}
    out = [f"--text-{k}: {round(v * scale)}px;" for k, v in base.items()]
    derived = {"block-label": "md", "block-title": "md", "block-info": "sm", "body": "md", "input": "md",
               "prose": "md", "checkbox-label": "md", "section-header": "md", "button-large": "lg",
               "button-medium": "md", "button-small": "sm", "chatbot": "lg"}
    out += [f"--{k}-text-size: var(--text-{v});" for k, v in derived.items()]
    return " ".join(out)


PRESENT_CSS = f"""
body.kd-present {{ {_sizes(SCALE)} }}
body.kd-present #kd-tabs button[role=tab] {{ font-size: var(--text-lg); }}
body.kd-present #sketch .kd-pad-bar button {{ font-size: var(--text-lg); }}
body.kd-present input[type=checkbox], body.kd-present input[type=radio] {{ transform: scale({SCALE}); }}
"""

# Text in plotly's default colours, #2a3f5f (template plotly_white: the experiments' validated figures) or #444
# (plotly.js's own: kdemo/figures/curves.py sends its templates unexpanded), and the grid; text given a colour of its own
# keeps it. No comma inside a selector: Gradio splits custom CSS selectors at every comma.
_DEFAULT_TEXT = ('.dark .js-plotly-plot .main-svg text[style*="fill: rgb(42"]',
                 '.dark .js-plotly-plot .main-svg text[style*="fill: rgb(68"]')
DARK_CSS = f"""
{", ".join(_DEFAULT_TEXT)} {{ fill: #e5e7eb !important; }}
.dark .js-plotly-plot .gridlayer path {{ stroke: rgba(255, 255, 255, 0.13) !important; }}
.dark .js-plotly-plot .zerolinelayer path {{ stroke: rgba(255, 255, 255, 0.35) !important; }}
.dark .js-plotly-plot .legend .bg {{ fill: transparent !important; }}
"""

# Phones: the run panel (buttons, status, accuracy curves) first, the controls after it, a shorter header.
PHONE_CSS = """
@media (max-width: 720px) {
  #train-panel { order: -1; }
  #kd-header { --text-xxl: 22px; flex-direction: column; gap: 4px; }
  #kd-header p { display: none; }
  #tour-text { font-size: var(--text-md); }
  #tour-buttons { flex-wrap: wrap !important; gap: 4px; }
  #tour-buttons button { min-width: 0 !important; flex: 1 1 40% !important; }
  #run-buttons { flex-wrap: nowrap !important; gap: 4px; }
  #run-buttons button { min-width: 0 !important; flex: 1 1 0 !important; padding: 8px 2px;
                        font-size: var(--text-md); }
  /* German labels are longer ("▶ Trainieren", "Schritt ›"): Train gets a row of its own */
  #run-buttons:lang(de) { flex-wrap: wrap !important; }   /* (the html element's lang, set by PAGE_JS) */
  #run-buttons #train-btn:lang(de) { flex: 1 1 100% !important; }
  .kd-status { font-size: var(--text-md); }
}
/* Touch screens have no hover: plotly then shows its toolbar all the time, over the plot's title. */
@media (hover: none) and (max-width: 720px) { .js-plotly-plot .modebar-container { display: none; } }
"""

# Run once when the page loads (Blocks.launch(js=...)). A click on the presentation checkbox switches the page's
# sizes at once; Gradio's own js hook on its change event (kdemo/app/build.py, also fired when a lesson link sets it)
# runs only after the event's server calls are queued, a few hundred ms later. A plot redrawn while its tab is
# hidden (presentation mode switched on the Train tab redraws the lab's) is laid out at plotly's default width,
# its subplot titles overlapping; plotly resizes responsive plots on a window resize, so a tab click sends one.
PAGE_JS = """() => {
  const asked = new URLSearchParams(location.search).get('lang');
  const spoken = [asked, ...(navigator.languages || [navigator.language])].filter(Boolean)
    .map((l) => l.toLowerCase().slice(0, 2)).find((l) => KD_LANGS.includes(l)) || 'en';
  document.documentElement.lang = spoken;
  document.body.classList.add('kd-lang-' + spoken);
  if (asked && asked.toLowerCase().slice(0, 2) === spoken) {   // ?lang= also for Gradio's own labels (gr.I18n)
    const core = performance.getEntriesByType('resource').map((e) => e.name)
      .find((n) => n.includes('/assets/core-') && n.endsWith('.js'));
    if (core) import(core).then((m) => m.changeLocale && m.changeLocale(spoken)).catch(() => {});
  }
  // Plots in the visitor's words: kdemo/figures/words.py puts each figure's other languages in layout.meta. Gradio
  // draws every plot with Plotly.react (window.Plotly, set when its plot module loads); wrapped here, the words go
  // in before each draw, so a plot is never shown in English first and nothing redraws in a loop. Plots drawn
  // before this script ran are drawn again once.
  const speak = (data, layout) => {
    const said = ((layout && layout.meta && layout.meta.kdemo_i18n) || {})[spoken] || [];
    for (const [path, value] of said) {
      let node = {data, layout};
      for (const key of path.slice(0, -1)) node = node == null ? node : node[key];
      if (node != null && typeof node === 'object') node[path[path.length - 1]] = value;
    }
  };
  const hook = (P) => {
    if (!P || P.kdSpeaks) return P;
    for (const name of ['newPlot', 'react']) {
      const draw = P[name];
      P[name] = function (gd, data, layout) {
        if (data && !Array.isArray(data)) speak(data.data, data.layout); else speak(data, layout);
        return draw.apply(this, arguments);
      };
    }
    P.kdSpeaks = true;
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
      try { P.react(gd, JSON.parse(JSON.stringify(gd.data)), JSON.parse(JSON.stringify(gd.layout))); } catch (e) {}
    }
    return P;
  };
  if (spoken !== 'en') {
    let plotly = hook(window.Plotly);
    Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly, set: (P) => { plotly = hook(P); }});
  }
  // Tables in the visitor's words (kdemo.lang's col./cell. keys): their values, CSV files and the API keep the
  // English headers, so the page relabels what it shows, in place (a text node's data: Svelte keeps writing to the
  // same node, and an English value it writes later is relabelled again). Also the level Gradio titles a toast with.
  const words = KD_WORDS[spoken];
  if (words) {
    document.title = words.title;
    const roots = '#results, #board-table, #exp-table, #ins-confusion, [data-testid="toast-body"]';
    const say = (node, map) => {
      const t = node.data.trim();
      let w = map[t];
      if (w === undefined && map === words.cells) {
        const p = Object.keys(words.prefixes).find((k) => t.startsWith(k));
        if (p !== undefined) w = words.prefixes[p] + t.slice(p.length);
      }
      if (w !== undefined && w !== t) node.data = w;
    };
    const texts = (el, map) => {
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      while (walk.nextNode()) say(walk.currentNode, map);
    };
    const relabel = (root) => {
      for (const th of root.querySelectorAll('th')) {
        if (words.heads[th.title] !== undefined) th.title = words.heads[th.title];
        for (const span of th.querySelectorAll('.header')) texts(span, words.heads);
      }
      for (const cell of root.querySelectorAll('[role=gridcell], td')) texts(cell, words.cells);
      for (const title of root.querySelectorAll('.toast-title')) texts(title, words.toasts);
    };
    document.querySelectorAll(roots).forEach(relabel);
    new MutationObserver((records) => {
      const found = new Set();
      for (const r of records) {
        const el = r.target.nodeType === 3 ? r.target.parentElement : r.target;
        const root = el && el.closest && el.closest(roots);
        if (root) { found.add(root); continue; }
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (n.matches(roots)) found.add(n); else n.querySelectorAll(roots).forEach((x) => found.add(x));
        }
      }
      found.forEach(relabel);
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
  }
  document.addEventListener('change', (e) => {
    if (e.target.type === 'checkbox' && e.target.closest('#presentation')) {
      document.body.classList.toggle('kd-present', e.target.checked);
    }
  }, true);
  document.addEventListener('click', (e) => {
    if (e.target.closest('#kd-tabs [role=tab]')) {
      for (const ms of [60, 400]) setTimeout(() => window.dispatchEvent(new Event('resize')), ms);
    }
  }, true);
}"""

# the height of the figure a waiting plot will get, so the page does not move when it comes
WAITS_CSS = f".kd-waits .empty {{ min-height: {curve_style(False)['height']}px; }}\n"
CSS = BASE_CSS + WAITS_CSS + A11Y_CSS + TABLE_CSS + PRESENT_CSS + DARK_CSS + PHONE_CSS + PAD_CSS


def table_words() -> dict:
    """What PAGE_JS relabels, for each language but English: {"heads": {English header: its words}, "cells": {whole
    English cell: its words}, "prefixes": {"true ": "wahre "}, "toasts": {...}, "title": the page's title}, from the
    tables' col./cell./toast. keys (a {d} header for every digit, a cell ending in {c} as a prefix)."""
    english, out = LANGS[lang.DEFAULT], {}
    for code, table in LANGS.items():
        if code == lang.DEFAULT:
            continue
        heads, cells, prefixes, toasts = {}, {}, {}, {}
        for key, en in english.items():
            area, said = key.split(".", 1)[0], table[key]
            if area == "col" and "{d}" in en:
                heads.update({en.format(d=d): said.format(d=d) for d in range(10)})
            elif area == "col":
                heads[en] = said
            elif area == "cell" and en.endswith("{c}"):
                prefixes[en[:-3]] = said[:-3]
            elif area == "cell":
                cells[en] = said
            elif area == "toast":
                toasts[en] = said
        out[code] = {"heads": heads, "cells": cells, "prefixes": prefixes, "toasts": toasts,
                     "title": lang.text("page.title", code)}
    return out


PAGE_JS = PAGE_JS.replace("KD_LANGS", repr(list(LANGS)))   # the languages kdemo.lang speaks
PAGE_JS = PAGE_JS.replace("KD_WORDS", json.dumps(table_words(), ensure_ascii=False))
