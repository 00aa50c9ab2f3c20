"""Each loss against an independent float64 numpy computation, plus the identities and stability claims."""
import numpy as np
import pytest
import torch

from kdemo.methods import losses as L


def np_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def np_kl(p, q):
    return (p * (np.log(p) - np.log(q))).sum(axis=1)


@pytest.fixture
def logits():
    g = torch.Generator().manual_seed(0)
    s = torch.randn(16, 10, generator=g, dtype=torch.float64) * 3
    t = torch.randn(16, 10, generator=g, dtype=torch.float64) * 3
    y = torch.randint(0, 10, (16,), generator=g)
    return s, t, y


@pytest.mark.parametrize("T", [1.0, 4.0, 10.0])
def test_kd_loss_matches_closed_form(logits, T):
    s, t, _ = logits
    expected = np_kl(np_softmax(t.numpy() / T), np_softmax(s.numpy() / T)).mean() * T**2
    assert L.kd_loss(s, t, T).item() == pytest.approx(expected, rel=1e-10)


def np_dkd(s, t, y, T):
    p_s, p_t = np_softmax(s / T), np_softmax(t / T)
    rows = np.arange(len(y))
    b_s = np.stack([p_s[rows, y], 1 - p_s[rows, y]], 1)
    b_t = np.stack([p_t[rows, y], 1 - p_t[rows, y]], 1)
    mask = np.ones_like(p_s, dtype=bool)
    mask[rows, y] = False
    r_s = p_s[mask].reshape(len(y), -1)
    r_t = p_t[mask].reshape(len(y), -1)
    r_s, r_t = r_s / r_s.sum(1, keepdims=True), r_t / r_t.sum(1, keepdims=True)
    return np_kl(b_t, b_s), np_kl(r_t, r_s), p_t[rows, y]


@pytest.mark.parametrize("T", [1.0, 4.0])
def test_dkd_terms_match_closed_form(logits, T):
    s, t, y = logits
    tckd, nckd, _ = np_dkd(s.numpy(), t.numpy(), y.numpy(), T)
    got_t, got_n = L.dkd_terms(s, t, y, T)
    assert got_t.item() == pytest.approx(tckd.mean() * T**2, rel=1e-9)
    assert got_n.item() == pytest.approx(nckd.mean() * T**2, rel=1e-9)
    assert L.dkd_loss(s, t, y, 0.5, 3.0, T).item() == pytest.approx(
        (0.5 * tckd.mean() + 3.0 * nckd.mean()) * T**2, rel=1e-9)


def test_kd_equals_tckd_plus_weighted_nckd_per_sample(logits):
    """Zhao et al. eq. (4): KD = TCKD + (1 - p_t^teacher) * NCKD, exactly, for the un-scaled KL of each sample."""
    s, t, y = logits
    for i in range(len(y)):
        si, ti, yi = s[i:i + 1], t[i:i + 1], y[i:i + 1]
        kd = L.kd_loss(si, ti, 1.0)
        tckd, nckd = L.dkd_terms(si, ti, yi, 1.0)
        p_t = torch.softmax(ti, 1)[0, yi[0]]
        assert kd.item() == pytest.approx((tckd + (1 - p_t) * nckd).item(), rel=1e-10, abs=1e-14)


def test_standardized_logits_are_zscored(logits):
    s, t, _ = logits
    z = L.standardize(s)
    assert torch.allclose(z.mean(1), torch.zeros(16, dtype=z.dtype), atol=1e-12)
    assert torch.allclose(z.std(1), torch.ones(16, dtype=z.dtype), atol=1e-6)
    # Invariant to the teacher's scale and shift: only the logits' shape matters.
    assert L.kd_loss(s, 5 * t + 2, 2.0, standardized=True).item() == pytest.approx(
        L.kd_loss(s, t, 2.0, standardized=True).item(), rel=1e-6)


@pytest.mark.parametrize("T", [0.5, 1.0, 4.0, 100.0])
@pytest.mark.parametrize("gap", [1e2, 1e4])
def test_extreme_inputs_stay_finite(T, gap):
    s = torch.zeros(4, 10, dtype=torch.float32, requires_grad=True)
    t = torch.zeros(4, 10)
    t[:, 0] = gap           # a teacher certain beyond float precision
    with torch.no_grad():
        s[:, 1] = -gap      # a student confidently wrong
    y = torch.tensor([0, 1, 2, 3])
    values = [L.kd_loss(s, t, T), *L.dkd_terms(s, t, y, T), L.dkd_loss(s, t, y, 1, 8, T),
              L.dist_loss(s, t, T), L.kd_loss(s, t, T, standardized=True)]
    total = sum(values)
    total.backward()
    assert all(torch.isfinite(v) for v in values)
    assert torch.isfinite(s.grad).all()


def test_gradients_reach_only_the_student(logits):
    s, t, y = logits
    s = s.clone().requires_grad_(True)
    t = t.clone().requires_grad_(True)
    for loss in (L.kd_loss(s, t, 4.0), L.dkd_loss(s, t, y, 1, 8, 4.0), L.dist_loss(s, t),
                 L.rkd_loss(s, t), L.cosine_loss(s, t), L.hint_loss(s, t), L.kd_prob_bug_loss(s, t, 4.0)):
        loss.backward()
    assert s.grad is not None and s.grad.abs().sum() > 0
    assert t.grad is None


def test_hint_and_cosine_closed_form():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(5, 4, 3, 3, generator=g), torch.randn(5, 4, 3, 3, generator=g)
    assert L.hint_loss(a, b).item() == pytest.approx(((a - b) ** 2).mean().item(), rel=1e-6)
    u, v = a.flatten(1).numpy(), b.flatten(1).numpy()
    cos = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    assert L.cosine_loss(a, b).item() == pytest.approx((1 - cos).mean(), rel=1e-5)
    with pytest.raises(ValueError):
        L.hint_loss(a, b[:, :2])


def np_smooth_l1(a, b):
    d = np.abs(a - b)
    return np.where(d < 1, 0.5 * d**2, d - 0.5).mean()


def test_rkd_matches_loops():
    g = torch.Generator().manual_seed(2)
    s, t = torch.randn(6, 5, generator=g, dtype=torch.float64), torch.randn(6, 7, generator=g, dtype=torch.float64)

    def dist(e):
        d = np.array([[np.linalg.norm(e[i] - e[j]) for j in range(len(e))] for i in range(len(e))])
        return d / d[d > 0].mean()

    def angles(e):
        out = []
        for i in range(len(e)):
            for j in range(len(e)):
                for k in range(len(e)):
                    u, v = e[j] - e[i], e[k] - e[i]
                    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
                    out.append(0.0 if nu == 0 or nv == 0 else u @ v / nu / nv)
        return np.array(out)

    sn, tn = s.numpy(), t.numpy()
    expected = 25 * np_smooth_l1(dist(sn), dist(tn)) + 50 * np_smooth_l1(angles(sn), angles(tn))
    assert L.rkd_loss(s, t).item() == pytest.approx(expected, rel=1e-6)


def test_dist_matches_closed_form(logits):
    s, t, _ = logits
    T = 2.0
    p_s, p_t = np_softmax(s.numpy() / T), np_softmax(t.numpy() / T)

    def pearson(a, b):
        return np.array([np.corrcoef(a[i], b[i])[0, 1] for i in range(len(a))])

    inter = (1 - pearson(p_s, p_t)).mean() * T**2
    intra = (1 - pearson(p_s.T, p_t.T)).mean() * T**2
    got_inter, got_intra = L.dist_terms(s, t, T)
    assert got_inter.item() == pytest.approx(inter, rel=1e-6)
    assert got_intra.item() == pytest.approx(intra, rel=1e-6)


def test_prob_bug_differs_and_teaches_less(logits):
    """The bug's gradient is far weaker than the correct loss's at a typical temperature."""
    s, t, _ = logits
    s1 = s.clone().requires_grad_(True)
    s2 = s.clone().requires_grad_(True)
    L.kd_loss(s1, t, 10.0).backward()
    L.kd_prob_bug_loss(s2, t, 10.0).backward()
    assert s2.grad.norm() < 0.5 * s1.grad.norm()


def test_masked_cross_entropy_ignores_unlabeled():
    logits = torch.randn(4, 10)
    y = torch.tensor([1, -1, 3, -1])
    expected = torch.nn.functional.cross_entropy(logits[[0, 2]], y[[0, 2]])
    assert L.masked_cross_entropy(logits, y).item() == pytest.approx(expected.item(), rel=1e-6)
    assert L.masked_cross_entropy(logits, torch.full((4,), -1)).item() == 0.0


def test_bad_temperature_raises(logits):
    s, t, _ = logits
    with pytest.raises(ValueError, match="temperature"):
        L.kd_loss(s, t, 0.0)
