"""The OpenWeatherMap API as a resource (the sandbox locally, OpenWeatherMap in production)."""

import dagster as dg
from pydantic import Field

from fernway_core.settings import get_settings
from fernway_weather.defs.openweathermap.client import WeatherClient, shared_quota


class OpenWeatherMap(dg.ConfigurableResource):
    """Hosts, key and plan limit of the weather API; hands out a paced, retrying client."""

    base_url: str
    history_url: str
    api_key: str
    calls_per_minute: int = Field(60, ge=1, description="What the key's plan allows.")
    units: str = "metric"
    max_retries: int = 8
    timeout_s: float = 30.0

    def client(self) -> WeatherClient:
        """A client pacing its calls on the key's quota (shared by every client in the process)."""
        return WeatherClient(
            self.base_url,
            self.api_key,
            self.calls_per_minute,
            history_url=self.history_url,
            units=self.units,
            max_retries=self.max_retries,
            timeout_s=self.timeout_s,
            quota=shared_quota(self.api_key, self.calls_per_minute),
        )


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the weather API from settings; the key only through the environment."""
    settings = get_settings()
    return dg.Definitions(
        resources={
            "openweathermap": OpenWeatherMap(
                base_url=settings.weather_url,
                history_url=settings.weather_history_url or settings.weather_url,
                api_key=dg.EnvVar("FERNWAY_WEATHER_API_KEY"),
                calls_per_minute=settings.weather_calls_per_minute,
            )
        }
    )
