"""The app's look: theme, CSS (presentation mode, status bar, lab), in one place."""
from __future__ import annotations

import gradio as gr

THEME = gr.themes.Soft(primary_hue="blue", neutral_hue="slate")

CSS = """
#kd-header h1 { margin-bottom: 0.2em; }
.kd-status { font-size: var(--text-lg); padding: 10px 14px; border-radius: 10px;
             background: var(--block-background-fill); border: 1px solid var(--border-color-primary); }
.kd-status .kd-line { margin-bottom: 6px; }
.kd-bar { height: 10px; border-radius: 5px; background: var(--neutral-200); overflow: hidden; }
.kd-bar > div { height: 100%; background: var(--color-accent); transition: width 0.4s linear; }
.kd-status.done .kd-bar > div { background: #009E73; }
.kd-status.stopped .kd-bar > div, .kd-status.failed .kd-bar > div { background: #D55E00; }
.kd-note { opacity: 0.75; font-size: var(--text-sm); }
#lab-preview img { image-rendering: pixelated; object-fit: contain; }
#lab-examples img { image-rendering: pixelated; }
#lab-examples .grid-container { grid-template-columns: repeat(10, minmax(0, 1fr)) !important; gap: 6px; }
#lab-examples .thumbnail-item { height: auto !important; aspect-ratio: 1 / 1; }
body.kd-present .gradio-container { --text-sm: 16px; --text-md: 19px; --text-lg: 22px; --text-xl: 26px;
                                    --text-xxl: 34px; --block-label-text-size: 17px; --block-info-text-size: 16px; }
"""
