"""The words kdemo shows, in each language it speaks: one table per language (en.py, de.py), a key per text.

The bottom layer, so every layer can name its texts by key; formatting happens where the language is known (the
app, from the visitor's `?lang=` or browser; the CLI speaks English). Texts take named parameters
(`text("tour.result", lang, kd=93.1, ...)`), so a wording can change without touching its callers; numbers go
through `number`, which writes them the language's way (93.1 in English, 93,1 in German). A refusal or an error
is a `Told`: its key and parameters, English as text, said in the visitor's language where the page shows it.
"""
from __future__ import annotations

import html as _html
import re
import string

from . import de, en

TABLES = {"en": en.TEXT, "de": de.TEXT}
NAMES = {"en": "English", "de": "Deutsch"}
DEFAULT = "en"
# A setting's name in each language other than English, by the setting's name (English: the declaration's own, which
# a message carries with it; see `setting`): the Train tab's settings, then the page's other arguments.
LABELS = {"de": {**{name: words[0] for name, words in de.PARAMS.items()}, **de.LABELS}}


def text(key: str, lang: str = DEFAULT, **params) -> str:
    """The text `key` in `lang` with its parameters filled in (English where `lang` is unknown)."""
    table = TABLES.get(lang, TABLES[DEFAULT])
    return table[key].format(**params) if params else table[key]


def known(key: str) -> bool:
    """Whether every table has `key` (tests/test_lang.py keeps them equal)."""
    return all(key in table for table in TABLES.values())


class Signed(float):
    """A number written with its sign (+2.9, −1.0): a difference."""


class Raw(str):
    """HTML kdemo made itself (a link, a bold name): lang.html puts it in as it is, never escaped."""


def words(english: str, code: str, area: str = "said") -> str:
    """A phrase a deeper layer sent in English (a run's phase, "loading data"), in `code`: the table's
    `<area>.<english>` where it has one, else the English as it came."""
    return TABLES.get(code, TABLES[DEFAULT]).get(f"{area}.{english}", english)


def number(value: float, lang: str = DEFAULT, digits: int | str | None = 1) -> str:
    """`value` with `digits` decimals (None: as few as it needs, like :g) and thousands grouped, as the language
    writes it (a Signed one with +/−); digits "g": as few as it needs, not grouped (a bound, as a person types it);
    "r": every digit it has, as sent (a value quoted back: 0.0, 2.5)."""
    if digits == "r":
        s = repr(value)
    else:
        spec = "g" if digits == "g" else ",g" if digits is None else f",.{digits}f"
        s = format(value, ("+" if isinstance(value, Signed) else "") + spec)
    if lang == "de":
        s = s.replace(",", " ").replace(".", ",").replace(" ", ".")
    return s


def compose(part: dict, lang: str = DEFAULT) -> str:
    """A sentence kept as data (`{"key", "params", "upper"?}`, JSON-safe: a deeper layer's message) in `lang`:
    a [value, digits] parameter is a number, a dict one a nested part (or a `setting`'s name), anything else is
    put in as it is; "upper" starts it with a capital. `{"each": [parts], "sep": ", "}` is a list of parts
    ("and": True joins the last with the language's "and": 'a, b and c'; "or": True joins all with its "or")."""
    if "setting" in part:
        return part["en"] if lang == DEFAULT else LABELS.get(lang, {}).get(part["setting"], part["en"])
    if "each" in part:
        items = [compose(p, lang) for p in part["each"]]
        if part.get("and") and len(items) > 1:
            return ", ".join(items[:-1]) + text("list.and", lang) + items[-1]
        if part.get("or"):
            return text("list.or", lang).join(items)
        return part.get("sep", " ").join(items)
    values = {k: number(v[0], lang, v[1]) if isinstance(v, (list, tuple)) else
              compose(v, lang) if isinstance(v, dict) else v for k, v in part.get("params", {}).items()}
    s = text(part["key"], lang, **values)
    return s[:1].upper() + s[1:] if part.get("upper") else s


def num(value: float, digits: int | str | None = "g") -> list:
    """A number parameter of a part: written the language's way when composed ("g": 0.5 / 0,5, never grouped)."""
    return [value, digits]


def setting(name: str, english: str) -> dict:
    """A setting's name as a parameter of a part: `english` (what the English sentence says: its label, or its
    key) in English, the language's own label elsewhere (LABELS; the English where it has none yet)."""
    return {"setting": name, "en": english}


def either(words) -> dict:
    """Words (values a person types: "auto", "same") joined by the language's "or" as a parameter of a part."""
    return {"each": [{"key": "as_is", "params": {"value": w}} for w in words], "or": True}


class Told(ValueError):
    """A refusal or an error for the person who caused it, kept as data: a part (see compose; JSON-safe) that the
    page speaks in the visitor's language (kdemo/app/kit.py's guard). str() is its English, as the CLI, the logs,
    the report and API clients read it. A value from a stranger goes in cut, never whole; no parameter is named
    `key` (text's own argument)."""

    def __init__(self, key: str, **params):
        self.part = {"key": key, "params": params}
        super().__init__(compose(self.part))

    def said(self, code: str = DEFAULT) -> str:
        return compose(self.part, code)

    def __reduce__(self):       # rebuilt from its part (a worker's error crossing a process boundary)
        return _told, (type(self), self.part)


def _told(cls, part: dict) -> Told:
    return cls(part["key"], **part["params"])


class Said(str):
    """Words a deeper layer wrote as parts (see compose): the string is their English, as the report, the API and
    the CLI read it; `said_html` gives the page every language. One part a line where `sep` is a newline."""
    parts: tuple = ()
    sep: str = " "


def say(parts: list[dict], sep: str = " ") -> Said:
    out = Said(sep.join(compose(p) for p in parts))
    out.parts, out.sep = tuple(parts), sep
    return out


def speak(value, code: str = DEFAULT) -> str:
    """A message in `code`: a Told's or a Said's parts composed there, anything else as it is (None: '')."""
    if isinstance(value, Told):
        return value.said(code)
    if isinstance(value, Said) and value.parts:
        return value.sep.join(compose(p, code) for p in value.parts)
    return "" if value is None else str(value)


def part_of(value) -> dict:
    """A message as a part of a longer one: a Told's part, a Said's parts, anything else as its text."""
    if isinstance(value, Told):
        return value.part
    if isinstance(value, Said) and value.parts:
        return value.parts[0] if len(value.parts) == 1 else {"each": list(value.parts), "sep": value.sep}
    return {"key": "as_is", "params": {"value": str(value)}}


def said_html(value):
    """`value` for the page: a Said in every language (line by line, a Markdown list's "- " kept outside the
    spans), anything else as it is."""
    if not isinstance(value, Said):
        return value
    lines = [[compose(p, code) for p in value.parts] for code in TABLES] if "\n" in value.sep else \
        [[value.sep.join(compose(p, code) for p in value.parts)] for code in TABLES]
    out = []
    for row in zip(*lines):     # one line (a part) in every language
        lead = "- " if all(s.startswith("- ") for s in row) else ""
        out.append("" if not any(row) else lead + "".join(
            f"<span class='kd-l kd-l-{code}' lang='{code}'>{s[len(lead):]}</span>" for code, s in zip(TABLES, row)))
    return value.sep.join(out) if "\n" in value.sep else out[0]


def html(key: str, digits: int = 1, **params) -> str:
    """The text in every language, each in a <span lang=..> the page shows only in its language (kdemo/app/
    style.py). Numbers (a float, or (value, digits)) are written the language's way; a Raw value is HTML made by
    kdemo, a callable is asked for each language's string (escaped); every other value is escaped (it may be a
    visitor's text)."""
    out = []
    for code in TABLES:
        values = {k: number(v, code, digits) if isinstance(v, float) else
                  number(v[0], code, v[1]) if isinstance(v, tuple) else     # (value, digits)
                  v if isinstance(v, Raw) else _html.escape(str(v(code) if callable(v) else v))
                  for k, v in params.items()}
        out.append(f"<span class='kd-l kd-l-{code}' lang='{code}'>{text(key, code, **values)}</span>")
    return "".join(out)


def only(markup: str, code: str) -> str:
    """`markup` made by `html` with every other language's span taken out (a caption the tour quotes)."""
    return re.sub(r"<span class='kd-l kd-l-(\w+)' lang='\1'>(.*?)</span>",
                  lambda m: m.group(2) if m.group(1) == code else "", markup or "", flags=re.S)


def pick(query: str | None = None, accept: str | None = None) -> str:
    """The page's language: `?lang=` when it names one kdemo speaks, else the browser's first one it speaks
    (Accept-Language, e.g. "de-DE,de;q=0.9,en;q=0.8"), else English."""
    if query and query.strip().lower()[:2] in TABLES:
        return query.strip().lower()[:2]
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in TABLES:
            return code
    return DEFAULT


def fields(template: str) -> set[str]:
    """The parameter names a text takes ({kd}, {twin:...})."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}
