{#
    Use the folder's custom schema as-is (no "<target schema>_" prefix), so a model
    lands in staging / weather on every target and Dagster asset keys
    mirror <schema>/<table>. Models without a custom schema fall back to the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
