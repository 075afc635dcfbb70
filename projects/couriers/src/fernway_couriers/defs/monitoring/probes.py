"""One lightweight, real call per external system the platform uses, timed.

Each probe makes ONE attempt with a short timeout: a health check reports what the system does
now, so it never retries a failure away. A probe returns a one-line detail or raises; `probe`
turns either into a `Probe` with the latency measured around the call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from fernway_core.http import HttpClient
from fernway_core.settings import FernwaySettings
from fernway_core.warehouse import Warehouse

TIMEOUT_S = 10.0
# The warehouse probe waits at most this long for DuckDB's single-writer slot: a writer holding
# it longer (a long dbt build) is reported as the warehouse being unavailable to others.
WAREHOUSE_WAIT_S = 60.0
# Where the weather probe asks for current weather (any valid coordinates serve).
WEATHER_PROBE = {"lat": 51.5074, "lon": -0.1278}


@dataclass(frozen=True)
class Probe:
    """The result of one system's health check."""

    system: str
    target: str
    healthy: bool
    latency_ms: float
    detail: str


def _client(
    base_url: str, token: str | None = None, api_key: str | None = None, api_key_param: str = ""
) -> HttpClient:
    """An HttpClient that tries once, with the probe timeout."""
    return HttpClient(
        base_url,
        bearer_token=token,
        api_key=api_key,
        api_key_param=api_key_param or "api_key",
        timeout_s=TIMEOUT_S,
        connect_timeout_s=TIMEOUT_S,
        max_retries=0,
    )


def marketplace(s: FernwaySettings) -> str:
    """GET /v1/cities (authenticated; the smallest marketplace listing)."""
    with _client(s.marketplace_url, s.marketplace_token.get_secret_value()) as api:
        body = api.get_json("/v1/cities")
    return f"{len(body['data'])} cities listed"


def courier_app(s: FernwaySettings) -> str:
    """GET /v1/couriers?limit=1 (authenticated)."""
    with _client(s.couriers_url, s.couriers_token.get_secret_value()) as api:
        body = api.get_json("/v1/couriers", {"limit": 1})
    return f"{len(body['data'])} courier read"


def github(s: FernwaySettings) -> str:
    """GET /repos/<first tracked repo> (authenticated)."""
    repo = s.github_repo_list[0]
    with _client(s.github_url, s.github_token.get_secret_value()) as api:
        body = api.get_json(f"/repos/{repo}")
    return f"{body['full_name']} readable"


def weather(s: FernwaySettings) -> str:
    """GET /data/2.5/weather for one place with the API key (one call of the minute's quota)."""
    if s.weather_api_key is None:
        raise ValueError("FERNWAY_WEATHER_API_KEY is not set")
    key = s.weather_api_key.get_secret_value()
    with _client(s.weather_url, api_key=key, api_key_param="appid") as api:
        body = api.get_json("/data/2.5/weather", WEATHER_PROBE)
    return f"current weather served ({body['weather'][0]['main']})"


def slack(s: FernwaySettings) -> str:
    """`auth.test` with the bot token (what every alert post needs)."""
    from slack_sdk import WebClient

    if s.slack_token is None:
        raise ValueError("FERNWAY_SLACK_TOKEN is not set")
    base = s.slack_base_url if s.slack_base_url.endswith("/") else s.slack_base_url + "/"
    client = WebClient(token=s.slack_token.get_secret_value(), base_url=base, timeout=10)
    client.retry_handlers = []  # one attempt: report the failure, do not retry it away
    body = client.auth_test()
    return f"authenticated as {body.get('user')} in {body.get('team')}"


def datahub(s: FernwaySettings) -> str:
    """GET /config, what the DataHub SDK's emitter asks first (`test_connection`)."""
    with _client(s.datahub_gms_url, s.datahub_token.get_secret_value()) as api:
        body = api.get_json("/config")
    if not isinstance(body, dict) or body.get("noCode") != "true":
        raise ValueError("GET /config did not answer as DataHub GMS (no noCode: true)")
    return f"GMS {body.get('versions', {}).get('acryldata/datahub', {}).get('version', 'up')}"


def s3(s: FernwaySettings) -> str:
    """HEAD each bucket the platform reads (partner exports, courier timesheets)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=s.s3_endpoint_url,
        region_name=s.aws_region,
        config=Config(
            connect_timeout=TIMEOUT_S, read_timeout=TIMEOUT_S, retries={"total_max_attempts": 1}
        ),
    )
    buckets = (s.s3_exports_bucket, s.s3_timesheets_bucket)
    for bucket in buckets:
        client.head_bucket(Bucket=bucket)
    return f"buckets {', '.join(buckets)} reachable"


def warehouse_probe(warehouse: Warehouse) -> Callable[[FernwaySettings], str]:
    """`select 1` on a short-lived connection, waiting at most WAREHOUSE_WAIT_S for DuckDB."""

    def run(s: FernwaySettings) -> str:
        probe = Warehouse(url=warehouse.url, lock_timeout_s=WAREHOUSE_WAIT_S)
        value = probe.query_arrow("select 1 as ok").column("ok").to_pylist()
        if value != [1]:
            raise ValueError(f"select 1 returned {value}")
        return f"{probe.dialect} answers"

    return run


def targets(s: FernwaySettings, warehouse: Warehouse) -> dict[str, str]:
    """What each probe talks to (URLs, buckets, the warehouse dialect): no secrets."""
    return {
        "marketplace": s.marketplace_url,
        "courier_app": s.couriers_url,
        "github": s.github_url,
        "weather": s.weather_url,
        "slack": s.slack_base_url,
        "datahub": s.datahub_gms_url,
        "s3": s.s3_endpoint_url or "aws",
        "warehouse": warehouse.dialect,
    }


def probes(warehouse: Warehouse) -> dict[str, Callable[[FernwaySettings], str]]:
    """Every system's probe, by system name (the names in `monitoring.health_checks`)."""
    return {
        "marketplace": marketplace,
        "courier_app": courier_app,
        "github": github,
        "weather": weather,
        "slack": slack,
        "datahub": datahub,
        "s3": s3,
        "warehouse": warehouse_probe(warehouse),
    }


def probe(system: str, target: str, call: Callable[[], str]) -> Probe:
    """Run one probe, timing it; any exception is the unhealthy result's one-line detail."""
    started = time.perf_counter()
    try:
        detail, healthy = call(), True
    except Exception as exc:
        detail, healthy = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300], False
    latency = round((time.perf_counter() - started) * 1000, 1)
    return Probe(system, target, healthy, latency, detail)


def check_all(settings: FernwaySettings, warehouse: Warehouse) -> list[Probe]:
    """Probe every system at once (threads: the calls wait on the network), in a fixed order."""
    where = targets(settings, warehouse)
    calls = probes(warehouse)
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [
            pool.submit(probe, name, where[name], partial(call, settings))
            for name, call in calls.items()
        ]
        return [future.result() for future in futures]
