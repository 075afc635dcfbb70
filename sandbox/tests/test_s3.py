"""The S3 stand-in: daily Parquet exports that match the truth, late files, isolation, faults."""

from __future__ import annotations

import datetime as dt
import io

import boto3
import httpx
import pyarrow.parquet as pq
import pytest

from fernway_sandbox import ConfigError, Sandbox, SandboxConfig
from fernway_sandbox.money import decimal_to_cents
from fernway_sandbox.partners import PARTNER_SCHEMA


def s3_client(sandbox):
    env = sandbox.env()
    return boto3.client(
        "s3",
        endpoint_url=env["FERNWAY_S3_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def exports(sandbox) -> dict[str, tuple[int, int]]:
    """key -> (rows, amount cents) of every partner export in the bucket."""
    s3, bucket = s3_client(sandbox), sandbox.env()["FERNWAY_S3_EXPORTS_BUCKET"]
    result = {}
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="partner_orders/"
    ):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            table = pq.read_table(io.BytesIO(body))
            assert table.schema.equals(PARTNER_SCHEMA)
            result[item["Key"]] = (table.num_rows, int(decimal_to_cents(table["amount"]).sum()))
    return result


def assert_matches_truth(files: dict[str, tuple[int, int]], truth: dict) -> None:
    assert len(files) == truth["files"]
    assert sum(rows for rows, _ in files.values()) == truth["count"]
    assert sum(amount for _, amount in files.values()) == truth["amount_cents"]
    for day, expected in truth["by_day"].items():
        matching = [v for k, v in files.items() if f"/dt={day}/" in k]
        assert sum(rows for rows, _ in matching) == expected["count"]
        assert sum(amount for _, amount in matching) == expected["amount_cents"]


def test_one_export_per_day_whose_rows_and_sums_match_the_truth(sandbox):
    files = exports(sandbox)
    truth = sandbox.truth["s3"]["partner_orders"]
    assert truth["files"] == sandbox.config.days == 10
    assert "partner_orders/dt=2026-08-01/partner_orders_20260801.parquet" in files
    assert truth["count"] == 500
    assert_matches_truth(files, truth)


def test_put_export_adds_a_file_and_updates_the_truth(sandbox_factory):
    sandbox = sandbox_factory(seed=7, scale=3000, days=4)
    before = sandbox.truth["s3"]["partner_orders"]
    late = sandbox.put_export(dt.date(2026, 8, 2))
    new_day = sandbox.put_export(dt.date(2026, 8, 5), rows=25)
    assert late == "partner_orders/dt=2026-08-02/partner_orders_20260802_001.parquet"
    assert new_day == "partner_orders/dt=2026-08-05/partner_orders_20260805.parquet"
    files = exports(sandbox)
    truth = sandbox.truth["s3"]["partner_orders"]
    assert truth["files"] == before["files"] + 2 == len(files)
    assert files[new_day][0] == 25
    assert truth["by_day"]["2026-08-05"]["count"] == 25
    assert_matches_truth(files, truth)


def test_sandboxes_in_one_process_have_separate_buckets(sandbox, sandbox_factory):
    other = sandbox_factory(seed=7, scale=3000, days=4)
    assert len(exports(other)) == 4
    assert_matches_truth(exports(sandbox), sandbox.truth["s3"]["partner_orders"])
    other.set_faults("s3", error_rate=1.0)
    bucket_url = f"{other.urls['s3']}/fernway-exports"
    assert httpx.get(bucket_url).status_code >= 500
    assert httpx.get(f"{sandbox.urls['s3']}/fernway-exports").status_code == 200
    other.set_faults("s3")
    assert httpx.get(bucket_url).status_code == 200


def test_put_export_is_an_action_of_the_s3_service_and_needs_it_running() -> None:
    stopped = Sandbox(SandboxConfig(services=("marketplace",)))
    with pytest.raises(ConfigError, match="service 'marketplace' has no action 'put_export'"):
        stopped.call("marketplace", "put_export", dt.date(2026, 8, 2))
    with pytest.raises(RuntimeError, match="put_export needs a started sandbox running the s3"):
        stopped.put_export(dt.date(2026, 8, 2))
