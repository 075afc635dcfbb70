"""Freshness targets declared beside the dbt models (`meta.fernway.freshness`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import dagster as dg


def policy_from_meta(meta: Mapping[str, Any]) -> dg.FreshnessPolicy | None:
    """The time-window policy a dbt model declares, e.g. `{fail_minutes: 5, warn_minutes: 2}`.

    The warn window is when the freshness automation starts the refresh; the fail window is the
    target it keeps (and what the lateness alert watches).
    """
    target = (meta.get("fernway") or {}).get("freshness")
    if not target:
        return None
    fail = dt.timedelta(minutes=float(target["fail_minutes"]))
    warn = dt.timedelta(minutes=float(target["warn_minutes"]))
    if not dt.timedelta(0) < warn < fail:
        raise ValueError(f"freshness needs 0 < warn_minutes < fail_minutes, got {dict(target)}")
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def time_windows(policy: object) -> tuple[float, float] | None:
    """(warn, fail) seconds of a time-window policy; None for other policies or none."""
    fail = getattr(policy, "fail_window", None)
    if fail is None:
        return None
    warn = getattr(policy, "warn_window", None) or fail
    return warn.to_timedelta().total_seconds(), fail.to_timedelta().total_seconds()
