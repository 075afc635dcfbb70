"""`airbyte/github_*`: records and state to the warehouse, incremental, equal to the stand-in."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from fernway_core.clock import Clock
from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.airbyte import checks, destination
from fernway_couriers.defs.airbyte.assets import airbyte_github
from fernway_couriers.defs.airbyte.resources import AirbyteGitHubSource
from fernway_devtools.pytest_plugin import failed_check

from .conftest import REPO, WINDOW_END, listing

RELEASE_COLUMNS = ("id", "tag_name", "created_at", "published_at", "draft", "prerelease")
TRUTH_COLUMNS = ("id", "tag_name", "published_at", "draft", "prerelease")
ISSUE_COLUMNS = ("id", "number", "state", "created_at", "updated_at", "closed_at", "comments")
CHECKS = checks.checks().asset_checks or []


def resources(token: str | None = None) -> dict:
    settings = get_settings()
    source = AirbyteGitHubSource(
        api_url=str(settings.github_url), token=token or settings.github_token.get_secret_value()
    )
    warehouse = Warehouse(url=settings.resolved_warehouse_url)
    return {"airbyte_github": source, "warehouse": warehouse, "clock": Clock()}


def sync(instance, token: str | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [airbyte_github, *CHECKS],
        resources=resources(token),
        instance=instance,
        raise_on_error=False,
    )


def metadata(result, stream: str) -> dict:
    (event,) = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["airbyte", f"github_{stream}"])
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def rows(warehouse: Warehouse, table: str, columns: tuple[str, ...]) -> list[dict]:
    # timestamps back in GitHub's text form, so rows compare with what the API served
    select = ", ".join(
        f"strftime({c}, '%Y-%m-%dT%H:%M:%SZ') as {c}" if c.endswith("_at") else c for c in columns
    )
    return warehouse.query_arrow(
        f"select {select} from airbyte_github.{table} order by id"
    ).to_pylist()


def served(items: list[dict], columns: tuple[str, ...]) -> list[dict]:
    return sorted(({c: i[c] for c in columns} for i in items), key=lambda i: i["id"])


def test_syncs_are_incremental_equal_the_stand_in_and_never_duplicate(github_sandbox, instance):
    warehouse = resources()["warehouse"]
    first = sync(instance)
    assert first.success
    releases, issues = metadata(first, "releases"), metadata(first, "issues")
    assert releases["catalog_discovered"]
    assert issues["catalog_discovered"]
    assert rows(warehouse, "releases", RELEASE_COLUMNS) == served(
        listing(github_sandbox, "releases"), RELEASE_COLUMNS
    )
    assert rows(warehouse, "issues", ISSUE_COLUMNS) == served(
        listing(github_sandbox, "issues", state="all"), ISSUE_COLUMNS
    )
    assert releases["records_read"] == releases["dagster/row_count"] == 11
    assert all(e.passed for e in first.get_asset_check_evaluations())
    cursor = releases["state_after"]["stream"]["stream_state"]["states"][0]["cursor"]
    assert cursor == {"created_at": "2026-07-02T08:49:30Z"}  # v0.2.5, the newest so far

    github_sandbox.set_clock(WINDOW_END)  # v0.2.6-rc.1 is published, v0.2.6 drafted
    second = sync(instance)
    assert second.success
    releases, issues = metadata(second, "releases"), metadata(second, "issues")
    assert not releases["catalog_discovered"]
    assert releases["state_before"] == metadata(first, "releases")["state_after"]
    truth = github_sandbox.truth["github"]["repos"][REPO]
    # the connector filters on created_at >= its cursor: the boundary release comes again and
    # the merge keeps one row of it; everything older is not read
    now_served = listing(github_sandbox, "releases")
    newer = [r for r in now_served if r["created_at"] >= cursor["created_at"]]
    assert releases["records_read"] == len(newer) == 3
    assert releases["dagster/row_count"] == len(truth["releases"]) == 13
    since = metadata(first, "issues")["state_after"]["stream"]["stream_state"]["state"]
    changed = listing(github_sandbox, "issues", state="all", since=since["updated_at"])
    assert issues["records_read"] == len(changed) < issues["dagster/row_count"]
    assert rows(warehouse, "releases", RELEASE_COLUMNS) == served(now_served, RELEASE_COLUMNS)
    assert rows(warehouse, "releases", TRUTH_COLUMNS) == served(truth["releases"], TRUTH_COLUMNS)
    assert rows(warehouse, "issues", ISSUE_COLUMNS) == served(truth["issues"], ISSUE_COLUMNS)


def test_a_connector_error_fails_the_sync_in_one_line_and_keeps_no_state(github_sandbox, instance):
    result = sync(instance, token="ghp_wrong")
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.user_failure_data.description
    assert "401" in message
    assert "\n" not in message
    assert github_sandbox.truth["github"]["requests"]["unauthorized"] >= 1
    assert destination.saved(resources()["warehouse"], ["releases", "issues"]) == {}


STREAM = {
    "name": "releases",
    "json_schema": {
        "properties": {
            "id": {"type": ["null", "integer"]},
            "tag_name": {"type": ["null", "string"]},
            "created_at": {"type": "string", "format": "date-time"},
            "draft": {"type": ["null", "boolean"]},
            "author": {"type": ["null", "object"]},
        }
    },
    "source_defined_primary_key": [["id"]],
}


def batch(*records: dict) -> destination.Batch:
    result = destination.Batch()
    for record in records:
        result.add({"data": record, "emitted_at": 1_785_000_000_000})
    return result


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_records_merge_on_the_key_and_broken_ones_are_rejected_once(target, request):
    if target == "postgres":
        request.getfixturevalue("postgres_warehouse")
    warehouse: Warehouse = request.getfixturevalue("warehouse")
    assert warehouse.dialect == target
    now = dt.datetime(2026, 8, 20, tzinfo=dt.UTC)
    good = {"id": 1, "tag_name": "v1", "created_at": "2026-08-01T00:00:00Z", "author": {"a": 1}}
    newer = {**good, "tag_name": "v1-renamed"}
    broken = {"id": 2, "tag_name": "v2", "created_at": "yesterday", "draft": "maybe"}
    keyless = {"tag_name": "v3", "created_at": "2026-08-01T00:00:00Z"}
    for _ in range(2):  # a rerun changes nothing
        state = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "releases"}}}
        written = destination.write(
            warehouse, STREAM, batch(good, newer, broken, keyless), state, now
        )
        assert written == (1, 3)
    table = warehouse.query_arrow(
        "select id, tag_name, author, created_at from airbyte_github.releases"
    ).to_pylist()
    assert table == [
        {
            "id": 1,
            "tag_name": "v1-renamed",
            "author": '{"a":1}',
            "created_at": dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
        }
    ]
    rejects = warehouse.query_arrow(
        "select record_key, reason, field, value from raw.rejects order by field, record_key"
    ).to_pylist()
    assert [(r["record_key"], r["reason"], r["field"], r["value"]) for r in rejects] == [
        ("2", "wrong_type", "created_at", "yesterday"),
        ("2", "wrong_type", "draft", "maybe"),
        (rejects[2]["record_key"], "null_key", "id", None),
    ]
    assert rejects[2]["record_key"].startswith(destination.KEYLESS)
    assert destination.saved(warehouse, ["releases"])["releases"]["state"] == state


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(
            s,
            marks=pytest.mark.fails_check(f"airbyte/github_{s}", "no_rejected_records"),
        )
        for s in ("releases", "issues")
    ],
)
def test_a_rejected_record_fails_the_streams_check(stream, warehouse, instance):
    broken = {"id": "not-a-number", "created_at": "2026-08-01T00:00:00Z"}
    now = dt.datetime(2026, 8, 20, tzinfo=dt.UTC)
    destination.write(warehouse, {**STREAM, "name": stream}, batch(broken), None, now)
    key = dg.AssetCheckKey(dg.AssetKey(["airbyte", f"github_{stream}"]), "no_rejected_records")
    result = dg.materialize(
        [airbyte_github, *CHECKS],
        selection=dg.AssetSelection.checks(key),
        resources={**resources(), "warehouse": warehouse},
        instance=instance,
    )
    evaluation = failed_check(result, f"airbyte/github_{stream}", "no_rejected_records")
    assert evaluation.metadata["rejected"].value == 1
