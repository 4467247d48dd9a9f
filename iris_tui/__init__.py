"""iris-tui: a keyboard-driven terminal client for DFIR-IRIS."""

__version__ = "0.1.0"
