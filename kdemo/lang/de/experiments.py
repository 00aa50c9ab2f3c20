"""Deutsch: der Experiments-Tab (seine Bedienelemente, Titel und Erklärung jedes Experiments)."""
TEXT = {
    "exp.pick": "Experiment", "exp.budget": "Umfang", "exp.quick": "kurz (etwa eine Minute)",
    "exp.full": "voll (einige Minuten)", "exp.seed": "Seed", "exp.load": "Voreinstellung in den Train-Tab laden",
    "exp.run": "▶ Experiment starten", "exp.stop": "■ Stopp", "exp.results": "Ergebnisse",
    "exp.idle": "Wähle ein Experiment und drücke <b>▶ Experiment starten</b>.",
    "exp.left_line": "Du hast die Warteschlange verlassen: das Experiment startet nicht.",
    "exp.nothing": "Nichts zu stoppen.",
    "exp.takeaway": "**Fazit:** {line}",
    # das Fazit eines Experiments, in Stücken (kdemo/experiments/takeaways.py)
    "take.pct": "{v} %", "take.none": "–", "take.end": ".", "take.a_few": "wenigen",
    "take.missing": "Nach der Bias-Korrektur erkannte der destillierte Schüler **{right} von {n}** Testbildern der {d}",
    "take.missing_twin": ", sein Zwilling von Grund auf **{right}**",
    "take.missing_before": " (vor der Korrektur: {kd}).",
    "take.missing_before_both": " (vor der Korrektur: {kd} und {twin}).",
    "take.few": "Mit {labels} Labels und denselben Optimiererschritten: von Grund auf **{scratch}**, KD **{kd}**",
    "take.few_transfer": ", KD + Transfer-Menge **{acc}**.",
    "take.sweep": "Bestes T = {best} (**{best_acc}**), schlechtestes T = {worst} ({worst_acc})",
    "take.sweep_twin": "; der Zwilling von Grund auf {acc}.",
    "take.dkd": "Bestes DKD: α = {alpha}, β = {beta} mit **{acc}**",
    "take.dkd_ce": "; Kreuzentropie allein bei der Rate des Gitters {acc}",
    "take.dkd_kd": "; klassisches KD {acc} (sein NCKD-Gewicht nur {nckd})",
    "take.dkd_twin": "; der Zwilling nur mit Labels bei seiner eigenen Rate {acc}",
    "take.versus": "{student} **{acc}**, sein Zwilling von Grund auf **{twin}** ({gap} Punkte).",
    "take.bug": "Korrektes KD **{good}**, der Wahrscheinlichkeits-Fehler **{bad}**",
    "take.bug_twin": ", der Zwilling von Grund auf {acc}",
    "take.bug_loss": "; der weiche Verlust des Fehlers ging von {first} auf {last}",
    "exp.missing_digit.title": "Fehlende Ziffer: ein Schüler, der nie eine 3 sah",
    "exp.missing_digit.text": (
        "**Die fehlende 3** (Hinton et al. 2015, Abschnitt 3). Der Schüler trainiert auf MNIST ohne jede 3, "
        "sieht also nie eine. Seine destillierte Version lernt trotzdem aus den weichen Zielen des Lehrers auf den "
        "anderen Ziffern: eine 5 oder eine 8, die „ein bisschen wie eine 3 aussieht“, trägt etwas "
        "Wahrscheinlichkeit für die 3. Sein Zwilling von Grund auf (gleiche Anfangsgewichte, gleiche Batches, nur "
        "Labels) lernt nur, dass nichts jemals eine 3 ist.\n\n"
        "**Worauf achten:** vor der Korrektur erkennen beide Schüler (fast) keine Test-3en: die Klasse war nie ein "
        "Ziel, ihr Bias ist viel zu niedrig. Dann heben wir den Bias der Klasse 3 um ein Delta an, das auf "
        "*Trainings*bildern gewählt wird, nie auf dem Testsatz: das Delta, mit dem der Schüler so viele "
        "Trainingsbilder „3“ nennt wie der Lehrer (der Anteil der 3en in den Vorhersagen des Lehrers). Der "
        "destillierte Schüler erkennt danach die meisten Test-3en und seine Gesamtgenauigkeit steigt; der Zwilling "
        "gewinnt viel weniger, weil er nie gelernt hat, wie eine 3 aussieht.\n"),
    "exp.few_labels.title": "Wenige Labels: weiche Ziele auf Bildern ohne Label",
    "exp.few_labels.text": (
        "**Wenige Labels** (Hinton et al. 2015, Abschnitt 3 und das Sprachexperiment). Der Schüler hat nur N Bilder "
        "mit Label. Drei Bedingungen, jede mit *derselben Zahl an Optimiererschritten* trainiert (gleiche "
        "Batchgröße, also gleicher Rechenaufwand; die Läufe mit N Bildern gehen nur viel öfter über ihre Bilder):\n\n"
        "1. **scratch, N Labels**: Kreuzentropie auf den N Bildern;\n"
        "2. **KD, N Labels**: dieselben Bilder, dazu die weichen Ziele des Lehrers auf ihnen;\n"
        "3. **KD + Transfermenge**: dieselben N Labels, dazu die weichen Ziele des Lehrers auf der ganzen "
        "Trainingsmenge ohne Label.\n\n"
        "Im Lauf mit Transfermenge enthalten die meisten Batches kein oder nur ein Bild mit Label, und die "
        "Kreuzentropie mittelt über die Bilder mit Label, sodass ein Bild die 63 weichen Ziele daneben überwiegen "
        "würde: dort ist das Gewicht der Kreuzentropie 0,1.\n\n"
        "**Worauf achten:** weiche Ziele auf denselben N Bildern helfen schon (jedes Bild sagt jetzt, wie sehr es "
        "jeder Klasse ähnelt), aber der große Sprung kommt von der Transfermenge: Bilder ohne Label kosten nichts, "
        "wenn ein Lehrer sie beschriftet. In den Kurven flachen die Läufe mit N Labels früh ab (sie haben alles "
        "viele Male gesehen), der Lauf mit Transfermenge wird weiter besser.\n"),
    "exp.temperature_sweep.title": "Temperatur-Durchlauf: was T sichtbar macht",
    "exp.temperature_sweep.text": (
        '**Temperatur-Durchlauf.** Derselbe Schüler (gleiche Anfangsgewichte, gleiche Batches) wird bei '
        'mehreren Temperaturen T destilliert, auf einer kleinen Menge mit Label, wo die weichen Ziele '
        'zählen. Softmax(z / T) des Lehrers: bei T = 1 ist sie fast one-hot (die weichen Ziele sagen kaum '
        'mehr als das Label), mit wachsendem T werden die kleinen Wahrscheinlichkeiten der falschen Klassen '
        'sichtbar („diese 7 sieht ein bisschen wie eine 1 aus“), und bei sehr großem T wird alles '
        'gleichverteilt.\n\n**Worauf achten:** die Kurve Genauigkeit über T (die gepunktete Linie ist der '
        'Zwilling, der den Lehrer nicht beachtet und bei seiner eigenen besten Rate trainiert, lr 0,02): '
        'erwarte ein umgekehrtes U, bei dem T = 1 nichts über den Zwilling hinaus bringt, mittleres T (etwa '
        '2–8) am meisten und sehr hohes T etwas weniger, weil die Ziele zur Gleichverteilung hin flacher '
        'werden. Mit 1000 Labels und einem fairen Zwilling sind die Gewinne klein (unter einem Punkt bei '
        'Seed 0), und KD läuft bei der einen stabilen Rate des Durchlaufs (0,003), nicht bei seiner besten '
        'für jedes T: lies die Form der Kurve, und nimm mehrere Seeds im Tab Trainieren, bevor du einer '
        'Größe traust. Die kleinen Diagramme zeigen, wie sich die Verteilung des Lehrers für eine Testziffer '
        'mit steigendem T ausbreitet; die Tabelle nennt die mittlere höchste Wahrscheinlichkeit und die '
        'Entropie des Lehrers auf den Trainingsbildern.\n'),
    "exp.dkd_grid.title": "DKD-Gitter: wo das dunkle Wissen steckt",
    "exp.dkd_grid.text": (
        '**DKD-Gitter aus alpha und beta** (Zhao et al., „Decoupled Knowledge Distillation“, CVPR 2022). '
        'Klassisches KD zerfällt genau in zwei Teile: KD = TCKD + (1 - p_t) NCKD, wobei TCKD die Sicherheit '
        'des Lehrers für Ziel gegen Rest nachbildet und NCKD, wie der Lehrer Wahrscheinlichkeit über die '
        '*falschen* Klassen verteilt, das „dunkle Wissen“. p_t ist die Wahrscheinlichkeit des Lehrers für '
        'die richtige Klasse bei Temperatur T, ein sicherer Lehrer multipliziert NCKD also mit einer kleinen '
        'Zahl. DKD gewichtet beide frei: alpha x TCKD + beta x NCKD (plus Kreuzentropie). alpha = beta = 0 '
        'ist reine Kreuzentropie bei der Rate des Gitters (0,003, bei der jede Zelle stabil trainiert); die '
        'zusätzlichen Zeilen sind klassisches KD beim selben T = 4 und, als faire Referenz, sein Zwilling '
        'nur mit Labels bei seiner eigenen besten Rate (lr 0,02).\n\n**Worauf achten:** jedes beta > 0 (NCKD) '
        'sollte die Genauigkeit deutlich über reine Kreuzentropie bei derselben Rate heben, während TCKD '
        'allein (alpha = 1, beta = 0) viel weniger hilft; gegen den Zwilling bei seiner eigenen Rate '
        'gewinnen nur beide Teile zusammen deutlich (Seed 0: +2,8 Punkte für alpha = 1, beta = 2). '
        'Klassisches KD multipliziert NCKD mit dem mittleren (1 - p_t) des Lehrers auf den Trainingsbildern, '
        'gezeigt im Untertitel der Heatmap und im letzten Diagramm: bei einem sicheren MNIST-Lehrer liegt es '
        'bei T = 4 unter 0,1 (unter 0,01 bei T = 1), der größte Teil des dunklen Wissens ist also '
        'abgeschaltet; DKD mit alpha = 1 und freiem beta sollte es schlagen.\n'),
    "exp.notebook_lenet_dkd.title": "Notebook: LeNet-5 -> halbes LeNet, DKD",
    "exp.notebook_lenet_dkd.text": (
        '**Notebook: LeNet-5 -> LeNet halber Breite mit DKD.** Die Einstellungen des DKD-Notebooks, aus dem '
        'dieses Labor entstand: Lehrer LeNet-5 (61,7k Parameter), Schüler LeNet-5 halber Breite (15,7k), DKD '
        'mit T = 4, alpha = 1 (TCKD), beta = 2 (NCKD), SGD lr 0,01 Momentum 0,5, Batch 64, auf ganz MNIST. '
        'Der Zwilling startet mit denselben Gewichten und sieht dieselben Batches.\n\n**Worauf achten:** DKD '
        'führt früh deutlich (mit diesem langsamen Optimierer sind die weichen Ziele das reichere Signal pro '
        'Schritt), und der Abstand schrumpft im Lauf des Trainings: mit 60.000 Labels lernt ein kleiner '
        'Schüler am Ende fast ebenso gut allein (Seed 0 auf dieser CPU: 98,6 % gegen 96,9 % nach 2 Epochen, '
        '98,7 % gegen 98,2 % nach 6). Das ist die ehrliche Vergleichslinie, von der sich die Experimente mit '
        'fehlender Ziffer und wenigen Labels abheben.\n'),
    "exp.notebook_mlp_kd.title": "Notebook: MLP 1200-1200 -> MLP 20-20, KD",
    "exp.notebook_mlp_kd.text": (
        '**Notebook: MLP 1200-1200 -> MLP 20-20 mit KD** (die Einstellung von Hinton et al. 2015 in ihrer '
        'kleinsten Form). Lehrer: ein mit Dropout regularisiertes MLP mit zwei versteckten Schichten aus '
        '1200 Einheiten (2,4M Parameter); Schüler: zwei versteckte Schichten aus 20 Einheiten (16k '
        'Parameter, 150x kleiner); KD bei T = 10, Adam lr 1e-4, Batch 32.\n\n**Worauf achten:** mit diesen '
        'Einstellungen liegt der destillierte Schüler weit *hinter* seinem Zwilling (Seed 0 auf dieser CPU: '
        '87,0 % gegen 94,9 % nach 2 Epochen), aber der größte Teil des Abstands ist die Lernrate, nicht der '
        'Lehrer: Adam 1e-4 aus dem Notebook ist langsam, und der Zwilling trainiert mit Adams üblichem 1e-3. '
        'Mit beiden bei 1e-3 (*Kapazitätslücke*, 5 Seeds) verliert das winzige MLP immer noch gegen seinen '
        'Zwilling, um 1,0 Punkte. Ein MLP mit 16k Parametern auf allen 60.000 Labels ist durch seine '
        'Kapazität begrenzt, nicht durch seine Daten: die Labels geben ihm schon alle Aufsicht, die es '
        'nutzen kann, und die bei T = 10 weichgemachten Ausgaben des Lehrers nachzubilden konkurriert damit, '
        'sie zu lernen. Hinton et al. berichten, dass für so kleine Schüler T um 2,5–4 besser wirkt als '
        'hohes T. Vergleiche mit *Wenige Labels*, wo dem Schüler Daten fehlen und Destillation gewinnt.\n'),
    "exp.prob_bug.title": "Der Wahrscheinlichkeits-Fehler: warum der weiche Verlust nichts lehrt",
    "exp.prob_bug.text": (
        '**Der Tutorial-Fehler: Wahrscheinlichkeiten an KL übergeben.** Viele KD-Tutorials schreiben '
        '`nn.KLDivLoss()(F.softmax(s / T), F.softmax(t / T))`. `kl_div` erwartet als erstes Argument '
        '*Log*-Wahrscheinlichkeiten; mit Wahrscheinlichkeiten berechnet es sum p_t (log p_t - q_s), was im '
        'Schüler fast konstant ist (sein Wert ist vor allem die Entropie des Lehrers) und dessen Gradient, '
        '-p_t dq_s, winzig ist. Der richtige Verlust ist `F.kl_div(F.log_softmax(s / T), F.softmax(t / T), '
        'reduction="batchmean") * T**2`.\n\nEinstellung, in der es sich zeigt: nur N Bilder mit Label in der '
        'Trainingsmenge ohne Label, sodass fast alles, was der Schüler lernen kann, über den weichen Verlust '
        'kommen muss. Gleicher Lehrer, gleiche Anfangsgewichte, gleiche Batches. Der Zwilling (nur Labels, '
        'gleiche Batches) ist die Kontrolle für „der weiche Verlust lehrt nichts“, kein Gegner: mit etwa '
        'einem Bild mit Label in sechs Batches bleibt er bei jeder Rate nahe dem Zufall. Ein Schüler, der '
        'nur auf seinen N Labels trainiert, ist das Experiment *Wenige Labels*.\n\n**Worauf achten:** der '
        'richtige KD-Schüler lernt aus den Bildern ohne Label und endet weit über dem Zufall; der '
        'fehlerhafte ist nicht besser als der Zwilling, sein weicher Verlust fügt den wenigen Labels nichts '
        'hinzu. Seine Kurve des weichen Verlusts ist fast flach (ihr Wert ist vor allem die Entropie des '
        'Lehrers, die der Schüler nicht ändern kann), während der richtige weiche Verlust stetig fällt.\n'),
    "exp.notebook_cifar_cnn.title": "Notebook: CIFAR-10-CNN -> leichtes CNN, KD",
    "exp.notebook_cifar_cnn.text": (
        "**Notebook: CIFAR-10-CNN als Lehrer -> leichtes CNN mit KD** (das PyTorch-Tutorial zur Wissensdestillation). "
        "Lehrer: 4 Faltungsschichten (1,19M Parameter); Schüler: 2 Faltungsschichten (268k); KD bei T = 2 mit den "
        "Gewichten 0,25 (weich) und 0,75 (hart), Adam lr 1e-3, Batch 128, 10 Epochen, keine Augmentierung (wie im "
        "Tutorial).\n\n"
        "**Worauf achten:** auf CIFAR-10 liegen, anders als auf MNIST, beide Schüler weit unter dem Lehrer, und das "
        "Tutorial berichtet einen mäßigen Gewinn des destillierten Schülers gegenüber dem allein trainierten; "
        "vergleiche die beiden Kurven mit der Linie des Lehrers. Braucht CIFAR-10 auf der Platte (der Lauf sagt, wo "
        "er gesucht hat und wie man es bekommt); auf der Maschine, die die Ergebnistabelle dieses Labors erzeugt "
        "hat, war es nicht messbar.\n"),
    "exp.capacity_gap.title": "Kapazitätslücke: welche Schüler vom Lehrer profitieren",
    "exp.capacity_gap.text": (
        '**Kapazitätslücke.** Ein Lehrer (das vortrainierte LeNet-5, 61,7k Parameter, 99,05 % auf MNIST) '
        'wird in vier sehr unterschiedlich große Schüler destilliert: ein MLP 20-20 (16k Parameter), LeNet-5 '
        'halber Breite (16k), LeNet-5 selbst (62k, so groß wie sein Lehrer) und ein MLP 800-800 (1,28M, '
        'zwanzigmal größer, aber ohne Faltungen). Jeder Schüler trainiert mit mehreren Seeds neben seinem '
        'Zwilling von Grund auf (gleiche Anfangsgewichte, gleiche Batches, nur Labels), alle auf der ganzen '
        'MNIST-Trainingsmenge, KD bei T = 4, Adam lr 1e-3.\n\n**Worauf achten:** der Gewinn KD − Zwilling '
        'jedes Schülers mit seinem 95-%-Intervall (ein Intervall, das null einschließt, heißt „kein klarer '
        'Unterschied“). Der Lehrer ist kein Geschenk: ein Schüler, der zu klein ist, um ihn nachzuahmen, das '
        'MLP 20-20, schneidet *schlechter* ab als sein Zwilling, wie im MLP-Notebook; das große MLP ist das, '
        'das gewinnt. Mit allen Labels und kurzem Training liegen die Gewinne bei ein bis zwei Punkten in '
        'die eine oder andere Richtung: vergleiche mit *Wenige Labels*, wo dem Schüler Daten fehlen. '
        'Gemessen auf dieser CPU (Seed 0, voller Umfang, Punkte Testgenauigkeit, 95-%-Intervall in '
        'Klammern): MLP 20-20 -1,0 (-1,4 bis -0,5), halbes LeNet -0,4 (-0,8 bis +0,0), LeNet-5 -0,3 (-0,9 '
        'bis +0,4), MLP 800-800 +1,1 (+0,2 bis +1,9).\n'),
    # die Bedingungen der Experimente
    "cond.kd_student": "KD-Schüler", "cond.scratch_twin": "Zwilling ohne Lehrer", "cond.kd_model": "KD {student}",
    "cond.twin_model": "Zwilling {student}", "cond.scratch_n": "ohne Lehrer, {n} Labels", "cond.kd_n": "KD, {n} Labels",
    "cond.kd_n_transfer": "KD, {n} Labels + Transfer-Set", "cond.method_student": "{title}-Schüler",
    "cond.kd_correct": "KD (Log-Wahrscheinlichkeiten, richtig)", "cond.scratch_labels": "Zwilling ohne Lehrer (nur Labels)",
    "cond.kd_bug": "KD mit dem Wahrscheinlichkeits-Fehler", "cond.kd_T": "KD, T={T}", "cond.scratch_no_teacher":
    "ohne Lehrer (nur Labels)", "cond.dkd": "DKD alpha={a} beta={b}", "cond.classic": "klassische KD (T={T})",
}
