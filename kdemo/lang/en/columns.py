"""English: the column headers of the page's tables, by their English (`col.<header>`; a {d} one stands for each digit),
and whole cells said in words (`cell.<text>`; a {c} one for a class). The tables' values, their CSV files and the API
keep the English; the page relabels what it shows (kdemo/app/style.py's PAGE_JS)."""
TEXT = {
    # the Train tab's results (kdemo/train/results.py RESULT_COLUMNS)
    "col.run": "run", "col.dataset": "dataset", "col.teacher": "teacher", "col.student": "student",
    "col.method": "method", "col.hyperparameters": "hyperparameters", "col.seeds": "seeds", "col.lr": "lr",
    "col.twin lr": "twin lr", "col.student acc %": "student acc %", "col.twin acc %": "twin acc %",
    "col.student − twin": "student − twin", "col.teacher acc %": "teacher acc %", "col.epochs": "epochs",
    "col.time s": "time s", "col.status": "status",
    # the class board (kdemo/app/tabs/board.py TABLE)
    "col.#": "#", "col.changed settings": "changed settings", "col.KD acc %": "KD acc %",
    "col.gain (points)": "gain (points)", "col.verdict": "verdict", "col.warnings": "warnings", "col.run s": "run s",
    # the experiments' results (kdemo/experiments/takeaways.py header)
    "col.condition": "condition", "col.test acc %": "test acc %",
    "col.test acc % after bias fix": "test acc % after bias fix", "col.bias added": "bias added",
    "col.labels": "labels", "col.optimizer steps": "optimizer steps", "col.CE weight": "CE weight",
    "col.soft-target images": "soft-target images", "col.T": "T", "col.teacher's mean top p": "teacher's mean top p",
    "col.teacher entropy (bits)": "teacher entropy (bits)", "col.α (TCKD)": "α (TCKD)", "col.β (NCKD)": "β (NCKD)",
    "col.TCKD weight": "TCKD weight", "col.NCKD weight": "NCKD weight", "col.soft loss at start": "soft loss at start",
    "col.soft loss at end": "soft loss at end",
    "col.test {d}s": "test {d}s", "col.{d}s right": "{d}s right", "col.{d}s right %": "{d}s right %",
    "col.{d}s right after fix": "{d}s right after fix", "col.{d}s right % after fix": "{d}s right % after fix",
    # the confusion table of the teaching views (kdemo/app/tabs/insights.py)
    "col.true \\ predicted": "true \\ predicted",
    # whole cells in words: a run's status, a board row without changes, the confusion table's rows
    "cell.done": "done", "cell.stopped": "stopped", "cell.failed": "failed", "cell.(the lesson's)": "(the lesson's)",
    "cell.true {c}": "true {c}",
    # the title of Gradio's toasts (its own English: their level)
    "toast.Error": "Error", "toast.Warning": "Warning", "toast.Info": "Info",
    # a results row's words (kdemo/train/results.py): the page says them in the visitor's language
    "row.labels": "{n} labels", "row.omit": "no {classes}", "row.transfer": "transfer set: all",
    "row.its_best": "{lr} (its best)", "row.best_is": "{lr} (best: {best})",
}
