{#
    The denominator of a multi-month period: a stock (resident population) is
    the same in every month and is not summed over months; a flow is summed.
#}
{% macro rollup_denominator(denominator='denominator', is_stock='denominator_is_stock') -%}
    case
        when bool_or({{ is_stock }}) then max({{ denominator }})
        else sum({{ denominator }})
    end
{%- endmacro %}
