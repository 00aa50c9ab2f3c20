"""Deutsch: die Ergebnisse des Temperatur-Labors und die Lehransichten."""
TEXT = {
    "lab.yours": "dein trainierter Schüler", "lab.pretrained": "vortrainierter Schüler",
    "pad.aria": "Zeichenfläche: zeichne eine Ziffer", "pad.undo_title": "Den letzten Strich zurücknehmen",
    "pad.clear_title": "Die Zeichenfläche leeren",
    "lab.undo": "↶ Rückgängig", "lab.clear": "✕ Löschen",
    "lab.empty_probs": "Weichgemachte Wahrscheinlichkeiten bei T = 1, 2, 4, 8, 16",
    "lab.empty_dkd": "TCKD, NCKD und KD erscheinen hier",
    "lab.empty_canvas": "Die Zeichenfläche ist leer: zeichne eine Ziffer oder klicke unten auf eine MNIST-Testziffer.",
    "lab.numbers": "Bei **T = {T}**, Ziel **{target}** (p<sub>t</sub> des Lehrers = {pt}): **TCKD** = {tckd}, "
                   "**NCKD** = {nckd}, Gewicht **1 − p<sub>t</sub>** = {w}, also **KD** = {tckd} + {w} × {nckd} = "
                   "**{kd}**. Ein sicherer Lehrer (p<sub>t</sub> → 1) bringt NCKD zum Schweigen: deshalb gewichtet "
                   "DKD es getrennt (β).",
    "lab.caption": "Lehrer: vortrainiertes {teacher} · Schüler: {who} · der Lehrer sagt **{t}**, der Schüler sagt "
                   "**{s}** · berechnet in {ms} ms",
    "lab.who_pretrained": "das vortrainierte {name}",
    "lab.who_instead": "das vortrainierte {name}, gezeigt, weil du noch keinen MNIST-Schüler trainiert hast",
    "lab.who_yours": "dein {student}, {how} (Lauf {run}, {state})",
    "lab.distilled": "von {teacher} destilliert mit {method}", "lab.labels_only": "nur mit Labels trainiert",
    "lab.test_acc": "{acc} % Test",
    "view.similarity.title": "Klassenähnlichkeit: das dunkle Wissen",
    "view.similarity.intro": "Jede Zeile ist eine wahre Klasse, jede Zelle die mittlere Wahrscheinlichkeit, die "
                             "das Modell einer anderen Klasse gibt, weichgemacht bei T. Die Diagonale (die eigene "
                             "Klasse) steht für sich.",
    "view.calibration.title": "Kalibrierung",
    "view.calibration.intro": "Wie sicher jedes Modell ist (höchste Wahrscheinlichkeit bei T = 1) gegen wie oft es "
                              "recht hat, in 15 Klassen; ECE ist die mittlere Lücke, gewichtet mit den Bildern in "
                              "jeder Klasse.",
    "view.per_class.title": "Wo die Schüler scheitern",
    "view.why_dkd.title": "Warum DKD: das Gewicht des klassischen KD auf dem dunklen Wissen",
    "view.why_dkd.intro": "KD = TCKD + (1 − p<sub>t</sub>) · NCKD: wo der Lehrer sicher ist (p<sub>t</sub> nahe 1), "
                          "ist NCKD so gut wie abgeschaltet.",
    "view.missing_bias.title": "Die fehlende Klasse: ihren Bias anheben",
    "view.missing_bias.intro": "Die Schüler haben diese Klasse nie gesehen. Ein Bias auf ihrem Logit zeigt, wie viel "
                               "sie trotzdem über sie gelernt haben (Hinton et al. 2015, Abschnitt 3).",
    "knob.ins_T": "Temperatur T", "knob.ins_sim_model": "Modell", "knob.ins_conf_model": "Konfusionsmatrix von",
    "knob.ins_dkd_T": "Temperatur T", "knob.ins_bias_cls": "Weggelassene Klasse",
    "knob.ins_bias": "Bias auf ihrem Logit",
    "choice.teacher": "Lehrer", "choice.kd": "destillierter Schüler", "choice.scratch": "Zwilling",
    "choice.diff": "Schüler − Lehrer",
    "ins.showing": "Gezeigt: {source}.",
    "ins.source_pretrained": "der vortrainierte Lehrer **lenet5** und Schüler **lenet5_half** (noch kein "
                             "fertiger Lauf in dieser Sitzung: trainiere einen und drücke ⟳, um deinen zu sehen)",
    "ins.source_run": "dein Lauf {id}: **{student}** aus **{teacher}** ({method}, {dataset}{seeds}{omit}, {status})",
    "ins.seeds": ", {n} Seeds", "ins.omit": ", hat Klasse {classes} nie gesehen", "ins.labels": "Labels",
    "ins.start": "Öffne diesen Tab nach einem Lauf oder drücke ⟳, um die Ansichten zu sehen.",
    "ins.refresh": "⟳ Meinen letzten Lauf zeigen", "ins.report": "⬇ Bericht (HTML)",
    "ins.click": "**Klicke auf eine Zahl** in der Tabelle (Zeile: wahre Klasse, Spalte: vorhergesagte), um diese "
                 "Testbilder zu sehen.",
    "ins.true": "Wahre Klasse", "ins.pred": "Vorhergesagte Klasse", "ins.show": "Diese Bilder zeigen",
    "ins.image": "Testbild Nr.", "ins.open": "Im Labor öffnen →",
    # die Worte der Lehransichten (kdemo/teach/views.py und insights.py; der HTML-Bericht bleibt englisch)
    "list.and": " und ",
    "who.teacher": "Lehrer", "who.kd": "destillierte Schüler", "who.scratch": "Zwilling",
    "ins.pair": "**{a} ↔ {b}** ({score})",
    "ins.pairs": "Bei T = {T} hält der {who} diese Klassen für am ähnlichsten (mittlere Wahrscheinlichkeit, die jede "
                 "der anderen gibt, in beide Richtungen): {listed}.",
    "ins.extra": "Der Schüler gibt **{a} → {b}** im Vergleich zu seinem Lehrer die meiste zusätzliche "
                 "Wahrscheinlichkeit (+{x}).",
    "ins.well": "gut kalibriert", "ins.over": "überkonfident", "ins.under": "unterkonfident",
    "ins.judgement": "Der {who} ist {side} (im Mittel zu {conf} % sicher, in {acc} % der Fälle richtig, "
                     "ECE {ece} %).",
    "ins.the": "der {who}", "ins.side_one": "{who} ist {side}", "ins.side_many": "{who} sind {side}",
    "ins.at_1": "Bei T = 1: {summary}.", "ins.item": "- {line}",
    "ins.cell": "**{total}** Testbilder der Klasse **{cls}** hat der {who} {verb}{tail}",
    "ins.right": "richtig erkannt", "ins.called": "als {pred} eingestuft",
    "ins.first": "; die ersten {n} sind gezeigt: klicke eines an.", "ins.pick_one": ": klicke eines an.", "ins.end": ".",
    "ins.nckd": "Bei T = {T} ist das mittlere p<sub>t</sub> des Lehrers **{pt}**, also multipliziert klassisches KD "
                "NCKD (das dunkle Wissen unter den falschen Klassen) im Mittel mit **{w}**, und auf **{share} %** der "
                "Testbilder mit weniger als 0,01. DKD gibt NCKD stattdessen ein eigenes Gewicht β (β = {beta}: hier "
                "etwa das {times}-Fache).",
    "ins.no_teacher": "Dieser Lauf hat nur mit Labels trainiert: es gibt keinen Lehrer, also kein p<sub>t</sub> "
                      "zu zeigen.",
    "ins.bias_head": "Mit **{bias}** auf dem Logit der Klasse {name}:",
    "ins.bias_line": "- der {who}: **{cls_acc} %** der {n} Testbilder der Klasse {name}, **{all_acc} %** aller "
                     "Testbilder (von der Regel gewählter Bias {rule})",
    "ins.bias_rule": "Die Regel (wie im Experiment mit der fehlenden Ziffer) wählt den Bias, ab dem ein Schüler "
                     "{name} so oft vorhersagt wie der Lehrer; hier auf den Testbildern, ohne ihre Labels zu lesen.",
}
