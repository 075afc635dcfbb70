"""The platform's "now" as a resource: real time, or an instant a test (or a replay) fixes."""

from __future__ import annotations

import datetime as dt
import time

import dagster as dg
from pydantic import Field


class Clock(dg.ConfigurableResource):
    """What time it is for assets and sensors; they ask this instead of the system clock."""

    fixed_at: float | None = Field(
        default=None, description="Seconds since the epoch reported as now; unset = real time."
    )

    @classmethod
    def at(cls, when: dt.datetime) -> Clock:
        """A clock fixed at `when` (naive = UTC)."""
        aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
        return cls(fixed_at=aware.timestamp())

    def timestamp(self) -> float:
        """Now, in seconds since the epoch."""
        return time.time() if self.fixed_at is None else self.fixed_at

    def now(self) -> dt.datetime:
        """Now, as an aware UTC datetime."""
        return dt.datetime.fromtimestamp(self.timestamp(), dt.UTC)
