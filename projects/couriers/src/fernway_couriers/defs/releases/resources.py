"""The courier app's releases on GitHub, read with an ETag so an unchanged list costs nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dagster as dg
import httpx
from pydantic import Field

from fernway_core.settings import get_settings

REPOSITORY = "fernway/fernway-courier-app"


@dataclass(frozen=True)
class ReleaseList:
    """The listing (None when the server said 304 Not Modified) and the ETag to send next."""

    releases: list[dict[str, Any]] | None
    etag: str | None


class CourierAppReleases(dg.ConfigurableResource):
    """GET /repos/{repository}/releases on a GitHub API."""

    api_url: str = Field(description="GitHub API base URL (the sandbox locally).")
    token: str = Field(description="A token for the API.")
    repository: str = Field(default=REPOSITORY, description="`owner/name` of the courier app.")
    timeout_s: float = Field(default=30.0, description="Per-request timeout.")

    def releases(self, etag: str | None = None) -> ReleaseList:
        """Every release, newest first; with `etag`, None when nothing changed (304)."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
        }
        url = f"{self.api_url.rstrip('/')}/repos/{self.repository}/releases"
        with httpx.Client(headers=headers, timeout=self.timeout_s) as http:
            first = http.get(
                url, params={"per_page": 100}, headers={"If-None-Match": etag} if etag else {}
            )
            if first.status_code == 304:
                return ReleaseList(None, etag)
            response, items = _ok(first), []
            items.extend(response.json())
            while "next" in response.links:
                response = _ok(http.get(response.links["next"]["url"]))
                items.extend(response.json())
        return ReleaseList(items, first.headers.get("ETag"))


def _ok(response: httpx.Response) -> httpx.Response:
    if response.is_success:
        return response
    try:
        detail = response.json().get("message", "")
    except ValueError:
        detail = response.text[:200]
    raise RuntimeError(f"GitHub answered {response.status_code} for {response.url}: {detail}")


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the releases API from the settings; the token only through the environment."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "courier_app_github": CourierAppReleases(
                api_url=str(settings.github_url), token=dg.EnvVar("FERNWAY_GITHUB_TOKEN")
            )
        }
    )
