"""Each mart's Great Expectations checkpoint as a blocking Dagster asset check.

The check reads the mart (under the warehouse writer lock), validates it with its suite (see
`checkpoints.py`: GX is imported only here, at run time, never at code-location load), and
reports every expectation's result in the metadata with links to the rendered Data Docs. It is
blocking: in a run that also materializes what depends on the mart, a failed checkpoint stops
those downstream steps.
"""

from typing import TYPE_CHECKING, Any

import dagster as dg

from fernway_core.warehouse import Warehouse
from fernway_couriers.defs.quality.marts import MARTS, Mart
from fernway_couriers.defs.quality.resources import GreatExpectations

if TYPE_CHECKING:
    from fernway_couriers.defs.quality.checkpoints import CheckpointOutcome, ExpectationOutcome

CHECK_NAME = "great_expectations_validation"


def check_metadata(outcome: "CheckpointOutcome") -> dict[str, Any]:
    """Counts, a Markdown table of every expectation, the failures as JSON, Data Docs links."""
    rows = [
        f"| {'✅' if e.success else '❌'} | `{e.expectation}` | "
        f"{'' if e.unexpected_count is None else e.unexpected_count} | "
        f"{e.error or ', '.join(e.sample) or (e.observed or '')} |"
        for e in outcome.expectations
    ]
    table = "\n".join(
        ["| | expectation | unexpected rows | sample / observed |", "|---|---|---|---|"]
    )
    metadata: dict[str, Any] = {
        "suite": outcome.suite,
        "rows_validated": outcome.rows,
        "expectations_evaluated": len(outcome.expectations),
        "expectations_failed": len(outcome.failed),
        "expectations": dg.MetadataValue.md("\n".join([table, *rows])),
        "failed_expectations": dg.MetadataValue.json([_failure(e) for e in outcome.failed]),
    }
    if outcome.docs_page is not None:
        metadata["data_docs"] = dg.MetadataValue.url(outcome.docs_page.as_uri())
        metadata["data_docs_path"] = dg.MetadataValue.path(str(outcome.docs_page))
    if outcome.docs_index is not None:
        metadata["data_docs_index"] = dg.MetadataValue.url(outcome.docs_index.as_uri())
    return metadata


def _failure(outcome: "ExpectationOutcome") -> dict[str, Any]:
    detail: dict[str, Any] = {"expectation": outcome.expectation}
    detail["unexpected_count"] = outcome.unexpected_count
    if outcome.error:
        detail["error"] = outcome.error
    else:
        detail["sample"] = outcome.sample
    return detail


def build_gx_check(mart: Mart) -> dg.AssetChecksDefinition:
    """The blocking GX checkpoint check of one mart."""

    @dg.asset_check(
        asset=mart.key,
        name=CHECK_NAME,
        blocking=True,
        description=(
            f"Great Expectations suite `{mart.suite_name}` over {mart.table} "
            "(read with the warehouse resource, validated with GX's pandas datasource)."
        ),
        metadata={"suite": mart.suite_name},
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        warehouse: Warehouse,
        great_expectations: GreatExpectations,
    ) -> dg.AssetCheckResult:
        if not warehouse.table_exists(mart.table):
            return dg.AssetCheckResult(
                passed=False, metadata={"error": f"table {mart.table} does not exist"}
            )
        rows = warehouse.query_arrow(mart.read_sql())
        outcome = great_expectations.run_checkpoint(mart, rows, context.run.run_id)
        for failed in outcome.failed:
            context.log.warning(f"{mart.table}: {failed.expectation} failed")
        return dg.AssetCheckResult(passed=outcome.success, metadata=check_metadata(outcome))

    return _check


courier_earnings_weekly_gx, shift_utilisation_gx, payout_reconciliation_gx = (
    build_gx_check(m) for m in MARTS
)

# For jobs of other domains (e.g. `data_quality_pipeline`): exactly these three checks.
GX_CHECKS = dg.AssetSelection.checks(*(dg.AssetCheckKey(m.key, CHECK_NAME) for m in MARTS))
