"""English: the Experiments tab (its controls, and each experiment's title and explanation: kdemo/experiments)."""
TEXT = {
    "exp.pick": "Experiment", "exp.budget": "Budget", "exp.quick": "quick (about a minute)",
    "exp.full": "full (a few minutes)", "exp.seed": "Seed", "exp.load": "Load preset into Train tab",
    "exp.run": "▶ Run experiment", "exp.stop": "■ Stop", "exp.results": "Results",
    "exp.idle": "Pick an experiment and press <b>▶ Run experiment</b>.",
    "exp.left_line": "You left the line: the experiment will not start.", "exp.nothing": "Nothing to stop.",
    "exp.takeaway": "**Takeaway:** {line}",
    # an experiment's takeaway, in pieces (kdemo/experiments/takeaways.py)
    "take.pct": "{v}%", "take.none": "–", "take.end": ".", "take.a_few": "a few",
    "take.missing": "After the bias fix the distilled student recognised **{right} of {n}** test {d}s",
    "take.missing_twin": ", its scratch twin **{right}**",
    "take.missing_before": " (before the fix: {kd}).", "take.missing_before_both": " (before the fix: {kd} and {twin}).",
    "take.few": "With {labels} labels and the same optimizer steps: scratch **{scratch}**, KD **{kd}**",
    "take.few_transfer": ", KD + transfer set **{acc}**.",
    "take.sweep": "Best T = {best} (**{best_acc}**), worst T = {worst} ({worst_acc})",
    "take.sweep_twin": "; the scratch twin {acc}.",
    "take.dkd": "Best DKD: α = {alpha}, β = {beta} at **{acc}**",
    "take.dkd_ce": "; cross-entropy alone at the grid's rate {acc}",
    "take.dkd_kd": "; classic KD {acc} (its NCKD weight only {nckd})",
    "take.dkd_twin": "; the labels-only twin at its own rate {acc}",
    "take.versus": "{student} **{acc}**, its scratch twin **{twin}** ({gap} points).",
    "take.bug": "Correct KD **{good}**, the probabilities bug **{bad}**", "take.bug_twin": ", the scratch twin {acc}",
    "take.bug_loss": "; the bug's soft loss went {first} → {last}",
    "exp.missing_digit.title": 'Missing digit: a student that never saw a 3',
    "exp.missing_digit.text": (
        '**The missing 3** (Hinton et al. 2015, section 3). The student trains on MNIST with every\n3 removed,'
        " so it never sees one. Its distilled version still learns from the teacher's soft targets on"
        ' the\nother digits: a 5 or an 8 that "looks a bit like a 3" carries some probability for 3. Its'
        ' scratch\ntwin (same initial weights, same batches, labels only) learns only that nothing is ever a'
        ' 3.\n\n**Look for:** before the fix both students score (almost) no test 3s: the class was never a'
        ' target, so its\nbias is far too low. Then we raise the bias of class 3 by a delta chosen on'
        ' *training* images, never the\ntest set: the delta that makes the student call as many training'
        ' images "3" as the teacher does (the prior of\n3s in the teacher\'s predictions). The distilled'
        ' student then gets most test 3s right and its overall\naccuracy rises; the scratch twin gains far'
        ' fewer, because it never learned what a 3 looks like.\n'),
    "exp.few_labels.title": 'Few labels: soft targets on unlabeled images',
    "exp.few_labels.text": (
        '**Few labels** (Hinton et al. 2015, section 3 and the speech experiment). The student has only'
        ' N\nlabeled images. Three conditions, each trained for the *same number of optimizer steps* (same'
        ' batch size, so the same\ncompute; the N-image runs simply loop over their images many more'
        ' times):\n\n1. **scratch, N labels**: cross-entropy on the N images;\n2. **KD, N labels**: the same'
        " images, plus the teacher's soft targets on them;\n3. **KD + transfer set**: the same N labels, plus"
        " the teacher's soft targets on the whole unlabeled training set.\n\nIn the transfer-set run most"
        ' batches hold no labeled image or just one, and the cross-entropy averages over the\nlabeled ones, so'
        ' one image would outweigh the 63 soft targets beside it: there the cross-entropy weight is'
        ' 0.1.\n\n**Look for:** soft targets on the same N images already help (each image now says how much it'
        ' resembles every\nclass), but the big jump comes from the transfer set: unlabeled images cost nothing'
        ' to label when a teacher does it.\nIn the curves, the N-label runs plateau early (they have seen'
        ' everything many times), the transfer-set run keeps\nimproving.\n'),
    "exp.temperature_sweep.title": 'Temperature sweep: what T reveals',
    "exp.temperature_sweep.text": (
        '**Temperature sweep.** The same student (same initial weights, same batches) is distilled '
        'at\nseveral temperatures T, on a small labeled set where the soft targets matter. Softmax(z / T) of '
        'the teacher: at T = 1\nit is almost one-hot (the soft targets say little more than the label), as T '
        'grows the small probabilities of the\nwrong classes ("this 7 looks a bit like a 1") become visible, '
        'and at very large T everything tends to uniform.\n\n**Look for:** the accuracy-vs-T curve (the dotted '
        'line is the scratch twin, which ignores the teacher and trains at its own\nbest rate, lr 0.02): '
        'expect an inverted U, where T = 1 adds nothing over the twin, moderate T (about 2-8) adds the\nmost '
        'and very high T a bit less, as the targets flatten toward uniform. With 1000 labels and a fair twin '
        "the\ngains are small (under a point on seed 0), and KD runs at the sweep's one stable rate (0.003), "
        'not at its own best\nfor each T: read the shape of the curve, and use several seeds on the Train tab '
        "before trusting a size. The small multiples show how the teacher's distribution for one test "
        "digit\nspreads out as T rises; the table gives the teacher's mean top probability and entropy on the "
        'training images.\n'),
    "exp.dkd_grid.title": 'DKD grid: where the dark knowledge is',
    "exp.dkd_grid.text": (
        '**DKD alpha/beta grid** (Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022). Classic '
        "KD\nsplits exactly into two parts: KD = TCKD + (1 - p_t) NCKD, where TCKD matches the teacher's "
        'target-vs-rest\nconfidence and NCKD matches how the teacher spreads probability over the *wrong* '
        'classes, the "dark knowledge".\np_t is the teacher\'s probability of the true class at temperature T, '
        'so a confident teacher multiplies NCKD by a\nsmall number. DKD weights the two freely: alpha x TCKD '
        "+ beta x NCKD (plus cross-entropy). alpha = beta = 0 is plain\ncross-entropy at the grid's rate "
        '(0.003, where every cell trains stably); the extra rows are classic KD at the\nsame T = 4 and, as '
        'the fair reference, its labels-only twin at its own best rate (lr 0.02).\n\n**Look for:** any beta > '
        '0 (NCKD) should lift accuracy clearly above cross-entropy alone at the same rate, while TCKD\nalone '
        '(alpha = 1, beta = 0) helps much less; against the twin at its own rate only both parts together '
        'win clearly\n(seed 0: +2.8 points for alpha = 1, beta = 2). Classic KD multiplies NCKD by the '
        "teacher's mean (1 - p_t) on the training\nimages, shown in the heatmap's subtitle and the last plot: "
        'with a confident MNIST teacher it is below 0.1 at T = 4\n(under 0.01 at T = 1), so most of the dark '
        'knowledge is switched off; DKD with alpha = 1 and a free beta should\nbeat it.\n'),
    "exp.notebook_lenet_dkd.title": 'Notebook: LeNet-5 -> half LeNet, DKD',
    "exp.notebook_lenet_dkd.text": (
        '**Notebook: LeNet-5 -> half-width LeNet with DKD.** The settings of the DKD notebook this lab\ngrew '
        'from: teacher LeNet-5 (61.7k parameters), student LeNet-5 at half width (15.7k), DKD with T = 4, '
        'alpha = 1 (TCKD),\nbeta = 2 (NCKD), SGD lr 0.01 momentum 0.5, batch 64, on all of MNIST. The scratch '
        'twin starts from the same weights\nand sees the same batches.\n\n**Look for:** DKD leads clearly early '
        'on (with this slow optimizer the soft targets are the richer signal per\nstep), and the gap shrinks '
        'as training goes on: with 60,000 labels a small student eventually learns almost as well\nalone '
        '(seed 0 on this CPU: 98.6% vs 96.9% after 2 epochs, 98.7% vs 98.2% after 6). That is the honest '
        'baseline the\nmissing-digit and few-labels experiments contrast with.\n'),
    "exp.notebook_mlp_kd.title": 'Notebook: MLP 1200-1200 -> MLP 20-20, KD',
    "exp.notebook_mlp_kd.text": (
        '**Notebook: MLP 1200-1200 -> MLP 20-20 with KD** (the setting of Hinton et al. 2015 at '
        'its\nsmallest). Teacher: a dropout-regularised MLP with two hidden layers of 1200 units (2.4M '
        'parameters); student: two\nhidden layers of 20 units (16k parameters, 150x smaller); KD at T = 10, '
        'Adam lr 1e-4, batch 32.\n\n**Look for:** with these settings the distilled student *trails* its '
        'scratch twin by far (seed 0 on this CPU:\n87.0% vs 94.9% after 2 epochs), but most of that gap is '
        "the learning rate, not the teacher: the notebook's Adam\n1e-4 is slow, and the twin trains at Adam's "
        'usual 1e-3. With both at 1e-3 (*Capacity gap*, 5 seeds) the tiny MLP\nstill loses to its twin, by '
        '1.0 point. A 16k-parameter MLP on all 60,000 labels is limited by its\ncapacity, not by its data: '
        "the labels already give it all the supervision it can use, and matching the teacher's\noutputs "
        'softened at T = 10 competes with fitting them. Hinton et al. report that for students this small, T '
        'around\n2.5-4 works better than high T.\nCompare with *Few labels*, where the student is short of '
        'data and distillation wins.\n'),
    "exp.prob_bug.title": 'The probabilities bug: why the soft loss teaches nothing',
    "exp.prob_bug.text": (
        '**The tutorial bug: probabilities fed to KL.** Many KD tutorials write\n`nn.KLDivLoss()(F.softmax(s '
        '/ T), F.softmax(t / T))`. `kl_div` expects *log*-probabilities as its first argument;\ngiven '
        'probabilities it computes sum p_t (log p_t - q_s), which is almost constant in the student (its '
        "value is\nmostly the teacher's own entropy) and whose gradient, -p_t dq_s, is tiny. The correct loss "
        'is\n`F.kl_div(F.log_softmax(s / T), F.softmax(t / T), reduction="batchmean") * T**2`.\n\nSetting where '
        'it shows: only N labeled images inside the unlabeled training set, so nearly everything the '
        'student\ncan learn must come through the soft loss. Same teacher, same initial weights, same '
        'batches. The scratch twin\n(labels only, same batches) is the control for "the soft loss teaches '
        'nothing", not a rival: with about one\nlabeled image in every six batches it stays near chance at '
        'any rate. A student trained on its N labels alone is\nthe *Few labels* experiment.\n\n**Look for:** '
        'the correct KD student learns from the unlabeled images and ends far above chance; the buggy one is '
        'no\nbetter than the twin, its soft loss adding nothing to the few labels. Its soft-loss curve is '
        "nearly flat (its value is mostly the teacher's own\nentropy, which the student cannot change), while "
        'the correct soft loss falls steadily.\n'),
    "exp.notebook_cifar_cnn.title": 'Notebook: CIFAR-10 CNN -> light CNN, KD',
    "exp.notebook_cifar_cnn.text": (
        '**Notebook: CIFAR-10 CNN teacher -> light CNN with KD** (the PyTorch'
        ' knowledge-distillation\ntutorial). Teacher: 4 conv layers (1.19M parameters); student: 2 conv layers'
        ' (268k); KD at T = 2 with weights 0.25\n(soft) and 0.75 (hard), Adam lr 1e-3, batch 128, 10 epochs,'
        ' no augmentation (as the tutorial).\n\n**Look for:** on CIFAR-10, unlike MNIST, both students are far'
        ' below the teacher, and the tutorial reports a modest\ngain of the distilled student over the one'
        " trained alone; compare the two curves against the teacher's line. Needs\nCIFAR-10 on disk (the run"
        ' says where it looked and how to get it); it was not measurable on the machine that\nproduced this'
        " lab's results table.\n"),
    "exp.capacity_gap.title": 'Capacity gap: which students gain from the teacher',
    "exp.capacity_gap.text": (
        '**Capacity gap.** One teacher (the pretrained LeNet-5, 61.7k parameters, 99.05% on MNIST) '
        'is\ndistilled into four students of very different size: an MLP 20-20 (16k parameters), LeNet-5 at '
        'half width (16k),\nLeNet-5 itself (62k, as big as its teacher) and an MLP 800-800 (1.28M, twenty '
        'times bigger but without\nconvolutions). Each student trains with several seeds next to its '
        'from-scratch twin (same initial weights, same\nbatches, labels only), all on the full MNIST training '
        'set, KD at T = 4, Adam lr 1e-3.\n\n**Look for:** the gain KD − twin of each student with its 95% '
        'interval (an interval that crosses zero says "no clear\ndifference"). The teacher is not a free '
        'lunch: a student too small to imitate it, the MLP 20-20, does *worse* than\nits twin, as in the MLP '
        'notebook; the large MLP is the one that gains. With every label available and short\ntraining, the '
        'gains are a point or two either way: compare with *Few labels*, where the student lacks '
        'data.\nMeasured on this CPU (seed 0, full budget, points of test accuracy, 95% interval in '
        'brackets): MLP 20-20 -1.0\n(-1.4 to -0.5), half LeNet -0.4 (-0.8 to +0.0), LeNet-5 -0.3 (-0.9 to '
        '+0.4), MLP 800-800 +1.1 (+0.2 to +1.9).\n'),
    # the experiments' conditions (a row's "condition": data, kept in English for files and the API; the page's table
    # and figures say them in the visitor's language: kdemo/figures/words.py Text)
    "cond.kd_student": "KD student", "cond.scratch_twin": "scratch twin", "cond.kd_model": "KD {student}",
    "cond.twin_model": "twin {student}", "cond.scratch_n": "scratch, {n} labels", "cond.kd_n": "KD, {n} labels",
    "cond.kd_n_transfer": "KD, {n} labels + transfer set", "cond.method_student": "{title} student",
    "cond.kd_correct": "KD (log-probabilities, correct)", "cond.scratch_labels": "scratch twin (labels only)",
    "cond.kd_bug": "KD with the probabilities bug", "cond.kd_T": "KD, T={T}", "cond.scratch_no_teacher":
    "scratch (no teacher)", "cond.dkd": "DKD alpha={a} beta={b}", "cond.classic": "classic KD (T={T})",
}
