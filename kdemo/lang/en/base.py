"""English: the page, its plots' text alternatives, verdicts and the tour."""
TEXT = {
    # the page (static labels: translated in the browser through gr.I18n, kdemo/app/labels.py)
    "page.header": "# kdemo — a knowledge distillation lab\nTrain a small *student* network from a big *teacher*'s "
                   "soft predictions and watch it race a twin trained on labels alone.",
    "page.presentation": "Presentation mode (bigger fonts and lines)",
    "page.results": "## Results of this session",
    "train.train": "▶ Train", "train.pause": "Pause", "train.resume": "Resume", "train.step": "Step ›",
    "train.stop": "■ Stop",
    "lab.draw": "**Draw a digit** with the mouse or a finger.",
    "lab.preview": "What the models see (28×28)",
    "lab.start": "Draw a digit or pick an MNIST test digit below.",
    "lab.teacher": "Teacher", "lab.student": "Student", "lab.target": "Target class (auto = teacher's guess)",
    "lab.pick": "↑ …or click an MNIST test digit.",
    "lab.index": "MNIST test image # (0 to 9999)",
    "lab.show": "Show this test image",
    "lab.keys": "**Keyboard:** type a test image number and press *Show this test image*, then Tab to the "
                "temperature slider below and change T with the arrow keys.",
    "lab.decoupled": "## Decoupled view (DKD): target vs rest at any temperature",
    "lab.T": "Temperature T for the decoupled view",
    # text alternatives of plots (kdemo/figures/describe.py)
    "alt.open": "The numbers behind this plot (text description)",
    "alt.untitled": "This plot",
    "alt.empty": "{title}: no data yet.",
    "alt.head": "{title}: {n} series.",
    "alt.bars": "{name}: highest at {top} ({value}).",
    "alt.curve": "{name} goes from {first} to {last} at {end}, highest {top} at {at}.",
    "alt.more": "{n} more series in the table.",
    "alt.x": "label", "alt.series": "series", "alt.points": "points", "alt.first": "first", "alt.last": "last",
    "alt.min": "lowest", "alt.max": "highest",
    # a run's verdict (kdemo/train/stats.py: verdict_parts gives the key and the numbers)
    "verdict.level_one": "KD level with the twin on one seed (run several seeds to see how much is luck)",
    "verdict.ahead_one": "KD ahead by {d} points on one seed (run several seeds to see how much is luck)",
    "verdict.behind_one": "KD behind by {d} points on one seed (run several seeds to see how much is luck)",
    "verdict.ahead": "KD ahead by {d} ± {half} points over {n} seeds",
    "verdict.behind": "KD behind by {d} ± {half} points over {n} seeds",
    "verdict.unclear": "no clear difference: KD − twin = {d} ± {half} points over {n} seeds",
    "verdict.fair": "KD (lr {kd_lr}) vs twin at its own best rate (lr {twin_lr}): ",
    "verdict.rigged": "KD (lr {kd_lr}) vs twin at lr {twin_lr}, not its own best rate (lr {best_lr}): ",
    "verdict.rate_part": "; part of that gap is the learning rate, not the teacher",
    "verdict.stall_part": "; the twin stalled, so part of that gap is its slow start, not the teacher",
    # the guided tour (kdemo/teach/tour.py, kdemo/app/tabs/tour.py)
    "tour.open": "🧭 Start here: a guided tour",
    "tour.title": "Guided tour",
    "tour.go": "Take me there",
    "tour.next": "Next step →",
    "tour.skip": "Skip this step",
    "tour.close": "Close the tour",
    "tour.progress": "Step {i} of {n}",
    "tour.waiting": " <i>I'll wait until you have done it.</i>",
    "tour.next_hint": " Press <b>Next step</b> when you are ready.",
    "tour.end": "<b>That's the tour.</b> You trained a student from a teacher, saw what temperature does, looked "
                "inside the KD loss and at what the teacher knows, and how a student learns a class it never saw. "
                "Reopen the tour from <b>Start here</b> at the top at any time.",
    "tour.step.train": "<b>Press ▶ Train</b> (the defaults are fine). A distilled student learns from the "
                       "teacher's soft predictions while its twin, with the same start and the same batches, learns "
                       "from the labels alone.",
    "tour.step.temperature": "<b>Change the temperature T</b> on the left (try 1 or 10) <b>and press ▶ Train "
                             "again</b>. T softens the teacher's predictions before the student copies them.",
    "tour.step.lab": "In the <b>Temperature lab</b>, <b>draw a digit</b> (or type a test image number and press "
                     "<i>Show this test image</i>), then <b>move the temperature slider</b> of the decoupled view.",
    "tour.step.dkd": "Open <b>Teaching views</b> and press <b>⟳ Show my last run</b>, then read section 4: the "
                     "decoupled view of your run, where KD's weight on the dark knowledge is 1 − p<sub>t</sub>.",
    "tour.step.similarity": "In section 1, <b>the class-similarity view</b>, <b>change its T or its model</b>: "
                            "which digits does the model find alike?",
    "tour.step.missing": "Try <b>the missing-3s lesson</b>: in <b>Experiments</b>, pick <i>Missing digit</i> and "
                         "press <b>▶ Run experiment</b> (about a minute). A student that never saw a 3 learns about "
                         "3s from "
                         "the teacher.",
    "tour.seeds.one": " on one seed.",
    "tour.seeds.many": " on {n} seeds.",
    "tour.words.train": "✅ Your distilled student reached <b>{kd}%</b>, its twin <b>{twin}%</b>: <b>{diff} "
                        "points</b>",
    "tour.words.temperature": "✅ At T = {t1} your distilled student reached <b>{kd1}%</b> ({d1} points against "
                              "its twin); at T = {t0} it had reached {kd0}% ({d0} points).",
    "tour.words.lab": "✅ At T = {t0} the teacher gave the {target} a probability of <b>{p0}</b>; at T = {t1}, "
                      "<b>{p1}</b>.",
    "tour.words.lab_up": " A higher temperature moves probability to the other digits: the dark knowledge the "
                         "student can learn from.",
    "tour.words.lab_down": " A lower temperature sharpens the teacher's answer and hides what it thinks of the "
                           "other digits.",
    "tour.words.dkd": "✅ From your run: {text}",
    "tour.words.similarity": "✅ From your run: {text}",
    "tour.words.missing": "✅ {text}",
    "page.title": "kdemo · knowledge distillation lab",
}
