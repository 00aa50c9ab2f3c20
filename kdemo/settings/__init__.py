"""A run's settings: the parameter table, TrainConfig generated from it, settings as text (CLI flags, query strings) and lesson links."""
