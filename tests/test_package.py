"""kdemo as a package: pyproject.toml's metadata and `kdemo` console script, the same pins as the Space's
requirements.txt, a lean Space (no test-only package in requirements.txt), and a wheel that says what to do when
it cannot find the data a checkout ships."""
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import kdemo
from kdemo.commands import cli

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
TEST_ONLY = ("pytest", "playwright", "axe-playwright-python", "tensorboard", "trackio")


def requirement_lines(name: str) -> list[str]:
    lines = [x.split("#")[0].strip() for x in (ROOT / name).read_text().splitlines()]
    return [x for x in lines if x]


def project_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()


def test_metadata_and_console_script():
    project = PYPROJECT["project"]
    assert project["name"] == "kdemo" and project["version"] == kdemo.__version__
    assert project["readme"] == "README.md" and project["license"] == "MIT"
    assert project["requires-python"] == ">=3.11"
    assert project["scripts"] == {"kdemo": "kdemo.commands.cli:main"}
    assert set(project["optional-dependencies"]) == {"test", "tensorboard", "trackio"}


def test_the_console_script_has_the_same_subcommands_as_python_m_kdemo(capsys):
    """Both call cli.main; --help lists every subcommand and exits 0."""
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "{train,pretrain,bench,experiment,report,sweep,params}" in out


def test_runtime_dependencies_are_the_spaces_pins():
    assert PYPROJECT["project"]["dependencies"] == requirement_lines("requirements.txt")
    assert "torch==2.14.1" in requirement_lines("requirements.txt")


def test_the_space_installs_no_test_only_package():
    installed = {project_name(r) for r in requirement_lines("requirements.txt")}
    assert not installed & set(TEST_ONLY), installed & set(TEST_ONLY)


def test_the_test_extra_and_requirements_test_agree():
    lines = requirement_lines("requirements-test.txt")
    assert lines[0] == "-r requirements.txt"
    assert lines[1:] == PYPROJECT["project"]["optional-dependencies"]["test"]
    assert {project_name(r) for r in lines[1:]} == set(TEST_ONLY)
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert extras["tensorboard"] == [r for r in extras["test"] if project_name(r) == "tensorboard"]
    assert extras["trackio"] == [r for r in extras["test"] if project_name(r) == "trackio"]


def test_the_readme_test_command_installs_the_test_requirements():
    readme = (ROOT / "README.md").read_text()
    test_cmd = re.findall(r"```bash\n(.*?)\n```", readme.split("---", 2)[2], re.S)[1]
    assert "pip install -r requirements-test.txt" in test_cmd and test_cmd.endswith("python -m pytest -q")


def test_a_wheel_holds_the_code_and_its_metadata(tmp_path):
    """A plain build (offline: the installed setuptools) of a copy of the sources, so the checkout stays clean."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "kdemo", src / "kdemo", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path / "dist"), str(src)], check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("kdemo-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith("METADATA"))).decode()
        entry = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "kdemo/commands/cli.py" in names and "kdemo/settings/params.py" in names
    assert not any(n.startswith(("assets/", "pretrained/", "tests/")) for n in names)   # code only
    assert "kdemo = kdemo.commands.cli:main" in entry
    runtime = [x.split(": ", 1)[1] for x in meta.splitlines() if x.startswith("Requires-Dist:") and "extra" not in x]
    assert [project_name(r) for r in runtime] == [project_name(r) for r in requirement_lines("requirements.txt")]
    assert "Requires-Dist: torch==2.14.1" in meta


def test_an_install_without_the_checkout_says_what_to_do(monkeypatch, tmp_path):
    """A wheel has no pretrained/ beside it: a run that needs a pretrained teacher fails with what to do."""
    from kdemo.settings.config import TrainConfig
    from kdemo.train import teachers
    monkeypatch.setattr(teachers, "PRETRAINED_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(teachers, "pretrained_entry", lambda *a, **k: None)
    with pytest.raises(ValueError) as e:
        teachers.check_available(TrainConfig())
    assert "pip install -e ." in str(e.value) and "--teacher-source train" in str(e.value)
    teachers.check_available(TrainConfig(teacher_source="train"))     # a train-first teacher needs no folder
