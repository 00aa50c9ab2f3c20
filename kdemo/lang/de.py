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
    "tour.open": "🧭 Hier starten: eine Führung",
    "tour.title": "Führung",
    "tour.go": "Bring mich hin",
    "tour.next": "Nächster Schritt →",
    "tour.skip": "Schritt überspringen",
    "tour.close": "Führung schließen",
    "tour.progress": "Schritt {i} von {n}",
    "tour.waiting": " <i>Ich warte, bis du es getan hast.</i>",
    "tour.next_hint": " Drücke <b>Nächster Schritt</b>, wenn du bereit bist.",
    "tour.end": "<b>Das war die Führung.</b> Du hast einen Schüler von einem Lehrer lernen lassen, gesehen, was die "
                "Temperatur bewirkt, in den KD-Verlust und in das Wissen des Lehrers geschaut und wie ein Schüler "
                "eine Klasse lernt, die er nie gesehen hat. Oben unter <b>Hier starten</b> kannst du die Führung "
                "jederzeit wieder öffnen.",
    "tour.step.train": "<b>Drücke ▶ Train</b> (die Voreinstellungen passen). Ein destillierter Schüler lernt aus "
                       "den weichen Vorhersagen des Lehrers, sein Zwilling mit gleichem Start und gleichen Batches "
                       "nur aus den Labels.",
    "tour.step.temperature": "<b>Ändere die Temperatur T</b> links (etwa 1 oder 10) <b>und drücke noch einmal "
                             "▶ Train</b>. T macht die Vorhersagen des Lehrers weicher, bevor der Schüler sie "
                             "nachahmt.",
    "tour.step.lab": "Im <b>Temperature lab</b>: <b>zeichne eine Ziffer</b> (oder gib die Nummer eines "
                     "Testbildes ein und drücke <i>Show this test image</i>) und <b>bewege dann den "
                     "Temperatur-Regler</b> der entkoppelten Ansicht.",
    "tour.step.dkd": "Öffne <b>Teaching views</b> und drücke <b>⟳ Show my last run</b>; lies dann Abschnitt 4: "
                     "die entkoppelte Ansicht deines Laufs, in der KD das dunkle Wissen mit 1 − p<sub>t</sub> "
                     "gewichtet.",
    "tour.step.similarity": "Ändere in Abschnitt 1, <b>der Klassenähnlichkeit</b>, <b>ihr T oder ihr Modell</b>: "
                            "Welche Ziffern hält das Modell für ähnlich?",
    "tour.step.missing": "Probiere <b>die Lektion mit den fehlenden 3en</b>: wähle unter <b>Experiments</b> "
                         "<i>Missing digit</i> und drücke <b>▶ Run experiment</b> (etwa eine Minute). Ein Schüler, der nie eine 3 "
                         "gesehen hat, lernt vom Lehrer etwas über 3en.",
    "tour.seeds.one": " mit einem Seed.",
    "tour.seeds.many": " mit {n} Seeds.",
    "tour.words.train": "✅ Dein destillierter Schüler erreichte <b>{kd} %</b>, sein Zwilling <b>{twin} %</b>: "
                        "<b>{diff} Punkte</b>",
    "tour.words.temperature": "✅ Bei T = {t1} erreichte dein destillierter Schüler <b>{kd1} %</b> ({d1} Punkte "
                              "gegenüber seinem Zwilling); bei T = {t0} waren es {kd0} % ({d0} Punkte).",
    "tour.words.lab": "✅ Bei T = {t0} gab der Lehrer der {target} die Wahrscheinlichkeit <b>{p0}</b>; bei "
                      "T = {t1} <b>{p1}</b>.",
    "tour.words.lab_up": " Eine höhere Temperatur verschiebt Wahrscheinlichkeit zu den anderen Ziffern: das dunkle "
                         "Wissen, aus dem der Schüler lernen kann.",
    "tour.words.lab_down": " Eine niedrigere Temperatur schärft die Antwort des Lehrers und verbirgt, was er von den "
                           "anderen Ziffern hält.",
    "tour.words.dkd": "✅ Aus deinem Lauf: {text}",
    "tour.words.similarity": "✅ Aus deinem Lauf: {text}",
    "tour.words.missing": "✅ {text}",
}
