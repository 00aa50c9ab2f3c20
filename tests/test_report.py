"""`python -m kdemo report RUN_DIR`: a tiny CLI run with --out, then its handout: the numbers (--json) agree with
the run's own summary, text from the folder is escaped, bad folders give one line, and the HTML shows every figure
in headless Chromium with the network cut off (plotly.js must be inside the file)."""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys

import pytest
from safetensors.torch import load_file, save_file

from kdemo.commands.cli import main

from browserkit import browser  # noqa: F401 (a fixture)


def kdemo(*args):
    env = {**os.environ, "KDEMO_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "kdemo", *args], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "run"
    p = kdemo("train", "--n-labeled", "500", "--epochs", "0.5", "--seeds", "2", "--eval-samples", "500",
              "--omit-classes", "3", "--device", "cpu", "--json", "--out", str(folder))
    assert p.returncode == 0, p.stderr
    return folder


@pytest.fixture(scope="module")
def report(run_dir):
    """`report --json`, in-process (the train above already went through a fresh interpreter)."""
    out, printed = run_dir.parent / "report.html", io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", str(run_dir), "--out", str(out), "--json"]) == 0
    return out, json.loads(printed.getvalue())


def test_json_numbers_agree_with_the_run(run_dir, report):
    _, nums = report
    summary = json.loads((run_dir / "summary.json").read_text())
    assert set(nums["ece"]) == {"teacher", "kd", "scratch"}
    assert all(0 <= e <= 1 for e in nums["ece"].values())
    assert nums["ece"]["teacher"] < 0.02                  # the pretrained teacher is close to calibrated
    # accuracy from the saved logits = the engine's own evaluation of the same weights on the same test set
    for key, name in (("kd", "kd_acc"), ("scratch", "scratch_acc"), ("teacher", "teacher_acc")):
        assert nums["accuracy"][key] == pytest.approx(summary[name], abs=1e-4)
    assert {frozenset((p["a"], p["b"])) for p in nums["similar_pairs"]["teacher"]} & {frozenset(("4", "9"))}
    assert len(nums["per_class_acc"]["kd"]) == 10 and len(nums["per_class_acc"]["scratch"]) == 10
    assert min(nums["per_class_acc"]["teacher"]) > 0.95
    assert nums["seeds"] == [0, 1] and nums["test_images"] == 10_000
    assert set(nums["missing"]["3"]["rule_bias"]) == {"kd", "scratch"}
    assert 0 < nums["kd_weight_on_nckd"]["mean_weight"] < 0.5 and nums["kd_weight_on_nckd"]["T"] == 4.0


def test_bad_run_dir_is_one_line(tmp_path, run_dir, capsys):
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is not a run folder" in err and len(err.strip().splitlines()) == 1
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "logits.safetensors").write_bytes(b"not a safetensors file at all")
    assert main(["report", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    (broken / "logits.safetensors").unlink()
    shutil.copy(run_dir / "logits.safetensors", broken)
    tensors = load_file(str(broken / "logits.safetensors"))
    save_file({"labels": tensors["labels"]}, str(broken / "logits.safetensors"))      # no students' logits
    assert main(["report", str(broken)]) == 2
    assert "lacks the labels or the students' logits" in capsys.readouterr().err


@pytest.fixture(scope="module")
def hostile(run_dir, tmp_path_factory):
    """The run folder with script in its class names and verdict: the report must show it as text."""
    folder = tmp_path_factory.mktemp("hostile") / "run"
    shutil.copytree(run_dir, folder)
    summary = json.loads((folder / "summary.json").read_text())
    summary["verdict"] = "<script>alert('verdict')</script>"
    (folder / "summary.json").write_text(json.dumps(summary))
    tensors = load_file(str(folder / "logits.safetensors"))
    names = [f"<img src=x onerror=alert({i})>" for i in range(10)]
    save_file(tensors, str(folder / "logits.safetensors"),
              metadata={"classes": json.dumps(names), "seeds": "[0, 1]", "dataset": "mnist"})
    out = folder.parent / "hostile.html"
    assert main(["report", str(folder), "--out", str(out)]) == 0      # in-process: no second interpreter start
    return out


def test_text_from_the_folder_is_escaped(hostile):
    page = hostile.read_text()
    assert "<script>alert('verdict')" not in page and "&lt;script&gt;alert(&#x27;verdict&#x27;)" in page
    assert "<img src=x" not in page



def render(browser, path):
    """Open `path` with every non-file request refused; per figure: its traces and drawn SVG."""
    page = browser.new_page()
    requests, errors, dialogs = [], [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (requests.append(r.request.url), r.abort()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_function("() => typeof Plotly !== 'undefined'", timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('.plotly-graph-div')]"
                           ".every(d => d._fullLayout && d.querySelector('.main-svg'))", timeout=30_000)
    figs = page.evaluate("() => [...document.querySelectorAll('.plotly-graph-div')].map(d => "
                         "({traces: d.data.length, svg: d.querySelectorAll('.main-svg').length, "
                         "drawn: d.querySelectorAll('.trace, .hm, image').length}))")
    page.close()
    return figs, requests, errors, dialogs


def test_html_is_self_contained_and_every_figure_renders_offline(report, browser):
    path, nums = report
    html = path.read_text()
    assert html.count('class="plotly-graph-div"') == 10  # similarity x4, calibration, per class, confusion x2,
    assert "<script src=" not in html                    # why DKD, the missing 3; plotly.js inline
    figs, requests, errors, dialogs = render(browser, path)
    assert len(figs) == 10 and not requests and not errors and not dialogs
    for f in figs:
        assert f["traces"] > 0 and f["svg"] > 0 and f["drawn"] > 0, f


def test_hostile_report_renders_without_running_its_text(hostile, browser):
    figs, requests, errors, dialogs = render(browser, hostile)
    assert figs and not dialogs and not errors and not requests
