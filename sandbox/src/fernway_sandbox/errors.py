"""Errors raised by the sandbox."""


class ConfigError(ValueError):
    """A sandbox configuration value is invalid (reported as one line, exit code 2 on the CLI)."""
