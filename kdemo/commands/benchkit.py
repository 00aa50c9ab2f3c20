"""What both benchmarks share: the two notebook cases and the peak-memory meter."""
from __future__ import annotations

import ctypes
import gc
import os
import threading

CASES = {
    # The two notebooks' settings (issue 3): LeNet-5 -> half LeNet with DKD, and MLP 1200-1200 -> MLP 20-20 with KD.
    "lenet_dkd": dict(teacher="lenet5", student="lenet5_half", method="dkd", batch_size=64, optimizer="sgd",
                      lr=0.01, momentum=0.5, temperature=4.0, alpha=1.0, beta=2.0),
    "mlp_kd": dict(teacher="mlp_1200", student="mlp_20", method="kd", batch_size=32, optimizer="adam", lr=1e-4,
                   temperature=10.0),
}


class PeakRSS:
    """Resident memory above the level at entry, sampled by a thread: torch allocations are invisible to tracemalloc."""

    def __enter__(self):
        gc.collect()
        try:  # hand freed heap back to the OS, so the second side does not reuse the first side's pages
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass
        self.base = self.peak = self._rss()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self):
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self._rss())

    @property
    def mb(self) -> float:
        return (self.peak - self.base) / 2**20


def visitor(url: str):
    """A gradio_client for one simulated visitor of `url`. Its `ssl_verify` is off for plain http:// only, where there
    is no TLS to verify: with it on, every call builds an SSL context from a whole CA bundle (a /poll to a local
    server: 170 ms of CPU with it, 60 ms without, most of a benchmark's client side on 2 cores)."""
    from gradio_client import Client
    return Client(url, verbose=False, ssl_verify=not url.startswith("http://"))
