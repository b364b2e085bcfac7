{{ config(materialized='view') }}
-- 核心绩效指标完成情况: fct_target_attainment with Chinese column names.
select
    t.district_code as 区划代码,
    t.district_name_zh as 区县,
    t.indicator_seq as 序号,
    t.indicator_name_zh as 指标名称,
    t.unit as 单位,
    t.monitoring_indicator_code as 对应监测指标,
    t.baseline_year as 基线年,
    t.baseline_value as 基线值,
    t.target_year as 目标年,
    t.target_operator as 目标比较,
    t.target_value as 目标值,
    t.latest_actual_year as 实际值年份,
    t.latest_actual as 最新实际值,
    case when t.attained then '已达成' when not t.attained then '未达成' else '待评' end
        as 达成情况
from {{ ref('fct_target_attainment') }} as t
