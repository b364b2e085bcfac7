{#
    The select list of an indicator value row from ``alias``: the columns every
    model emitting indicator values has (int_indicator_values_assembled reads
    them by name).
#}
{% macro indicator_value_select(alias) -%}
    {%- for column in [
        'indicator_code', 'area_code', 'period_type', 'period_start', 'period_end',
        'numerator', 'denominator', 'value', 'months_present', 'months_in_period',
    ] %}
        {{ alias }}.{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#
    The union (all) of the indicator value rows of the models ``models`` and the
    CTEs ``ctes``, column by column by name, never by position; ``join_sql``
    follows each FROM item (the relation's alias is v).
#}
{% macro union_indicator_values(models=[], ctes=[], join_sql='') -%}
    {%- set relations = [] -%}
    {%- for model in models -%}
        {%- do relations.append(ref(model)) -%}
    {%- endfor -%}
    {%- for relation in relations + ctes %}
        select {{ indicator_value_select('v') }}
        from {{ relation }} as v
        {{ join_sql }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
