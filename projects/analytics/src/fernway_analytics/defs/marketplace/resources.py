"""The marketplace REST API as a resource (the sandbox locally, the real API in production)."""

import dagster as dg

from fernway_core.http import HttpClient
from fernway_core.settings import get_settings


class MarketplaceApi(dg.ConfigurableResource):
    """Connection settings for the marketplace API; hands out a retrying, paginating client."""

    base_url: str
    token: str
    page_size: int = 1000
    max_retries: int = 8
    timeout_s: float = 30.0

    def client(self) -> HttpClient:
        """A new HTTP client with bearer auth, retries with backoff + jitter and counters."""
        return HttpClient(
            base_url=self.base_url,
            bearer_token=self.token,
            max_retries=self.max_retries,
            timeout_s=self.timeout_s,
        )


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the marketplace API from settings; the token only through the environment."""
    return dg.Definitions(
        resources={
            "marketplace": MarketplaceApi(
                base_url=get_settings().marketplace_url,
                token=dg.EnvVar("FERNWAY_MARKETPLACE_TOKEN"),
            )
        }
    )
