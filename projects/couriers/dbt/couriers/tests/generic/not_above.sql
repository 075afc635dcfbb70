{# Fails for every row where the column is above `maximum` (nulls are left to not_null). #}
{% test not_above(model, column_name, maximum) %}

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} > {{ maximum }}

{% endtest %}
