"""`python -m kdemo params`: the parameter table as text, for people (a list) and for docs/parameters.md
(`--markdown`)."""
from __future__ import annotations

from ..settings.params import PARAMS
from ..settings.text import flag, parameters_markdown


def add_parser(sub, common):
    p = sub.add_parser("params", parents=[common], help="list every run setting (--markdown: docs/parameters.md)")
    p.add_argument("--markdown", action="store_true", help="print docs/parameters.md (generated from the table)")


def cmd(args) -> int:
    if args.markdown:
        print(parameters_markdown(), end="")
        return 0
    width = max(len(flag(p)) for p in PARAMS)
    for p in PARAMS:
        print(f"{flag(p):<{width}}  {p.help}")
    return 0
