"""The GitHub load into a Postgres warehouse: same truth, no duplicates on a rerun."""

from fernway_core.settings import get_settings
from fernway_core.warehouse import Warehouse
from tests.conftest import load_github
from tests.defs.github.test_load import assert_matches_truth


def test_load_into_postgres_matches_the_truth_and_reruns_without_duplicates(
    github_sandbox, postgres_warehouse, defs, instance
):
    warehouse = Warehouse(url=get_settings().resolved_warehouse_url)
    assert warehouse.dialect == "postgres"
    first = load_github(defs, instance)
    assert first.success
    assert all(e.passed for e in first.get_asset_check_evaluations())
    assert_matches_truth(warehouse, github_sandbox.truth)
    count = "select count(*) as n from github.stargazers"
    before = warehouse.query_arrow(count).to_pylist()[0]["n"]
    assert load_github(defs, instance).success
    assert warehouse.query_arrow(count).to_pylist()[0]["n"] == before
    types = warehouse.query_arrow(
        "select data_type from information_schema.columns "
        "where table_schema = 'github' and table_name = 'stargazers' and column_name = 'starred_at'"
    ).to_pylist()
    assert types == [{"data_type": "timestamp with time zone"}]
