"""The Airbyte GitHub source as a resource: its connector config, built from the settings."""

from __future__ import annotations

from typing import Any

import dagster as dg
from pydantic import Field

from fernway_core.settings import get_settings

REPOSITORY = "fernway/fernway-courier-app"


class AirbyteGitHubSource(dg.ConfigurableResource):
    """`airbyte-source-github` reading the courier app's repository from a GitHub API."""

    api_url: str = Field(description="GitHub API base URL (the sandbox locally).")
    token: str = Field(description="A personal access token for the API.")
    repositories: list[str] = Field(default=[REPOSITORY], description="`owner/name` to read.")
    start_date: str = Field(
        default="2020-01-01T00:00:00Z", description="Nothing older is read on the first sync."
    )
    executable: str = Field(default="source-github", description="The connector's command.")

    def config(self) -> dict[str, Any]:
        """The connector's config (its `spec` describes every field)."""
        return {
            "credentials": {
                "option_title": "PAT Credentials",
                "personal_access_token": self.token,
            },
            "repositories": list(self.repositories),
            "api_url": self.api_url,
            "start_date": self.start_date,
        }


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the source from the settings; the token only through the environment."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "airbyte_github": AirbyteGitHubSource(
                api_url=str(settings.github_url), token=dg.EnvVar("FERNWAY_GITHUB_TOKEN")
            )
        }
    )
