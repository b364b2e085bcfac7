{{ config(materialized='view') }}
-- depends_on: {{ ref('indicator_registry') }}
-- 监测指标（宽表）: one row per area and period, one column per indicator,
-- headed with its code, Chinese name and unit (from the indicator registry).
{%- set indicators = [] -%}
{#- Only while dbt executes (not when parsing or linting). -#}
{%- if execute is sameas true -%}
    {%- set rows = run_query(
        "select indicator_code, name_zh, unit from " ~ ref('indicator_registry')
        ~ " order by indicator_code"
    ) -%}
    {%- for r in rows -%}{%- do indicators.append(r) -%}{%- endfor -%}
{%- endif %}
select
    v.area_code as 区划代码,
    v.area_name_zh as 区县,
    v.period_type as 期间类型,
    v.period_start as 期间开始,
    v.period_end as 期间结束,
    {%- for r in indicators %}
    round(max(v.value) filter (where v.indicator_code = '{{ r[0] }}'), 4)
        as "{{ r[0] }} {{ r[1][:40] }}（{{ r[2] }}）",
    {%- endfor %}
    count(v.value) as 有值指标数
from {{ ref('fct_indicator_values') }} as v
group by v.area_code, v.area_name_zh, v.period_type, v.period_start, v.period_end
