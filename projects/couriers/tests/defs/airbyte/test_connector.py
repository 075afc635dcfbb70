"""The Airbyte GitHub source as a subprocess speaking the protocol, against the real stand-in."""

from __future__ import annotations

import pytest

from fernway_couriers.defs.airbyte import connector
from fernway_couriers.defs.airbyte.resources import AirbyteGitHubSource


def test_spec_and_check_against_the_stand_in(github_sandbox):
    command = connector.command_for("source-github")
    url = github_sandbox.urls["github"]
    spec = connector.spec(command)
    assert {"api_url", "repositories", "credentials"} <= set(
        spec["connectionSpecification"]["properties"]
    )
    good = AirbyteGitHubSource(api_url=url, token=github_sandbox.config.github_token)
    assert connector.check(command, good.config()) == (True, "")
    served = github_sandbox.truth["github"]["requests"]["served"]
    assert served >= 1  # the check really asked the stand-in for the repository


def test_configure_asks_for_incremental_dedup_on_the_source_key():
    catalog = {
        "streams": [
            {
                "name": "releases",
                "json_schema": {},
                "supported_sync_modes": ["full_refresh", "incremental"],
                "default_cursor_field": ["created_at"],
                "source_defined_primary_key": [["id"]],
            },
            {"name": "tags", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
        ]
    }
    configured = connector.configure(catalog, ["releases", "tags"])["streams"]
    assert [(s["sync_mode"], s["cursor_field"], s["primary_key"]) for s in configured] == [
        ("incremental", ["created_at"], [["id"]]),
        ("full_refresh", [], []),
    ]
    with pytest.raises(connector.ConnectorError, match="nope"):
        connector.configure(catalog, ["nope"])
