"""Deutsch: die Teilen-Box (ein Lektionslink) und die Klassentafel."""
TEXT = {
    "share.open": "Diese Einstellung teilen (ein Lektionslink für deine Klasse)",
    "share.intro": "Wer den Link öffnet, sieht genau diese Einstellung. Nur Einstellungen, die von den "
                   "Voreinstellungen abweichen, kommen hinein, so bleiben Links kurz.",
    "share.hide": "Ausblenden (Gruppen oder einzelne Elemente)",
    "share.lock": "Werte sperren (sichtbar, nicht änderbar)",
    "share.autorun": "Training beim Öffnen der Seite starten",
    "share.question": "Frage an die Klasse (reiner Text, höchstens {n} Zeichen)",
    "share.btn": "Link erzeugen (und kopieren)", "share.link": "Link",
    "share.cli": "Derselbe Lauf auf der Kommandozeile",
    "share.json": "…und als Konfigurationsdatei (python -m kdemo train --config run.json)",
    "board.nothing": "(nichts variiert)", "board.axis": "Einstellung auf der x-Achse", "board.metric": "Maß",
    "board.metric.gain": "Gewinn: KD − Zwilling (Punkte)", "board.metric.kd": "Genauigkeit des KD-Schülers (%)",
    "board.metric.twin": "Genauigkeit des Zwillings (%)",
    "board.csv": "⬇ Tafel (CSV)", "board.json": "⬇ Tafel (JSON)", "board.teacher": "Lehrkraft",
    "board.key": "Schlüssel der Lehrkraft", "board.clear": "Alle Zeilen löschen",
    "board.close": "Die Klasse schließen", "board.code": "Klassencode",
    "board.nick": "Spitzname (auf der Tafel gezeigt)", "board.join": "Spitzname setzen",
    "class.open": "Eine ganze Klasse unterrichten (eine gemeinsame Tafel für alle Läufe)",
    "class.intro": "Startet eine Klasse mit der Einstellung oben (und den Lektionsoptionen der Teilen-Box): die "
                   "Schüler öffnen den Beitrittslink, und jeder Lauf, den sie beenden, erscheint auf einer Tafel.",
    "class.start": "Eine Klasse starten", "class.join_link": "Beitrittslink (für die Schüler)",
    "class.board_link": "Link zur Tafel (für den Beamer)",
    "class.key": "Schlüssel der Lehrkraft (löscht oder schließt die Tafel; gut aufbewahren)",
}
