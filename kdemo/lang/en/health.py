"""English: a run's health warnings (kdemo/train/health.py keeps each as keys and numbers; the CLI and the JSON
summary carry this English, the page the visitor's language)."""
TEXT = {
    "health.who_distilled": "the distilled student", "health.who_student": "the student",
    "health.who_twin": "the twin", "health.who_teacher": "the teacher", "health.who_seed": "{who} (seed {seed})",
    "health.try_lower": "try lr ≤ {lr}",
    "health.advice_kd": "KD's soft-target gradient grows with T: at T={t} and lr {lr} {lower}, a smaller T or KD "
                        "weight, or logit standardization",
    "health.advice_lr": "lr {lr} is too large for it: {lower}",
    "health.nan": "NaN", "health.infinite": "infinite",
    "health.diverged": "{who} diverged at epoch {epoch}: its loss became {what}. {advice}.",
    "health.spike": "{who}'s loss jumped to {ratio}× its running median at epoch {epoch}: the learning rate is at "
                    "its limit. If accuracy drops next, {advice}.",
    "health.one_class": "{share}% of its predictions are one class",
    "health.fell": "its accuracy fell to {acc}%, chance level",
    "health.collapse": "{who} collapsed at epoch {epoch}: {why}. {advice}.",
    "health.recovered": "It recovered: {acc}% at epoch {epoch}.",
    "health.stall": "{who} is not learning: {done}% into the run its accuracy is still {acc}%, chance level. "
                    "{advice}",
    "health.stall_labels": "It learns from labels alone, and only {n} of the images in its batches have one; the "
                           "distilled student gets the teacher's soft targets on every image.",
    "health.stall_grew": "Its loss grew instead of falling: {advice}.",
    "health.stall_dead": "With lr {lr} its first steps may have killed its units: {advice}.",
    "health.stall_flat": "Its loss barely moves: try a larger lr (lr {lr} may be too small), more epochs, or check "
                         "the loss weights.",
}
