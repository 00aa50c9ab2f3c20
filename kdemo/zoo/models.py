"""The model zoo: every network the lab can train or distil, behind one factory.

`create_model(name, ...)` is the one entry point (as timm's); `MODELS` maps the UI's choices to `ModelSpec`s.
The architectures live in kdemo/zoo/nets.py and share one output contract (`SplitNet`): `model(x)` gives logits,
`model.forward_features(x)` gives `(logits, {"hidden": (B, D), "hint": (B, C, H, W) for conv nets})`.

A run passes its own `torch.Generator`: initial weights and dropout draws then come from it, never from torch's
process-wide generator, so one visitor's run cannot change another's (`create_model(..., generator=g)`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Callable

import torch
from torch import nn

from ..data.datasets import DATASETS
from .nets import KDModel  # noqa: F401  (the zoo's base class, part of this module's API)
from .nets import (Dropout, cifar_resnet, cnn_small, cnn_student, cnn_teacher, densenet_bc, he_normal_, lenet5, mlp,
                   resnet18)

# ---- the registry ----

@dataclass(frozen=True)
class ModelSpec:
    key: str
    title: str
    builder: Callable[..., nn.Module]
    datasets: tuple[str, ...]  # dataset keys it fits, its main one first
    has_feature_map: bool  # True when forward_features gives a 4D "hint" map
    description: str  # one line: what, which paper, parameters for 10 classes on its main dataset
    min_image_size: int = 8  # smallest square input whose pooling still leaves at least 1x1


ANY = ("mnist", "fashion_mnist", "cifar10")  # flatten sizes are computed, so these fit every dataset
CONV = ("cifar10", "mnist", "fashion_mnist")  # CIFAR-10 nets; 28x28 still pools to whole maps

MODELS: dict[str, ModelSpec] = {s.key: s for s in (
    ModelSpec("lenet5", "LeNet-5", lenet5, ANY, True,
              "LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling; 61.7k params on MNIST", 12),
    ModelSpec("lenet5_half", "LeNet-5 (half width)", partial(lenet5, widths=(3, 8, 60, 42)), ANY, True,
              "LeNet-5 at half width (3-8 conv, 60-42 fc), the lab's default student; 15.7k params on MNIST", 12),
    ModelSpec("mlp_1200", "MLP 1200-1200 (teacher)", partial(mlp, widths=(1200, 1200), dropout=0.5), ANY, False,
              "Dropout-0.5 MLP teacher of Hinton et al. 2015 (Distilling the Knowledge); 2.40M params on MNIST", 1),
    ModelSpec("mlp_800", "MLP 800-800", partial(mlp, widths=(800, 800)), ANY, False,
              "Unregularised MLP student of Hinton et al. 2015; 1.28M params on MNIST", 1),
    ModelSpec("mlp_20", "MLP 20-20", partial(mlp, widths=(20, 20)), ANY, False,
              "Tiny MLP student, Hinton et al. 2015's recipe at its smallest; 16.3k params on MNIST", 1),
    ModelSpec("cnn_teacher", "CNN teacher (4 conv)", cnn_teacher, CONV, True,
              "4-conv CIFAR-10 teacher of the PyTorch knowledge-distillation tutorial; 1.19M params on CIFAR-10", 4),
    ModelSpec("cnn_student", "CNN student (2 conv)", cnn_student, CONV, True,
              "2-conv CIFAR-10 student of the PyTorch knowledge-distillation tutorial; 267.7k params on CIFAR-10", 4),
    ModelSpec("cnn_small", "CNN 32-64-128 (BN)", cnn_small, CONV, True,
              "Three VGG-style conv-BN blocks (Simonyan & Zisserman 2015), global pool; 94.8k params on CIFAR-10"),
    ModelSpec("resnet8", "ResNet-8 (CIFAR)", partial(cifar_resnet, depth=8), CONV, True,
              "CIFAR ResNet-8 (He et al. 2016), one basic block per 16-32-64 stage; 78.0k params on CIFAR-10"),
    ModelSpec("resnet20", "ResNet-20 (CIFAR)", partial(cifar_resnet, depth=20), CONV, True,
              "CIFAR ResNet-20 (He et al. 2016), three basic blocks per 16-32-64 stage; 272.5k params on CIFAR-10"),
    ModelSpec("resnet18", "ResNet-18", resnet18, CONV, True,
              "torchvision ResNet-18 (He et al. 2016) with a 3x3 stride-1 stem; 11.17M params on CIFAR-10"),
    ModelSpec("densenet_bc", "DenseNet-BC-100 (k=12)", densenet_bc, CONV, True,
              "DenseNet-BC depth 100, growth 12 (Huang et al. 2017); 769.2k params on CIFAR-10, slow on CPU"),
    ModelSpec("densenet_bc_40", "DenseNet-BC-40 (k=12)", partial(densenet_bc, depth=40), CONV, True,
              "DenseNet-BC depth 40, growth 12 (Huang et al. 2017); 176.1k params on CIFAR-10, fine on CPU"),
)}


def _positive_int(name: str, value, least: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")


def create_model(name: str, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
                 generator: torch.Generator | None = None, **kw) -> nn.Module:
    """Build a fresh, randomly initialised model from the zoo (the one documented entry point).

    Args:
        name: a key of `MODELS`, e.g. "lenet5", "mlp_1200", "resnet20".
        num_classes: size of the logits (B, num_classes).
        in_channels, image_size: input shape (B, in_channels, image_size, image_size); layer sizes follow from it.
        generator: where the initial weights and later dropout draws come from. None: torch's global generator
            (as plain PyTorch does); a run always passes its own.
        **kw: options of that model's builder, e.g. `depth=40` for "densenet_bc", `dropout=0.0` for "mlp_1200".

    Returns:
        A SplitNet with `model.key == name`: `model(x)` gives logits, `model.forward_features(x)` gives
        `(logits, {"hidden": (B, D), "hint": (B, C, H, W) for conv nets})`.

    Raises:
        ValueError: unknown name (the message lists the valid ones), or a shape the model cannot take.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid models: {', '.join(MODELS)}")
    spec = MODELS[name]
    _positive_int("num_classes", num_classes, 2)
    _positive_int("in_channels", in_channels)
    _positive_int("image_size", image_size)
    if image_size < spec.min_image_size:
        raise ValueError(f"{name} needs images of at least {spec.min_image_size}x{spec.min_image_size} "
                         f"(its pooling would leave nothing), got {image_size}x{image_size}")
    build = partial(spec.builder, num_classes=num_classes, in_channels=in_channels, image_size=image_size, **kw)
    if generator is None:
        model = build()
    else:   # shapes only (no draws from the global generator), then weights from the run's own generator
        with torch.device("meta"):
            model = build()
        model = init_weights(model.to_empty(device=generator.device), generator)
        use_generator(model, generator)
    model.key = name
    return model


def build_for(name: str, dataset: str, generator: torch.Generator | None = None) -> nn.Module:
    """create_model with a dataset's shape and classes."""
    info = DATASETS[dataset]
    return create_model(name, info.num_classes, info.in_channels, info.image_size, generator=generator)


def shell_for(name: str, dataset: str) -> nn.Module:
    """The architecture with uninitialised weights (no random draws at all), for load_state_dict to fill."""
    info = DATASETS[dataset]
    with torch.device("meta"):
        model = create_model(name, info.num_classes, info.in_channels, info.image_size)
    model = model.to_empty(device="cpu")
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
    return model


@torch.no_grad()
def init_weights(model: nn.Module, generator: torch.Generator | None) -> nn.Module:
    """PyTorch's default initialisation, drawn from `generator`, module by module in registration order.

    Linear and Conv2d: Kaiming-uniform(a=sqrt(5)) weights and U(+-1/sqrt(fan_in)) biases, exactly as their
    reset_parameters; so with a generator seeded s this gives the weights that seeding torch's global
    generator with s would. In nets marked `he_init` (nets.he_init), conv weights are He-initialised instead
    (nets.he_normal_), as the ResNet and DenseNet papers train them. Modules without randomness (BatchNorm) are
    reset as usual.
    """
    he = getattr(model, "he_init", False)
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            if he and isinstance(m, nn.Conv2d):
                he_normal_(m.weight, generator)
            else:
                nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
            if m.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(m.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                nn.init.uniform_(m.bias, -bound, bound, generator=generator)
        elif hasattr(m, "reset_parameters") and not list(m.children()):
            m.reset_parameters()
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
    return model


def use_generator(model: nn.Module, generator: torch.Generator | None) -> nn.Module:
    """Point every Dropout of `model` at `generator` (the run's own)."""
    for m in model.modules():
        if isinstance(m, Dropout):
            m.generator = generator
    return model


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def models_for(dataset_key: str) -> list[str]:
    """Registry keys of the models that fit a dataset, in registry order."""
    if dataset_key not in DATASETS:
        raise ValueError(f"unknown dataset {dataset_key!r}; valid datasets: {', '.join(DATASETS)}")
    return [k for k, s in MODELS.items() if dataset_key in s.datasets]


@lru_cache(maxsize=None)
def param_count(key: str, dataset_key: str) -> int:
    """Trainable parameters of model `key` built for a dataset's shape and classes (builds it once, cached)."""
    if dataset_key not in DATASETS:
        raise ValueError(f"unknown dataset {dataset_key!r}; valid datasets: {', '.join(DATASETS)}")
    with torch.device("meta"):   # counting needs shapes only
        return count_parameters(build_for(key, dataset_key))


def format_count(n: int) -> str:
    """Short parameter count for the UI: 61.7k, 2.40M."""
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}k"
