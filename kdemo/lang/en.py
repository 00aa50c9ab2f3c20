"""English: every text kdemo shows through kdemo.lang, by key. de.py has the same keys (tests/test_lang.py)."""
TEXT = {
    # text alternatives of plots (kdemo/figures/describe.py)
    "alt.open": "The numbers behind this plot (text description)",
    "alt.untitled": "This plot",
    "alt.empty": "{title}: no data yet.",
    "alt.head": "{title}: {n} series.",
    "alt.bars": "{name}: highest at {top} ({value}).",
    "alt.curve": "{name} goes from {first} to {last} at {end}, highest {top} at {at}.",
    "alt.more": "{n} more series in the table.",
    "alt.x": "label", "alt.series": "series", "alt.points": "points", "alt.first": "first", "alt.last": "last",
    "alt.min": "lowest", "alt.max": "highest",
}
