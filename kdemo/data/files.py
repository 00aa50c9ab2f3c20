"""The dataset file formats kdemo reads: idx files (MNIST, Fashion-MNIST; gzip or plain) and the CIFAR-10 python
batches, read with a restricted unpickler. Every reader checks what it reads and says what is wrong in one line."""
from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np
import torch

IDX_IMAGES, IDX_LABELS = 2051, 2049  # magic: 0x08 (ubyte) << 8 | number of dims
IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
CIFAR_FILES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}


def read_idx(path: str | Path, magic: int) -> np.ndarray:
    """Parse one idx file (gzip or plain) into a uint8 array; ValueError if it is not what the header says.

    The body is decompressed straight into the array (no intermediate bytes object and copy): MNIST's training
    images are 47 MB, and this read is part of every run's start-up.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or int.from_bytes(head, "big") != magic:
                got = int.from_bytes(head, "big") if len(head) == 4 else None
                raise ValueError(f"{path}: not an idx file of the expected kind (magic {got}, expected {magic})")
            ndim = magic & 0xFF
            dims_raw = f.read(4 * ndim)
            if len(dims_raw) < 4 * ndim:
                raise ValueError(f"{path}: truncated header")
            dims = tuple(int(d) for d in np.frombuffer(dims_raw, dtype=">i4"))
            out = np.empty(dims, dtype=np.uint8)
            got = f.readinto(memoryview(out).cast("B")) if out.size else 0
            extra = len(f.read(1))
    except (OSError, EOFError) as e:  # BadGzipFile is an OSError; a cut-off gzip stream is an EOFError
        raise ValueError(f"{path}: cannot read/decompress ({type(e).__name__}: {e})") from None
    header = 4 + 4 * ndim
    if got != out.size or extra:
        size = header + got + extra
        raise ValueError(f"{path}: {size}{'+' if extra else ''} bytes but the header promises "
                         f"{header + out.size} for shape {dims}; the file is truncated or damaged")
    return out


def read_idx_split(folder: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images (N,1,H,W) and int64 labels (N,) from the idx pair of `split` in `folder`."""
    img_name, lbl_name = IDX_FILES[split]
    images = read_idx(find_file(folder, img_name), IDX_IMAGES)
    labels = read_idx(find_file(folder, lbl_name), IDX_LABELS)
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} images but {len(labels)} labels for split {split!r}")
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain containers and numpy arrays only: a crafted batch file cannot run code.

    The CIFAR-10 python batches are pickles of {b"data": ndarray, b"labels": list, ...}; nothing else is
    needed to read them, so every other global is refused.
    """
    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")
        return super().find_class(module, name)


def read_cifar_split(folder: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images (N,3,32,32) and int64 labels (N,) from torchvision's cifar-10-batches-py files.

    Read with a restricted unpickler (arrays and containers only); torchvision's own loader is avoided for
    its md5 check, which would reject anything but the exact published files.
    """
    images, labels = [], []
    for name in CIFAR_FILES[split]:
        path = Path(folder) / name
        try:
            with open(path, "rb") as f:
                batch = _ArrayUnpickler(f, encoding="bytes").load()
            data = np.asarray(batch.get(b"data", batch.get("data")), dtype=np.uint8)
            lbl = np.asarray(batch.get(b"labels", batch.get("labels")), dtype=np.int64)
        except Exception as e:  # missing key, bad pickle, wrong dtype: one line naming the file
            raise ValueError(f"{path}: not a CIFAR-10 python batch ({type(e).__name__}: {e})") from None
        if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(lbl) != len(data):
            raise ValueError(f"{path}: expected data (N,3072) and N labels, got {data.shape} and {lbl.shape}")
        images.append(data.reshape(-1, 3, 32, 32))  # each row: 1024 R, 1024 G, 1024 B, row-major
        labels.append(lbl)
    return torch.from_numpy(np.concatenate(images)), torch.from_numpy(np.concatenate(labels))


def find_file(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(folder / name)
