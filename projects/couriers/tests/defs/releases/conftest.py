"""The GitHub stand-in alone (the couriers window and seed), clock before the last releases."""

from __future__ import annotations

import datetime as dt

import pytest

from fernway_devtools.pytest_plugin import use_sandbox
from tests.conftest import COURIERS

BEFORE_LAST_RELEASES = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)  # v0.2.5 is the newest then


@pytest.fixture
def github_sandbox(sandbox_factory, monkeypatch, platform_env):
    """A sandbox serving only GitHub, wired into the settings."""
    config = {k: v for k, v in COURIERS.items() if k != "services"}
    sandbox = sandbox_factory(services=("github",), clock=BEFORE_LAST_RELEASES, **config)
    use_sandbox(monkeypatch, sandbox)
    return sandbox
