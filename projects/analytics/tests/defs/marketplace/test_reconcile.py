"""reconciles_with_source fails, and blocks what is built on the orders, when the warehouse
holds other orders than the source says it sent."""

import dagster as dg
import pytest

from fernway_devtools.locations import load_location
from fernway_devtools.pytest_plugin import (
    TamperedWarehouse,
    failed_check,
    use_sandbox,
    with_resources,
)

ORDERS = dg.AssetKey(["raw", "marketplace_orders"])
DAY = "2026-08-03"  # inside the session sandbox's window (10 days from 2026-08-01)
TAMPERS = {
    "rows deleted": "delete from raw.marketplace_orders where order_id in "
    "(select order_id from raw.marketplace_orders order by order_id limit 3)",
    "rows duplicated": "insert into raw.marketplace_orders "
    "select * from raw.marketplace_orders order by order_id limit 3",
    "an amount changed": "update raw.marketplace_orders set amount = amount + 1 "
    "where order_id = (select min(order_id) from raw.marketplace_orders)",
}


@pytest.fixture
def marketplace(sandbox, monkeypatch, platform_env):
    """The session's fault-free sandbox, wired into the settings."""
    use_sandbox(monkeypatch, sandbox)
    return sandbox


@pytest.fixture
def defs(marketplace) -> dg.Definitions:
    """The analytics location, loaded once the sandbox is wired in."""
    return load_location("fernway_analytics.definitions")


@pytest.mark.fails_check("raw/marketplace_orders", "reconciles_with_source")
@pytest.mark.parametrize(("tamper", "mismatch"), [
    ("rows deleted", f"{DAY}: {{n}} loaded+rejected vs {{truth}} at source"),
    ("rows duplicated", f"{DAY}: {{n}} loaded+rejected vs {{truth}} at source"),
    ("an amount changed", f"{DAY}: amount "),
])  # fmt: skip
def test_orders_that_do_not_match_the_control_totals_fail_and_block_downstream(
    tamper, mismatch, marketplace, defs, instance, warehouse
):
    downstream = sorted(defs.resolve_asset_graph().get(ORDERS).child_keys)
    assert downstream, "raw/marketplace_orders feeds the dbt staging models"
    tampered = TamperedWarehouse(
        url=warehouse.url, table="raw.marketplace_orders", tamper=TAMPERS[tamper]
    )
    job = with_resources(defs, warehouse=tampered).resolve_job_def("daily_refresh_job")
    result = job.execute_in_process(
        instance=instance,
        partition_key=DAY,
        asset_selection=[ORDERS, *downstream],
        raise_on_error=False,
    )
    check = failed_check(result, "raw/marketplace_orders", "reconciles_with_source")
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert check.blocking
    truth = marketplace.truth["marketplace"]["orders"]["by_day"][DAY]["count"]
    loaded = {"rows deleted": truth - 3, "rows duplicated": truth + 3}.get(tamper, truth)
    assert check.metadata["source_orders"].value == truth
    assert check.metadata["loaded_orders"].value == loaded
    mismatches = check.metadata["mismatches"].value
    assert mismatches.startswith(mismatch.format(n=loaded, truth=truth)), mismatches
    # the load itself happened; nothing built on it ran
    assert result.success is False
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {ORDERS}
