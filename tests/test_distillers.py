"""Every method in DISTILLERS, one parametrized test (timm-style): a finite loss, gradients for the student and its
regressors, none for the teacher, the teacher kept in eval mode; stacked members get one loss value each."""
import pytest
import torch

from kdemo.settings.config import Hyper, TrainConfig
from kdemo.methods.distillers import DISTILLERS
from kdemo.zoo.models import MODELS, create_model


@pytest.mark.parametrize("method", list(DISTILLERS))
def test_every_distiller_trains_the_student_and_never_the_teacher(method):
    cls = DISTILLERS[method]
    g = torch.Generator().manual_seed(0)
    teacher, student = create_model("lenet5", generator=g), create_model("lenet5_half", generator=g)
    x, y = torch.randn(8, 1, 28, 28, generator=g), torch.arange(8) % 10
    d = cls(student, teacher if cls.needs_teacher else None, Hyper(), x, generator=g)
    d.train()
    assert not teacher.training or not cls.needs_teacher   # .train() on the distiller never wakes its teacher
    with torch.no_grad():
        t_logits, t_feats = teacher.forward_features(x)
    logits, parts = d.forward_train(x, y, t_logits if cls.needs_teacher else None,
                                    t_feats if cls.feature else None, 0.5)
    assert logits.shape == (8, 10) and parts and "loss_ce" in parts
    total = sum(parts.values())
    assert torch.isfinite(total) and total.dim() == 0
    total.backward()
    for name, p in d.named_parameters():
        if name.startswith("teacher."):
            assert p.grad is None and not p.requires_grad, name
        else:
            assert p.grad is not None and torch.isfinite(p.grad).all(), f"{method}: {name} got no gradient"
    trainable = {id(p) for p in d.trainable_parameters()}
    assert not trainable & {id(p) for p in teacher.parameters()}
    if cls.feature == "hint":
        assert any(n.startswith("regressor.") for n, _ in d.named_parameters())


@pytest.mark.parametrize("method", [k for k, c in DISTILLERS.items() if not c.feature])
def test_logit_losses_of_stacked_members_are_each_members_own(method):
    cls = DISTILLERS[method]
    d = cls(create_model("lenet5_half"), None, Hyper(warmup_epochs=2.0))
    g = torch.Generator().manual_seed(1)
    s, t = torch.randn(3, 16, 10, generator=g) * 3, torch.randn(3, 16, 10, generator=g) * 5
    y = torch.randint(0, 10, (3, 16), generator=g)
    y[1, :10] = -1                                   # unlabeled samples in one member's batch
    stacked = d.loss_parts(s, None, y, t, None, 0.5)
    for m in range(3):
        one = d.loss_parts(s[m], None, y[m], t[m], None, 0.5)
        assert set(one) == set(stacked)
        for k in one:
            assert stacked[k].shape == (3,)
            assert torch.allclose(stacked[k][m], one[k], rtol=1e-5, atol=1e-6), (method, k, m)


@pytest.mark.parametrize("method, bad, match", [
    ("rkd", dict(batch_size=2), "RKD compares samples"), ("dist", dict(batch_size=1), "DIST compares samples"),
    ("fitnets", dict(student="mlp_20"), "needs conv feature maps"), ("ce", dict(transfer_set="all"), "needs a method"),
])
def test_methods_own_their_rules(method, bad, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(method=method, **bad)
    assert MODELS["lenet5"].has_feature_map


@pytest.mark.parametrize("method", list(DISTILLERS))
def test_the_config_asks_the_method_its_rules(method, monkeypatch):
    """TrainConfig defers to the method's own `check`: a rule the class refuses is refused at construction."""
    cls = DISTILLERS[method]
    TrainConfig(method=method, student="lenet5_half", teacher="lenet5")   # the defaults pass the method's rules

    def refuse(cfg, student_spec, teacher_spec):
        raise ValueError(f"{method} refuses this")
    monkeypatch.setattr(cls, "check", classmethod(lambda c, *a: refuse(*a)))
    with pytest.raises(ValueError, match=f"{method} refuses this"):
        TrainConfig(method=method)
    titles = [c.title for c in DISTILLERS.values()]
    assert len(set(titles)) == len(titles) and all(t.strip() for t in titles)   # the dropdown tells them apart


@pytest.mark.parametrize("progress, ramp", [(0.0, 0.0), (0.5, 0.25), (1.0, 0.5), (2.0, 1.0), (7.0, 1.0)])
def test_dkd_ramps_its_terms_in_over_the_warm_up(progress, ramp):
    """DKD's TCKD and NCKD grow linearly from 0 to full over `warmup_epochs` (progress is in epochs)."""
    g = torch.Generator().manual_seed(2)
    s, t, y = torch.randn(16, 10, generator=g) * 3, torch.randn(16, 10, generator=g) * 5, torch.arange(16) % 10
    warm = DISTILLERS["dkd"](create_model("lenet5_half"), None, Hyper(warmup_epochs=2.0))
    cold = DISTILLERS["dkd"](create_model("lenet5_half"), None, Hyper(warmup_epochs=0.0))
    full = cold.loss_parts(s, None, y, t, None, progress)
    parts = warm.loss_parts(s, None, y, t, None, progress)
    for k in ("loss_tckd", "loss_nckd"):
        assert full[k] > 0
        assert float(parts[k]) == pytest.approx(ramp * float(full[k]), rel=1e-6, abs=1e-9), k
    assert parts["loss_ce"] == full["loss_ce"]    # the labels' term never ramps
