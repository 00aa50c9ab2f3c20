"""Every colour a kdemo figure uses, by the role it plays: the one place a colour literal is written
(tests/test_declarations.py fails on a hex colour or rgba() anywhere else in kdemo/, page CSS excepted).

Okabe & Ito's eight colours (2008): colour-blind safe and projector friendly. A role names what a colour says
(the distilled student, a warning), so a figure never picks a colour by its look.
"""
from __future__ import annotations

# Okabe-Ito, by name
BLACK, ORANGE, SKY_BLUE, GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
YELLOW, BLUE, VERMILION, PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"

# the models
TEACHER, KD, SCRATCH = GREEN, BLUE, ORANGE
COLOR = {"kd": KD, "scratch": SCRATCH, "teacher": TEACHER}
PART_COLORS = [BLUE, VERMILION, GREEN, PURPLE, SKY_BLUE, ORANGE, YELLOW, BLACK]   # loss parts, runs of a board
SERIES = [c for c in PART_COLORS if c not in (TEACHER, SCRATCH)]   # other lines: green and orange stay the roles'

# what a mark says
WARN = VERMILION          # a health warning, "paused", the mean a histogram is read by
NEUTRAL = "#999999"       # a "before" bar, a reference
GUIDE = "#888888"         # a reference line, a placeholder message, throughput (no model's colour)
CURSOR = "#666666"        # where a slider stands
SUMMARY = "#555555"       # a mean ± interval drawn over coloured points
INK = "#333333"           # numbers written on a light cell
BACKDROP = "#d9d9d9"      # cells that are not the point (a confusion matrix's right answers)
TRANSPARENT = "rgba(0,0,0,0)"
# the terms of DKD's split of KD (Zhao et al., 2022): NCKD and its weighted share alike, the weight a neutral grey
TERMS = {"tckd": VERMILION, "nckd": PURPLE, "weight": NEUTRAL, "kd": KD}


def tint(color: str, alpha: float) -> str:
    """`color` ("#RRGGBB") at opacity `alpha`, as CSS/plotly rgba()."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:.2f})"


BANDS = {"kd": tint(KD, 0.18), "scratch": tint(SCRATCH, 0.22)}   # a group's spread over seeds
TARGET = tint(TEACHER, 0.12)                                      # the true class's column behind bars
DIAGONAL_CELL = tint("#808080", 0.25)                             # a table's right answers
