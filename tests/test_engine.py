"""The engine on small MNIST subsets on CPU: learning, history, stop, failure, determinism, the twin."""
import time

import pytest
import torch

from kdemo.config import TrainConfig
from kdemo.engine import Run
from kdemo.models import create_model

# The committed pretrained LeNet-5 teacher (its saved logits make runs start at once); one fixture trains first.
SMALL = dict(dataset="mnist", teacher="lenet5", student="lenet5_half", teacher_source="pretrained",
             n_labeled=2000, eval_samples=1000, batch_size=64, lr=0.01, device="cpu", logs_per_epoch=4)


def kinds(records, kind):
    return [r for r in records if r["kind"] == kind]


@pytest.fixture(scope="module")
def kd_run():
    run = Run(TrainConfig(**{**SMALL, "teacher_source": "train"}, method="dkd", epochs=2.0, warmup_epochs=0.5,
                          teacher_epochs=0.5))
    summary = run.run()
    return run, summary


def test_short_run_learns_and_reports_every_part(kd_run):
    run, summary = kd_run
    assert summary["status"] == "done", summary["error"]
    assert summary["kd_acc"] > 0.4 and summary["scratch_acc"] > 0.3   # chance is 0.1
    assert summary["teacher_acc"] > 0.8
    recs = run.snapshot()["records"]
    train = [r for r in kinds(recs, "train") if r["phase"] == "student"]
    for key in ("kd/loss_ce", "kd/loss_tckd", "kd/loss_nckd", "kd/train_acc", "scratch/loss_ce",
                "scratch/train_acc", "samples_per_s", "epoch", "elapsed"):
        assert key in train[-1], key
    evals = [r for r in kinds(recs, "eval") if r["phase"] == "student"]
    assert evals[0]["epoch"] == 0 and evals[-1]["epoch"] == pytest.approx(2.0, abs=0.05)
    assert len(evals) >= 8          # several updates per epoch, so the curves move smoothly
    assert all("kd/test_acc" in r and "scratch/test_acc" in r for r in evals)
    # The teacher phase (train-first) is recorded too.
    assert any(r["phase"] == "teacher" for r in recs)
    # DKD warm-up: the KD terms ramp in over the first half epoch.
    first, later = train[0], train[-1]
    assert first["kd/loss_nckd"] < later["kd/loss_nckd"] * 10  # finite and present
    final = run.snapshot()["final"]
    assert set(final) == {"kd", "scratch", "teacher"} and len(final["kd"]["per_class"]) == 10


def test_saved_student_loads_back(kd_run, tmp_path):
    from kdemo.checkpoints import load_model
    run, summary = kd_run
    path = run.save_student(tmp_path / "student.safetensors")
    model, meta = load_model(path)
    assert meta["model"] == "lenet5_half" and meta["test_acc"] == pytest.approx(summary["kd_acc"])
    x = torch.randn(3, 1, 28, 28)
    assert torch.equal(model(x), run.model("kd")(x))


def test_stop_ends_the_thread_quickly_and_keeps_progress():
    torch.manual_seed(0)
    run = Run(TrainConfig(**{**SMALL, "n_labeled": 6000}, method="kd", epochs=50.0))
    run.start()
    deadline = time.time() + 120
    while time.time() < deadline and not any(r["phase"] == "student" and r["kind"] == "train"
                                              for r in run.snapshot()["records"]):
        time.sleep(0.05)
    run.stop()
    assert run.join(timeout=1.0), "the training thread did not end within a second of stop()"
    assert run.status == "stopped"
    assert run.has_model("kd") and "kd" in run.snapshot()["final"]


def test_failing_run_reports_its_error():
    run = Run(TrainConfig(**{**SMALL, "lr": 1e6}, method="kd", epochs=0.5, momentum=0.0, kd_weight=1e6),
              teacher=create_model("lenet5"))
    run.start()
    assert run.join(timeout=120)
    snap = run.snapshot()
    assert snap["status"] == "failed"
    assert "NaN" in snap["error"] or "inf" in snap["error"]


def test_identical_seeds_identical_histories():
    cfg = dict(SMALL, method="kd", epochs=0.5, n_labeled=600)
    a, b, c = (Run(TrainConfig(**cfg, seed=s)) for s in (3, 3, 4))
    for r in (a, b, c):
        r.run()

    def numbers(run):
        return [{k: v for k, v in r.items() if k not in ("elapsed", "samples_per_s")} for r in run.snapshot()["records"]]
    assert numbers(a) == numbers(b)
    assert numbers(a) != numbers(c)


def test_twin_shares_init_and_batches():
    """With method 'ce' the distilled student is trained exactly like its twin, so both must match step for step."""
    run = Run(TrainConfig(**{**SMALL, "n_labeled": 1000}, method="ce", epochs=0.5))
    run.run()
    recs = run.snapshot()["records"]
    for r in recs:
        for k in [k for k in r if k.startswith("kd/")]:
            assert r[k] == r["scratch/" + k[3:]], k
    for p, q in zip(run.model("kd").parameters(), run.model("scratch").parameters()):
        assert torch.equal(p, q)


def test_given_teacher_object_is_used():
    torch.manual_seed(0)
    teacher = create_model("lenet5")   # untrained: the run must measure it near chance, not load the file
    run = Run(TrainConfig(**{**SMALL, "n_labeled": 200}, method="kd", epochs=0.1, twin=False), teacher=teacher)
    assert run.run()["status"] == "done"
    assert run.snapshot()["teacher_acc"] < 0.3


def test_transfer_set_with_omitted_class_uses_saved_logits_at_the_right_indices():
    from kdemo.checkpoints import find_pretrained, load_train_logits
    from kdemo.data import load_dataset
    from kdemo.training import split_indices
    cfg = TrainConfig(**{**SMALL, "n_labeled": 100, "eval_samples": None}, method="kd", transfer_set="all",
                      omit_classes=(3,), epochs=0.02, twin=False)
    train = load_dataset("mnist")
    idx, labels = split_indices(cfg, train)
    assert (train.labels[idx] != 3).all() and (labels >= 0).sum() == 100 and len(idx) == len(train) - 6131
    saved = load_train_logits(find_pretrained("lenet5", "mnist", "teacher"))
    run = Run(cfg)
    assert run.run()["status"] == "done"
    assert run.snapshot()["final"]["kd"]["class_counts"][3] == 1010   # the test set keeps its 3s
    # The saved logits, indexed by the split, agree with the teacher run on those very images.
    from kdemo.checkpoints import load_pretrained
    teacher, _ = load_pretrained("lenet5", "mnist")
    pick = idx[torch.tensor([0, 777, len(idx) - 1])]
    with torch.no_grad():
        assert torch.allclose(saved[pick], teacher(train.batch(pick)[0]), atol=1e-4)


@pytest.mark.parametrize("method", ["fitnets", "cosine", "rkd", "dist", "kd_prob_bug"])
def test_every_method_runs(method):
    cfg = TrainConfig(**{**SMALL, "n_labeled": 256}, method=method, epochs=0.25, twin=False)
    s = Run(cfg).run()
    assert s["status"] == "done", s["error"]
    assert s["kd_acc"] > 0.1


@pytest.mark.parametrize("bad, match", [
    (dict(temperature=0), "temperature"), (dict(temperature=-1), "temperature"), (dict(batch_size=0), "batch_size"),
    (dict(lr=float("nan")), "lr"), (dict(lr=float("inf")), "lr"), (dict(alpha=-1), "alpha"),
    (dict(student="nope"), "student"), (dict(teacher="nope"), "teacher"), (dict(method="nope"), "method"),
    (dict(dataset="nope"), "dataset"), (dict(method="fitnets", teacher="mlp_1200"), "feature maps"),
    (dict(omit_classes=(11,)), "omit_classes"), (dict(n_labeled=0), "n_labeled"),
    (dict(transfer_set="all", n_labeled=None), "n_labeled"), (dict(epochs=0), "epochs"),
    (dict(schedule="nope"), "schedule"), (dict(method="rkd", batch_size=2), "RKD"),
])
def test_impossible_configs_fail_before_anything_starts(bad, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**{**SMALL, **bad})


def test_config_json_round_trip_and_unknown_keys():
    cfg = TrainConfig(**SMALL, omit_classes=(3, 5))
    assert TrainConfig.from_json(cfg.to_json()) == cfg
    with pytest.raises(ValueError, match="unknown config keys: colour"):
        TrainConfig.from_dict({"colour": "red"})


def test_transfer_set_without_omitted_classes_keeps_only_the_labeled_labels():
    """Regression: with every image in the transfer set, the unlabeled ones must still carry label -1."""
    from kdemo.data import load_dataset
    from kdemo.training import training_split
    cfg = TrainConfig(**{**SMALL, "n_labeled": 100}, method="kd", transfer_set="all", epochs=0.01, twin=False)
    split = training_split(cfg, load_dataset("mnist"))
    assert len(split) == 60000 and int((split.labels >= 0).sum()) == 100
    run = Run(cfg)
    run.run()
    train = [r for r in run.snapshot()["records"] if r["kind"] == "train" and r["phase"] == "student"]
    assert train and all("kd/loss_kd" in r for r in train)
