"""The Temperature lab's maths: drawings become MNIST-like digits; the decomposition adds up."""
import numpy as np
import pytest
import torch

from kdemo.teach import lab
from kdemo.zoo.models import create_model


def stroke_rgba(bg=(255, 255, 255), ink=(0, 0, 0), size=280):
    """A '1'-like vertical bar off-centre, as an opaque composite and as a transparent brush layer."""
    comp = np.zeros((size, size, 4), np.uint8)
    comp[..., :3] = bg
    comp[..., 3] = 255
    layer = np.zeros((size, size, 4), np.uint8)
    comp[40:200, 50:80, :3] = ink
    layer[40:200, 50:80] = (*ink, 255)
    return comp, layer


@pytest.mark.parametrize("value_kind", ["layers", "light_composite", "dark_composite", "plain_gray"])
def test_drawing_becomes_centred_mnist_digit(value_kind):
    comp, layer = stroke_rgba()
    if value_kind == "layers":
        value = {"background": None, "layers": [layer], "composite": comp}
    elif value_kind == "light_composite":
        value = {"background": None, "layers": [], "composite": comp}
    elif value_kind == "dark_composite":   # the dark theme: grey background, white ink
        value = {"background": None, "layers": [], "composite": stroke_rgba((40, 40, 40), (255, 255, 255))[0]}
    else:
        value = comp[..., 0]
    d = lab.sketch_to_digit(value)
    assert d.shape == (28, 28) and d.dtype == np.float32
    assert 0.0 <= d.min() and d.max() <= 1.0 and d.max() > 0.9          # white ink on black, like MNIST
    ys, xs = np.nonzero(d > 0.1)
    assert ys.max() - ys.min() + 1 <= 21 and ys.max() - ys.min() + 1 >= 18   # longer side scaled to 20 px
    cy = (d.sum(1) * np.arange(28)).sum() / d.sum()
    cx = (d.sum(0) * np.arange(28)).sum() / d.sum()
    assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0                  # centred by centre of mass


@pytest.mark.parametrize("value", [
    None, {"background": None, "layers": [], "composite": None},
    {"background": None, "layers": [np.zeros((280, 280, 4), np.uint8)], "composite": None},
    np.full((280, 280, 3), 255, np.uint8),
])
def test_empty_canvas_says_so(value):
    with pytest.raises(lab.LabInputError, match="empty"):
        lab.sketch_to_digit(value)


def test_all_ink_canvas_is_refused():
    layer = np.zeros((280, 280, 4), np.uint8)
    layer[..., 3] = 255
    with pytest.raises(lab.LabInputError, match="all ink"):
        lab.sketch_to_digit({"background": None, "layers": [layer], "composite": None})


def test_tiny_or_odd_arrays_are_refused():
    with pytest.raises(lab.LabInputError):
        lab.sketch_to_digit(np.zeros((3, 3)))


@pytest.fixture(scope="module")
def nets():
    torch.manual_seed(0)
    return create_model("lenet5").eval(), create_model("lenet5_half").eval()


def test_analysis_adds_up(nets):
    teacher, student = nets
    comp, layer = stroke_rgba()
    digit = lab.sketch_to_digit({"layers": [layer], "composite": comp})
    r = lab.analyse(teacher, student, digit, 0.1307, 0.3081, [str(i) for i in range(10)], T=4.0)
    assert r.teacher_probs.shape == (5, 10) and np.allclose(r.teacher_probs.sum(1), 1)
    assert np.allclose(r.student_probs.sum(1), 1)
    assert r.target == r.teacher_pred
    assert r.kd == pytest.approx(r.tckd + r.weight * r.nckd, rel=1e-9, abs=1e-12)
    assert sum(r.binary_teacher) == pytest.approx(1) and np.isclose(r.rest_teacher.sum(), 1)
    assert len(r.rest_classes) == 9 and str(r.target) not in r.rest_classes
    # Higher temperature, flatter distribution: entropy never falls as T rises.
    assert all(a <= b + 1e-9 for a, b in zip(r.teacher_entropy, r.teacher_entropy[1:]))
    # Matches the training loss functions (un-scaled: divide the T^2 back out).
    from kdemo.methods import losses
    x = torch.as_tensor((digit - 0.1307) / 0.3081, dtype=torch.float32)[None, None]
    with torch.no_grad():
        zs, zt = student(x).double(), teacher(x).double()
    assert r.kd == pytest.approx(losses.kd_loss(zs, zt, 4.0).item() / 16, rel=1e-6)
    tckd, nckd = losses.dkd_terms(zs, zt, torch.tensor([r.target]), 4.0)
    assert (r.tckd, r.nckd) == (pytest.approx(tckd.item() / 16, rel=1e-6), pytest.approx(nckd.item() / 16, rel=1e-6))


def test_chosen_target_and_bad_values(nets):
    teacher, student = nets
    digit = np.zeros((28, 28), np.float32)
    digit[5:23, 12:16] = 1
    r = lab.analyse(teacher, student, digit, 0.1307, 0.3081, list("0123456789"), T=2.0, target=7)
    assert r.target == 7 and r.binary_teacher[0] == pytest.approx(float(r.teacher_probs[1, 7]), rel=1e-6)
    with pytest.raises(lab.LabInputError):
        lab.analyse(teacher, student, digit, 0.1307, 0.3081, list("0123456789"), T=0)
    with pytest.raises(lab.LabInputError):
        lab.analyse(teacher, student, digit, 0.1307, 0.3081, list("0123456789"), target=10)
