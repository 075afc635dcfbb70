"""S3 stand-in: moto's server (in a child process) holding the daily partner Parquet exports
and the courier agencies' daily timesheet files (CSV and Parquet, some corrupt on request)."""

from __future__ import annotations

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fernway_sandbox import timesheets
from fernway_sandbox.couriers import fleet_of
from fernway_sandbox.errors import ConfigError
from fernway_sandbox.middleware import CONTROL_HEADER
from fernway_sandbox.partners import PartnerOrders, make_partner_orders
from fernway_sandbox.services.base import ServiceContext, ServiceSpec
from fernway_sandbox.timesheets import TimesheetFile
from fernway_sandbox.truth import partner_truth

BUCKET = "fernway-exports"
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def create_app(ctx: ServiceContext) -> Any:
    """moto's S3-capable WSGI app (process-global state, hence `isolated`)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def request_handler() -> type:
    """moto's request handler (keeps header spellings S3 metadata needs)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler


def export_key(day: dt.date, n: int = 0) -> str:
    """Object key of the n-th export file of a day (n=0: the regular daily file)."""
    suffix = f"_{n:03d}" if n else ""
    return f"partner_orders/dt={day.isoformat()}/partner_orders_{day:%Y%m%d}{suffix}.parquet"


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet file bytes."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def client(ctx: ServiceContext) -> Any:
    """A boto3 S3 client for seeding; its requests bypass injected faults."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=ctx.url, region_name=REGION, **CREDENTIALS)
    s3.meta.events.register(
        "before-sign.s3.*", lambda request, **_: request.headers.add_header(CONTROL_HEADER, "1")
    )
    return s3


def on_ready(ctx: ServiceContext) -> None:
    """Create the buckets; upload one partner Parquet file per day of the window and one
    timesheet file per courier agency and day."""
    ds, s3 = ctx.dataset, client(ctx)
    fleet = fleet_of(ds)
    sheets = timesheets.window_files(fleet, ds.seed, ctx.config.timesheet_corrupt_files)
    ctx.state.update(client=s3, extras=[], timesheets=sheets)
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket=timesheets.BUCKET)
    days = [ds.start + dt.timedelta(days=d) for d in range(ds.days)]

    def upload(day: dt.date) -> None:
        table = ds.partner_orders.table(*ds.partner_orders.day_bounds(day))
        s3.put_object(Bucket=BUCKET, Key=export_key(day), Body=parquet_bytes(table))

    def upload_sheet(file: TimesheetFile) -> None:
        body = timesheets.file_bytes(fleet, file)
        s3.put_object(Bucket=timesheets.BUCKET, Key=file.key, Body=body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(upload, days))
        list(pool.map(upload_sheet, sheets))


def put_export(ctx: ServiceContext, day: dt.date, rows: int | None = None) -> str:
    """Upload an extra (late or new-day) export file of fresh partner orders; returns its key."""
    ds, extras = ctx.dataset, ctx.state["extras"]
    n = rows if rows is not None else max(1, round(len(ds.partner_orders) / ds.days))
    in_window = ds.start <= day < ds.end
    nth = in_window + sum(1 for d, _, _ in extras if d == day)
    first_id = len(ds.partner_orders) + sum(len(b) for _, b, _ in extras) + 1
    rng = np.random.default_rng([ctx.config.seed, day.toordinal(), nth])
    batch = make_partner_orders(rng, day, np.array([n]), first_id)
    key = export_key(day, nth)
    ctx.state["client"].put_object(Bucket=BUCKET, Key=key, Body=parquet_bytes(batch.table()))
    extras.append((day, batch, key))
    return key


def put_timesheet(
    ctx: ServiceContext, day: dt.date, agency: str, corrupt: str | None = None
) -> str:
    """Send an agency's timesheet file of a window day again under a new key (the same rows:
    a loader must not count them twice), broken as `corrupt` says; returns its key."""
    files: list[TimesheetFile] = ctx.state["timesheets"]
    if corrupt is not None and corrupt not in timesheets.CORRUPT_KINDS:
        raise ConfigError(f"corrupt must be one of {timesheets.CORRUPT_KINDS}, got {corrupt!r}")
    same = [f for f in files if f.day == day and f.agency == agency]
    if not same:
        raise ConfigError(f"no timesheet file of {agency!r} on {day} to send again")
    file = TimesheetFile(
        timesheets.timesheet_key(day, agency, len(same)), day, agency, same[0].shifts, corrupt
    )
    body = timesheets.file_bytes(fleet_of(ctx.dataset), file)
    ctx.state["client"].put_object(Bucket=timesheets.BUCKET, Key=file.key, Body=body)
    files.append(file)
    return file.key


def timesheet_truth(ctx: ServiceContext) -> dict:
    """Timesheet truth over the files uploaded so far (the window's files before the start)."""
    fleet = fleet_of(ctx.dataset)
    files = ctx.state.get("timesheets") or timesheets.window_files(
        fleet, ctx.config.seed, ctx.config.timesheet_corrupt_files
    )
    return timesheets.timesheet_truth(fleet, files)


def truth(ctx: ServiceContext) -> dict:
    """Partner export truth: the window's daily files plus every put_export file; and the
    courier timesheets."""
    result = partner_truth(ctx.dataset)
    extras: list[tuple[dt.date, PartnerOrders, str]] = ctx.state.get("extras", [])
    for day, batch, _ in extras:
        cents = int(batch.amount.sum())
        entry = result["by_day"].setdefault(day.isoformat(), {"count": 0, "amount_cents": 0})
        entry["count"] += len(batch)
        entry["amount_cents"] += cents
        result["files"] += 1
        result["count"] += len(batch)
        result["amount_cents"] += cents
    return {"s3": {"partner_orders": result, "timesheets": timesheet_truth(ctx)}}


def env(ctx: ServiceContext) -> dict[str, str]:
    """Endpoint, bucket and dummy credentials for boto3/duckdb/etc."""
    return {
        "FERNWAY_S3_ENDPOINT_URL": ctx.url,
        "FERNWAY_S3_EXPORTS_BUCKET": BUCKET,
        "FERNWAY_S3_TIMESHEETS_BUCKET": timesheets.BUCKET,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }


SPEC = ServiceSpec(
    "s3",
    create_app,
    env=env,
    truth=truth,
    on_ready=on_ready,
    isolated=True,
    request_handler=request_handler,
    cli_port=8702,
    actions={"put_export": put_export, "put_timesheet": put_timesheet},
)
