"""The GitHub REST API as a resource (the sandbox locally, api.github.com in production)."""

import dagster as dg

from fernway_core.settings import get_settings
from fernway_growth.defs.github.source import Api


class GitHubApi(dg.ConfigurableResource):
    """Base URL, token and the repositories whose stars and releases are loaded."""

    base_url: str
    token: str
    repos: list[str]

    def api(self) -> Api:
        """What the dlt source needs to read the API."""
        return Api(self.base_url, self.token, tuple(self.repos))


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the GitHub API from settings; the token only through the environment."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "github": GitHubApi(
                base_url=settings.github_url,
                token=dg.EnvVar("FERNWAY_GITHUB_TOKEN"),
                repos=settings.github_repo_list,
            )
        }
    )
