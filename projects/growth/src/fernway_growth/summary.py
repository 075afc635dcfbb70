"""This location's section of the demo summary: stars per repository and day, and releases,
against the sandbox's ground truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fernway_core.warehouse import Warehouse

STARS_SQL = (
    "select repo, cast(cast(starred_at as date) as varchar) as day, count(*) as n "
    "from github.stargazers where unstarred_at is null group by repo, day"
)


def summary(
    warehouse: Warehouse, truth: dict[str, Any] | None, window: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    """Stars held per repository and day, and releases, vs the truth (when there is one)."""
    held: dict[str, dict[str, int]] = {}
    for row in warehouse.query_arrow(STARS_SQL).to_pylist():
        held.setdefault(row["repo"], {})[row["day"]] = row["n"]
    releases = {
        row["repo"]: row["n"]
        for row in warehouse.query_arrow(
            "select repo, count(*) as n from github.releases group by repo"
        ).to_pylist()
    }
    repos = (truth or {}).get("github", {}).get("repos")
    if not repos:
        lines = [f"{r}: {sum(d.values()):,} stars held" for r, d in sorted(held.items())]
        return [{"title": "GitHub stars (no truth to compare)", "lines": lines, "mismatches": 0}]
    first = window[0].isoformat()
    lines, mismatches = [], 0
    for repo, t in repos.items():
        days = held.get(repo, {})
        want = {d: v["stars"] for d, v in t["by_day"].items() if v["stars"]}
        got = {d: n for d, n in days.items() if d >= first}
        before = sum(n for d, n in days.items() if d < first)
        wrong_days = sum(got.get(d, 0) != want.get(d, 0) for d in set(got) | set(want))
        ok = wrong_days == 0 and before == t["stars_before_window"]
        ok_releases = releases.get(repo, 0) == len(t["releases"])
        mismatches += (not ok) + (not ok_releases)
        unstars = sum(v["unstarred"] for v in t["by_day"].values())
        lines.append(
            f"{repo}: {sum(days.values()):,} stars held "
            + (
                "= truth"
                if ok
                else f"!= truth {t['stargazers_count']:,} ({wrong_days} days differ)"
            )
            + f" ({sum(want.values()):,} in the window over {len(t['by_day'])} days, "
            f"{unstars} unstarred); {releases.get(repo, 0)} releases "
            + ("= truth" if ok_releases else f"!= truth {len(t['releases'])}")
        )
    return [
        {"title": "GitHub stars per repository and day", "lines": lines, "mismatches": mismatches}
    ]
