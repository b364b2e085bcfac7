{{ config(materialized='view') }}
-- 监测指标（长表）: one row per indicator, area and period, with Chinese column names.
select
    v.indicator_code as 指标代码,
    v.indicator_name_zh as 指标名称,
    v.dimension_zh as 维度,
    v.area_code as 区划代码,
    v.area_name_zh as 区县,
    case v.period_type
        when 'month' then '月'
        when 'quarter' then '季度'
        when 'ytd' then '年初至今'
        when 'year' then '年'
    end as 期间类型,
    v.period_start as 期间开始,
    v.period_end as 期间结束,
    v.numerator as 分子,
    v.denominator as 分母,
    round(v.value, 4) as 指标值,
    v.unit as 单位,
    case v.status when 'final' then '终' when 'provisional' then '暂' else '修' end as 状态,
    v.input_complete as 数据完整,
    v.input_warning as 数据预警
from {{ ref('fct_indicator_values') }} as v
