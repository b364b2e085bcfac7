-- M10B: growth of M10A on the same period one year earlier, in %. Null when the
-- earlier value is missing, or when the area's borders changed between the two
-- periods (2026: 北碚区 changed, 两江新区 is new): not comparable, never restated silently.
with cost as (
    select * from {{ ref('int_indicator_values_rolled_up') }}
    where indicator_code = 'M10A'
)

select
    'M10B' as indicator_code,
    cur.area_code,
    cur.period_type,
    cur.period_start,
    cur.period_end,
    cast(null as numeric) as numerator,
    cast(null as numeric) as denominator,
    case
        when
            d.borders_changed_on > prev.period_end
            and d.borders_changed_on <= cur.period_end
            then null
        when d.valid_from > prev.period_end then null
        else {{ indicator_value('M10B', '(cur.value - prev.value)', 'prev.value') }}
    end as value,
    cur.months_present,
    cur.months_in_period
from cost as cur
left join cost as prev
    on
        cur.area_code = prev.area_code
        and cur.period_type = prev.period_type
        and prev.period_start = {{ year_earlier('cur.period_start') }}
        and {{ month_start('prev.period_end') }}
        = {{ month_start(year_earlier('cur.period_end')) }}
left join {{ ref('ref_districts') }} as d
    on cur.area_code = d.code
