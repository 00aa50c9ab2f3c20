"""The models: network blocks, the model registry (`create_model`), stacked members, inference, safetensors checkpoints and the device."""
