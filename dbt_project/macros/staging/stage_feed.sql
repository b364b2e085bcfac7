{#
    The staging select of any feed, driven by the column meta of its source
    (generated from the feed contracts): typed columns, money in yuan, and only
    the rows of the active batch for each (period, district).
#}
{% macro cast_feed_value(expr, meta) -%}
    {%- set kind = meta.get('type', 'text') -%}
    {%- if kind == 'count' -%}
        coalesce(cast(nullif({{ expr }}, '') as bigint), 0)
    {%- elif kind == 'int' -%}
        cast(nullif({{ expr }}, '') as bigint)
    {%- elif kind == 'numeric' -%}
        cast(nullif({{ expr }}, '') as numeric)
    {%- elif kind == 'money' -%}
        cast(
            cast(nullif({{ expr }}, '') as numeric)
            * {{ meta['unit_factor'] if meta.get('unit_factor') else 'b.money_unit_factor' }}
            as numeric(18, 2)
        )
    {%- elif kind == 'date' -%}
        cast(nullif({{ expr }}, '') as date)
    {%- elif kind == 'datetime' -%}
        cast(nullif({{ expr }}, '') as timestamp)
    {%- elif kind == 'yesno' -%}
        ({{ expr }} = '是')
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}

{% macro stage_feed(source_name, table_name) %}
    {%- set columns = [] -%}
    {%- set node = {'meta': {}} -%}
    {%- if execute is sameas true -%}
        {%- set node = graph.sources['source.yigongti.' ~ source_name ~ '.' ~ table_name] -%}
        {%- for name, column in node.columns.items() -%}
            {%- if column.meta.get('type') not in (none, 'lineage', 'check') -%}
                {%- do columns.append((name, column.meta)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
select
    {%- for name, meta in columns %}
    {{ cast_feed_value('r.' ~ name, meta) }} as {{ name }},
    {%- endfor %}
    b.period,
    b.period_start,
    {%- if 'district_code' not in columns | map(attribute=0) | list %}
    r._district_code as district_code,
    {%- endif %}
    r._batch_id as batch_id,
    r._row_number as source_row_number,
    r._received_at as received_at
from {{ source(source_name, table_name) }} as r
inner join {{ source('ops', 'active_batch') }} as b
    on
        r._batch_id = b.batch_id
        and r._district_code = b.district_code
        and b.feed = '{{ table_name }}'
{% endmacro %}
