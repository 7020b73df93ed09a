"""Lykta: start-up, configuration, CLI, channels and workers."""

__version__ = "0.1.0"
