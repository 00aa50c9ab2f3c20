"""Deutsch: der Train-Tab (Namen der Tabs, Gruppen, Knöpfe, Statuszeile, Live-Zeile, Ergebnisse) und die Phasen
eines Laufs."""
TEXT = {
    "tab.train": "Trainieren", "tab.lab": "Temperatur-Labor", "tab.experiments": "Experimente",
    "tab.insights": "Lehransichten",
    "group.optimisation": "Optimierung", "group.data": "Daten", "group.advanced": "Erweitert",
    "choice.pretrained": "vortrainiert", "choice.pretrained_missing": "vortrainiert (nicht vorhanden)",
    "choice.train": "erst trainieren", "choice.labeled": "nur Bilder mit Label",
    "choice.all": "alle Trainingsbilder", "choice.constant": "konstant", "choice.cosine": "Kosinus",
    "train.pair": "Lehrer <b>{teacher}</b> {nt} Parameter → Schüler <b>{student}</b> {ns} ({ratio}× kleiner)",
    "train.pair_alone": "Schüler <b>{student}</b>: {ns} Parameter (ohne Lehrer).",
    "train.idle": "Drücke <b>▶ Trainieren</b>, um zu beginnen.",
    "train.live": "Epoche {epoch}{seeds}: {parts} auf den Testbildern der Kurve.",
    "train.live_seeds": " (Mittel aus {n} Seeds)", "train.vs": " gegen ",
    "train.left_line": "Du hast die Warteschlange verlassen: dein Lauf startet nicht.",
    "train.nothing_waiting": "Noch nichts zu {action}: dein Lauf wartet in der Schlange.",
    "train.nothing": "Nichts zu {action}: es läuft kein Lauf.",
    "train.paused_already": "Er ist schon pausiert.", "train.not_paused": "Er ist nicht pausiert.",
    "train.pause_first": "Pausiere ihn zuerst: ein Schritt läuft bis zum nächsten Kurvenpunkt.",
    "action.stop": "stoppen", "action.pause": "pausieren", "action.resume": "fortsetzen",
    "action.step": "schrittweise ausführen",
    "train.csv": "⬇ Ergebnisse (CSV)", "train.student_file": "⬇ Letzter Schüler (.safetensors)",
    "train.config_file": "⬇ Konfiguration des letzten Laufs (JSON)",
    "train.cli": "Mit der Konfigurations-JSON läuft derselbe Lauf auf der Kommandozeile: "
                 "`python -m kdemo train --config run.json` "
                 "(oder `torchrun --nproc_per_node=N -m kdemo train --config run.json`).",
    "train.no_teacher": "⚠️ **Kein vortrainierter Lehrer gefunden** (`pretrained/manifest.json`). Trainieren "
                        "geht trotzdem, mit dem Lehrer auf *erst trainieren*; das Temperatur-Labor braucht "
                        "`python -m kdemo pretrain`.",
    "as_is": "{value}",
    "status.waiting": "wartet auf einen freien Platz · {message}",
    "status.elapsed": "{s} s vergangen", "status.left": "noch ~{s} s",
    "said.running": "läuft", "said.paused": "pausiert", "said.done": "fertig", "said.stopped": "gestoppt",
    "said.failed": "fehlgeschlagen", "said.pending": "startet", "said.queued": "in der Schlange",
    "said.loading data": "lade Daten", "said.loading the teacher": "lade den Lehrer",
    "said.training the teacher": "trainiere den Lehrer", "said.measuring the teacher": "messe den Lehrer",
    "said.caching teacher outputs": "speichere die Ausgaben des Lehrers", "said.starting": "starte",
    "said.training the student": "trainiere den Schüler", "said.final evaluation": "letzte Auswertung",
    "said.checking the data": "prüfe die Daten",
    "choice.rate_auto": "auto: seine eigene beste Rate",
    "choice.rate_same": "wie die des Schülers",
}
