"""`courier_app_release_sensor`: one `release_triggered_pipeline` run per new courier-app release.

The cursor holds the releases already seen and the listing's ETag (an unchanged listing is a
304 and costs no rate limit). A release is new when it is published (drafts are not releases
yet) and not seen; its run has `run_key` = the release id, so even a lost cursor never starts a
second run for it (the sensor also skips ids whose run already exists). On its very first tick
the sensor starts the pipeline for the newest release only and records the older ones as seen:
history is not replayed.
"""

import json
from dataclasses import dataclass
from typing import Self

import dagster as dg

from fernway_couriers.defs.releases.jobs import release_triggered_pipeline
from fernway_couriers.defs.releases.resources import CourierAppReleases

SEEN_KEPT = 1_000  # ids kept in the cursor (far more than a repository publishes between ticks)


@dataclass(frozen=True)
class ReleaseCursor:
    """Release ids already seen and the ETag of the listing they came from."""

    seen: tuple[int, ...] = ()
    etag: str | None = None

    @classmethod
    def parse(cls, raw: str | None) -> Self | None:
        """The cursor the last tick stored (None before the first tick)."""
        if not raw:
            return None
        value = json.loads(raw)
        return cls(tuple(value["seen"]), value.get("etag"))

    def dump(self) -> str:
        """The cursor as the sensor stores it."""
        return json.dumps({"seen": sorted(self.seen)[-SEEN_KEPT:], "etag": self.etag})


def _already_run(context: dg.SensorEvaluationContext, run_key: str) -> bool:
    runs = context.instance.get_run_records(
        filters=dg.RunsFilter(
            job_name=release_triggered_pipeline.name, tags={"dagster/run_key": run_key}
        ),
        limit=1,
    )
    return bool(runs)


@dg.sensor(
    name="courier_app_release_sensor",
    job=release_triggered_pipeline,
    minimum_interval_seconds=300,
    description="Starts release_triggered_pipeline once per new courier-app release on GitHub.",
)
def courier_app_release_sensor(
    context: dg.SensorEvaluationContext, courier_app_github: CourierAppReleases
) -> dg.SensorResult | dg.SkipReason:
    """Compare the release listing with the cursor; a run per release not seen before."""
    cursor = ReleaseCursor.parse(context.cursor)
    listing = courier_app_github.releases(cursor.etag if cursor else None)
    if listing.releases is None:
        return dg.SkipReason("the release listing is unchanged (304 Not Modified)")
    published = sorted(
        (r for r in listing.releases if not r.get("draft") and r.get("published_at")),
        key=lambda r: (r["published_at"], r["id"]),
    )
    seen = set(cursor.seen) if cursor else set()
    new = [r for r in published if r["id"] not in seen]
    if cursor is None:
        new = new[-1:]  # first tick: the current release only, history is not replayed
    requests = [
        dg.RunRequest(
            run_key=str(r["id"]),
            tags={
                "fernway/release_id": str(r["id"]),
                "fernway/release_tag": r["tag_name"],
                "fernway/release_published_at": r["published_at"],
            },
        )
        for r in new
        if not _already_run(context, str(r["id"]))
    ]
    after = ReleaseCursor(tuple(seen | {r["id"] for r in published}), listing.etag)
    if not requests:
        skip = f"no new release ({len(published)} published, all seen)"
        return dg.SensorResult(skip_reason=skip, cursor=after.dump())
    context.log.info(
        f"new release(s): {', '.join(r.tags['fernway/release_tag'] for r in requests)}"
    )
    return dg.SensorResult(run_requests=requests, cursor=after.dump())
