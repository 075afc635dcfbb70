"""Fixtures: one S3-only sandbox per module (its timesheet files, some corrupt), a fresh
timesheets bucket holding a copy of them for each test, and the timesheets definitions."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import dagster as dg
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fernway_core.resources import shared_resources
from fernway_core.settings import get_settings
from fernway_couriers.defs.timesheets import checks
from fernway_couriers.defs.timesheets.assets import entries
from fernway_couriers.defs.timesheets.jobs import timesheet_files_job
from fernway_couriers.defs.timesheets.resources import resources
from fernway_couriers.defs.timesheets.sensors import timesheet_files_sensor
from fernway_devtools.pytest_plugin import use_sandbox
from fernway_sandbox import timesheets
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.middleware import CONTROL_HEADER
from fernway_sandbox.pytest_plugin import start_sandbox
from fernway_sandbox.sandbox import Sandbox
from fernway_sandbox.services.s3 import REGION
from tests.conftest import START

DAYS = 3
CORRUPT = 3  # the seed makes them one of each kind: truncated, empty, missing_column


@pytest.fixture(scope="module")
def s3_sandbox() -> Iterator[Sandbox]:
    """The sandbox's S3 alone (moto): one timesheet file per agency and day, `CORRUPT` broken."""
    config = SandboxConfig(
        seed=42,
        scale=2000,
        start=START,
        days=DAYS,
        services=("s3",),
        timesheet_corrupt_files=CORRUPT,
    )
    with start_sandbox(config) as sandbox:
        yield sandbox


def s3_client(url: str) -> Any:
    """A boto3 client of the sandbox's S3 whose requests skip injected faults (test set-up)."""
    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.meta.events.register(
        "before-sign.s3.*", lambda request, **_: request.headers.add_header(CONTROL_HEADER, "1")
    )
    return client


def to_bytes(table: pa.Table, fmt: str) -> bytes:
    """A table as the bytes of a CSV or Parquet timesheet file."""
    sink = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(table, sink)
    else:
        pq.write_table(table, sink)
    return sink.getvalue()


@dataclass
class Bucket:
    """A fresh timesheets bucket for one test, seeded with a copy of the sandbox's files."""

    sandbox: Sandbox
    client: Any
    name: str

    def put(self, key: str, body: bytes) -> str:
        """Upload raw bytes under `key`; returns the key."""
        self.client.put_object(Bucket=self.name, Key=key, Body=body)
        return key

    def body(self, key: str) -> bytes:
        """The bytes stored under `key`."""
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def table(self, key: str) -> pa.Table:
        """A readable timesheet file of the bucket as Arrow (its own format)."""
        data = io.BytesIO(self.body(key))
        if key.endswith(".csv"):
            return pacsv.read_csv(data)
        return pq.read_table(data)

    def copy_from_sandbox(self, key: str) -> str:
        """Copy one object of the sandbox's timesheets bucket in; returns its key."""
        source = {"Bucket": timesheets.BUCKET, "Key": key}
        self.client.copy_object(Bucket=self.name, Key=key, CopySource=source)
        return key

    def list_keys(self) -> list[str]:
        """Every key in the bucket."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(o["Key"] for p in pages for o in p.get("Contents", []))

    def truth(self) -> dict:
        """The sandbox's timesheet truth."""
        return self.sandbox.truth["s3"]["timesheets"]


@pytest.fixture
def bucket(s3_sandbox: Sandbox, platform_env, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    """A fresh bucket with the sandbox's window files, set as FERNWAY_S3_TIMESHEETS_BUCKET."""
    use_sandbox(monkeypatch, s3_sandbox)
    name = f"timesheets-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FERNWAY_S3_TIMESHEETS_BUCKET", name)
    get_settings.cache_clear()
    client = s3_client(s3_sandbox.urls["s3"])
    client.create_bucket(Bucket=name)
    made = Bucket(s3_sandbox, client, name)
    window = [
        timesheets.timesheet_key(START + dt.timedelta(days=d), agency)
        for d in range(DAYS)
        for agency in timesheets.FORMATS
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(made.copy_from_sandbox, window))
    yield made
    s3_sandbox.set_faults("s3")


@pytest.fixture
def ts_defs(bucket: Bucket) -> dg.Definitions:
    """The timesheets asset, checks, job and sensor with the resources they use.

    Built once the test's bucket is in the settings, from the folder's own `resources()` and the
    shared ones (not the whole location: other folders' loads are not this suite's business).
    """
    return dg.Definitions(
        assets=[entries],
        asset_checks=[checks.timesheet_entries_checks],
        jobs=[timesheet_files_job],
        sensors=[timesheet_files_sensor],
        resources={**shared_resources().resources, **resources().resources},
    )
