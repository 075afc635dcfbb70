"""A branch deployment rebuilds only the changed dbt model and its descendants, on its own copy.

The analytics dbt project and location are copied to a temporary checkout (the repo's files are
never edited), production is built there with dbt over a few raw rows, then one model is changed
and the branch built through the location's own Dagster definitions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import dagster as dg
import psycopg
import pyarrow as pa
import pytest

from fernway_core.dbt_shared import dbt_env, shared_dbt_dir
from fernway_core.settings import get_settings
from fernway_core.warehouse import Replacement, Warehouse
from fernway_devtools.branch import Branch, BranchError, build, create, drop

REPO = Path(__file__).resolve().parents[3]
ANALYTICS = REPO / "projects" / "analytics"
MODEL = Path("models", "intermediate", "orders", "int_city_orders_aggregated.sql")
CHANGED = {"intermediate/int_city_orders_aggregated", "analytics/delivery_cities"}
_OUTPUTS = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__")
AT = dt.datetime(2026, 8, 1, 12)


def checkout(root: Path) -> Path:
    """The analytics location, its dbt project and the shared dbt package under `root`."""
    for name in ("dg.toml", "dagster.yaml"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "libs" / "dbt-shared", root / "libs" / "dbt-shared", ignore=_OUTPUTS)
    location = root / "projects" / "analytics"
    location.mkdir(parents=True)
    shutil.copy2(ANALYTICS / "pyproject.toml", location / "pyproject.toml")
    for part in ("src", "dbt"):
        shutil.copytree(ANALYTICS / part, location / part, ignore=_OUTPUTS)
    (location / ".venv").symlink_to(ANALYTICS / ".venv")
    return location / "dbt" / "analytics"


def raw_tables() -> list[Replacement]:
    """Two cities, two customers, one product, three app orders and one partner order."""
    t = {"_loaded_at": AT}
    rows = {
        "raw.marketplace_cities": [
            dict(city_id=c, name=n, country=k, latitude=52.5, longitude=13.4, timezone="UTC", **t)
            for c, n, k in (("c1", "Berlin", "DE"), ("c2", "Paris", "FR"))
        ],
        "raw.marketplace_customers": [
            dict(customer_id=f"u{i}", name=f"U{i}", email=None, city_id=f"c{i}",
                 signed_up_at=AT, updated_at=AT, **t)
            for i in (1, 2)
        ],
        "raw.marketplace_products": [
            dict(product_id="p1", name="Tea", category="food", unit_price=Decimal("2.50"), **t)
        ],
        "raw.marketplace_orders": [
            dict(order_id=f"o{i}", customer_id=f"u{c}", product_id="p1", city_id=f"c{c}",
                 status="delivered", quantity=2, unit_price=Decimal("2.50"),
                 amount=Decimal("5.00"), refund_amount=Decimal("0.00"), ordered_at=AT,
                 updated_at=AT, order_date=AT.date(), **t)
            for i, c in ((1, 1), (2, 1), (3, 2))
        ],
        "raw.partner_orders": [
            dict(order_id="x1", partner="acme", city_id="c2", ordered_at=AT, items=1,
                 amount=Decimal("9.90"), order_date=AT.date(), _source_file="a.parquet", **t)
        ],
    }  # fmt: skip
    return [Replacement(table, pa.Table.from_pylist(data)) for table, data in rows.items()]


def checksums(warehouse: Warehouse) -> dict[str, str]:
    """sha256 of every table's and view's sorted rows, by `schema.table`."""
    tables = warehouse.query_arrow(
        "select table_schema || '.' || table_name as t from information_schema.tables "
        "where table_schema in ('raw', 'staging', 'intermediate', 'analytics')"
    ).column("t")
    sums = {}
    for table in tables.to_pylist():
        rows = warehouse.query_arrow(f"select * from {table}").to_pylist()
        text = json.dumps(sorted(rows, key=repr), default=str, sort_keys=True)
        sums[table] = hashlib.sha256(text.encode()).hexdigest()
    return sums


def build_production(project: Path, warehouse: Warehouse) -> None:
    """Raw rows, then `dbt build` of the whole project: production and its manifest."""
    warehouse.replace_many(raw_tables())
    dbt = str(ANALYTICS / ".venv" / "bin" / "dbt")
    args = ["--project-dir", str(project), "--profiles-dir", str(shared_dbt_dir(project))]
    env = {**os.environ, **dbt_env(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for command in ("deps", "build"):
        subprocess.run([dbt, "--quiet", command, *args], cwd=project, env=env, check=True)


def city_orders(warehouse: Warehouse) -> dict[str, int]:
    rows = warehouse.query_arrow("select city_id, orders from analytics.delivery_cities")
    return {r["city_id"]: r["orders"] for r in rows.to_pylist()}


def database_exists(postgres_url: str, url: str) -> bool:
    with psycopg.connect(postgres_url) as con:
        name = url.rsplit("/", 1)[1]
        return con.execute("select 1 from pg_database where datname = %s", [name]).fetchone()


# two dbt runs and one Dagster run of two models: about a minute, far more on a loaded machine
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_a_branch_rebuilds_only_the_changed_model_and_leaves_production_untouched(
    dialect: str,
    platform_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if dialect == "postgres":
        monkeypatch.setenv("FERNWAY_WAREHOUSE_URL", request.getfixturevalue("scratch_database"))
        get_settings.cache_clear()
    prod = Warehouse(url=get_settings().resolved_warehouse_url)
    root = tmp_path / "checkout"
    root.mkdir()
    project = checkout(root)
    build_production(project, prod)
    before = checksums(prod)
    assert city_orders(prod) == {"c1": 2, "c2": 2}

    branch = Branch("feature_x", root)
    meta = create(branch)
    try:
        (project / MODEL).write_text(
            (project / MODEL).read_text().replace("count(*) as orders", "count(*) * 10 as orders")
        )
        (report,) = build(branch)

        assert report["success"], report
        assert set(report["materialized"]) == CHANGED
        copy = Warehouse(url=meta["warehouse_url"])
        assert city_orders(copy) == {"c1": 20, "c2": 20}
        after_branch = checksums(copy)
        assert after_branch.keys() == before.keys()
        assert {t for t in before if after_branch[t] != before[t]} == {
            "intermediate.int_city_orders_aggregated",
            "analytics.delivery_cities",
        }
        assert checksums(prod) == before
        with dg.DagsterInstance.from_config(str(branch.home)) as instance:
            (run,) = instance.get_runs()
            assert run.tags["fernway/branch"] == "feature_x"
            materialized = {
                key.to_user_string()
                for key in instance.get_asset_keys()
                if instance.get_latest_materialization_event(key) is not None
            }
            assert materialized == CHANGED
    finally:
        drop(branch)
    assert not branch.dir.exists()
    if dialect == "postgres":
        assert not database_exists(prod.url, meta["warehouse_url"])
    with pytest.raises(BranchError, match="no branch 'feature_x'"):
        branch.meta()


def test_a_branch_name_that_is_not_an_identifier_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BranchError, match="use 1-30 of a-z 0-9 _"):
        Branch("Feature-X", tmp_path)
