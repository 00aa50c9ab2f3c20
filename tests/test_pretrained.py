"""The committed pretrained/ files: the manifest matches them, and their accuracy holds up when re-measured."""
import json

import pytest
import torch

from kdemo.zoo.checkpoints import MANIFEST, PRETRAINED_DIR, load_model, load_train_logits, read_manifest, sha256
from kdemo.data.datasets import load_dataset
from kdemo.zoo.models import count_parameters
from kdemo.zoo.inference import evaluate

ENTRIES = read_manifest()["entries"]
TARGETS = {"mnist_lenet5": 0.99, "mnist_mlp_1200": 0.985}   # issue 3's bars for the MNIST teachers


def test_manifest_lists_the_required_weights():
    names = {e["name"] for e in ENTRIES}
    assert {"mnist_lenet5", "mnist_mlp_1200", "mnist_lenet5_half", "fashion_mnist_lenet5",
            "fashion_mnist_lenet5_half"} <= names
    on_disk = {p.name for p in PRETRAINED_DIR.glob("*.safetensors")}
    listed = {e["file"] for e in ENTRIES} | {e["train_logits"] for e in ENTRIES if "train_logits" in e}
    assert on_disk == listed, "every weights file is in the manifest and vice versa"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["name"] for e in ENTRIES])
def test_entry_matches_its_file_and_accuracy(entry):
    path = PRETRAINED_DIR / entry["file"]
    assert sha256(path) == entry["sha256"]
    assert entry["command"].startswith("python -m kdemo pretrain")
    model, meta = load_model(path)
    assert meta["model"] == entry["model"] and meta["dataset"] == entry["dataset"]
    assert count_parameters(model) == entry["params"]
    assert entry["test_acc"] >= TARGETS.get(entry["name"], 0.8)
    # Re-measure on a 2000-image slice of the test set: within 4 standard errors of the full-set figure (the
    # slice is a subset of the full set, so the error of their difference is sqrt(p(1-p)(1/n - 1/N))).
    test = load_dataset(entry["dataset"], "test")
    n, p = 2000, entry["test_acc"]
    acc = evaluate(model, test.subset(torch.arange(0, len(test), len(test) // n)), "cpu")["acc"]
    assert abs(acc - p) <= 4 * (p * (1 - p) * (1 / n - 1 / len(test))) ** 0.5 + 1e-3


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["role"] == "teacher"], ids=lambda e: e["name"])
def test_saved_teacher_logits_match_the_weights(entry):
    logits = load_train_logits(entry)
    assert logits is not None and logits.shape == (60000, 10)
    model, _ = load_model(PRETRAINED_DIR / entry["file"])
    train = load_dataset(entry["dataset"], "train")
    idx = torch.tensor([0, 12345, 59999])
    with torch.no_grad():
        assert torch.allclose(logits[idx], model(train.batch(idx)[0]), atol=1e-4)


def test_tampered_weights_are_refused(tmp_path, monkeypatch):
    from kdemo.zoo import checkpoints
    entry = next(e for e in ENTRIES if e["name"] == "mnist_lenet5")
    (tmp_path / entry["file"]).write_bytes(b"not a safetensors file")
    monkeypatch.setattr(checkpoints, "PRETRAINED_DIR", tmp_path)
    monkeypatch.setattr(checkpoints, "MANIFEST", tmp_path / "manifest.json")
    (tmp_path / "manifest.json").write_text(json.dumps({"entries": [entry]}))
    with pytest.raises(ValueError, match="sha256"):
        checkpoints.load_pretrained("lenet5", "mnist")
    assert MANIFEST.exists()
