"""Fixtures of the dbt tests: a warehouse holding the raw courier-app tables and
`analytics.orders`, built once a session from one sandbox.

`analytics.orders` is by default filled straight from the marketplace API's orders (a few
seconds). With `FERNWAY_COURIERS_TEST_UPSTREAM=analytics` it is the real mart: the analytics
location materialized in its own virtualenv, as ml's tests build theirs. That took 100 s on the
2-core dev machine with little else running and 236 s while other suites ran - over the three
minutes a fixture of this suite may take - so it is the opt-in.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from fernway_core.resources import shared_resources
from fernway_core.settings import get_settings
from fernway_core.warehouse import Replacement, Warehouse
from fernway_devtools.demo import run_in_location
from fernway_devtools.instance import write_instance
from fernway_sandbox.config import SandboxConfig
from fernway_sandbox.sandbox import Sandbox
from tests.conftest import COURIERS
from tests.defs.transform.raw_tables import load_courier_app, load_orders

ROOT = Path(__file__).resolve().parents[5]
REAL_ANALYTICS = os.environ.get("FERNWAY_COURIERS_TEST_UPSTREAM") == "analytics"
# pytest-timeout counts fixture setup: room for the analytics location's build when opted in.
UPSTREAM_BUILD_TIMEOUT_S = 900


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give the first test that builds the upstream warehouse time for it."""
    timeout = float(config.getini("timeout") or 0) + UPSTREAM_BUILD_TIMEOUT_S
    for item in items:
        if "upstream" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(timeout))


def _materialize_analytics(env: dict[str, str], work: Path) -> None:
    """Materialize every asset of the analytics location in its own virtualenv (as `make demo`)."""
    start = COURIERS["start"]
    end = start + dt.timedelta(days=COURIERS["days"])
    report = work / "analytics.json"
    args = ["fernway_devtools.materialize", "fernway_analytics.definitions"]
    args += ["--start", start.isoformat(), "--end", end.isoformat(), "--report", str(report)]
    log = report.with_suffix(".log")
    started = time.perf_counter()
    if run_in_location("analytics", ROOT, env, args, log) != 0:
        tail = "".join(log.read_text().splitlines(True)[-40:])
        pytest.fail(f"materializing analytics failed; last lines of {log}:\n{tail}")
    print(f"analytics materialized in {time.perf_counter() - started:.0f} s")


@pytest.fixture(scope="session")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(warehouse file, sandbox truth): analytics' real marts and the raw courier-app tables.

    One sandbox with the couriers location's test configuration (so deliveries reference the
    marketplace's orders): `analytics.orders` (see the module docstring), then the courier
    app's four listings are paged into the same file.
    """
    work = tmp_path_factory.mktemp("couriers_upstream")
    data_dir, home = work / "data", work / "dagster_home"
    write_instance(home, ROOT / "dagster.yaml", postgres=False)
    config = SandboxConfig(
        services=("marketplace", "s3", "couriers"),
        scale=COURIERS["scale"],
        start=COURIERS["start"],
        days=COURIERS["days"],
    )
    with Sandbox(config) as sandbox:
        env = {**os.environ, **sandbox.env(), "DAGSTER_HOME": str(home)}
        env["FERNWAY_DATA_DIR"] = str(data_dir)
        env.pop("FERNWAY_WAREHOUSE_URL", None)
        database = data_dir / "warehouse.duckdb"
        if REAL_ANALYTICS:
            _materialize_analytics(env, work)
        else:
            data_dir.mkdir(parents=True)
            load_orders(database, sandbox.urls["marketplace"], config.token)
        load_courier_app(database, sandbox.urls["couriers"], config.couriers_token)
        return database, sandbox.truth


def copy_tables(database: Path, warehouse: Warehouse) -> list[str]:
    """Every table of the DuckDB file into `warehouse` (e.g. a Postgres one), types kept as
    Arrow carries them; the qualified names copied."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = con.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by all"
        ).fetchall()
        tables = [
            Replacement(
                f"{schema}.{name}", con.sql(f'select * from "{schema}"."{name}"').to_arrow_table()
            )
            for schema, name in names
        ]
    finally:
        con.close()
    warehouse.replace_many(tables)
    return [t.table for t in tables]


@pytest.fixture
def truth(upstream: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """The sandbox's truth for the upstream warehouse."""
    return upstream[1]


@pytest.fixture
def warehouse(platform_env: Path, upstream: tuple[Path, dict[str, Any]]) -> Warehouse:
    """The test's warehouse: a copy of the upstream one, as the location resolves it."""
    shutil.copy(upstream[0], platform_env / "warehouse.duckdb")
    return Warehouse(url=get_settings().resolved_warehouse_url)


@pytest.fixture
def transform_defs(warehouse: Warehouse) -> dg.Definitions:
    """The transform domain alone (its assets, checks, jobs over selections.py), with the
    location's shared resources and its dbt resource."""
    from fernway_couriers.defs.transform import assets, checks, resources, selections

    return dg.Definitions(
        assets=[assets.couriers_dbt_models, assets.orders],
        asset_checks=[checks.couriers_dbt_tests],
        jobs=[
            dg.define_asset_job("dbt_run", selection=selections.DBT_RUN),
            dg.define_asset_job("dbt_test", selection=selections.DBT_TEST),
            dg.define_asset_job("dbt_run_and_test", selection=selections.DBT_RUN_AND_TEST),
        ],
        resources={**shared_resources().resources, **resources.resources().resources},
    )
