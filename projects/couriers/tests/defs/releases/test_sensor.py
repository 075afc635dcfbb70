"""`courier_app_release_sensor` against the GitHub stand-in: one run per release, ever."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from fernway_couriers.defs.releases.jobs import release_triggered_pipeline
from fernway_couriers.defs.releases.resources import CourierAppReleases
from fernway_couriers.defs.releases.sensors import ReleaseCursor, courier_app_release_sensor

V025, V026_RC1 = 150300010, 150300011  # courier-app releases of the couriers test window


def tick(sandbox, instance, cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    """One evaluation, as the daemon runs it: (run requests, the cursor it stores)."""
    resource = CourierAppReleases(api_url=sandbox.urls["github"], token=sandbox.config.github_token)
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"courier_app_github": resource}
    )
    result = courier_app_release_sensor(context)
    if isinstance(result, dg.SkipReason):
        return [], context.cursor
    return list(result.run_requests or []), result.cursor or context.cursor


def launch(instance, requests: list[dg.RunRequest]) -> None:
    """What the daemon does with a request: a run of the job carrying its run key and tags."""
    job = dg.Definitions(jobs=[release_triggered_pipeline]).resolve_job_def(
        "release_triggered_pipeline"
    )
    for request in requests:
        tags = {**request.tags, "dagster/run_key": request.run_key or ""}
        instance.create_run_for_job(job_def=job, tags=tags)


def test_one_run_per_release_across_ticks_restarts_and_a_new_release(github_sandbox, instance):
    requests, cursor = tick(github_sandbox, instance, None)
    assert [(r.run_key, r.tags["fernway/release_tag"]) for r in requests] == [
        (str(V025), "v0.2.5")
    ]  # the first tick starts the current release only; history is not replayed
    assert ReleaseCursor.parse(cursor).seen == tuple(range(150300000, V025 + 1))
    launch(instance, requests)

    not_modified = github_sandbox.truth["github"]["requests"]["not_modified"]
    assert tick(github_sandbox, instance, cursor) == ([], cursor)
    assert github_sandbox.truth["github"]["requests"]["not_modified"] == not_modified + 1
    restarted = ReleaseCursor.parse(cursor).dump()  # the stored cursor, read back after a restart
    assert tick(github_sandbox, instance, restarted)[0] == []
    # a lost cursor: the release whose run exists is not started again
    assert tick(github_sandbox, instance, None)[0] == []

    github_sandbox.set_clock(dt.datetime(2026, 8, 10, tzinfo=dt.UTC))  # v0.2.6-rc.1 is out
    requests, cursor = tick(github_sandbox, instance, cursor)
    assert [(r.run_key, r.tags["fernway/release_tag"]) for r in requests] == [
        (str(V026_RC1), "v0.2.6-rc.1")
    ]
    assert requests[0].tags["fernway/release_published_at"] == "2026-08-06T17:07:20Z"
    launch(instance, requests)
    assert tick(github_sandbox, instance, cursor)[0] == []

    github_sandbox.set_clock(dt.datetime(2026, 8, 17, tzinfo=dt.UTC))  # v0.2.6 is only a draft
    requests, after = tick(github_sandbox, instance, cursor)
    assert requests == []
    assert ReleaseCursor.parse(after).etag != ReleaseCursor.parse(cursor).etag
    runs = instance.get_run_records(dg.RunsFilter(job_name="release_triggered_pipeline"))
    assert sorted(r.dagster_run.tags["dagster/run_key"] for r in runs) == [
        str(V025),
        str(V026_RC1),
    ]


def test_the_location_holds_the_sensor_its_job_and_the_airbyte_sync(github_sandbox, defs):
    sensor = defs.resolve_sensor_def("courier_app_release_sensor")
    assert sensor.job_name == "release_triggered_pipeline"
    job = defs.resolve_job_def("release_triggered_pipeline")
    groups = {
        spec.group_name
        for spec in defs.resolve_all_asset_specs()
        if spec.key in set(job.asset_layer.executable_asset_keys)
    }
    assert groups <= {"courier_app", "couriers_dbt"}
    sync = defs.resolve_job_def("airbyte_sync_job")
    assert set(sync.asset_layer.executable_asset_keys) == {
        dg.AssetKey(["airbyte", "github_releases"]),
        dg.AssetKey(["airbyte", "github_issues"]),
    }
