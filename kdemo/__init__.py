"""kdemo: an interactive knowledge-distillation lab.

Modules: data (in-memory datasets), models (the zoo, `create_model`), losses (pure functions), distillers (one
contract, one registry), config (TrainConfig), engine (Run: the one training loop), checkpoints (safetensors),
lab (the Temperature lab's maths), ui (the Gradio app), experiments, bench, distributed (torchrun).
"""
__version__ = "0.1.0"
