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
    # der Satz der Tafel (kdemo/teach/classboard.py; die /class_board-API behält das Englische), Zeilen der Seite
    "board.empty": "Noch keine Läufe: der fertige Lauf jedes Schülers erscheint hier.",
    "board.run": "{n} Lauf", "board.runs": "{n} Läufe", "board.points": "Punkte", "board.pct": "%",
    "board.mean": "{mean} {unit} über {runs}", "board.mean_pm": "{mean} ± {half} {unit} über {runs}",
    "board.none": "{head}: keiner hat {what} gemessen (der Gewinn braucht den Zwilling).",
    "board.what.gain": "den Gewinn", "board.what.kd": "die Genauigkeit des KD-Schülers (%)",
    "board.what.twin": "die Genauigkeit des Zwillings (%)",
    "board.same": "{head}, alle mit den Einstellungen der Lektion: {reached} {pm}",
    "board.reached.gain": "KD gewann", "board.reached.kd": "der KD-Schüler erreichte",
    "board.reached.twin": "der Zwilling erreichte",
    "board.best": "{head}: {axis} = {value} ergab {word}, {pm}",
    "board.word.gain": "den größten Gewinn", "board.word.kd": "den genauesten KD-Schüler",
    "board.word.twin": "den genauesten Zwilling",
    "board.where": "{axis} = {value} ", "board.collapsed": "; {where}kollabierte in {c} von {r}", "board.end": ".",
    "board.note": "Klassentafel · {members} beigetreten · {rows} · {state} · gelöscht in {days} Tagen",
    "board.rows": "{n} Zeilen", "board.row": "1 Zeile",
    "board.open": "offen", "board.closed": "vom Lehrer geschlossen",
    "board.not_shown": "Öffne eine Tafel mit ihrem Link (<code>?board=CODE</code>).",
    "class.member": "Du bist in der Klasse als <b>{nickname}</b>{number}: jeder Lauf, den du beendest oder nach "
                    "seinem ersten Kurvenpunkt stoppst, schreibt eine Zeile auf die Klassentafel. Im Klassenmodus "
                    "trainiert ein Lauf einen Seed, deiner ist der Seed der Lektion + {offset}: die Klasse ist die "
                    "Stichprobe.",
    "class.member_number": " (Schüler {n})",
    "class.started": "Die Schüler öffnen den <b>Beitrittslink</b> (jeder Lauf, den sie beenden, schreibt eine Zeile "
                     "auf die Tafel); der <b>Link zur Tafel</b> ist für den Beamer. Bewahre den <b>Schlüssel der "
                     "Lehrkraft</b> gut auf: mit ihm löschst oder schließt du die Tafel.",
    "board.cleared_one": "Gelöscht: {n} Zeile entfernt.",
    "board.cleared": "Gelöscht: {n} Zeilen entfernt.",
    "board.closed_now": "Geschlossen: die Tafel behält ihre Zeilen, nimmt aber keine neuen Schüler oder Läufe mehr "
                        "an.",
    "share.asked": "<b>Frage:</b> {question}",
}
