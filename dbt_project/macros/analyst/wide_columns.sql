{#
    The indicator columns of analyst_indicator_wide: (code, Chinese name, Chinese
    unit) from the indicator registry and the label vocabulary (dim_labels, from the seed ref_labels);
    empty while parsing.
#}
{% macro wide_indicator_columns() %}
    {%- set columns = [] -%}
    {%- if execute is sameas true -%}
        {%- set rows = run_query(
            "select r.indicator_code, r.name_zh, coalesce(l.label_zh, r.unit) from "
            ~ ref('indicator_registry') ~ " as r left join " ~ ref('dim_labels')
            ~ " as l on l.vocabulary = 'unit' and l.code = r.unit order by r.indicator_code"
        ) -%}
        {%- for r in rows -%}{%- do columns.append(r) -%}{%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{% endmacro %}

{% macro wide_column_name(column) -%}
    {{ column[0] }}（{{ column[2] }}）
{%- endmacro %}

{# Each indicator column's full name as its comment: the header holds code and unit only. #}
{% macro comment_wide_columns(relation) %}
    {%- for c in wide_indicator_columns() %}
        comment on column {{ relation }}."{{ wide_column_name(c) }}"
        is '{{ c[0] }} {{ c[1] | replace("'", "''") }}（{{ c[2] }}）';
    {%- endfor %}
{% endmacro %}
