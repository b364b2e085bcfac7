-- depends_on: {{ ref('indicator_registry') }}
-- depends_on: {{ ref('dim_labels') }}
-- 监测指标（宽表）: one row per area and period, one column per indicator. A
-- column is headed with the indicator's code and Chinese unit, which fits
-- PostgreSQL's 63-byte names (a Chinese name would be cut); its full name is the
-- column's comment (macros/analyst/wide_columns.sql), which psql's \d+ and BI
-- tools show.
{{ config(materialized='view') }}
{%- set indicators = wide_indicator_columns() %}
select
    v.area_code as 区划代码,
    v.area_name_zh as 区县,
    p.label_zh as 期间类型,
    v.period_start as 期间开始,
    v.period_end as 期间结束,
    {%- for r in indicators %}
    round(max(v.value) filter (where v.indicator_code = '{{ r[0] }}'), 4)
        as "{{ wide_column_name(r) }}",
    {%- endfor %}
    count(v.value) as 有值指标数
from {{ ref('fct_indicator_values') }} as v
left join {{ ref('dim_labels') }} as p
    on p.vocabulary = 'period_type' and v.period_type = p.code
group by v.area_code, v.area_name_zh, p.label_zh, v.period_start, v.period_end
