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
}
