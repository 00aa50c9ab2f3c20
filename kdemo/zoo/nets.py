"""The zoo's architectures. Every network is a `SplitNet` with one output contract (as mdistiller's CIFAR models),
so feature losses need no hooks:

    logits = model(x)                          # (B, num_classes), raw scores: no softmax, no ReLU
    logits, feats = model.forward_features(x)  # feats["hidden"]: (B, D), the input of the final linear layer
                                               # feats["hint"]: (B, C, H, W), a middle conv map (conv nets only)

Sizes (flatten dims, channels) are computed from `in_channels` and `image_size`, so MNIST-shaped (1x28x28)
and CIFAR-shaped (3x32x32) inputs both work wherever the pooling allows it. kdemo.zoo.models registers them.
"""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn


class Dropout(nn.Module):
    """nn.Dropout whose draws come from the run's own torch.Generator (set by models.use_generator).

    nn.Dropout draws from torch's process-wide generator, which every visitor's run shares: two runs in two
    threads would interleave their draws, and neither would be reproducible.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p
        self.generator: torch.Generator | None = None

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, device=x.device, dtype=x.dtype) >= self.p
        return x * keep / (1 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class KDModel(nn.Module):
    """Base of every zoo model: subclasses write `forward_features`; `forward` is its logits, so they never differ."""

    key: str | None = None  # registry key, set by create_model

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]


class SplitNet(KDModel):
    """stem -> hint -> trunk -> hidden -> drop -> fc: cut at the hint layer, one pass gives every output.

    Every zoo model is one of these; `fc` is always the final nn.Linear, so `fc(hidden) == logits` in eval mode.
    """

    def __init__(self, stem: nn.Module, trunk: nn.Module, fc: nn.Linear, dropout: float = 0.0, hint: bool = True):
        super().__init__()
        self.stem, self.trunk, self.fc = stem, trunk, fc
        self.drop = Dropout(dropout) if dropout > 0 else nn.Identity()
        self.has_hint = hint

    def forward_features(self, x):
        mid = self.stem(x)  # (B, C, H, W) for conv nets; (B, C*H*W) for MLPs
        hidden = self.trunk(mid)  # (B, D)
        feats = {"hidden": hidden, "hint": mid} if self.has_hint else {"hidden": hidden}
        return self.fc(self.drop(hidden)), feats


# ---- builders: builder(num_classes, in_channels, image_size, **options) -> KDModel ----

def mlp(num_classes, in_channels, image_size, widths=(1200, 1200), dropout=0.0, input_dropout=0.0):
    """Fully connected ReLU net (Hinton et al. 2015, "Distilling the Knowledge in a Neural Network")."""
    layers: list[nn.Module] = [Dropout(input_dropout)] if input_dropout > 0 else []
    d = in_channels * image_size * image_size
    for i, w in enumerate(widths):
        if i > 0 and dropout > 0:
            layers.append(Dropout(dropout))  # the last hidden layer's dropout is SplitNet.drop, after "hidden"
        layers += [nn.Linear(d, w), nn.ReLU()]
        d = w
    return SplitNet(nn.Flatten(), nn.Sequential(*layers), nn.Linear(d, num_classes), dropout, hint=False)


def lenet5(num_classes, in_channels, image_size, widths=(6, 16, 120, 84)):
    """LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling; padding 2 makes 28x28 act like the paper's 32x32."""
    c1, c2, f1, f2 = widths
    side = (image_size // 2 - 4) // 2  # 28 -> 14 -> 10 -> 5;  32 -> 16 -> 12 -> 6
    stem = nn.Sequential(
        nn.Conv2d(in_channels, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (B, c1, 14, 14)
        nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2))  # (B, c2, 5, 5): the hint
    trunk = nn.Sequential(nn.Flatten(), nn.Linear(c2 * side * side, f1), nn.ReLU(), nn.Linear(f1, f2), nn.ReLU())
    return SplitNet(stem, trunk, nn.Linear(f2, num_classes))


def cnn_teacher(num_classes, in_channels, image_size, dropout=0.1):
    """The 4-conv CIFAR-10 teacher ("DeepNN") of the PyTorch knowledge-distillation tutorial."""
    side = image_size // 4
    stem = nn.Sequential(
        nn.Conv2d(in_channels, 128, 3, padding=1), nn.ReLU(),
        nn.Conv2d(128, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # (B, 64, 16, 16): the hint
    trunk = nn.Sequential(
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 32, 8, 8)
        nn.Flatten(), nn.Linear(32 * side * side, 512), nn.ReLU())  # 2048 -> 512 on 32x32
    return SplitNet(stem, trunk, nn.Linear(512, num_classes), dropout)


def cnn_student(num_classes, in_channels, image_size, dropout=0.1):
    """The 2-conv CIFAR-10 student ("LightNN") of the PyTorch knowledge-distillation tutorial."""
    side = image_size // 4
    stem = nn.Sequential(nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))  # (B, 16, 16, 16)
    trunk = nn.Sequential(
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 16, 8, 8)
        nn.Flatten(), nn.Linear(16 * side * side, 256), nn.ReLU())  # 1024 -> 256 on 32x32
    return SplitNet(stem, trunk, nn.Linear(256, num_classes), dropout)


def _conv_bn_pool(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]


def cnn_small(num_classes, in_channels, image_size, widths=(32, 64, 128)):
    """Three VGG-style conv-BN-ReLU-pool blocks (Simonyan & Zisserman 2015), global average pool, one fc."""
    a, b, c = widths
    stem = nn.Sequential(*_conv_bn_pool(in_channels, a), *_conv_bn_pool(a, b))  # (B, 64, 8, 8): the hint
    trunk = nn.Sequential(*_conv_bn_pool(b, c), nn.AdaptiveAvgPool2d(1), nn.Flatten())  # (B, 128)
    return SplitNet(stem, trunk, nn.Linear(c, num_classes))


def he_normal_(weight: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """He initialisation, declared once: Kaiming-normal (fan_out, ReLU; He et al. 2015), as the ResNet and
    DenseNet papers train their convs. models.init_weights draws it from a run's generator for nets marked he_init."""
    return nn.init.kaiming_normal_(weight, mode="fan_out", nonlinearity="relu", generator=generator)


def he_init(model: nn.Module) -> nn.Module:
    """Every conv of `model` He-initialised, and the net marked so (`model.he_init`) for a seeded re-draw."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            he_normal_(m.weight)
    model.he_init = True
    return model


class BasicBlock(nn.Module):
    """Two 3x3 convs plus the input; a 1x1 conv projection when the shape changes (He et al. 2016, option B)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out))
        same = stride == 1 and c_in == c_out
        self.shortcut = nn.Identity() if same else nn.Sequential(
            nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def cifar_resnet(num_classes, in_channels, image_size, depth=20):
    """ResNet-(6n+2) for CIFAR (He et al. 2016, sec. 4.2): 3 stages of n basic blocks, 16-32-64 channels."""
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"CIFAR ResNet depth must be 6n+2 (8, 14, 20, 32, ...), got {depth}")
    n = (depth - 2) // 6

    def stage(c_in, c_out, stride):
        return nn.Sequential(*[BasicBlock(c_in if i == 0 else c_out, c_out, stride if i == 0 else 1)
                               for i in range(n)])

    stem = nn.Sequential(
        nn.Conv2d(in_channels, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        stage(16, 16, 1), stage(16, 32, 2))  # (B, 32, 16, 16): the hint
    trunk = nn.Sequential(stage(32, 64, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten())  # (B, 64)
    return he_init(SplitNet(stem, trunk, nn.Linear(64, num_classes)))


def resnet18(num_classes, in_channels, image_size):
    """torchvision's ResNet-18 (He et al. 2016) for small images: 3x3 stride-1 first conv and no max-pool."""
    from torchvision.models import resnet18 as tv_resnet18  # local: only this model needs torchvision

    net = tv_resnet18(weights=None, num_classes=num_classes)  # never downloads weights
    net.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
    # torchvision's own submodules run in their own order; names kept so state dicts read like torchvision's
    stem = nn.Sequential(OrderedDict(conv1=net.conv1, bn1=net.bn1, relu=net.relu,
                                     layer1=net.layer1, layer2=net.layer2))  # (B, 128, 16, 16): the hint
    trunk = nn.Sequential(OrderedDict(layer3=net.layer3, layer4=net.layer4,  # (B, 512, 4, 4)
                                      avgpool=net.avgpool, flatten=nn.Flatten()))  # (B, 512)
    return he_init(SplitNet(stem, trunk, net.fc))   # torchvision inits its convs so too; the new stem as well


class DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv (4k) then BN-ReLU-3x3 conv (k); the k new maps are concatenated to the input."""

    def __init__(self, c_in: int, growth: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(c_in), nn.ReLU(), nn.Conv2d(c_in, 4 * growth, 1, bias=False),
            nn.BatchNorm2d(4 * growth), nn.ReLU(), nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False))

    def forward(self, x):
        return torch.cat([x, self.body(x)], 1)  # (B, c_in + k, H, W)


def densenet_bc(num_classes, in_channels, image_size, depth=100, growth=12, compression=0.5):
    """DenseNet-BC for CIFAR (Huang et al. 2017): 3 dense blocks of (depth-4)/6 bottleneck layers."""
    if depth < 10 or (depth - 4) % 6:
        raise ValueError(f"DenseNet-BC depth must be 6n+4 (10, 40, 100, ...), got {depth}")
    n, c = (depth - 4) // 6, 2 * growth
    parts: list[nn.Module] = [nn.Conv2d(in_channels, c, 3, padding=1, bias=False)]
    for b in range(3):
        parts.append(nn.Sequential(*[DenseLayer(c + i * growth, growth) for i in range(n)]))
        c += n * growth
        if b < 2:  # transition: compress channels, halve the size
            out = int(c * compression)
            parts.append(nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, out, 1, bias=False),
                                       nn.AvgPool2d(2)))
            c = out
    # hint = 2nd dense block's output at 16x16, the same size as the ResNets' middle stage
    stem = nn.Sequential(*parts[:4])  # conv, block1, transition1, block2 -> (B, 300, 16, 16) at depth 100
    trunk = nn.Sequential(*parts[4:], nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())  # (B, c)
    return he_init(SplitNet(stem, trunk, nn.Linear(c, num_classes)))
