"""Several seeds as one model: stacked members equal members trained one by one; seeds differ, a seed's student
and twin share init and batches; a run touches no process-wide state; kdemo's optimizer steps as torch.optim's does
without importing torch._dynamo; the statistics and the health detectors."""
import builtins
import itertools
from types import SimpleNamespace

import pytest
import torch

from kdemo.settings.config import TrainConfig
from kdemo.methods.distillers import KD, Distiller
from kdemo.train.engine import Run
from kdemo.train.health import Health
from kdemo.train.members import Group, LoopMembers, StackedMembers, choose_mode, make_members
from kdemo.zoo.models import MODELS, create_model
from kdemo.train.parallel import LocalContext
from kdemo.train.stats import compare, verdict
from kdemo.train.batches import Batches, cosine_lr, make_optimizer

STACKABLE = [k for k in MODELS if choose_mode(create_model(k, image_size=28), [Group("kd", KD)], 4, 1)[0] == "stacked"]


def test_which_models_stack_and_why_the_others_do_not():
    assert set(STACKABLE) == {"lenet5", "lenet5_half", "mlp_800", "mlp_20"}
    reasons = {k: choose_mode(create_model(k, image_size=32), [Group("kd", KD)], 4, 1)[1] for k in MODELS
               if k not in STACKABLE}
    assert "dropout" in reasons["mlp_1200"] and "batch norm" in reasons["resnet8"]
    assert choose_mode(create_model("lenet5_half"), [Group("kd", KD)], 1, 1)[0] == "loop"     # one member
    assert choose_mode(create_model("lenet5_half"), [Group("kd", KD)], 4, 2)[0] == "loop"     # torchrun


@pytest.mark.parametrize("key,rates,optimizer", [(k, (None, None), "sgd") for k in STACKABLE] + [
    ("lenet5_half", (0.05, 0.2), "sgd"), ("mlp_20", (0.01, 0.002), "adam")])
def test_stacked_members_match_members_trained_one_by_one(key, rates, optimizer):
    """Also with each group at its own rate (the twin at its own best): a stacked run scales the twin's rows of
    each step; members trained one by one get their own optimizer param groups. The same weights either way."""
    cfg = TrainConfig(student=key, seeds=2, lr=0.05, momentum=0.9, optimizer=optimizer, weight_decay=1e-3,
                      device="cpu")
    groups = [Group("kd", KD, rates[0]), Group("scratch", Distiller, rates[1])]
    g = torch.Generator().manual_seed(5)
    x, y = torch.randn(2, 16, 1, 28, 28, generator=g), torch.randint(0, 10, (2, 16), generator=g)
    t_logits = torch.randn(2, 16, 10, generator=g) * 4
    out = {}
    for stack in (True, False):
        m = make_members(cfg, groups, [0, 1], key, None, x[0], "cpu", LocalContext(), stack=stack)
        assert type(m) is (StackedMembers if stack else LoopMembers) and m.mode == ("stacked" if stack else "loop")
        losses = [m.step(x, y, t_logits, None, 0.0, None) for _ in range(3)]
        out[stack] = losses, [m.state(gr.name, s) for s in (0, 1) for gr in groups]
    (ls, ws), (ll, wl) = out[True], out[False]
    for a, b in zip(ls, ll):
        for grp in a:
            assert torch.allclose(a[grp][0], b[grp][0], rtol=1e-4, atol=1e-5), grp      # the same losses
            assert torch.equal(a[grp][1], b[grp][1])                                     # the same hits
    # Adam divides by the gradient's running size: rounding noise of 1e-9 in a near-zero gradient becomes a step of
    # a tenth of the rate, so its weights agree less closely (equal rates give the same 5e-4 there)
    atol = 1e-5 if optimizer == "sgd" else 1e-4
    for sa, sb in zip(ws, wl):   # after three steps, the same weights: the same gradients
        for k in sa:
            assert torch.allclose(sa[k], sb[k], rtol=1e-4, atol=atol), k
    if rates[0] != rates[1]:     # and the rates made a difference: the twin moved by its own rate, not the student's
        same = make_members(cfg, [Group("kd", KD, rates[0]), Group("scratch", Distiller, rates[0])], [0, 1], key,
                            None, x[0], "cpu", LocalContext())
        for _ in range(3):
            same.step(x, y, t_logits, None, 0.0, None)
        assert not torch.allclose(same.state("scratch", 0)["fc.weight"], ws[1]["fc.weight"], atol=1e-4)
        assert torch.allclose(same.state("kd", 0)["fc.weight"], ws[0]["fc.weight"], rtol=1e-4, atol=1e-5)


def test_seeds_differ_and_a_seeds_student_and_twin_share_init_and_batches():
    cfg = TrainConfig(seeds=3)
    m = make_members(cfg, [Group("kd", KD), Group("scratch", Distiller)], [0, 1, 2], "lenet5_half", None,
                     torch.zeros(1, 1, 28, 28), "cpu", LocalContext())
    kd = [m.state("kd", s) for s in range(3)]
    for s in range(3):
        assert all(torch.equal(kd[s][k], v) for k, v in m.state("scratch", s).items())   # same init
    assert not torch.equal(kd[0]["fc.weight"], kd[1]["fc.weight"])                       # seeds differ
    single = create_model("lenet5_half", generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(kd[1][k], v) for k, v in single.state_dict().items())         # seed 1 = a seed-1 run
    b = Batches(1000, 64, [0, 1, 2], LocalContext())
    idx = b(0)
    assert idx.shape == (3, 64) and not torch.equal(idx[0], idx[1])                      # own batch order
    assert torch.equal(b(15)[0], LocalContext().shard(1000, 0, 0)[15 * 64:16 * 64])


def _weights(cfg):
    run = Run(cfg)
    assert run.run()["status"] == "done"
    return run.model("kd").state_dict()


def test_a_run_touches_no_process_wide_state():
    """A dropout model trained alone, and again while another dropout run with another seed trains in a second
    thread, ends with bit-identical weights; torch's global generator is left as it was."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)        # the same reduction order in both runs: this test is about random state
    try:
        cfg = TrainConfig(student="cnn_student", method="kd", n_labeled=300, epochs=2.0, seeds=1, twin=False,
                          eval_points=2, eval_samples=200, device="cpu")
        state = torch.random.get_rng_state()
        alone = _weights(cfg)
        assert torch.equal(state, torch.random.get_rng_state())
        other = Run(TrainConfig(student="cnn_student", method="ce", n_labeled=2000, epochs=3.0, seed=9, seeds=1,
                                eval_points=2, eval_samples=200, device="cpu"))
        other.start()
        together = _weights(cfg)
        other.stop()
        other.join()
        torch.manual_seed(123)          # and a draw from the global generator in between changes nothing
        torch.rand(10)
        again = _weights(cfg)
    finally:
        torch.set_num_threads(threads)
    for k in alone:
        assert torch.equal(alone[k], together[k]) and torch.equal(alone[k], again[k]), k


def test_statistics_on_a_hand_made_case():
    c = compare([0.90, 0.92, 0.94], [0.80, 0.85, 0.90], [0, 1, 2])
    # differences 0.10, 0.07, 0.04: mean 0.07, sd 0.03; 95% t (2 df): 0.07 +- 4.303 * 0.03 / sqrt(3)
    assert c["diff_mean"] == pytest.approx(0.07) and c["diff_sd"] == pytest.approx(0.03)
    assert c["diff_ci95"] == pytest.approx([0.07 - 0.074530, 0.07 + 0.074530], abs=1e-5)
    assert c["kd_acc_mean"] == pytest.approx(0.92) and c["kd_acc_sd"] == pytest.approx(0.02)
    assert c["verdict"].startswith("no clear difference")
    clear = compare([0.95, 0.96, 0.97, 0.95], [0.90, 0.91, 0.91, 0.89], [0, 1, 2, 3])
    assert clear["verdict"].startswith("KD ahead by 5.5 ±") and clear["verdict"].endswith("over 4 seeds")
    behind = compare([0.80, 0.81], [0.90, 0.92], [0, 1])
    assert behind["diff_ci95"][1] < 0 and verdict(behind).startswith("KD behind by 10.5")
    one = compare([0.9], [0.8], [0])
    assert one["diff_ci95"] is None and "one seed" in one["verdict"]


def test_each_health_detector_fires_on_its_failure_and_stays_quiet_otherwise():
    cfg = TrainConfig(lr=0.02, temperature=4.0)
    h = Health(cfg, ["kd", "scratch"], [0], 10, 100)
    assert h.on_log(5, 0.1, {("kd", 0): float("nan"), ("scratch", 0): 2.3})[0].kind == "diverged"
    assert h.dead("kd", 0) and "lr ≤ 0.01" in h.events[0].message and "T=4" in h.events[0].message
    for i in range(6):
        assert h.on_log(10 + i, 0.2, {("scratch", 0): 1.0}) == []
    assert h.on_log(20, 0.3, {("scratch", 0): 25.0})[0].kind == "spike"
    h2 = Health(cfg, ["kd"], [0], 10, 100)
    seq = [0.5, 0.8, 0.1, 0.1]
    kinds = [e.kind for i, a in enumerate(seq) for e in h2.on_eval(10 * (i + 1), i, {"kd": [{"acc": a}]})]
    assert kinds == ["collapse"]
    assert h2.events[0].recovered is None and "recovered" not in h2.events[0].message
    for i, a in enumerate([0.1, 0.6, 0.7]):           # a transient collapse: the warning says it recovered, once
        assert h2.on_eval(50 + 10 * i, 4 + i, {"kd": [{"acc": a, "top_share": 0.2}]}) == []
    assert h2.events[0].recovered == 5 and h2.events[0].message.endswith("It recovered: 60% at epoch 5.00.")
    h3 = Health(cfg, ["kd"], [0], 10, 100)
    assert [e.kind for e in h3.on_eval(80, 4, {"kd": [{"acc": 0.11, "top_share": 0.3}]})] == ["stall"]
    assert "larger lr" in h3.events[0].message
    few = Health(TrainConfig(n_labeled=100, transfer_set="all", lr=0.01), ["scratch"], [0], 10, 100)
    (stall,) = few.on_eval(80, 4, {"scratch": [{"acc": 0.1, "top_share": 0.3}]})   # few labels: the lesson itself
    assert "only 100 of the images" in stall.message and "lr" not in stall.message
    quiet = Health(cfg, ["kd"], [0], 10, 100)
    for i, a in enumerate([0.2, 0.5, 0.7, 0.8, 0.85, 0.9]):
        assert quiet.on_eval(15 * (i + 1), i, {"kd": [{"acc": a, "top_share": 0.2}]}) == []
        assert quiet.on_log(15 * (i + 1), i, {("kd", 0): 2.0 / (i + 1)}) == []


def test_cosine_schedule_and_time_budget():
    cfg = TrainConfig(schedule="cosine", lr=0.1)
    assert cosine_lr(cfg, 0, 100) == pytest.approx(0.1) and cosine_lr(cfg, 50, 100) == pytest.approx(0.05)
    assert cosine_lr(cfg, 99, 100) < 0.001 and cosine_lr(TrainConfig(lr=0.1), 99, 100) == 0.1
    run = Run(TrainConfig(n_labeled=6000, epochs=50.0, seeds=1, time_budget_s=0.5, device="cpu"))
    summary = run.run()
    assert summary["status"] == "done" and "time budget of 0.5s reached" in summary["message"]
    assert summary["epochs_done"] < 50      # how far it got depends on the machine: not asserted


def _steps(kind: str, fused: bool, weight_decay: float, momentum: float, ours: bool, asked: list | None = None):
    """Five steps of a small net with two param groups, the second's rate changed after each step (a schedule).
    `asked`: the modules the optimizer's own calls import (an import statement calls __import__ even when the
    module is loaded, so this holds whatever ran before in this process)."""
    torch.manual_seed(0)            # (torch.manual_seed itself imports torch._dynamo: outside the watch)
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    groups = [{"params": list(net[0].parameters()), "lr": 0.05}, {"params": list(net[2].parameters()), "lr": 0.01}]
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    real = builtins.__import__

    def watch(fn, *args, **kwargs):
        if asked is None:
            return fn(*args, **kwargs)
        builtins.__import__ = lambda name, *a, **k: asked.append(name) or real(name, *a, **k)
        try:
            return fn(*args, **kwargs)
        finally:
            builtins.__import__ = real
    if ours:
        opt = watch(make_optimizer, SimpleNamespace(optimizer=kind, lr=0.05, momentum=momentum,
                                                    weight_decay=weight_decay), groups)
        opt.fused = opt.fused if fused else None
    elif kind == "sgd":
        opt = watch(torch.optim.SGD, groups, lr=0.05, momentum=momentum, weight_decay=weight_decay,
                    fused=fused or None)
    else:
        opt = watch(torch.optim.Adam, groups, lr=0.05, weight_decay=weight_decay, fused=fused or None)
    for _ in range(5):
        watch(opt.zero_grad, set_to_none=True)
        torch.nn.functional.cross_entropy(net(x), y).backward()
        watch(opt.step)
        opt.param_groups[1]["lr"] *= 0.9
    return [p.detach().clone() for p in net.parameters()]


def test_kdemos_optimizer_steps_as_torch_optim_does_without_importing_dynamo():
    """The same weights, bit for bit, as torch.optim.SGD / Adam (fused or not, weight decay and momentum or not);
    and neither building nor stepping it asks for torch._dynamo, whose import is 2-3 s of every process's first
    run."""
    cases = [c for c in itertools.product(("sgd", "adam"), (True, False), (0.0, 1e-3), (0.0, 0.9))
             if not (c[0] == "adam" and c[3])]
    asked, theirs = [], []
    ours = {c: _steps(*c, ours=True, asked=asked) for c in cases}
    assert not [n for n in asked if "_dynamo" in n], set(asked)
    for c in cases:
        assert all(torch.equal(a, b) for a, b in zip(ours[c], _steps(*c, ours=False, asked=theirs))), c
    assert "torch._dynamo" in theirs            # the watch sees torch.optim's import, so it would see ours
