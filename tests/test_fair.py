"""A fair race: the twin trains at its own measured rate, the verdict says what it compares, and `sweep` runs the
grids the rate tables come from (any setting of the table, one or two at once, with the tables' rule)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kdemo.commands.sweep import grid, markdown, pick
from kdemo.methods.rates import TWIN_SGD_LR, twin_lr
from kdemo.settings.config import TrainConfig
from kdemo.train.engine import Run
from kdemo.train.stats import fair_verdict

ROOT = Path(__file__).resolve().parent.parent
TINY = dict(n_labeled=100, epochs=1.0, seeds=2, eval_samples=100, eval_points=2, device="cpu")


def test_twin_lr_is_auto_same_or_a_number():
    cfg = TrainConfig()
    assert cfg.twin_lr == "auto" and cfg.twin_rate == TWIN_SGD_LR["mnist", "lenet5_half"][500, 20.0, "labeled"]
    assert cfg.twin_rate != cfg.lr                      # the default twin does not run at KD's rate
    assert TrainConfig(twin_lr="same").twin_rate == cfg.lr
    assert TrainConfig(twin_lr=0.03).twin_rate == 0.03 and TrainConfig(twin_lr="0.03").twin_rate == 0.03
    for bad, words in ((None, "is empty"), ("fast", "auto or same or a number"), (-1, "above 0"), (True, "number")):
        with pytest.raises(ValueError, match=words):
            TrainConfig(twin_lr=bad)


def test_the_twin_table_says_where_its_rate_comes_from():
    lr, source = twin_lr("mnist", "lenet5_half", 500, 20.0)
    assert lr == 0.05 and "measured" in source
    lr, source = twin_lr("mnist", "lenet5_half", 450, 22.0)          # not measured: the nearest setup, said so
    assert lr == 0.05 and "nearest measured setup: 500 labels, 20 epochs" in source
    assert "not measured" in twin_lr("mnist", "lenet5_half", 500, 20.0, optimizer="adam")[1]


def _c(d, lo, hi):
    return {"diff_mean": d, "diff_ci95": [lo, hi], "per_seed": [{}] * 5}


def test_the_verdict_names_both_rates_and_a_rigged_race():
    ahead, behind = _c(0.031, 0.010, 0.052), _c(-0.01, -0.015, -0.005)
    fair = fair_verdict(ahead, 0.005, 0.05, 0.05)
    assert fair == "KD (lr 0.005) vs twin at its own best rate (lr 0.05): KD ahead by 3.1 ± 2.1 points over 5 seeds"
    rigged = fair_verdict(ahead, 0.005, 0.005, 0.05)
    assert "twin at lr 0.005, not its own best rate (lr 0.05)" in rigged
    assert rigged.endswith("part of that gap is the learning rate, not the teacher")
    assert fair_verdict(ahead, 0.005, 0.05, 0.05, twin_stalled=True).endswith("its slow start, not the teacher")
    late = fair_verdict(behind, 0.005, 0.005, 0.05)
    assert "part of that gap" not in late and "not its own best rate" in late
    german = fair_verdict(ahead, 0.005, 0.005, 0.05, lang="de")
    assert german.startswith("KD (lr 0,005) gegen den Zwilling bei lr 0,005, nicht seiner besten Rate (lr 0,05)")
    assert "3,1 ± 2,1" in german and german.endswith("nicht der Lehrer")


def test_a_runs_summary_carries_both_rates():
    summary = Run(TrainConfig(**TINY, twin_lr="same")).run()
    assert summary["status"] == "done"
    assert summary["kd_lr"] == summary["twin_lr"] == 0.005 and summary["twin_lr_setting"] == "same"
    assert summary["twin_lr_best"] == twin_lr("mnist", "lenet5_half", 100, 1.0)[0]
    assert summary["verdict"].startswith("KD (lr 0.005) vs twin at lr 0.005, not its own best rate")


def test_grid_takes_any_setting_and_refuses_bad_ones_in_words():
    assert grid(["lr"], ["0.01,0.02"]) == [{"lr": 0.01}, {"lr": 0.02}]
    cells = grid(["method", "temperature"], ["kd,dkd", "1,4"])
    assert len(cells) == 4 and cells[1] == {"method": "kd", "temperature": 4.0}
    assert grid(["twin_lr"], ["auto,same,0.05"]) == [{"twin_lr": "auto"}, {"twin_lr": "same"}, {"twin_lr": 0.05}]
    for params, values, words in ((["lr"], ["0.01,abc"], "must be a number"), (["nope"], ["1"], "unknown setting"),
                                  (["lr", "seed", "epochs"], ["1", "2", "3"], "one or two"),
                                  (["device"], ["cpu"], "not a run setting"), (["lr"], [","], "lists no value")):
        with pytest.raises(ValueError, match=words):
            grid(params, values)


def _cell(lr, seeds, warnings=()):
    m = sum(seeds) / len(seeds)
    return {"cell": {"lr": lr}, "status": "done", "student": {"seeds": seeds, "mean": m, "sd": 0.01,
                                                              "spread": max(seeds) - min(seeds),
                                                              "warnings": list(warnings)}, "twin": None}


def test_the_rule_picks_the_best_steady_cell_then_the_best_quiet_one():
    cells = [_cell(0.002, [0.80, 0.81]), _cell(0.005, [0.90, 0.91]), _cell(0.01, [0.95, 0.70]),
             _cell(0.02, [0.99, 0.99], ["collapse"])]
    assert pick(cells) == (1, "best mean of the cells with no warning and the seeds within 3 points")
    unsteady = [_cell(0.01, [0.95, 0.70]), _cell(0.02, [0.90, 0.80])]
    assert pick(unsteady)[0] == 1 and "no cell had its seeds within 3 points" in pick(unsteady)[1]
    assert pick([_cell(0.02, [0.9, 0.9], ["stall"])]) == (None, "every cell raised a warning: no pick")


def test_sweep_runs_a_grid_from_the_command_line():
    p = subprocess.run([sys.executable, "-m", "kdemo", "sweep", "--threads", "1", "--param", "lr", "--values",
                        "0.01,0.05", "--method", "ce", "--n-labeled", "200", "--epochs", "1", "--seeds", "2",
                        "--eval-points", "2", "--eval-samples", "100", "--json"], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert [c["cell"]["lr"] for c in r["cells"]] == [0.01, 0.05]
    assert all(len(c["student"]["seeds"]) == 2 and c["twin"] is None for c in r["cells"])
    table = markdown(r)
    assert table.startswith("| lr | student acc % |") and "Pick (" in table
    bad = subprocess.run([sys.executable, "-m", "kdemo", "sweep", "--param", "temperature", "--values", "99"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "error: Temperature T (temperature) must be" in bad.stderr
