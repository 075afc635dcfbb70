{#
    Use the folder's custom schema as-is (no "<target schema>_" prefix), so a model lands in the
    schema its folder names (staging, analytics, weather, ...) on every target and Dagster asset
    keys mirror <schema>/<table>. Models without a custom schema fall back to the target schema.

    dbt's own generate_schema_name dispatches in the `dbt` namespace; a project picks this
    implementation up with `dispatch: [{macro_namespace: dbt, search_order: [<project>,
    fernway_shared, dbt]}]` in its dbt_project.yml.
#}
{% macro default__generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
