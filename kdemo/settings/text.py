"""A run's settings as text: CLI flags, query strings (lesson links) and the equivalent command, all generated
from the parameter table (after Hugging Face's HfArgumentParser: dataclass fields -> flags).

The same keys everywhere: `--temperature 8` on the command line, `temperature=8` in a link, `"temperature": 8`
in a JSON config, and every value goes through its Param's `parse` and `check`.
"""
from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from .. import lang
from .config import TrainConfig, annotation
from .params import BY_NAME, DEFAULTS, GROUPS, PARAMS, Param

QUERY_LIMIT = 4096      # characters: a longer query string is ignored whole


def flag(p: Param) -> str:
    return "--" + p.name.replace("_", "-")


def add_flags(parser: argparse.ArgumentParser):
    """One flag per setting; defaults stay unset so a --config file's values are only overridden when given."""
    g = parser.add_argument_group("run settings (python -m kdemo train --help lists every one)")
    g.add_argument("--config", type=Path, help="JSON file of settings (flags given with it override it)")
    for p in PARAMS:
        shown = ("on" if p.default else "off") if p.kind == "bool" else (p.format(p.default) or p.empty or "empty")
        text = f"{p.help} (default: {shown})"
        if p.kind == "bool":
            g.add_argument(flag(p), dest=p.name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                           help=text)
        else:
            choices = f" {{{','.join(p.choices)}}}" if p.kind == "choice" and len(p.choices) <= 8 else ""
            g.add_argument(flag(p), dest=p.name, default=argparse.SUPPRESS, metavar=p.kind.upper() + choices,
                           help=text)


def config_from_args(args) -> TrainConfig:
    """The config of `--config FILE` (if given) with the flags on top; ValueError in plain words otherwise."""
    return TrainConfig.from_dict(settings_from_args(args))


def settings_from_args(args) -> dict:
    """The settings `--config FILE` and the flags give, checked one by one but not yet resolved (an empty `lr`
    stays empty): a sweep builds each cell's config from them."""
    base = {}
    if getattr(args, "config", None):
        try:
            base = json.loads(Path(args.config).read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"cannot read config {args.config}: {e}") from None
        if not isinstance(base, dict):
            raise ValueError(f"{args.config}: a config must be a JSON object")
    for name, value in vars(args).items():
        if name in BY_NAME:
            p = BY_NAME[name]
            base[name] = value if p.kind == "bool" else p.parse(value)
    return base


def changed(cfg: TrainConfig) -> dict[str, str]:
    """The shared settings that differ from the defaults, as text, in table order."""
    return {p.name: p.format(getattr(cfg, p.name)) for p in PARAMS
            if p.shared and getattr(cfg, p.name) != DEFAULTS[p.name]}


def to_query(cfg: TrainConfig, only_changed: bool = True) -> str:
    """'method=dkd&temperature=8': the same keys as the JSON config (defaults left out, so links stay short)."""
    items = changed(cfg) if only_changed else {p.name: p.format(getattr(cfg, p.name)) for p in PARAMS if p.shared}
    return urlencode(items, safe=",")


def from_query(query: dict | str) -> tuple[TrainConfig, dict[str, str], list[str]]:
    """(config, keys that are not settings, what was ignored and why) from a query string or its dict.

    Nothing here raises: a bad value is left at its default, and so is a value that cannot go with the ones
    before it (in table order: the dataset before the models, the method before its hyperparameters).
    """
    if isinstance(query, str):
        if len(query) > QUERY_LIMIT:
            return TrainConfig(), {}, [lang.say([{"key": "link.settings_long", "params": {"n": QUERY_LIMIT}}])]
        query = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
    values, ignored, rest = {}, [], {}
    for key, text in query.items():
        p = BY_NAME.get(key)
        if p is None or not p.shared:
            rest[str(key)[:40]] = text
            continue
        try:
            values[key] = p.parse(text)
        except ValueError as e:
            ignored.append(lang.say([lang.part_of(e)]))
    accepted: dict = {}
    for p in PARAMS:                       # one at a time, so one bad combination costs one key, not all
        if p.name not in values:
            continue
        try:
            TrainConfig(**{**accepted, p.name: values[p.name]})
            accepted[p.name] = values[p.name]
        except ValueError as e:
            ignored.append(lang.say([{"key": "link.bad", "params": {"name": p.name, "value": p.format(values[p.name]),
                                                                    "why": lang.part_of(e)}}]))
    return TrainConfig(**accepted), rest, ignored


def cli_command(cfg: TrainConfig) -> str:
    """The `python -m kdemo train` line that trains exactly this config."""
    parts = ["python", "-m", "kdemo", "train"]
    for name, text in changed(cfg).items():
        p = BY_NAME[name]
        if p.kind == "bool":
            parts.append(flag(p) if getattr(cfg, name) else "--no-" + flag(p)[2:])
        else:
            parts += [flag(p), text if text else "none"]
    return " ".join(shlex.quote(x) for x in parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _values(p: Param) -> str:
    if p.kind == "choice":
        return ", ".join(f"`{c}`" for c in p.choices) if len(p.choices) <= 12 else f"{len(p.choices)} choices"
    if p.kind == "bool":
        return "on / off"
    if p.kind == "classes":
        return f"class numbers {p.lo:g} to {p.hi:g}"
    low = f"> {p.lo:g}" if p.lo_open else f"{p.lo:g}"
    words = "".join(f"`{w}`, " for w in p.words) + "or " if p.words else ""
    return f"{words}{low} to {p.hi:,g}" + (f"; empty: {p.empty}" if p.optional else "")


def parameters_markdown() -> str:
    """docs/parameters.md: every setting of the table, by group (`python -m kdemo params --markdown` prints it)."""
    out = ["# Run settings", "",
           "Generated from the parameter table (kdemo/settings/params.py, with each method's hyperparameters declared "
           "on its class in kdemo/methods/distillers.py) by `python -m kdemo params --markdown > "
           "docs/parameters.md`; tests/test_params.py fails when this file is stale. The same key is the "
           "`TrainConfig` field, the JSON config key, the lesson-link key and (with dashes) the CLI flag.", ""]
    for group in GROUPS:
        out += [f"## {group}", "", "| setting | CLI flag | type | default | values | used by | what it does |",
                "|---|---|---|---|---|---|---|"]
        for p in (p for p in PARAMS if p.group == group):
            kind = getattr(annotation(p), "__name__", None) or str(annotation(p))
            default = ("on" if p.default else "off") if p.kind == "bool" else p.format(p.default) or p.empty or "empty"
            used = "every method" if p.methods == "all" else ", ".join(p.methods)
            out.append("| " + " | ".join(_cell(x) for x in (
                f"`{p.name}`", f"`{flag(p)}`", f"`{kind}`", f"`{default}`", _values(p), used,
                p.help + ("" if p.shared else " (not in links: the server's business)"))) + " |")
        out.append("")
    return "\n".join(out)
