"""Weights as safetensors plus a JSON sidecar; the pretrained/ manifest. Nothing here unpickles anything."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from ..data.datasets import load_dataset
from .inference import predict
from .models import shell_for

PRETRAINED_DIR = Path(__file__).resolve().parents[2] / "pretrained"
MANIFEST = PRETRAINED_DIR / "manifest.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_model(model: torch.nn.Module, path: str | Path, meta: dict) -> Path:
    """Write `path` (.safetensors) and `path` with .json: meta must hold "model" and "dataset" keys."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={"model": str(meta["model"]), "dataset": str(meta["dataset"])})
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return path


def load_model(path: str | Path, model_key: str | None = None, dataset_key: str | None = None,
               device: torch.device | str = "cpu") -> tuple[torch.nn.Module, dict]:
    """Build the architecture named in the sidecar (or given) and load safetensors weights into it."""
    path = Path(path)
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    model_key = model_key or meta.get("model")
    dataset_key = dataset_key or meta.get("dataset")
    if not model_key or not dataset_key:
        raise ValueError(f"{path}: no sidecar JSON naming the model and dataset; pass them explicitly")
    try:
        model = shell_for(model_key, dataset_key)
    except (KeyError, ValueError) as e:
        raise ValueError(f"{path.name}: names an unknown model or dataset ({e})") from None
    try:
        state = load_file(str(path), device="cpu")
        model.load_state_dict(state)
    except Exception as e:  # a wrong or damaged file must give one readable line, not a traceback
        raise ValueError(f"{path.name}: not a valid {model_key} checkpoint ({type(e).__name__}: {e})") from None
    return model.to(device).eval(), meta


def read_manifest() -> dict:
    if not MANIFEST.exists():
        return {"entries": []}
    return json.loads(MANIFEST.read_text())


def find_pretrained(model_key: str, dataset_key: str, role: str | None = None) -> dict | None:
    """The manifest entry for this architecture on this dataset, or None."""
    for e in read_manifest()["entries"]:
        if e["model"] == model_key and e["dataset"] == dataset_key and (role is None or e["role"] == role):
            return e
    return None


def load_pretrained(model_key: str, dataset_key: str, device="cpu", role: str | None = None):
    entry = find_pretrained(model_key, dataset_key, role)
    if entry is None:
        raise ValueError(f"no pretrained {model_key} for {dataset_key}; choose 'train first' for the teacher")
    path = PRETRAINED_DIR / entry["file"]
    if entry.get("sha256") and sha256(path) != entry["sha256"]:
        raise ValueError(f"{path.name} does not match its sha256 in the manifest; run python -m kdemo pretrain")
    model, _ = load_model(path, model_key, dataset_key, device)
    return model, entry


def logits_path(entry: dict) -> Path:
    return PRETRAINED_DIR / entry["file"].replace(".safetensors", ".train_logits.safetensors")


@torch.no_grad()
def save_train_logits(entry: dict, teacher: torch.nn.Module) -> Path:
    """A pretrained teacher's logits on its whole training split, so runs need no teacher pass at all."""
    out = predict(teacher, load_dataset(entry["dataset"], "train"), "cpu")
    path = logits_path(entry)
    save_file({"logits": out.contiguous()}, str(path), metadata={"weights_sha256": entry["sha256"]})
    return path


def load_train_logits(entry: dict) -> torch.Tensor | None:
    """The saved training-split logits of a pretrained teacher, if present and made from these very weights."""
    from safetensors import safe_open
    path = logits_path(entry)
    if not path.exists():
        return None
    with safe_open(str(path), framework="pt") as f:
        if (f.metadata() or {}).get("weights_sha256") != entry.get("sha256"):
            return None
        return f.get_tensor("logits")
