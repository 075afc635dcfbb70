"""Fixtures: one S3-only sandbox per module, and a fresh exports bucket in it for each test."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import dagster as dg
import pytest

from fernway_analytics.defs.exports.jobs import load_partner_exports_job
from fernway_analytics.defs.exports.sensors import partner_exports_sensor
from fernway_core.settings import get_settings
from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import use_sandbox
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.middleware import CONTROL_HEADER
from fernway_sandbox.pytest_plugin import start_sandbox
from fernway_sandbox.sandbox import Sandbox
from fernway_sandbox.services.s3 import BUCKET, REGION, export_key
from tests.conftest import START

DAYS = 10  # the sandbox's bucket holds one regular export file per day


@pytest.fixture(scope="module")
def s3_sandbox() -> Iterator[Sandbox]:
    """The sandbox's S3 alone (moto), its bucket seeded with `DAYS` daily export files."""
    config = SandboxConfig(seed=42, scale=400, start=START, days=DAYS, services=("s3",))
    with start_sandbox(config) as sandbox:
        yield sandbox


@dataclass
class Bucket:
    """A fresh bucket for one test; its client bypasses the sandbox's injected faults."""

    sandbox: Sandbox
    client: Any
    name: str

    def put(self, key: str, body: bytes) -> str:
        """Upload raw bytes under `key`; returns the key."""
        self.client.put_object(Bucket=self.name, Key=key, Body=body)
        return key

    def body(self, key: str, bucket: str | None = None) -> bytes:
        """The bytes stored under `key` (in this bucket, or in `bucket`)."""
        return self.client.get_object(Bucket=bucket or self.name, Key=key)["Body"].read()

    def copy_regular_files(self) -> list[str]:
        """Copy the sandbox's daily export files in; returns their keys, oldest day first."""
        keys = [export_key(START + dt.timedelta(days=d)) for d in range(DAYS)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self._copy, keys))
        return keys

    def _copy(self, key: str) -> None:
        source = {"Bucket": BUCKET, "Key": key}
        self.client.copy_object(Bucket=self.name, Key=key, CopySource=source)

    def last_modified(self) -> dict[str, dt.datetime]:
        """`LastModified` of every object, by key."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {o["Key"]: o["LastModified"] for p in pages for o in p.get("Contents", [])}

    def put_in_one_second(self, bodies: dict[str, bytes]) -> dt.datetime:
        """Upload all of `bodies` so that they share one `LastModified` (S3 has 1 s precision)."""
        for _ in range(5):
            time.sleep(1.02 - time.time() % 1)  # just after a second starts
            for key, body in bodies.items():
                self.put(key, body)
            stamps = {lm for key, lm in self.last_modified().items() if key in bodies}
            if len(stamps) == 1:
                return stamps.pop()
        raise AssertionError("could not upload the files within one second in 5 tries")


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


@pytest.fixture
def bucket(s3_sandbox: Sandbox, platform_env, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    """An empty exports bucket, set as FERNWAY_S3_EXPORTS_BUCKET; faults are off afterwards."""
    use_sandbox(monkeypatch, s3_sandbox)
    name = f"exports-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FERNWAY_S3_EXPORTS_BUCKET", name)
    get_settings.cache_clear()
    client = s3_client(s3_sandbox.urls["s3"])
    client.create_bucket(Bucket=name)
    yield Bucket(s3_sandbox, client, name)
    s3_sandbox.set_faults("s3")


@pytest.fixture
def defs(bucket: Bucket) -> dg.Definitions:
    """The location's exports sensor and job with the location's resources they use.

    Loaded once the test's bucket is in the settings. Only those resources: a sensor tick
    evaluated with every resource of the location would start its Spark session (~20 s).
    """
    location = load_location("fernway_analytics.definitions")
    return dg.Definitions(
        sensors=[partner_exports_sensor],
        jobs=[load_partner_exports_job],
        resources={key: location.resources[key] for key in ("exports", "warehouse")},
    )
