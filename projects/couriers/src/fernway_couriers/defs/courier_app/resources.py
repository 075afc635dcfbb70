"""The courier app's API as a resource (the sandbox locally, the real app in production)."""

import dagster as dg
from pydantic import Field

from fernway_core.settings import get_settings
from fernway_couriers.defs.courier_app.source import PAGE_SIZE, Api


class CourierAppApi(dg.ConfigurableResource):
    """Base URL and bearer token of the courier app, and how hard to retry it."""

    base_url: str
    token: str
    page_size: int = Field(default=PAGE_SIZE, description="Records per page (API max 5000).")
    max_retries: int = Field(default=6, description="Retries per request on 5xx/429/timeouts.")

    def api(self) -> Api:
        """What the dlt source needs to read the API."""
        return Api(self.base_url, self.token, self.page_size, self.max_retries)


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the courier app from settings; the token only through the environment."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "courier_app": CourierAppApi(
                base_url=settings.couriers_url, token=dg.EnvVar("FERNWAY_COURIERS_TOKEN")
            )
        }
    )
