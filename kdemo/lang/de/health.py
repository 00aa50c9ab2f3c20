"""Deutsch: die Gesundheitswarnungen eines Laufs (kdemo/train/health.py hält jede als Schlüssel und Zahlen; die
Kommandozeile und die JSON-Zusammenfassung tragen das Englische, die Seite die Sprache des Besuchers)."""
TEXT = {
    "health.who_distilled": "Der destillierte Schüler", "health.who_student": "Der Schüler",
    "health.who_twin": "Der Zwilling", "health.who_teacher": "Der Lehrer", "health.who_seed": "{who} (Seed {seed})",
    "health.try_lower": "versuche lr ≤ {lr}",
    "health.advice_kd": "der Gradient der weichen Ziele von KD wächst mit T: bei T={t} und lr {lr} {lower}, ein "
                        "kleineres T oder KD-Gewicht, oder Logit-Standardisierung",
    "health.advice_lr": "lr {lr} ist zu groß dafür: {lower}",
    "health.nan": "NaN", "health.infinite": "unendlich",
    "health.diverged": "{who} ist in Epoche {epoch} divergiert: sein Verlust wurde {what}. {advice}.",
    "health.spike": "{who}: der Verlust sprang in Epoche {epoch} auf das {ratio}-Fache seines laufenden Medians: die "
                    "Lernrate ist an ihrer Grenze. Fällt die Genauigkeit als Nächstes, {advice}.",
    "health.one_class": "{share} % seiner Vorhersagen sind eine einzige Klasse",
    "health.fell": "seine Genauigkeit fiel auf {acc} %, Zufallsniveau",
    "health.collapse": "{who} ist in Epoche {epoch} kollabiert: {why}. {advice}.",
    "health.recovered": "Er hat sich erholt: {acc} % in Epoche {epoch}.",
    "health.stall": "{who} lernt nicht: nach {done} % des Laufs liegt seine Genauigkeit noch bei {acc} %, "
                    "Zufallsniveau. {advice}",
    "health.stall_labels": "Er lernt nur aus Labels, und nur {n} der Bilder in seinen Batches haben eines; der "
                           "destillierte Schüler bekommt auf jedem Bild die weichen Ziele des Lehrers.",
    "health.stall_grew": "Sein Verlust wuchs, statt zu fallen: {advice}.",
    "health.stall_dead": "Mit lr {lr} haben seine ersten Schritte vielleicht seine Einheiten getötet: {advice}.",
    "health.stall_flat": "Sein Verlust bewegt sich kaum: versuche eine größere lr (lr {lr} ist vielleicht zu klein), "
                         "mehr Epochen oder prüfe die Verlustgewichte.",
}
