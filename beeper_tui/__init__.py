"""beeper-tui: a terminal contact browser for Beeper Desktop."""

__version__ = "0.1.0"
