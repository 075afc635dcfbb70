"""A sandbox serving only the GitHub stand-in, its clock fixed, wired into the settings."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from fernway_devtools.pytest_plugin import use_sandbox
from tests.conftest import COURIERS

REPO = "fernway/fernway-courier-app"
BEFORE_LAST_RELEASES = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)  # v0.2.6-rc.1 and the draft later
WINDOW_END = dt.datetime(2026, 8, 17, tzinfo=dt.UTC)


@pytest.fixture
def github_sandbox(sandbox_factory, monkeypatch, platform_env):
    """The GitHub stand-in alone (the couriers window and seed), clock before the last releases."""
    config = {k: v for k, v in COURIERS.items() if k != "services"}
    sandbox = sandbox_factory(services=("github",), clock=BEFORE_LAST_RELEASES, **config)
    use_sandbox(monkeypatch, sandbox)
    return sandbox


def listing(sandbox, path: str, **params) -> list[dict]:
    """Every item of a REST listing of the courier app's repository (what the stand-in serves)."""
    headers = {"Authorization": f"Bearer {sandbox.config.github_token}"}
    with httpx.Client(base_url=sandbox.urls["github"], headers=headers) as http:
        response = http.get(f"/repos/{REPO}/{path}", params={"per_page": 100, **params})
        items = list(response.raise_for_status().json())
        while "next" in response.links:
            response = http.get(response.links["next"]["url"]).raise_for_status()
            items.extend(response.json())
    return items
