{#
    An indicator's value from its numerator and denominator: the ratio times the
    registry's ``factor`` (10000 per 10k residents, 100 for %, 1 for a plain
    ratio or yuan), read from dbt_project/seeds/indicator_registry.csv. Never
    write the factor into a model: ``indicator_value('M04', …)`` or, where the
    registry is joined already, ``apply_factor(…, 'r.factor')``.
#}

{% macro apply_factor(numerator, denominator, factor) -%}
    {{ numerator }} * {{ factor }} / nullif({{ denominator }}, 0)
{%- endmacro %}

{# The registry's factor of one indicator, as a scalar subquery. #}
{% macro indicator_factor(indicator_code) -%}
    (
        select f.factor from {{ ref('indicator_registry') }} as f
        where f.indicator_code = '{{ indicator_code }}'
    )
{%- endmacro %}

{#
    ``numerator`` over ``denominator`` times the indicator's factor; without a
    denominator, ``numerator`` is the ratio already (a probability, a growth).
#}
{% macro indicator_value(indicator_code, numerator, denominator=none) -%}
    {%- if denominator is none -%}
        {{ numerator }} * {{ indicator_factor(indicator_code) }}
    {%- else -%}
        {{ apply_factor(numerator, denominator, indicator_factor(indicator_code)) }}
    {%- endif -%}
{%- endmacro %}
