"""The command line: `python -m kdemo train|pretrain|bench|experiment|report`, torchrun (distributed) and the benchmarks."""
