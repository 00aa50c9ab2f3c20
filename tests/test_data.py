"""kdemo.data.datasets: shipped MNIST, idx/CIFAR parsing on tiny fake files, subsets, augmentation, offline errors."""
import gzip
import pickle
import struct
import urllib.error

import numpy as np
import pytest
import torch

from kdemo.data import datasets as data
from kdemo.data.datasets import DATASETS, DatasetUnavailable, ImageData, load_dataset, random_crop_flip, select_indices


# ---------------------------------------------------------------- shipped MNIST

def test_bundled_mnist_loads():
    train, test = load_dataset("mnist", "train"), load_dataset("mnist", "test", download=False)
    assert train.images.shape == (60000, 1, 28, 28) and train.images.dtype == torch.uint8
    assert test.images.shape == (10000, 1, 28, 28) and len(test) == 10000
    for split in (train, test):
        assert split.labels.dtype == torch.int64
        assert torch.equal(split.labels.unique(), torch.arange(10))
    assert load_dataset("mnist") is train  # cached: one copy per process


def test_mnist_batch_is_normalized():
    train = load_dataset("mnist")
    x, y = train.batch(torch.arange(2000))
    assert x.dtype == torch.float32 and x.shape == (2000, 1, 28, 28) and y.shape == (2000,)
    assert abs(x.mean().item()) < 0.1 and abs(x.std().item() - 1) < 0.1
    assert torch.equal(y, train.labels[:2000])


def test_load_dataset_rejects_bad_name_and_split():
    with pytest.raises(ValueError, match="mnist, fashion_mnist, cifar10"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="split"):
        load_dataset("mnist", "val")


def test_fashion_mnist_from_system_package():
    if not data.FASHION_SYSTEM.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed")
    train = load_dataset("fashion_mnist", "train", download=False)
    assert train.images.shape == (60000, 1, 28, 28)
    assert train.info.class_names[9] == "Ankle boot"


# ---------------------------------------------------------------- idx parsing

def write_idx(path, magic, dims, payload, gz=True):
    raw = struct.pack(">i", magic) + b"".join(struct.pack(">i", d) for d in dims) + payload
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def test_idx_roundtrip_and_torchvision_root(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    imgs = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    for split, (img_name, lbl_name) in data.IDX_FILES.items():
        write_idx(raw / f"{img_name}.gz", 2051, (5, 28, 28), imgs.tobytes())
        write_idx(raw / lbl_name, 2049, (5,), bytes([0, 1, 2, 3, 9]), gz=False)  # plain file also accepted
    d = load_dataset("mnist", "test", root=str(tmp_path), download=False)
    assert d.images.shape == (5, 1, 28, 28) and np.array_equal(d.images[:, 0].numpy(), imgs)
    assert d.labels.tolist() == [0, 1, 2, 3, 9]


def test_idx_rejects_wrong_magic(tmp_path):
    path = write_idx(tmp_path / "x.gz", 2049, (4,), bytes(4))
    with pytest.raises(ValueError, match="magic"):
        data.read_idx(path, 2051)


@pytest.mark.parametrize("cut", [1, 700])
def test_idx_rejects_truncated(tmp_path, cut):
    good = write_idx(tmp_path / "good", 2051, (2, 28, 28), bytes(2 * 28 * 28), gz=False).read_bytes()
    plain = tmp_path / "short"
    plain.write_bytes(good[:-cut])
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(plain, 2051)
    cut_gz = tmp_path / "short.gz"
    cut_gz.write_bytes(gzip.compress(good)[:-cut])  # a cut gzip stream: decompression fails
    with pytest.raises(ValueError, match="short.gz"):
        data.read_idx(cut_gz, 2051)


# ---------------------------------------------------------------- CIFAR batches

def write_fake_cifar(root, n=20, seed=0):
    """torchvision's cifar-10-batches-py layout, tiny: returns {file name: (data, labels)}."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng, written = np.random.default_rng(seed), {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                 b"labels": rng.integers(0, 10, n).tolist()}
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f)
        written[name] = batch
    return written


def test_cifar_loader_reads_batches(tmp_path):
    written = write_fake_cifar(tmp_path)
    train = load_dataset("cifar10", "train", root=str(tmp_path), download=False)
    test = load_dataset("cifar10", "test", root=str(tmp_path), download=False)
    assert train.images.shape == (100, 3, 32, 32) and train.images.dtype == torch.uint8
    assert test.images.shape == (20, 3, 32, 32)
    assert train.labels.tolist() == sum((written[f"data_batch_{i}"][b"labels"] for i in range(1, 6)), [])
    # row layout: 1024 R, 1024 G, 1024 B, each row-major 32x32; image 21 is the 2nd of data_batch_2
    row = written["data_batch_2"][b"data"][1]
    for c, y, x in [(0, 0, 0), (1, 5, 7), (2, 31, 30)]:
        assert train.images[21, c, y, x] == row[c * 1024 + y * 32 + x]


def test_cifar_damaged_batch_is_reported(tmp_path):
    write_fake_cifar(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps({b"data": [1, 2]}))
    with pytest.raises(DatasetUnavailable, match="test_batch"):
        load_dataset("cifar10", "test", root=str(tmp_path), download=False)


def test_offline_error_is_one_clear_message(tmp_path, monkeypatch):
    import torchvision.datasets

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", offline)
    monkeypatch.setenv("KDEMO_DATA", str(tmp_path / "home"))
    root = tmp_path / "nowhere"
    with pytest.raises(DatasetUnavailable) as err:
        load_dataset("cifar10", root=str(root))
    msg = str(err.value)
    assert str(root / "cifar-10-batches-py") in msg and "URLError" in msg and "KDEMO_DATA" in msg
    assert err.value.__cause__ is None  # no urllib traceback chained under it
    assert err.value.__context__ is None or err.value.__suppress_context__
    with pytest.raises(DatasetUnavailable, match="download=False"):
        load_dataset("cifar10", download=False)  # the default home, redirected by KDEMO_DATA


# ---------------------------------------------------------------- augmentation

def tiny_cifar(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(1, 256, (n, 3, 32, 32), generator=g, dtype=torch.uint8)
    return ImageData(images, torch.arange(n) % 10, DATASETS["cifar10"])


def test_augment_shape_reproducible_and_changes_images():
    d = tiny_cifar()
    idx = torch.arange(len(d))
    x1, _ = d.batch(idx, augment=True, generator=torch.Generator().manual_seed(1))
    x2, _ = d.batch(idx, augment=True, generator=torch.Generator().manual_seed(1))
    x3, _ = d.batch(idx, augment=True, generator=torch.Generator().manual_seed(2))
    plain, _ = d.batch(idx)
    assert x1.shape == plain.shape == (32, 3, 32, 32)
    assert torch.equal(x1, x2) and not torch.equal(x1, x3)
    changed = (x1 != plain).flatten(1).any(1)
    assert changed.sum() >= 20  # P(no crop shift and no flip) = 1/162 per image
    mnist = ImageData(d.images[:, :1], d.labels, DATASETS["mnist"])
    assert torch.equal(mnist.batch(idx, augment=True)[0], mnist.batch(idx)[0])  # MNIST has no augmentation


def test_flip_only_on_hand_made_image():
    img = torch.arange(6, dtype=torch.uint8).view(1, 1, 2, 3).repeat(64, 1, 1, 1)
    out = random_crop_flip(img, pad=0, generator=torch.Generator().manual_seed(0))
    flipped = torch.tensor([[2, 1, 0], [5, 4, 3]], dtype=torch.uint8)
    is_plain = (out[:, 0] == img[0, 0]).flatten(1).all(1)
    is_flip = (out[:, 0] == flipped).flatten(1).all(1)
    assert torch.all(is_plain ^ is_flip) and is_plain.any() and is_flip.any()


def test_crop_is_a_window_of_the_zero_padded_image():
    img = torch.randint(1, 256, (16, 2, 6, 5), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    out = random_crop_flip(img, pad=2, generator=torch.Generator().manual_seed(3))
    padded = torch.nn.functional.pad(img, (2, 2, 2, 2))
    for i in range(len(img)):
        windows = [w for dy in range(5) for dx in range(5)
                   for w in (padded[i, :, dy:dy + 6, dx:dx + 5], padded[i, :, dy:dy + 6, dx:dx + 5].flip(-1))]
        assert any(torch.equal(out[i], w) for w in windows)


# ---------------------------------------------------------------- select_indices

LABELS = torch.arange(1000) % 10  # 100 per class


def test_select_balanced_and_reproducible():
    idx = select_indices(LABELS, n_labeled=100, seed=0)
    assert len(idx) == 100 and torch.equal(idx, idx.sort().values) and idx.dtype == torch.long
    assert torch.bincount(LABELS[idx], minlength=10).tolist() == [10] * 10
    assert torch.equal(idx, select_indices(LABELS, n_labeled=100, seed=0))
    assert not torch.equal(idx, select_indices(LABELS, n_labeled=100, seed=1))
    assert set(idx.tolist()) <= set(select_indices(LABELS, n_labeled=300, seed=0).tolist())  # nested


def test_select_omit_fraction_and_remainders():
    idx = select_indices(LABELS, omit_classes=(3,))
    assert len(idx) == 900 and not (LABELS[idx] == 3).any()
    idx = select_indices(LABELS, fraction=0.1, omit_classes=(3, 7))
    assert len(idx) == 80 and torch.bincount(LABELS[idx], minlength=10).tolist() == [10, 10, 10, 0, 10, 10, 10, 0, 10, 10]
    counts = torch.bincount(LABELS[select_indices(LABELS, n_labeled=13)], minlength=10)
    assert counts.tolist() == [2, 2, 2] + [1] * 7
    skewed = torch.tensor([0] * 3 + [1] * 50 + [2] * 50)  # class 0 too small: the others make up for it
    assert torch.bincount(skewed[select_indices(skewed, n_labeled=30)]).tolist() == [3, 14, 13]


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_labeled=0), "n_labeled"), (dict(n_labeled=1001), "n_labeled"),
    (dict(n_labeled=901, omit_classes=(0,)), "n_labeled"), (dict(n_labeled=2.5), "n_labeled"),
    (dict(fraction=0.0), "fraction"), (dict(fraction=1.5), "fraction"),
    (dict(n_labeled=10, fraction=0.5), "not both"), (dict(omit_classes=(10,)), "range"),
    (dict(omit_classes=(-1,)), "range"), (dict(omit_classes=tuple(range(10))), "every class"),
])
def test_select_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        select_indices(LABELS, **kwargs)


def test_cifar_batch_that_would_run_code_is_refused(tmp_path):
    import pickle
    from kdemo.data.datasets import read_cifar_split

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": [0]}, f)
    with pytest.raises(ValueError, match="refusing to load builtins.print"):
        read_cifar_split(folder, "test")
