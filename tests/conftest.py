# ---------------------------------------------------------------- OpenMP threads that wait without spinning.
# The suite's servers train in this process while Chromium draws their pages: an OpenMP thread that spins at a
# barrier takes the core Chromium needs (one full run each on 2 cores: the browser tests took 564 s spinning,
# 396 s not). Set before anything imports torch; the processes the tests start inherit it.
import os as _kd_os

_kd_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# ---------------------------------------------------------------- kdemo app fixtures (tests/test_app_api.py,
# tests/test_browser.py). Self-contained: add other fixtures above or below this block.
import json as _kd_json
import socket as _kd_socket

import pytest as _kd_pytest


def _kd_free_port() -> int:
    with _kd_socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@_kd_pytest.fixture(scope="session", autouse=True)
def kdemo_data_dir(tmp_path_factory):
    """Class boards of every test, and of the servers tests start, in a temp folder, never the user's."""
    import os
    folder, old = tmp_path_factory.mktemp("kdemo-data"), os.environ.get("KDEMO_DATA_DIR")
    os.environ["KDEMO_DATA_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("KDEMO_DATA_DIR", None)
    else:
        os.environ["KDEMO_DATA_DIR"] = old


@_kd_pytest.fixture(scope="session")
def kdemo_pretrained(tmp_path_factory):
    """The pretrained MNIST teacher (lenet5) and lab student (lenet5_half): the committed ones when
    pretrained/manifest.json has them, else quick stand-ins (~93% / ~80% accuracy, ~9 s) in a temp folder."""
    from kdemo.zoo import checkpoints
    from kdemo.train import teachers
    if checkpoints.find_pretrained("lenet5", "mnist", "teacher") and \
            checkpoints.find_pretrained("lenet5_half", "mnist", "student"):
        yield checkpoints.PRETRAINED_DIR
        return
    import torch
    from kdemo.settings.config import TrainConfig
    from kdemo.train.engine import Run
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # what the app sets on a 2-core machine; OpenMP oversubscription is far slower
    folder = tmp_path_factory.mktemp("pretrained")
    entries = []
    for model, role in (("lenet5", "teacher"), ("lenet5_half", "student")):
        run = Run(TrainConfig(dataset="mnist", student=model, method="ce", twin=False, n_labeled=10000, epochs=1.0,
                              eval_samples=500, eval_points=2, device="cpu", seed=1, seeds=1))
        summary = run.run()
        assert summary["status"] == "done", summary["error"]
        path = folder / f"mnist_{model}.safetensors"
        run.save_student(path, role=role)
        entries.append({"name": path.stem, "file": path.name, "model": model, "dataset": "mnist", "role": role,
                        "test_acc": round(summary["kd_acc"], 4)})
    torch.set_num_threads(threads)
    (folder / "manifest.json").write_text(_kd_json.dumps({"entries": entries}))
    mp = _kd_pytest.MonkeyPatch()
    mp.setattr(checkpoints, "PRETRAINED_DIR", folder)
    mp.setattr(checkpoints, "MANIFEST", folder / "manifest.json")
    teachers.clear_cache()
    yield folder
    mp.undo()
    teachers.clear_cache()


@_kd_pytest.fixture(scope="session")
def kdemo_server(kdemo_pretrained):
    """The app served in-process on a free port (room for 3 concurrent runs); yields (demo, url)."""
    from kdemo.app.limits import Limits
    from kdemo.app.sessions import Registry
    from kdemo.app.build import build_demo, launch_options, queue_options
    registry = Registry(Limits(max_runs=3, max_epochs=20, max_seconds=120))
    demo = build_demo(registry)
    port = _kd_free_port()
    demo.queue(**queue_options(demo)).launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port,
                                             quiet=True, **launch_options(registry))
    yield demo, f"http://127.0.0.1:{port}/"
    demo.kdemo_registry.close_all()
    demo.close()
    demo.kdemo_registry.remove_root()
