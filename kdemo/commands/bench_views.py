"""`python -m kdemo bench views`: the server time of each Teaching view on the 10,000 MNIST test images (the
pretrained pair's cached logits), median and worst of several calls. The issue's bound is 300 ms per view on one
core: run it with `--threads 1`. Timed here, never in a test (shared machines are noisy)."""
from __future__ import annotations

import time

from ..teach import views as v
from ..teach.catalog import VIEWS

CALLS = 7      # per view; the first call (cold caches) is one of them


def _views(data: dict) -> dict:
    """name -> a call that renders one view the way its endpoint does (figure and words): every bench case of every
    registered view, then the confusion table's drill-down (the cell's thumbnails, one test image)."""
    cases = {}
    for entry in VIEWS.values():
        sample = entry.sample(data)
        for name, values in entry.bench:
            cases[name] = (lambda e, d, vals: lambda: e.compute(d, *vals))(entry, sample, values)
    cases["confusion cell (4 → 9, thumbnails)"] = lambda: v.cell_view(data, "kd", 4, 9)
    cases["one test image"] = lambda: v.image_view(data, 0)
    return cases


def bench_views(calls: int = CALLS) -> list[dict]:
    t0 = time.perf_counter()
    data = v.view_data(None)
    load_ms = 1000 * (time.perf_counter() - t0)
    rows = [{"view": "compute the logits to cache (once per run; the pretrained pair's once per server)",
             "median_ms": round(load_ms, 1),
             "max_ms": round(load_ms, 1), "images": len(data["labels"])}]
    for name, call in _views(data).items():
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            call()
            times.append(1000 * (time.perf_counter() - t))
        times.sort()
        rows.append({"view": name, "median_ms": round(times[len(times) // 2], 1), "max_ms": round(times[-1], 1),
                     "images": len(data["labels"])})
    return rows


def print_rows(rows: list[dict], threads: int):
    print(f"Teaching views on {rows[0]['images']} test images, {threads} torch thread(s), {CALLS} calls each")
    print(f"{'view':42} {'median ms':>10} {'max ms':>8}")
    for r in rows:
        print(f"{r['view']:42} {r['median_ms']:10.1f} {r['max_ms']:8.1f}")
