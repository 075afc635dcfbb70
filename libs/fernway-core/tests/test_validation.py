"""Record validation: typed rows out, every bad record kept with a reason code, dupes collapsed."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from fernway_core.rejects import REJECTS_SCHEMA, Reason
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
    ("record", "reason", "field", "value"),
    [
        (_order(order_id=None), "null_key", "order_id", None),
        ({k: v for k, v in _order().items() if k != "status"}, "missing_field", "status", None),
        (_order(status=None), "null_field", "status", None),
        (_order(quantity="two"), "wrong_type", "quantity", "two"),
        (_order(amount="-3.00"), "negative_amount", "amount", "-3.00"),
        (_order(ordered_at="yesterday"), "wrong_type", "ordered_at", "yesterday"),
    ],
)
def test_bad_records_are_rejected_with_a_code_the_field_and_its_value(record, reason, field, value):
    result = validate_records([_order("ok"), record], SPEC, source="api")
    assert result.valid.column("order_id").to_pylist() == ["ok"]
    (reject,) = result.rejects.to_pylist()
    assert (reject["reason"], reject["field"], reject["value"]) == (reason, field, value)
    assert reject["source"] == "api"
    assert reject["entity"] == "orders"
    assert json.loads(reject["payload"]) == record  # the record as received, to replay


def test_a_negative_amount_is_code_negative_amount_with_the_raw_value_in_its_own_column():
    (reject,) = validate_records([_order(amount="-10.60")], SPEC, "api").rejects.to_pylist()
    assert reject["reason"] == Reason.NEGATIVE_AMOUNT == "negative_amount"
    assert (reject["field"], reject["value"]) == ("amount", "-10.60")


def test_different_bad_values_of_one_kind_share_one_reason_so_rejects_group():
    records = [_order("a", amount="-10.60"), _order("b", amount="-3.00"), _order("c", quantity=-1)]
    rejects = validate_records(records, SPEC, "api").rejects.to_pylist()
    assert {r["reason"] for r in rejects} == {"negative_amount"}
    assert sorted((r["field"], r["value"]) for r in rejects) == [
        ("amount", "-10.60"),
        ("amount", "-3.00"),
        ("quantity", "-1"),
    ]


def test_every_reason_produced_is_in_the_documented_vocabulary():
    records = [
        _order("a", amount="-1"),
        _order(None),
        _order("c", status=None),
        _order("d", quantity="x"),
        {k: v for k, v in _order("e").items() if k != "status"},
    ]
    rejects = validate_records(records, SPEC, "api").rejects
    reasons = sorted(rejects.column("reason").to_pylist())
    assert reasons == ["missing_field", "negative_amount", "null_field", "null_key", "wrong_type"]
    assert set(reasons) <= {r.value for r in Reason}


def test_rejects_have_the_rejects_table_schema_even_when_empty():
    assert validate_records([_order()], SPEC, "api").rejects.schema == REJECTS_SCHEMA
    assert validate_records([_order(amount="-1")], SPEC, "api").rejects.schema == REJECTS_SCHEMA


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
