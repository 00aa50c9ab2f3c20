"""English: the Temperature lab's results and the Teaching views (kdemo/teach/lab_view.py, catalog.py,
kdemo/app/tabs/lab.py, insights.py)."""
TEXT = {
    "lab.yours": "your trained student", "lab.pretrained": "pretrained student",
    "pad.aria": "Drawing pad: draw one digit", "pad.undo_title": "Undo the last stroke",
    "pad.clear_title": "Clear the canvas",
    "lab.undo": "↶ Undo", "lab.clear": "✕ Clear",
    "lab.empty_probs": "Softened probabilities at T = 1, 2, 4, 8, 16", "lab.empty_dkd": "TCKD, NCKD and KD appear here",
    "lab.empty_canvas": "The canvas is empty: draw a digit, or click an MNIST test digit below.",
    "lab.numbers": "At **T = {T}**, target **{target}** (teacher's p<sub>t</sub> = {pt}): **TCKD** = {tckd}, "
                   "**NCKD** = {nckd}, weight **1 − p<sub>t</sub>** = {w}, so **KD** = {tckd} + {w} × {nckd} = "
                   "**{kd}**. A confident teacher (p<sub>t</sub> → 1) silences NCKD: that is why DKD weights it "
                   "separately (β).",
    "lab.caption": "Teacher: pretrained {teacher} · Student: {who} · teacher says **{t}**, student says **{s}** · "
                   "computed in {ms} ms",
    "lab.who_pretrained": "the pretrained {name}",
    "lab.who_instead": "the pretrained {name}, shown because you have not trained an MNIST student yet",
    "lab.who_yours": "your {student}, {how} (run {run}, {state})",
    "lab.distilled": "distilled from {teacher} by {method}", "lab.labels_only": "trained on labels only",
    "lab.test_acc": "{acc}% test",
}
