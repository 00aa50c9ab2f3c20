"""kdemo's web app: `python app.py`, then open http://127.0.0.1:7860.

Works as a Hugging Face Space (CPU or ZeroGPU) unchanged. Gradio's own variables set the address
(GRADIO_SERVER_NAME, GRADIO_SERVER_PORT); kdemo's set the limits: KDEMO_MAX_RUNS (concurrent training runs,
default 2), KDEMO_MAX_EPOCHS (per run, default 20), KDEMO_MAX_SECONDS (per run, default 900),
KDEMO_QUEUE_SIZE (waiting requests, default 64), KDEMO_TORCH_THREADS (default: CPU cores / KDEMO_MAX_RUNS).
"""
from kdemo.ui import build_demo, launch_options, queue_options

demo = build_demo()

if __name__ == "__main__":
    # server_name/server_port stay unset so Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT itself.
    demo.queue(**queue_options(demo)).launch(**launch_options())
