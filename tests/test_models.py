"""Every registered model, timm-style: output contract, gradients, shapes, and a few parameter counts by hand."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from kdemo.data.datasets import DATASETS
from kdemo.zoo.models import (MODELS, KDModel, count_parameters, create_model, format_count, models_for,
                          param_count)

KEYS = list(MODELS)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # tiny batches gain nothing from intra-op threads, and on a shared CPU spinning threads slow everyone down
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def build(key, dataset=None):
    info = DATASETS[dataset or MODELS[key].datasets[0]]
    torch.manual_seed(0)
    model = create_model(key, info.num_classes, info.in_channels, info.image_size)
    return model, (info.in_channels, info.image_size, info.image_size)


def has_batchnorm(model):
    return any(isinstance(m, nn.BatchNorm2d) for m in model.modules())


@pytest.mark.parametrize("key", KEYS)
def test_forward_backward_contract(key):
    model, shape = build(key)
    spec = MODELS[key]
    assert isinstance(model, KDModel) and model.key == key
    b = 3 if has_batchnorm(model) else 2  # BN in train mode needs more than one value per channel
    torch.manual_seed(1)
    x, y = torch.randn(b, *shape), torch.arange(b) % 10
    model.train()
    logits, feats = model.forward_features(x)
    assert logits.shape == (b, 10) and torch.isfinite(logits).all()
    assert feats["hidden"].dim() == 2 and feats["hidden"].shape[0] == b
    assert ("hint" in feats) == spec.has_feature_map
    if spec.has_feature_map:
        assert feats["hint"].dim() == 4 and feats["hint"].shape[0] == b
    assert all(torch.isfinite(f).all() for f in feats.values())
    F.cross_entropy(logits, y).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f"{key}: {name} got no gradient"
        assert torch.isfinite(p.grad).all(), f"{key}: {name} has a non-finite gradient"


@pytest.mark.parametrize("key", KEYS)
def test_forward_matches_forward_features_in_eval(key):
    model, shape = build(key)
    model.eval()
    x = torch.randn(2, *shape)
    with torch.no_grad():
        logits, feats = model.forward_features(x)
        assert torch.equal(model(x), logits)
        # "hidden" is exactly the input of the final linear layer, and nothing follows that layer
        assert isinstance(model.fc, nn.Linear) and feats["hidden"].shape[1] == model.fc.in_features
        torch.testing.assert_close(model.fc(feats["hidden"]), logits)


@pytest.mark.parametrize("key", [k for k in KEYS if k != "densenet_bc"])  # depth 100: one shape is enough
def test_every_listed_dataset_fits(key):
    for dataset in MODELS[key].datasets:
        model, shape = build(key, dataset)
        with torch.no_grad():
            logits, _ = model.eval().forward_features(torch.randn(1, *shape))
        assert logits.shape == (1, 10), dataset


@pytest.mark.parametrize("key", KEYS)
def test_description_states_the_computed_parameter_count(key):
    spec = MODELS[key]
    assert f"{format_count(param_count(key, spec.datasets[0]))} params" in spec.description


def test_known_parameter_counts():
    # LeNet-5, 28x28 with padding 2: conv 1*6*25+6 = 156, conv 6*16*25+16 = 2416, fc 400*120+120 = 48120,
    # fc 120*84+84 = 10164, fc 84*10+10 = 850
    assert param_count("lenet5", "mnist") == 156 + 2416 + 48120 + 10164 + 850 == 61_706
    assert param_count("mlp_1200", "mnist") == (784 * 1200 + 1200) + (1200 * 1200 + 1200) + 12010 == 2_395_210
    assert param_count("mlp_20", "mnist") == (784 * 20 + 20) + (20 * 20 + 20) + (20 * 10 + 10) == 16_330
    assert param_count("cnn_teacher", "cifar10") == 1_186_986  # the PyTorch KD tutorial's DeepNN
    assert param_count("cnn_student", "cifar10") == 267_738  # and its LightNN
    assert param_count("resnet18", "cifar10") == 11_173_962  # the usual CIFAR ResNet-18 figure


def test_hint_shapes_line_up_at_16x16_on_cifar():
    # teachers and students meet at the same spatial size, so a FitNets regressor needs only a conv
    for key, channels in [("cnn_teacher", 64), ("cnn_student", 16), ("resnet20", 32), ("resnet18", 128),
                          ("densenet_bc_40", 120)]:
        model, shape = build(key, "cifar10")
        with torch.no_grad():
            _, feats = model.eval().forward_features(torch.randn(1, *shape))
        assert feats["hint"].shape == (1, channels, 16, 16), key


def test_unknown_name_lists_valid_models():
    with pytest.raises(ValueError, match="lenet5.*mlp_1200"):
        create_model("lenet7")


@pytest.mark.parametrize("kwargs", [dict(image_size=8), dict(in_channels=0), dict(num_classes=1),
                                    dict(image_size=28.0), dict(in_channels=True)])
def test_bad_shapes_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        create_model("lenet5", **kwargs)


def test_builder_options_pass_through():
    assert count_parameters(create_model("densenet_bc", 10, 3, 32, depth=40)) == param_count("densenet_bc_40",
                                                                                             "cifar10")
    with pytest.raises(ValueError, match="6n"):
        create_model("resnet20", 10, 3, 32, depth=21)
    plain = create_model("mlp_1200", dropout=0.0).train()
    x = torch.randn(2, 1, 28, 28)
    assert torch.equal(plain(x), plain(x))  # no dropout left: train mode is deterministic


def test_models_for():
    mnist = models_for("mnist")
    assert {"lenet5", "lenet5_half", "mlp_1200", "mlp_20"} <= set(mnist)
    assert {"cnn_teacher", "cnn_student", "resnet20", "densenet_bc"} <= set(models_for("cifar10"))
    assert mnist == [k for k in MODELS if "mnist" in MODELS[k].datasets]
    with pytest.raises(ValueError, match="cifar10"):
        models_for("imagenet")
