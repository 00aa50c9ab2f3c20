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
    # the Teaching views (kdemo/teach/catalog.py declares them; kdemo/app/tabs/insights.py shows them)
    "view.similarity.title": "Class similarity: the dark knowledge",
    "view.similarity.intro": "Each row is a true class; each cell the mean probability the model gives another "
                             "class, softened at T. The diagonal (own class) sits apart.",
    "view.calibration.title": "Calibration",
    "view.calibration.intro": "How sure each model is (top probability at T = 1) against how often it is right, in "
                              "15 bins; ECE is the mean gap, weighted by the images in each bin.",
    "view.per_class.title": "Where the students fail",
    "view.why_dkd.title": "Why DKD: classic KD's weight on the dark knowledge",
    "view.why_dkd.intro": "KD = TCKD + (1 − p<sub>t</sub>) · NCKD: where the teacher is sure (p<sub>t</sub> near 1), "
                          "NCKD is all but switched off.",
    "view.missing_bias.title": "The missing class: raise its bias",
    "view.missing_bias.intro": "The students never saw this class. Adding a bias to its logit shows how much they "
                               "learned about it anyway (Hinton et al. 2015, section 3).",
    "knob.ins_T": "Temperature T", "knob.ins_sim_model": "Model", "knob.ins_conf_model": "Confusion matrix of",
    "knob.ins_dkd_T": "Temperature T", "knob.ins_bias_cls": "Omitted class", "knob.ins_bias": "Bias on its logit",
    "choice.teacher": "teacher", "choice.kd": "distilled student", "choice.scratch": "twin",
    "choice.diff": "student − teacher",
    "ins.showing": "Showing {source}.",
    "ins.source_pretrained": "the pretrained **lenet5** teacher and **lenet5_half** student (no finished run in "
                             "this session yet: train one and press ⟳ to see yours)",
    "ins.source_run": "your run {id}: **{student}** from **{teacher}** ({method}, {dataset}{seeds}{omit}, {status})",
    "ins.seeds": ", {n} seeds", "ins.omit": ", never saw class {classes}", "ins.labels": "labels",
    "ins.start": "Open this tab after a run, or press ⟳, to see the views.",
    "ins.refresh": "⟳ Show my last run", "ins.report": "⬇ Report (HTML)",
    "ins.click": "**Click a number** in the table (row: true class, column: predicted) to see those test images.",
    "ins.true": "True class", "ins.pred": "Predicted class", "ins.show": "Show these images",
    "ins.image": "Test image #", "ins.open": "Open in lab →",
    # the Teaching views' words (kdemo/teach/views.py and insights.py; the HTML report keeps the English)
    "list.and": " and ",
    "who.teacher": "teacher", "who.kd": "distilled student", "who.scratch": "twin",
    "ins.pair": "**{a} ↔ {b}** ({score})",
    "ins.pairs": "At T = {T} the {who}'s most similar classes (mean probability each puts on the other, both ways): "
                 "{listed}.",
    "ins.extra": "The student gives **{a} → {b}** the most extra probability (+{x}) compared with its teacher.",
    "ins.well": "well calibrated", "ins.over": "over-confident", "ins.under": "under-confident",
    "ins.judgement": "The {who} is {side} ({conf}% sure on average, right {acc}% of the time, ECE {ece}%).",
    "ins.the": "the {who}", "ins.side_one": "{who} is {side}", "ins.side_many": "{who} are {side}",
    "ins.at_1": "At T = 1, {summary}.", "ins.item": "- {line}",
    "ins.cell": "**{total}** test images of class **{cls}** the {who} {verb}{tail}",
    "ins.right": "right", "ins.called": "called {pred}", "ins.first": "; the first {n} are shown: click one.",
    "ins.pick_one": ": click one.", "ins.end": ".",
    "ins.nckd": "At T = {T} the teacher's mean p<sub>t</sub> is **{pt}**, so classic KD multiplies NCKD (the dark "
                "knowledge among the wrong classes) by **{w}** on average, and by less than 0.01 on **{share}%** of "
                "the test images. DKD gives NCKD its own weight β instead (β = {beta}: about {times}× as much here).",
    "ins.no_teacher": "This run trained on labels only: there is no teacher, so no p<sub>t</sub> to show.",
    "ins.bias_head": "With **{bias}** added to the logit of class {name}:",
    "ins.bias_line": "- the {who}: **{cls_acc}%** of the {n} test {name}s, **{all_acc}%** of all test images "
                     "(rule-chosen bias {rule})",
    "ins.bias_rule": "The rule (as in the missing-digit experiment) picks the bias after which a student predicts "
                     "{name} as often as the teacher does; here on the test images, without reading their labels.",
}
