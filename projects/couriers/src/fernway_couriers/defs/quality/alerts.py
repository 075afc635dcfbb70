"""Quality alert files: their schema, and why one is refused (stable reason codes).

An alert is a small JSON object, one per file (UTF-8, at most 64 KiB, name ending `.json`):

    {
      "asset": "couriers/payout_reconciliation",    # required: a validated mart's asset key
      "reason": "3 payouts out by a cent in GX",     # required: non-empty text
      "raised_at": "2026-08-14T03:00:00+00:00",     # required: ISO 8601 with a UTC offset
      "raised_by": "on-call"                        # optional: who or what raised it
    }

Any other field is refused (`unknown_field`), so a typo (`"assets"`) is not silently ignored.
The alert's identity is the SHA-256 of the file's bytes: the same alert dropped twice is one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import dagster as dg

from fernway_couriers.defs.quality.marts import MARTS_BY_KEY

MAX_BYTES = 64 * 1024
REQUIRED = ("asset", "reason", "raised_at")
OPTIONAL = ("raised_by",)


class Refusal(StrEnum):
    """Why an alert file was moved to `rejected/` (first line of its `.reason` file)."""

    NOT_JSON_FILE = "not_json_file"
    TOO_LARGE = "too_large"
    BAD_JSON = "bad_json"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    UNKNOWN_FIELD = "unknown_field"
    WRONG_TYPE = "wrong_type"
    UNKNOWN_ASSET = "unknown_asset"
    DUPLICATE = "duplicate"


class RefusedAlert(Exception):
    """An alert file that cannot start a run: a reason code and a one-line detail."""

    def __init__(self, code: Refusal, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Alert:
    """A valid alert: the mart to remediate and why."""

    asset: dg.AssetKey
    reason: str
    raised_at: dt.datetime
    raised_by: str | None
    digest: str

    @property
    def run_key(self) -> str:
        """The remediation run's key: one run per distinct alert, however often it is seen."""
        return f"quality-alert-{self.digest[:20]}"


def parse_alert(name: str, raw: bytes) -> Alert:
    """The alert in file `name` with contents `raw`, or `RefusedAlert` saying why not."""
    if not name.endswith(".json"):
        raise RefusedAlert(Refusal.NOT_JSON_FILE, f"{name} does not end in .json")
    if len(raw) > MAX_BYTES:
        raise RefusedAlert(Refusal.TOO_LARGE, f"{len(raw)} bytes, at most {MAX_BYTES}")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # undecodable, malformed, nested too deep
        raise RefusedAlert(Refusal.BAD_JSON, " ".join(str(exc).split())) from exc
    if not isinstance(body, dict):
        raise RefusedAlert(Refusal.NOT_AN_OBJECT, f"top level is a {type(body).__name__}")
    missing = [f for f in REQUIRED if f not in body]
    if missing:
        raise RefusedAlert(Refusal.MISSING_FIELD, "missing " + ", ".join(missing))
    unknown = sorted(set(body) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise RefusedAlert(Refusal.UNKNOWN_FIELD, "unknown " + ", ".join(unknown))
    return Alert(
        asset=_asset(body["asset"]),
        reason=_text(body, "reason"),
        raised_at=_instant(body["raised_at"]),
        raised_by=_text(body, "raised_by") if "raised_by" in body else None,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _text(body: dict[str, Any], field: str) -> str:
    value = body[field]
    if not isinstance(value, str) or not value.strip():
        raise RefusedAlert(Refusal.WRONG_TYPE, f"{field} must be non-empty text, got {value!r}")
    return value.strip()


def _asset(value: Any) -> dg.AssetKey:
    if not isinstance(value, str) or not value.strip():
        raise RefusedAlert(Refusal.WRONG_TYPE, f"asset must be text like 'couriers/x': {value!r}")
    key = dg.AssetKey.from_user_string(value.strip())
    if key not in MARTS_BY_KEY:
        known = ", ".join(sorted(k.to_user_string() for k in MARTS_BY_KEY))
        raise RefusedAlert(Refusal.UNKNOWN_ASSET, f"{value} is not one of {known}")
    return key


def _instant(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise RefusedAlert(Refusal.WRONG_TYPE, f"raised_at must be ISO 8601 text: {value!r}")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise RefusedAlert(Refusal.WRONG_TYPE, f"raised_at is not ISO 8601: {value!r}") from exc
    if when.tzinfo is None:
        raise RefusedAlert(Refusal.WRONG_TYPE, f"raised_at has no UTC offset: {value!r}")
    return when
