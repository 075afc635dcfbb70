"""A flaky courier app (5xx, 429 with Retry-After, truncated bodies) still loads everything."""

from __future__ import annotations

from fernway_core.settings import get_settings
from fernway_couriers.defs.courier_app.resources import CourierAppApi
from tests.defs.courier_app.conftest import courier_warehouse, load, metadata
from tests.defs.courier_app.test_load import assert_matches_truth


def test_server_errors_and_rate_limits_are_retried_until_everything_loads(
    flaky_sandbox, app_defs, instance
):
    settings = get_settings()
    api = CourierAppApi(  # small pages: many requests, so the faults surely hit some
        base_url=settings.couriers_url,
        token=settings.couriers_token.get_secret_value(),
        page_size=250,
        max_retries=8,
    )
    result = load(app_defs, instance, courier_app=api)
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert_matches_truth(courier_warehouse(), flaky_sandbox.truth["couriers"])
    stats = [metadata(result, t) for t in ("couriers", "shifts", "deliveries", "payouts")]
    assert sum(m["http_retries"] for m in stats) > 0, "the faults were hit and retried"
    statuses = {s for m in stats for s in m["http_status_counts"]}
    assert {"429", "500"} & statuses or {429, 500} & statuses
