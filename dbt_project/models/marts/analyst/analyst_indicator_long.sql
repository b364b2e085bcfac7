{{ config(materialized='view') }}
-- 监测指标（长表）: one row per indicator, area and period, with Chinese column names
-- and labels (dim_labels: the one vocabulary of period types, statuses, units).
select
    v.indicator_code as 指标代码,
    v.indicator_name_zh as 指标名称,
    v.dimension_zh as 维度,
    v.area_code as 区划代码,
    v.area_name_zh as 区县,
    p.label_zh as 期间类型,
    v.period_start as 期间开始,
    v.period_end as 期间结束,
    v.numerator as 分子,
    v.denominator as 分母,
    round(v.value, 4) as 指标值,
    u.label_zh as 单位,
    s.label_zh as 状态,
    a.label_zh as 审核状态,
    round(v.pending_value, 4) as 待审核新值,
    v.input_complete as 数据完整,
    v.input_warning as 数据预警
from {{ ref('fct_indicator_values') }} as v
left join {{ ref('dim_labels') }} as p
    on p.vocabulary = 'period_type' and v.period_type = p.code
left join {{ ref('dim_labels') }} as u
    on u.vocabulary = 'unit' and v.unit = u.code
left join {{ ref('dim_labels') }} as s
    on s.vocabulary = 'status' and v.status = s.code
left join {{ ref('dim_labels') }} as a
    on a.vocabulary = 'approval' and cast(v.approved as text) = a.code
