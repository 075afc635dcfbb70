"""The services' notion of "now": real UTC time, or a fixed instant for deterministic tests."""

from __future__ import annotations

import datetime as dt

from fernway_sandbox.config import as_utc


class SandboxClock:
    """Real UTC time unless fixed (by `SandboxConfig.clock` or `set`)."""

    def __init__(self, fixed: dt.datetime | None = None) -> None:
        self.fixed = None if fixed is None else as_utc(fixed)

    def now(self) -> dt.datetime:
        """The current instant (aware, UTC)."""
        return self.fixed or dt.datetime.now(dt.UTC)

    def set(self, when: dt.datetime | None) -> None:
        """Fix the clock at `when` (naive = UTC), or let it follow real time again (None)."""
        self.fixed = None if when is None else as_utc(when)
