-- M01-M03, the registry's qualitative indicators (unit level): 2 = 已建立并实施,
-- 1 = 已建立未实施, 0 = 未建立; an indicator's value is its weakest criterion.
-- Criteria stay queryable in staging. No municipal value: levels do not add up
-- across districts.
select
    i.indicator_code,
    a.district_code as area_code,
    'year' as period_type,
    a.period_start,
    {{ year_end('a.period_start') }} as period_end,
    cast(null as numeric) as numerator,
    cast(null as numeric) as denominator,
    min(case a.result when '已建立并实施' then 2 when '已建立未实施' then 1 else 0 end)
        as value,
    12 as months_present,
    12 as months_in_period
from {{ ref('stg_hc__closeness_assessment') }} as a
inner join {{ ref('indicator_registry') }} as i
    on a.indicator_item = i.name_zh and i.indicator_code in ('M01', 'M02', 'M03')
group by i.indicator_code, a.district_code, a.period_start
