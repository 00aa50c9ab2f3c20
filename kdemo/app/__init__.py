"""The Gradio app: the page (build), one tab per module in tabs/, per-visitor sessions, server limits, clean shutdown."""
