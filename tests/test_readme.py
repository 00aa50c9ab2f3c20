"""The README starts with the two set-up commands, and CI runs exactly the second one."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    body = readme.split("---", 2)[2]                      # after the Spaces front matter
    blocks = re.findall(r"```bash\n(.*?)\n```", body, re.S)
    app_cmd, test_cmd = blocks[0].strip(), blocks[1].strip()
    assert app_cmd.endswith("python app.py") and "pip install -r requirements.txt" in app_cmd
    assert test_cmd.endswith("python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines()


def test_torch_pins():
    reqs = (ROOT / "requirements.txt").read_text().split()
    assert "torch==2.14.1" in reqs and "torchvision==0.29.1" in reqs


def test_readme_lesson_links_open_without_warnings():
    """Every ready lesson link in the README applies whole: no key ignored, and each lesson asks its question."""
    from kdemo import experiments
    from kdemo.settings.lessons import parse_link
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"`/\?([^`]+)`", readme)
    assert len(links) >= 4
    for link in links:
        lesson = parse_link(link, experiments.EXPERIMENTS)
        assert lesson.ignored == [], (link, lesson.ignored)
    lessons = [parse_link(x, experiments.EXPERIMENTS) for x in links if "q=" in x]
    assert len(lessons) >= 4 and all(les.question.endswith((".", "?")) for les in lessons)
