"""Deutsch: dieselben Schlüssel wie en.py (tests/test_lang.py prüft es)."""
TEXT = {
    "alt.open": "Die Zahlen hinter diesem Diagramm (Textbeschreibung)",
    "alt.untitled": "Dieses Diagramm",
    "alt.empty": "{title}: noch keine Daten.",
    "alt.head": "{title}: {n} Datenreihen.",
    "alt.bars": "{name}: am höchsten bei {top} ({value}).",
    "alt.curve": "{name}: von {first} auf {last} bei {end}, höchster Wert {top} bei {at}.",
    "alt.more": "{n} weitere Datenreihen in der Tabelle.",
    "alt.x": "Beschriftung", "alt.series": "Datenreihe", "alt.points": "Punkte", "alt.first": "erster", "alt.last": "letzter",
    "alt.min": "niedrigster", "alt.max": "höchster",
}
