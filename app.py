"""kdemo's web app: `python app.py`, then open http://127.0.0.1:7860.

Works as a Hugging Face Space (CPU or ZeroGPU) unchanged. Gradio's own variables set the address
(GRADIO_SERVER_NAME, GRADIO_SERVER_PORT); kdemo's set the limits (kdemo/app/limits.py; README "Hosting").
This is the process entry point: torch's thread count is set here, once, before the app is built; Ctrl-C and
SIGTERM stop every run and remove this server's folders before it exits (kdemo/app/server.py).
"""
import ctypes
import logging
import os
import sys

# glibc gives each thread that allocates its own heap arena (up to 8 per core) and keeps what they freed: a server
# whose visitors come and go on many threads grew 420 MB over its warm start that way, with nothing of theirs
# left (`python -m kdemo bench memory`). Two arenas hold it at +67 MB, at the same speed. First, before any thread.
if "MALLOC_ARENA_MAX" not in os.environ:
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)     # M_ARENA_MAX
    except (OSError, AttributeError):               # not glibc: its own allocator
        pass

import torch  # noqa: E402

from kdemo.app.limits import Limits
from kdemo.app.server import prepare, serve
from kdemo.app.sessions import Registry

registry = Registry(Limits.from_env())
prepare(registry)                                   # before Gradio writes anything: its uploads go under our folder
torch.set_num_threads(registry.limits.threads())   # runs share the cores: oversubscribed threads are far slower
from kdemo.app.build import build_demo, launch_options, queue_options  # noqa: E402  (after GRADIO_TEMP_DIR is set)

demo = build_demo(registry)

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # server_name/server_port stay unset so Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT itself.
    sys.exit(serve(demo, registry, queue_options(demo), launch_options(registry)))
