"""How the couriers dbt project's nodes become Dagster assets: keys, group, owners, kinds."""

from fernway_core.dbt import SchemaTableTranslator

GROUP = "couriers_dbt"
OWNERS = ["team:couriers"]


class CouriersDbtTranslator(SchemaTableTranslator):
    """Models are keyed `<schema>/<table>` (couriers_staging/..., couriers/...) in one group;
    sources keep the keys their `meta.dagster.asset_key` names (courier_app/<table> from the
    dlt load, analytics/orders from the analytics location). dbt data tests become asset checks
    named as dagster-dbt names them (the test's node name), on the model they test."""

    def __init__(self) -> None:
        super().__init__(group_name=GROUP, owners=OWNERS, kinds={"dbt", "duckdb"})
