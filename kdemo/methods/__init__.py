"""Distillation methods: losses as pure functions, one distiller class per method (its settings and rules), and the measured learning-rate tables."""
