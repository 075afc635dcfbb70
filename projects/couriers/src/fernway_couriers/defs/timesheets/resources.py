"""The S3 bucket where courier agencies drop daily timesheet files (moto locally, AWS in prod)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import dagster as dg
from botocore.config import Config
from pydantic import PrivateAttr

from fernway_core.settings import get_settings

# The bucket's layout: timesheets/agency=<agency>/dt=<work day>/<file>.csv|.parquet
_DAY = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


def key_day(key: str) -> dt.date | None:
    """The work day of a key's `dt=` folder (None when the key has none)."""
    found = _DAY.search(key)
    return dt.date.fromisoformat(found.group(1)) if found else None


@dataclass(frozen=True)
class TimesheetObject:
    """One listed object: its key, version (ETag) and when it was sent (LastModified)."""

    key: str
    etag: str
    last_modified: dt.datetime
    size: int

    @property
    def day(self) -> dt.date | None:
        """The work day of the key's `dt=` folder (None when the key has none)."""
        return key_day(self.key)


@dataclass(frozen=True)
class TimesheetBody(TimesheetObject):
    """One downloaded object: the listed facts of the version read, and its bytes."""

    body: bytes = b""


def _object(o: dict[str, Any]) -> TimesheetObject:
    return TimesheetObject(o["Key"], o["ETag"].strip('"'), o["LastModified"], o["Size"])


class TimesheetsBucket(dg.ConfigurableResource):
    """Lists and reads courier timesheet files under one prefix of one bucket."""

    bucket: str
    endpoint_url: str | None = None
    region_name: str = "us-east-1"
    prefix: str = "timesheets/"
    _client: Any = PrivateAttr(default=None)

    def client(self) -> Any:
        """One boto3 client per resource instance, with S3's standard retries."""
        if self._client is None:
            config = Config(
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            )
            self._client = boto3.client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region_name, config=config
            )
        return self._client

    def _pages(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client().get_paginator("list_objects_v2")
        yield from paginator.paginate(Bucket=self.bucket, **kwargs)

    def list_files(self, from_day: dt.date | None = None) -> list[TimesheetObject]:
        """Every file (oldest `LastModified` first); with `from_day`, only `dt=` folders from it.

        The listing is per agency folder, each starting after `dt=<from_day>`: older days'
        keys are never listed, so a tick's cost follows the recent days, not the bucket's age.
        Objects directly under the prefix (outside an agency folder) are always listed.
        """
        found: list[TimesheetObject] = []
        agencies: list[str] = []
        for page in self._pages(Prefix=self.prefix, Delimiter="/"):
            agencies += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            found += [_object(o) for o in page.get("Contents", [])]
        for agency in agencies:
            after = {"StartAfter": f"{agency}dt={from_day.isoformat()}"} if from_day else {}
            for page in self._pages(Prefix=agency, **after):
                found += [_object(o) for o in page.get("Contents", [])]
        files = [f for f in found if not f.key.endswith("/")]  # folder markers hold no file
        return sorted(files, key=lambda f: (f.last_modified, f.key))

    def read(self, key: str) -> TimesheetBody:
        """Download the current version of one file (S3 and network errors raise)."""
        got = self.client().get_object(Bucket=self.bucket, Key=key)
        return TimesheetBody(
            key,
            got["ETag"].strip('"'),
            got["LastModified"],
            got["ContentLength"],
            got["Body"].read(),
        )


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the timesheets bucket from settings; credentials come from the standard AWS chain."""
    settings = get_settings()
    bucket = TimesheetsBucket(
        bucket=settings.s3_timesheets_bucket,
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.aws_region,
    )
    return dg.Definitions(resources={"timesheets_bucket": bucket})
