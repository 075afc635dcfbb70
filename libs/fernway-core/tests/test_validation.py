"""Record validation: typed rows out, every bad record kept with a reason, dupes collapsed."""

import datetime as dt
from decimal import Decimal

import pytest

from fernway_core.validation import Field, RecordSpec, validate_records

SPEC = RecordSpec(
    entity="orders",
    key="order_id",
    version_field="updated_at",
    partition_field="ordered_at",
    fields=(
        Field("order_id"),
        Field("status"),
        Field("quantity", "integer", non_negative=True),
        Field("amount", "decimal(12,2)", non_negative=True),
        Field("note", required=False),
        Field("ordered_at", "timestamp"),
        Field("updated_at", "timestamp"),
    ),
)


def _order(order_id="o1", **overrides):
    record = {
        "order_id": order_id,
        "status": "delivered",
        "quantity": 2,
        "amount": "25.00",
        "ordered_at": "2026-08-01T12:00:00Z",
        "updated_at": "2026-08-01T12:00:00Z",
    }
    record.update(overrides)
    return record


def test_valid_records_come_out_typed():
    result = validate_records([_order()], SPEC, source="api")
    row = result.valid.to_pylist()[0]
    assert row["quantity"] == 2
    assert row["amount"] == Decimal("25.00")
    assert row["ordered_at"] == dt.datetime(2026, 8, 1, 12, 0)
    assert result.rejects.num_rows == 0


def test_offsets_are_converted_to_utc():
    result = validate_records([_order(ordered_at="2026-08-01T14:00:00+02:00")], SPEC, "api")
    assert result.valid.to_pylist()[0]["ordered_at"] == dt.datetime(2026, 8, 1, 12, 0)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (_order(order_id=None), "null key order_id"),
        ({k: v for k, v in _order().items() if k != "status"}, "missing field status"),
        (_order(quantity="two"), "wrong type for quantity: two"),
        (_order(amount="-3.00"), "negative amount: -3.00"),
        (_order(ordered_at="yesterday"), "wrong type for ordered_at: yesterday"),
    ],
)
def test_bad_records_are_rejected_with_a_reason(record, reason):
    result = validate_records([_order("ok"), record], SPEC, source="api")
    assert result.valid.column("order_id").to_pylist() == ["ok"]
    rejects = result.rejects.to_pylist()
    assert [r["reason"] for r in rejects] == [reason]
    assert rejects[0]["source"] == "api"
    assert rejects[0]["entity"] == "orders"
    assert rejects[0]["payload"]


def test_reject_partition_comes_from_the_record_when_readable():
    result = validate_records([_order(quantity="x", ordered_at="2026-08-03T01:00:00Z")], SPEC, "a")
    assert result.rejects.column("partition_key").to_pylist() == ["2026-08-03"]


def test_duplicates_collapse_to_the_latest_version():
    older = _order(status="delivered", updated_at="2026-08-01T12:00:00Z")
    newer = _order(status="refunded", updated_at="2026-08-02T12:00:00Z")
    result = validate_records([older, newer, newer], SPEC, source="api")
    assert result.valid.column("status").to_pylist() == ["refunded"]
    assert result.duplicates == 2
    assert result.rejects.num_rows == 0


def test_added_fields_are_schema_drift_not_errors():
    result = validate_records([_order(promo_code="X1")], SPEC, source="api")
    assert result.valid.num_rows == 1
    assert result.drift_fields == ["promo_code"]
    assert result.as_metadata()["schema_drift_fields"] == "promo_code"


def test_optional_fields_may_be_missing():
    result = validate_records([_order()], SPEC, source="api")
    assert result.valid.column("note").to_pylist() == [None]


def test_unsupported_type_is_refused_at_definition():
    with pytest.raises(ValueError, match="unsupported field type"):
        Field("x", "varchar; drop table t")
