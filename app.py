"""kdemo's web app: `python app.py`, then open http://127.0.0.1:7860.

Works as a Hugging Face Space (CPU or ZeroGPU) unchanged. Gradio's own variables set the address
(GRADIO_SERVER_NAME, GRADIO_SERVER_PORT); kdemo's set the limits (kdemo/limits.py; README "Hosting").
This is the process entry point: torch's thread count is set here, once, before the app is built.
"""
import torch

from kdemo.limits import Limits
from kdemo.sessions import Registry
from kdemo.ui import build_demo, launch_options, queue_options

registry = Registry(Limits.from_env())
torch.set_num_threads(registry.limits.threads())   # runs share the cores: oversubscribed threads are far slower
torch.optim.SGD([torch.zeros(1, requires_grad=True)])   # the first optimizer imports torch._dynamo (~2 s): now,
demo = build_demo(registry)                             # not in the first visitor's run

if __name__ == "__main__":
    # server_name/server_port stay unset so Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT itself.
    demo.queue(**queue_options(demo)).launch(**launch_options(registry))
