"""Checks on the GitHub tables: no rejected record, and stars held = stars GitHub counts."""

import dagster as dg

from fernway_core.rejects import build_rejects_check
from fernway_core.warehouse import Warehouse
from fernway_growth.defs.github.contracts import RELEASES, REPOSITORIES, SOURCE, STARGAZERS

stargazers_rejects = build_rejects_check(STARGAZERS.asset_key, SOURCE, STARGAZERS.name)
releases_rejects = build_rejects_check(RELEASES.asset_key, SOURCE, RELEASES.name)
repositories_rejects = build_rejects_check(REPOSITORIES.asset_key, SOURCE, REPOSITORIES.name)

COUNTS_SQL = """
select r.full_name as repo, r.stargazers_count as github,
    (select count(*) from github.stargazers s
     where s.repo = r.full_name and s.unstarred_at is null) as held
from github.repositories r order by r.full_name
"""


@dg.asset_check(
    asset=STARGAZERS.asset_key,
    additional_deps=[REPOSITORIES.asset_key],
    name="stars_match_repository_counts",
    description=(
        "Per repository, the stars held as still starred equal the stargazers_count GitHub "
        "reported in the same load (nothing lost, duplicated, or counted after an unstar)."
    ),
)
def stars_match_repository_counts(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Stars held (unstars excluded) per repository vs repositories.stargazers_count."""
    rows = warehouse.query_arrow(COUNTS_SQL).to_pylist()
    wrong = {
        r["repo"]: f"{r['held']} held, GitHub says {r['github']}"
        for r in rows
        if r["held"] != r["github"]
    }
    return dg.AssetCheckResult(
        passed=bool(rows) and not wrong,
        metadata={
            "repositories": len(rows),
            "stars_held": sum(r["held"] for r in rows),
            "stars_github": sum(r["github"] for r in rows),
            "mismatches": wrong or "none",
        },
    )
