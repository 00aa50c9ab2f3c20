"""Plotly figures and the one style they share: training curves, teaching-view plots, lab plots."""
