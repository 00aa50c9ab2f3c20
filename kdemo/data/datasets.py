"""Datasets for the lab: MNIST (shipped), Fashion-MNIST and CIFAR-10, held whole in memory as uint8.

Each split is loaded once per process (`load_dataset` is lru-cached) and shared read-only by every
visitor; batches are indexed, augmented and normalized on the fly, so nothing per-run lives here.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from .. import lang

from .files import (CIFAR_FILES, IDX_FILES, find_file, read_cifar_split, read_idx,  # noqa: F401 (read_idx: API)
                        read_idx_split)

MNIST_ASSETS = Path(__file__).resolve().parents[2] / "assets" / "mnist"
# A wheel (pip install .) holds the code only: the shipped MNIST and pretrained/ sit beside the package in a checkout.
NOT_A_CHECKOUT = ("install kdemo from a checkout of its repository (git clone, then pip install -e .), which "
                  "ships assets/mnist/ and pretrained/ beside the package")
FASHION_SYSTEM = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist
SPLITS = ("train", "test")


@dataclass(frozen=True)
class DatasetInfo:
    key: str
    title: str
    class_names: tuple[str, ...]
    in_channels: int
    image_size: int
    mean: tuple[float, ...]  # per channel, in [0,1] units
    std: tuple[float, ...]
    augment: bool  # random crop (4px zero pad) + horizontal flip, the usual CIFAR recipe
    train_size: int = 60_000  # images in the training split

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo("mnist", "MNIST", tuple(str(i) for i in range(10)), 1, 28,
                         (0.1307,), (0.3081,), augment=False),
    "fashion_mnist": DatasetInfo("fashion_mnist", "Fashion-MNIST",
                                 ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
                                 1, 28, (0.2860,), (0.3530,), augment=False),
    "cifar10": DatasetInfo("cifar10", "CIFAR-10",
                           ("airplane", "automobile", "bird", "cat", "deer",
                            "dog", "frog", "horse", "ship", "truck"),
                           3, 32, (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616), augment=True,
                           train_size=50_000),
}


class DatasetUnavailable(RuntimeError):
    """No local copy and no download: the message says where we looked and how to get the data."""


@functools.lru_cache(maxsize=16)
def _channel_stats(mean: tuple, std: tuple, device: str):
    """Per-channel mean/std to normalize with, made once per device (plain floats for one channel)."""
    if len(mean) == 1:
        return mean[0], std[0]
    return (torch.tensor(mean, device=device).view(1, -1, 1, 1), torch.tensor(std, device=device).view(1, -1, 1, 1))


@dataclass(frozen=True, eq=False, repr=False)  # eq=False: tensors have no truth value; identity is right
class ImageData:
    images: torch.Tensor  # uint8 (N, C, H, W), CPU
    labels: torch.Tensor  # int64 (N,), CPU; -1 may mark unlabeled samples
    info: DatasetInfo

    def __post_init__(self):
        if self.images.dtype != torch.uint8 or self.images.dim() != 4:
            raise ValueError(f"images must be uint8 (N,C,H,W), got {self.images.dtype} {tuple(self.images.shape)}")
        if self.labels.dtype != torch.int64 or self.labels.shape != self.images.shape[:1]:
            raise ValueError(f"labels must be int64 ({len(self.images)},), got {self.labels.dtype} "
                             f"{tuple(self.labels.shape)}")

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        n, c, h, w = self.images.shape
        return f"ImageData({self.info.title}, {n} images {c}x{h}x{w}, {self.info.num_classes} classes)"

    def subset(self, indices: torch.Tensor) -> "ImageData":
        indices = torch.as_tensor(indices, dtype=torch.long).cpu()
        return ImageData(self.images[indices], self.labels[indices], self.info)

    def normalize(self, images_uint8: torch.Tensor) -> torch.Tensor:
        """uint8 (B,C,H,W) -> float32 standardized with the dataset's mean/std, on the input's device."""
        x = images_uint8.float().div_(255)
        mean, std = _channel_stats(self.info.mean, self.info.std, str(x.device))
        return x.sub_(mean).div_(std)

    def batch(self, idx: torch.Tensor, device=None, augment: bool = False,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalized float32 images (B,C,H,W) and int64 labels (B,) on `device`."""
        idx = torch.as_tensor(idx, dtype=torch.long).cpu()
        # move uint8 (4x smaller than float) and augment/normalize on the target device
        # index_select, not self.images[idx]: the advanced-indexing path costs 5x more for a batch of 64
        x = self.images.index_select(0, idx).to(device, non_blocking=True)
        y = self.labels.index_select(0, idx).to(device, non_blocking=True)
        if augment and self.info.augment:
            x = random_crop_flip(x, pad=4, generator=generator)
        return self.normalize(x), y


def random_crop_flip(images: torch.Tensor, pad: int = 4, generator: torch.Generator | None = None) -> torch.Tensor:
    """Per-sample random crop from a zero-padded image plus random horizontal flip, in one gather.

    Same distribution as torchvision's RandomCrop(size, padding=pad) + RandomHorizontalFlip(), but
    vectorized over the batch; random numbers come from `generator` (on its own device) for reproducibility.
    """
    b, c, h, w = images.shape
    gen_device = generator.device if generator is not None else torch.device("cpu")
    offsets = torch.randint(0, 2 * pad + 1, (b, 2), generator=generator, device=gen_device).to(images.device)
    flip = (torch.rand(b, generator=generator, device=gen_device) < 0.5).to(images.device)
    padded = F.pad(images, (pad, pad, pad, pad))  # zeros, as torchvision's default fill
    rows = offsets[:, :1] + torch.arange(h, device=images.device)  # (B, H)
    cols_ = torch.arange(w, device=images.device)
    cols = offsets[:, 1:] + torch.where(flip[:, None], w - 1 - cols_, cols_)  # (B, W), flip folded in
    bi = torch.arange(b, device=images.device).view(b, 1, 1, 1)
    ci = torch.arange(c, device=images.device).view(1, c, 1, 1)
    return padded[bi, ci, rows.view(b, 1, h, 1), cols.view(b, 1, 1, w)]  # (B, C, H, W)


# ---------------------------------------------------------------- where the data lives

@dataclass(frozen=True)
class _Source:
    torchvision_name: str  # class in torchvision.datasets, used only to download
    subdir: str  # folder torchvision uses under its root
    shipped: Path | None  # copy that comes with the project or the system
    how_to_get: str


_SOURCES = {
    "mnist": _Source("MNIST", "MNIST/raw", MNIST_ASSETS, "restore assets/mnist/ from the repository" if
                     MNIST_ASSETS.parent.is_dir() else NOT_A_CHECKOUT),
    "fashion_mnist": _Source("FashionMNIST", "FashionMNIST/raw", FASHION_SYSTEM,
                             "run `apt-get install dataset-fashion-mnist`"),
    "cifar10": _Source("CIFAR10", "cifar-10-batches-py", None,
                       "extract cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html"),
}


def data_home() -> Path:
    """Where downloads go and are looked for: $KDEMO_DATA, else ~/.cache/kdemo."""
    return Path(os.environ.get("KDEMO_DATA") or Path.home() / ".cache" / "kdemo").expanduser()


def _candidates(key: str, root: Path | None) -> list[Path]:
    src, home = _SOURCES[key], root or data_home()
    folders = [home / src.subdir]
    if key != "cifar10":  # idx files may also sit directly in the given folder
        folders.insert(0, home)
    if src.shipped is not None:
        # an explicit root is the user's own copy, so it goes first; otherwise the shipped copy does
        folders = folders + [src.shipped] if root else [src.shipped] + folders
    return folders


def _has_split(key: str, folder: Path, split: str) -> bool:
    names = CIFAR_FILES[split] if key == "cifar10" else IDX_FILES[split]
    return all((folder / n).is_file() or (folder / f"{n}.gz").is_file() for n in names)


def _read(key: str, folder: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    return read_cifar_split(folder, split) if key == "cifar10" else read_idx_split(folder, split)


def _download(key: str, home: Path) -> None:
    import torchvision.datasets  # local: only the download path needs torchvision
    getattr(torchvision.datasets, _SOURCES[key].torchvision_name)(str(home), train=True, download=True)


@functools.lru_cache(maxsize=8)  # read-only per-process cache: every visitor shares one copy
def _load_cached(key: str, split: str, root: str | None, download: bool) -> ImageData:
    info, home = DATASETS[key], Path(root).expanduser() if root else None
    folders = _candidates(key, home)
    found = next((f for f in folders if _has_split(key, f, split)), None)
    problem = "download=False"
    if found is None and download:
        target = home or data_home()
        try:
            _download(key, target)
            found = next((f for f in folders if _has_split(key, f, split)), None)
            problem = "download finished but the files are not where expected"
        except Exception as e:  # offline, proxy, disk full...: the caller gets one readable line
            problem = f"download into {target} failed ({type(e).__name__}: {str(e)[:200]})"
    if found is None:
        looked = ", ".join(str(f) for f in folders)
        raise DatasetUnavailable(
            f"{info.title} ({split}) is not available. Looked in: {looked}; {problem}. To get it: "
            f"{_SOURCES[key].how_to_get}, or pass root= a folder that has it, or set KDEMO_DATA.")
    try:
        images, labels = _read(key, found, split)
    except (ValueError, FileNotFoundError) as e:
        raise DatasetUnavailable(f"{info.title} ({split}) in {found} is damaged: {e}. "
                                 f"Delete it and get a fresh copy: {_SOURCES[key].how_to_get}.") from None
    if labels.numel() and not (0 <= int(labels.min()) and int(labels.max()) < info.num_classes):
        raise DatasetUnavailable(f"{info.title} ({split}) in {found}: labels outside 0..{info.num_classes - 1}")
    return ImageData(images, labels, info)


def load_dataset(name: str, split: str = "train", root: str | None = None, download: bool = True) -> ImageData:
    """A whole split in memory, cached per process.

    Args:
        name: a key of DATASETS ("mnist", "fashion_mnist", "cifar10").
        split: "train" or "test".
        root: a folder with the data (the idx files, or a torchvision root with MNIST/raw,
            FashionMNIST/raw or cifar-10-batches-py); downloads go there too. Default: the shipped or
            system copy, then $KDEMO_DATA or ~/.cache/kdemo.
        download: allow torchvision to download a missing dataset (never when $KDEMO_OFFLINE is set).
    Raises:
        ValueError for an unknown name or split; DatasetUnavailable when no copy can be found or fetched.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    download = bool(download) and not os.environ.get("KDEMO_OFFLINE")
    # normalized arguments so equivalent calls share one cache entry
    return _load_cached(name, split, str(root) if root is not None else None, download)


# ---------------------------------------------------------------- labeled subsets

def select_indices(labels, *, n_labeled: int | None = None, fraction: float | None = None,
                   omit_classes=(), seed: int = 0, num_classes: int | None = None) -> torch.LongTensor:
    """Sorted indices of a class-balanced, reproducible subset without the omitted classes.

    Negative labels (unlabeled samples) are never selected. Within each class the order comes from
    one seeded permutation, so with the same seed a larger subset contains every smaller one.
    `num_classes` (default: max label + 1) only bounds the valid `omit_classes`.
    """
    labels = torch.as_tensor(labels).long().cpu()
    k = num_classes if num_classes is not None else int(labels.max()) + 1 if labels.numel() else 0
    omit = {int(c) for c in omit_classes}
    if bad := sorted(c for c in omit if not 0 <= c < k):
        raise ValueError(f"omit_classes {bad} out of range 0..{k - 1}")
    classes = [c for c in range(k) if c not in omit and bool((labels == c).any())]
    if not classes:
        raise ValueError("cannot omit every class: nothing would be left to train on" if omit
                         else "no labeled samples to select from")
    per_class = [torch.nonzero(labels == c).flatten() for c in classes]
    available = sum(len(p) for p in per_class)
    if n_labeled is not None and fraction is not None:
        raise ValueError("give n_labeled or fraction, not both")
    if n_labeled is None and fraction is None:
        return torch.cat(per_class).sort().values
    if n_labeled is not None:
        if isinstance(n_labeled, bool) or int(n_labeled) != n_labeled or not 1 <= n_labeled <= available:
            raise lang.Told("told.labeled_left", setting=lang.setting("n_labeled", "n_labeled"), most=available,
                            got=repr(n_labeled))
        n = int(n_labeled)
    else:
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
        n = max(1, round(fraction * available))
    quota = _balanced_quota(n, [len(p) for p in per_class])
    g = torch.Generator().manual_seed(seed)
    picked = [p[torch.randperm(len(p), generator=g)[:q]] for p, q in zip(per_class, quota)]
    return torch.cat(picked).sort().values


def _balanced_quota(n: int, sizes: list[int]) -> list[int]:
    """Split n as evenly as possible over classes of the given sizes (n <= sum(sizes)).

    Classes too small for their share give everything they have and the rest is shared again;
    remainders go to the lowest class indices first, so the result is deterministic.
    """
    take, left = [0] * len(sizes), n
    while left > 0:
        open_ = [i for i, s in enumerate(sizes) if take[i] < s]
        share, extra = divmod(left, len(open_))
        for j, i in enumerate(open_):
            add = min(sizes[i] - take[i], share + (j < extra))
            take[i] += add
            left -= add
    return take
