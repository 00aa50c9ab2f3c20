"""A new method, or a new teaching view, is one declaration: registered inside the test, it turns up everywhere
it should (method: its control, CLI flag, link key, results column, config field, rate, docs; view: the tab, its
named API endpoint, the report and the bench), with nothing else edited.

The settings are generated from the method registry when kdemo.settings is imported, so the toy method registers
first, in a fresh interpreter: exactly what a class added to kdemo/methods/distillers.py does."""
import io
import json
import re
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

TOY_METHOD = textwrap.dedent('''
    import json, argparse
    from kdemo.methods.declare import MNIST_LENET, hyper
    from kdemo.methods.distillers import KD, register

    @register("toy")
    class Toy(KD):
        """A toy method: KD's soft term scaled by its own gamma."""
        title = "Toy (KD times gamma)"
        params = KD.params + (hyper("gamma", "float", 0.5, "gamma (toy scale)", "γ", "the toy's scale on KD",
                                    "number", lo=0, hi=1),)
        sgd_lr = {MNIST_LENET: 0.003}

        def loss_parts(self, logits, feats, y, teacher_logits, teacher_feats, progress=0.0):
            parts = super().loss_parts(logits, feats, y, teacher_logits, teacher_feats, progress)
            return {"loss_ce": parts["loss_ce"], "loss_toy": self.hp.gamma * parts["loss_kd"]}

    import gradio as gr
    from kdemo.app.tabs.controls import make_controls
    from kdemo.commands.cli import parser
    from kdemo.settings.config import TrainConfig
    from kdemo.settings.lessons import HIDEABLE
    from kdemo.settings.params import BY_NAME
    from kdemo.settings.text import cli_command, config_from_args, from_query, parameters_markdown
    from kdemo.train.engine import Run
    from kdemo.train.results import hyperparameters

    found = {}
    with gr.Blocks():
        toy, _ = make_controls({"method": "toy"})
        kd, _ = make_controls({"method": "kd"})
    from kdemo.app.labels import english     # labels go through gr.I18n: their English words
    found["control"] = [toy["gamma"].elem_id, english(toy["gamma"].label), toy["gamma"].visible, kd["gamma"].visible]
    found["methods"] = list(BY_NAME["gamma"].methods), list(BY_NAME["temperature"].methods)
    args = parser().parse_args(["train", "--method", "toy", "--gamma", "0.25"])
    cfg = config_from_args(args)
    found["cli"] = [cfg.gamma, cli_command(cfg)]
    linked, rest, ignored = from_query("method=toy&gamma=0.75")
    found["link"] = [linked.method, linked.gamma, rest, ignored, "gamma" in HIDEABLE]
    found["column"] = hyperparameters(cfg)
    found["field"] = [str(TrainConfig.__dataclass_fields__["gamma"].type), TrainConfig(method="toy").lr]
    try:
        TrainConfig(method="toy", gamma=2)
    except ValueError as e:
        found["refused"] = str(e)
    found["docs"] = [line for line in parameters_markdown().splitlines() if "`gamma`" in line]
    run = Run(TrainConfig(method="toy", gamma=0.25, seeds=1, n_labeled=200, epochs=0.2, eval_samples=200,
                          eval_points=2, log_points=2, twin=False, device="cpu"))
    summary = run.run()
    found["run"] = [summary["status"], sorted(k for r in run.snapshot()["records"] for k in r if "loss" in k)]
    RESULTS["method"] = found
''')


def test_a_method_with_a_new_hyperparameter_is_one_class(declared):
    found = declared["method"]
    assert found["control"] == ["cfg-gamma", "gamma (toy scale)", True, False]   # shown for its method only
    assert found["methods"] == [["toy"], ["kd", "dkd", "dist", "kd_prob_bug", "toy"]]
    value, command = found["cli"]
    assert value == 0.25 and "--method toy" in command and "--gamma 0.25" in command
    assert found["link"] == ["toy", 0.75, {}, [], True]
    assert "γ=0.25" in found["column"]
    assert found["field"] == ["<class 'float'>", 0.003]             # a typed field; the class's measured rate
    assert "gamma" in found["refused"] and "1" in found["refused"]  # the declaration's bounds are checked
    assert len(found["docs"]) == 1 and "`--gamma`" in found["docs"][0] and "toy" in found["docs"][0]
    status, losses = found["run"]
    assert status == "done" and "kd/loss_toy" in losses              # the loop logs whatever the method returns


TOY_VIEW = textwrap.dedent('''
    import json, socket
    from kdemo.figures.curves import empty_figure
    from kdemo.teach.catalog import Knob, View, register_view

    def margin(data, T, presentation=False):
        """A toy view: the teacher's mean top probability at T."""
        top = (data["teacher"][0] / T).softmax(-1).max(-1).values.mean().item()
        return {"ins_toy_fig": empty_figure(f"mean top probability {top:.3f}", presentation),
                "ins_toy_text": f"At T = {T:g} the teacher's mean top probability is {top:.3f}."}

    register_view(View("toy_view", "A toy view", "One declaration, everywhere.", margin,
                       (("ins_toy_fig", "figure", "toy"), ("ins_toy_text", "words", "")),
                       knobs=(Knob("ins_toy_T", "T", "Temperature T", 2.0, step=0.5),),
                       bench=(("toy view (T=2)", (2.0,)),)))

    from kdemo.commands.benchkit import visitor
    from kdemo.app.build import build_demo
    from kdemo.app.limits import Limits
    from kdemo.app.sessions import Registry
    from kdemo.app.tabs import insights as tab
    from kdemo.commands.bench_views import _views
    from kdemo.settings.config import TrainConfig
    from kdemo.teach import views
    from kdemo.teach.report import sections

    found = {}
    data = views.view_data(None)
    found["report"] = [(h, w) for h, w, figs in sections(data, TrainConfig())[0] if h == "A toy view"]
    found["bench"] = "toy view (T=2)" in _views(data)
    found["refresh"] = tab.on_refresh(None, *(k.value for k in tab.KNOBS if k.kept), False).get("ins_toy_text")
    registry = Registry(Limits(max_runs=1))
    demo = build_demo(registry)
    found["tab"] = sorted(str(c.get("props", {}).get("elem_id")) for c in demo.config["components"]
                          if "toy" in str(c.get("props", {}).get("elem_id")))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    try:
        client = visitor(f"http://127.0.0.1:{port}/")
        found["api"] = client.predict(8.0, False, api_name="/toy_view")[1]
        try:
            client.predict(99.0, False, api_name="/toy_view")
        except Exception as e:
            found["refused"] = str(e)
    finally:
        registry.close_all()
        demo.close()
        registry.remove_root()
    RESULTS["view"] = found
''')


@pytest.fixture(scope="module")
def declared() -> dict:
    """Both declarations in one fresh interpreter (the method first: settings are generated on import): what each
    turned up in."""
    script = "RESULTS = {}\n" + TOY_METHOD + TOY_VIEW + "\nimport json\nprint(json.dumps(RESULTS))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_view_is_one_declaration(declared):
    found = declared["view"]
    [(heading, words)] = found["report"]                      # a report section, at the run's T (4)
    assert heading == "A toy view" and words.startswith("At T = 4 the teacher's mean top probability")
    assert found["bench"] is True
    assert found["refresh"].startswith("At T = 2 ")            # the tab's refresh renders it at its knob's value
    assert found["tab"] == ["ins-toy-T", "ins-toy-fig", "ins-toy-text", "ins-toy_view"]
    assert found["api"].startswith("At T = 8 ")                # its named endpoint
    assert "Temperature T (T) must be a number from 0.5 to 50" in found["refused"]   # the door checks its knob


PKG = ROOT / "kdemo"


def test_one_figure_style_for_app_and_experiment_figures():
    """Dashes, template and backgrounds are declared in kdemo/figures/curves.py, colours in kdemo/figures/palette.py;
    the experiments' figures import them instead of declaring their own."""
    import re
    from kdemo.experiments import figures as exp
    from kdemo.figures import curves, palette
    for path in sorted((PKG / "experiments").glob("figures*.py")):
        src = path.read_text()
        assert not re.search(r"plotly_white", src), path.name
    assert exp.SCRATCH == palette.COLOR["scratch"] and exp.TEACHER == palette.COLOR["teacher"]
    assert exp._layout(exp.go.Figure(), "t", "x", "y").layout.paper_bgcolor == curves.CLEAR["paper_bgcolor"]


# Page CSS, not figures: the stylesheet restyles Gradio's page for light and dark, the drawing pad is white paper
# with black ink like the digits the models learned from, and the saved report is a stand-alone HTML page. Their
# colours say how a page looks, not what a mark in a figure means, so they stay in their CSS.
PAGE_CSS = {"app/style.py", "app/tabs/pad.py", "teach/report.py"}
COLOUR = re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?(?:[0-9A-Fa-f]{2})?\b|rgba?\(")


def colour_literals(source: str) -> list[str]:
    """The colour literals (#rgb, #rrggbb, #rrggbbaa, rgb(...), rgba(...)) in the string constants of `source`
    (comments and names do not count)."""
    strings = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
               if t.type == tokenize.STRING or t.type == getattr(tokenize, "FSTRING_MIDDLE", -1)]
    return [m for s in strings for m in COLOUR.findall(s)]


def test_colours_are_named_in_the_palette_only():
    """Every colour a figure or table uses is a role declared in kdemo/figures/palette.py: a colour literal anywhere
    else in kdemo/ (page CSS excepted, see PAGE_CSS) fails, so a new figure cannot pick its own orange."""
    assert colour_literals('x = {"color": "#D55E00", "fill": f"rgba(1,2,3,{a})"}  # "#123456" in a comment') == [
        "#D55E00", "rgba("]
    found = {p.relative_to(PKG).as_posix(): colour_literals(p.read_text()) for p in sorted(PKG.rglob("*.py"))}
    assert found["figures/palette.py"], "the palette itself declares colours"
    assert all(found[p] for p in PAGE_CSS), "a page-CSS exception that no longer holds colours: drop it"
    stray = {p: c for p, c in found.items() if c and p != "figures/palette.py" and p not in PAGE_CSS}
    assert not stray, f"colour literals outside kdemo/figures/palette.py: {stray}"


def test_one_he_initialisation():
    """He init is declared once (zoo/nets.py he_normal_); a seeded ResNet draws it from the run's generator."""
    import torch
    from kdemo.zoo.models import create_model
    uses = {p.relative_to(PKG).as_posix(): p.read_text().count("kaiming_normal_") for p in PKG.rglob("*.py")}
    assert {k: n for k, n in uses.items() if n} == {"zoo/nets.py": 1}
    a, b = (create_model("resnet8", in_channels=3, image_size=32, generator=torch.Generator().manual_seed(5))
            for _ in range(2))
    conv = a.stem[0].weight
    assert torch.equal(conv, b.stem[0].weight)                          # drawn from the generator
    fan_out = conv.shape[0] * conv.shape[2] * conv.shape[3]
    assert abs(conv.std().item() - (2 / fan_out) ** 0.5) < 0.3 * (2 / fan_out) ** 0.5   # He's std, not PyTorch's
