"""Deutsch: die Seite, Textalternativen der Diagramme, Urteile und die Führung."""
TEXT = {
    "page.header": "# kdemo — ein Labor für Wissensdestillation\nTrainiere ein kleines *Schüler*-Netz mit den "
                   "weichen Vorhersagen eines großen *Lehrers* und sieh zu, wie es gegen einen Zwilling antritt, "
                   "der nur aus Labels lernt.",
    "page.presentation": "Präsentationsmodus (größere Schrift und Linien)",
    "page.results": "## Ergebnisse dieser Sitzung",
    "train.train": "▶ Trainieren", "train.pause": "Pause", "train.resume": "Weiter", "train.step": "Schritt ›",
    "train.stop": "■ Stopp",
    "lab.draw": "**Zeichne eine Ziffer** mit der Maus oder dem Finger.",
    "lab.preview": "Was die Modelle sehen (28×28)",
    "lab.start": "Zeichne eine Ziffer oder wähle unten eine MNIST-Testziffer.",
    "lab.teacher": "Lehrer", "lab.student": "Schüler", "lab.target": "Zielklasse (auto = Vermutung des Lehrers)",
    "lab.pick": "↑ …oder klicke auf eine MNIST-Testziffer.",
    "lab.index": "MNIST-Testbild Nr. (0 bis 9999)",
    "lab.show": "Dieses Testbild zeigen",
    "lab.keys": "**Tastatur:** gib die Nummer eines Testbildes ein und drücke *Dieses Testbild zeigen*, dann mit "
                "Tab zum Temperatur-Regler unten und T mit den Pfeiltasten ändern.",
    "lab.decoupled": "## Entkoppelte Ansicht (DKD): Ziel gegen Rest bei jeder Temperatur",
    "lab.T": "Temperatur T für die entkoppelte Ansicht",
    "alt.open": "Die Zahlen hinter diesem Diagramm (Textbeschreibung)",
    "alt.untitled": "Dieses Diagramm",
    "alt.empty": "{title}: noch keine Daten.",
    "alt.head": "{title}: {n} Datenreihen.",
    "alt.bars": "{name}: am höchsten bei {top} ({value}).",
    "alt.curve": "{name}: von {first} auf {last} bei {end}, höchster Wert {top} bei {at}.",
    "alt.more": "{n} weitere Datenreihen in der Tabelle.",
    "alt.x": "Beschriftung", "alt.series": "Datenreihe", "alt.points": "Punkte", "alt.first": "erster",
    "alt.last": "letzter",
    "alt.min": "niedrigster", "alt.max": "höchster",
    "verdict.level_one": "KD gleichauf mit dem Zwilling bei einem Seed (mehrere Seeds zeigen, wie viel Glück ist)",
    "verdict.ahead_one": "KD vorn um {d} Punkte bei einem Seed (mehrere Seeds zeigen, wie viel Glück ist)",
    "verdict.behind_one": "KD zurück um {d} Punkte bei einem Seed (mehrere Seeds zeigen, wie viel Glück ist)",
    "verdict.ahead": "KD vorn um {d} ± {half} Punkte über {n} Seeds",
    "verdict.behind": "KD zurück um {d} ± {half} Punkte über {n} Seeds",
    "verdict.unclear": "kein klarer Unterschied: KD − Zwilling = {d} ± {half} Punkte über {n} Seeds",
    "verdict.fair": "KD (lr {kd_lr}) gegen den Zwilling bei seiner eigenen besten Rate (lr {twin_lr}): ",
    "verdict.rigged": "KD (lr {kd_lr}) gegen den Zwilling bei lr {twin_lr}, nicht seiner besten Rate (lr "
                      "{best_lr}): ",
    "verdict.rate_part": "; ein Teil des Abstands ist die Lernrate, nicht der Lehrer",
    "verdict.stall_part": "; der Zwilling blieb stecken: ein Teil des Abstands ist sein langsamer Start, nicht der "
                          "Lehrer",
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
    "tour.step.train": "<b>Drücke ▶ Trainieren</b> (die Voreinstellungen passen). Ein destillierter Schüler lernt "
                       "aus "
                       "den weichen Vorhersagen des Lehrers, sein Zwilling mit gleichem Start und gleichen Batches "
                       "nur aus den Labels.",
    "tour.step.temperature": "<b>Ändere die Temperatur T</b> links (etwa 1 oder 10) <b>und drücke noch einmal "
                             "▶ Trainieren</b>. T macht die Vorhersagen des Lehrers weicher, bevor der Schüler sie "
                             "nachahmt.",
    "tour.step.lab": "Im <b>Temperatur-Labor</b>: <b>zeichne eine Ziffer</b> (oder gib die Nummer eines "
                     "Testbildes ein und drücke <i>Dieses Testbild zeigen</i>) und <b>bewege dann den "
                     "Temperatur-Regler</b> der entkoppelten Ansicht.",
    "tour.step.dkd": "Öffne <b>Lehransichten</b> und drücke <b>⟳ Meinen letzten Lauf zeigen</b>; lies dann Abschnitt 4: "
                     "die entkoppelte Ansicht deines Laufs, in der KD das dunkle Wissen mit 1 − p<sub>t</sub> "
                     "gewichtet.",
    "tour.step.similarity": "Ändere in Abschnitt 1, <b>der Klassenähnlichkeit</b>, <b>ihr T oder ihr Modell</b>: "
                            "Welche Ziffern hält das Modell für ähnlich?",
    "tour.step.missing": "Probiere <b>die Lektion mit den fehlenden 3en</b>: wähle unter <b>Experimente</b> "
                         "<i>Fehlende Ziffer</i> und drücke <b>▶ Experiment starten</b> (etwa eine Minute). Ein Schüler, "
                         "der nie eine 3 "
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
    "page.title": "kdemo · Labor für Wissensdestillation",
}

# The Train tab's settings: label and help of each entry of the parameter table (kdemo/settings/params.py, where
# the English ones live); kdemo/app/labels.py puts them into gr.I18n, tests/test_lang.py checks every one is here.
PARAMS = {
    "dataset": ("Datensatz", "die Bilder, die gelernt werden"),
    "teacher": ("Lehrer", "das Netz, von dessen Vorhersagen der Schüler lernt"),
    "student": ("Schüler", "das kleine Netz, das trainiert wird"),
    "teacher_source": ("Gewichte des Lehrers", "pretrained: die mitgelieferten Gewichte laden; train: den Lehrer "
                       "erst trainieren, mit allen Labels"),
    "teacher_epochs": ("Epochen des Lehrers", "wie lange ein erst zu trainierender Lehrer trainiert"),
    "method": ("Methode", "wie der Schüler vom Lehrer lernt"),
    "temperature": ("Temperatur T", "macht die Vorhersagen beider Modelle weicher: softmax(z / T)"),
    "alpha": ("α (TCKD-Gewicht)", "DKDs Gewicht auf dem Teil Ziel gegen Rest"),
    "beta": ("β (NCKD-Gewicht)", "DKDs Gewicht auf dem Teil unter den falschen Klassen"),
    "warmup_epochs": ("KD-Aufwärmepochen", "DKD: die Destillationsterme linear einblenden"),
    "ce_weight": ("CE-Gewicht", "Gewicht der Kreuzentropie auf den Labels"),
    "kd_weight": ("KD-Gewicht", "Gewicht des Verlusts auf den weichen Zielen"),
    "feat_weight": ("Merkmalsgewicht", "Gewicht des Verlusts, der Merkmale angleicht"),
    "standardized": ("Logit-Standardisierung (Sun et al. 2024)", "die Logits beider Modelle vor dem Weichmachen "
                     "z-standardisieren: der Schüler lernt ihre Form, nicht ihre Größe"),
    "epochs": ("Epochen", "Durchläufe über die Trainingsbilder des Schülers (Bruchteile erlaubt)"),
    "n_labeled": ("Bilder mit Label", "nach Klassen ausgewogene Teilmenge der Trainingsbilder mit Label "
                  "(leer = alle)"),
    "seeds": ("Seeds", "so viele Schüler und Zwillinge trainieren, jeder Seed mit eigener Initialisierung und "
              "Reihenfolge, und ihre Streuung zeigen"),
    "twin": ("Auch einen Zwilling von Grund auf trainieren (gleicher Start, gleiche Batches)",
             "der Zwilling lernt nur aus den Labels: die Vergleichslinie, die zeigt, ob der Lehrer geholfen hat"),
    "optimizer": ("Optimierer", "SGD mit Momentum, oder Adam"),
    "twin_lr": ("Lernrate des Zwillings", "auto: die für reines Lernen aus Labels gemessene beste Rate für diesen "
                "Schüler, diese Daten und diese Länge (ein faires Rennen); same: die Rate des Schülers; oder eine Zahl"),
    "lr": ("Lernrate", "Schrittweite des Optimierers (leer: die für diese Methode und dieses Paar als stabil "
           "gemessene Rate, docs/defaults.md)"),
    "schedule": ("Lernratenplan", "konstant, oder cosine: über den Lauf auf 0 absenken (Loshchilov & Hutter 2017)"),
    "momentum": ("Momentum", "SGD-Momentum"),
    "weight_decay": ("Gewichtsabnahme", "L2-Strafe auf den Gewichten"),
    "batch_size": ("Batchgröße", "Bilder pro Schritt des Optimierers"),
    "transfer_set": ("Transfermenge", "labeled: weiche Ziele nur auf den Bildern mit Label; all: auf allen "
                     "Trainingsbildern (der Rest ohne Label)"),
    "omit_classes": ("Klassen aus den Daten des Schülers weglassen (Hintons fehlende 3)",
                     "Klassen, die der Schüler nie sieht"),
    "augment": ("Augmentierung (zufälliger Ausschnitt + Spiegelung)", "wo der Datensatz sie vorsieht (CIFAR-10)"),
    "seed": ("Seed", "erster Seed: Anfangsgewichte, Reihenfolge der Batches, Teilmenge mit Label"),
    "eval_samples": ("Testbilder pro Kurvenpunkt", "die ersten N Testbilder ergeben die Kurven (leer = alle); "
                     "die Endgenauigkeit nutzt den ganzen Testsatz"),
    "eval_points": ("Kurvenpunkte", "Auswertungen pro Lauf, unabhängig von seiner Länge"),
    "time_budget_s": ("Zeitbudget, s", "den Lauf nach so langer Zeit beenden (leer = die Obergrenze des Servers)"),
}
EMPTY = {"recommended": "empfohlen", "server cap": "Obergrenze des Servers"}
