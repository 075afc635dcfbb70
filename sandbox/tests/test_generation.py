"""Data generation: deterministic, realistic shape, exact money, fast."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow.compute as pc
import pytest

from fernway_sandbox import Sandbox, SandboxConfig
from fernway_sandbox.calendar import DAY_S, epoch_s, utc_offsets
from fernway_sandbox.cities import CITIES
from fernway_sandbox.dataset import generate
from fernway_sandbox.money import decimal_to_cents
from fernway_sandbox.orders import STATUSES

START = dt.date(2026, 8, 1)


@pytest.fixture(scope="module")
def ds():
    return generate(42, 50_000, START, 28)


def test_same_seed_generates_identical_tables_and_truth():
    config = SandboxConfig(seed=3, scale=3000, start=START, days=7)
    first, second = Sandbox(config), Sandbox(config)
    assert first.truth == second.truth
    for name, table in first.dataset.tables().items():
        assert table.equals(second.dataset.tables()[name]), name


def test_different_seed_generates_different_data():
    a = generate(1, 3000, START, 7)
    b = generate(2, 3000, START, 7)
    assert not np.array_equal(a.orders.ordered_at, b.orders.ordered_at)
    assert a.orders.amount.sum() != b.orders.amount.sum()
    assert not np.array_equal(a.products.unit_price, b.products.unit_price)


def test_orders_sorted_in_window_and_updated_no_earlier_than_ordered(ds):
    o = ds.orders
    start_s, end_s = epoch_s(START), epoch_s(ds.end)
    assert len(o) == 50_000
    assert np.all(np.diff(o.ordered_at) >= 0)
    assert o.ordered_at.min() >= start_s
    assert np.all(o.updated_at >= o.ordered_at)
    assert o.updated_at.max() < end_s


def test_cancellations_and_refunds_arrive_hours_to_days_later(ds):
    o = ds.orders
    shares = np.bincount(o.status, minlength=3) / len(o)
    assert shares[STATUSES.index("cancelled")] == pytest.approx(0.06, abs=0.006)
    assert shares[STATUSES.index("refunded")] == pytest.approx(0.04, abs=0.006)
    delay_h = (o.updated_at - o.ordered_at) / 3600
    assert np.median(delay_h[o.status == 0]) < 1.5
    assert np.median(delay_h[o.status == 2]) > 12


def test_money_is_exact_quantity_times_price_and_refunds_equal_amount(ds):
    o = ds.orders
    assert np.array_equal(o.amount, o.quantity * o.unit_price)
    assert np.array_equal(o.unit_price, ds.products.unit_price[o.product])
    refunded = o.status == STATUSES.index("refunded")
    assert np.array_equal(o.refund_amount[refunded], o.amount[refunded])
    assert not o.refund_amount[~refunded].any()
    table = ds.orders_table()
    assert int(decimal_to_cents(table["amount"]).sum()) == int(o.amount.sum())
    assert pc.sum(table["amount"]).as_py() * 100 == int(o.amount.sum())


def test_weekends_are_busier_than_weekdays(ds):
    per_day = np.bincount(ds.order_day, minlength=ds.days)
    weekday = np.array([(START + dt.timedelta(days=d)).weekday() for d in range(ds.days)])
    assert per_day[weekday >= 5].mean() > 1.2 * per_day[weekday <= 2].mean()


def test_local_order_times_peak_at_lunch_and_dinner(ds):
    o = ds.orders
    day = (o.ordered_at - epoch_s(START)) // DAY_S
    local = o.ordered_at + utc_offsets(START, ds.days)[o.city, day]
    hours = np.bincount((local % DAY_S) // 3600, minlength=24)
    night = hours[2:6].mean()
    assert hours[12:14].mean() > 5 * night
    assert hours[19:21].mean() > 5 * night
    assert hours[19:21].mean() > hours[15:17].mean()


def test_repeat_customers_are_heavy_tailed(ds):
    per_customer = np.bincount(ds.orders.customer, minlength=len(ds.customers))
    ordering = np.sort(per_customer[per_customer > 0])[::-1]
    assert (per_customer >= 2).mean() > 0.5
    assert ordering[: len(ordering) // 100].sum() / ordering.sum() > 0.05
    assert ordering.max() < 0.01 * len(ds.orders)


def test_customers_sign_up_before_their_first_order(ds):
    c, o = ds.customers, ds.orders
    assert np.all(c.signed_up_at[o.customer] <= o.ordered_at)
    assert np.all(c.updated_at >= c.signed_up_at)
    assert np.array_equal(ds.orders.city, c.city[o.customer])


def test_twenty_real_cities_with_valid_timezones():
    assert len(CITIES) == 20
    assert len({c.city_id for c in CITIES}) == 20
    for city in CITIES:
        ZoneInfo(city.timezone)
        assert -90 <= city.latitude <= 90
        assert -180 <= city.longitude <= 180


def test_catalogue_has_300_priced_products_in_categories(ds):
    products = ds.products_table()
    assert products.num_rows == 300
    assert len(set(products["category"].to_pylist())) >= 8
    assert decimal_to_cents(products["unit_price"]).min() > 0


def test_partner_orders_are_ten_percent_and_stay_inside_their_day(ds):
    p = ds.partner_orders
    assert len(p) == 5000
    for d in range(ds.days):
        day = START + dt.timedelta(days=d)
        table = p.table(*p.day_bounds(day))
        dates = {ts.date() for ts in table["ordered_at"].to_pylist()}
        assert dates <= {day}
    ids = p.table()["order_id"].to_pylist()
    assert ids[0] == "pto_00000001"
    assert len(set(ids)) == len(ids)


def test_a_million_orders_generate_in_a_few_seconds():
    began = time.perf_counter()
    big = generate(42, 1_000_000, START, 92)
    elapsed = time.perf_counter() - began
    assert len(big.orders) == 1_000_000
    assert elapsed < 10, f"generation took {elapsed:.1f}s"
