-- One row per indicator x area x period. Every value is a ratio of sums of the
-- monthly district inputs: over districts for the municipality, over months for
-- quarter, ytd and year; never an average of ratios.
with inputs as (
    select
        indicator_code,
        district_code as area_code,
        month_start,
        numerator,
        denominator
    from {{ ref('int_indicator_inputs_unioned') }}
),

areas as (
    select * from inputs
    union all
    select
        indicator_code,
        '{{ var("municipality_code") }}' as area_code,
        month_start,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from inputs
    group by indicator_code, month_start
),

monthly as (
    select
        *,
        cast(date_trunc('quarter', month_start) as date) as quarter_start,
        cast(date_trunc('year', month_start) as date) as year_start
    from areas
),

periods as (
    select
        indicator_code,
        area_code,
        'month' as period_type,
        month_start as period_start,
        cast(month_start + interval '1 month' - interval '1 day' as date) as period_end,
        numerator,
        denominator,
        1 as months_present,
        1 as months_in_period
    from monthly
    union all
    select
        indicator_code,
        area_code,
        'quarter' as period_type,
        quarter_start as period_start,
        cast(quarter_start + interval '3 months' - interval '1 day' as date) as period_end,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(*) as months_present,
        3 as months_in_period
    from monthly
    group by indicator_code, area_code, quarter_start
    union all
    select
        upto.indicator_code,
        upto.area_code,
        'ytd' as period_type,
        upto.year_start as period_start,
        cast(upto.month_start + interval '1 month' - interval '1 day' as date) as period_end,
        sum(m.numerator) as numerator,
        sum(m.denominator) as denominator,
        count(*) as months_present,
        cast(extract(month from upto.month_start) as integer) as months_in_period
    from monthly as upto
    inner join monthly as m
        on
            upto.indicator_code = m.indicator_code
            and upto.area_code = m.area_code
            and upto.year_start = m.year_start
            and upto.month_start >= m.month_start
    group by upto.indicator_code, upto.area_code, upto.year_start, upto.month_start
    union all
    select
        indicator_code,
        area_code,
        'year' as period_type,
        year_start as period_start,
        cast(year_start + interval '1 year' - interval '1 day' as date) as period_end,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(*) as months_present,
        12 as months_in_period
    from monthly
    group by indicator_code, area_code, year_start
)

select
    p.indicator_code,
    i.indicator_name_zh,
    i.indicator_name_en,
    i.dimension_zh,
    p.area_code,
    a.area_name_zh,
    a.area_name_en,
    p.period_type,
    p.period_start,
    p.period_end,
    p.numerator,
    p.denominator,
    -- "value" is fixed by the mart interface.
    round(p.numerator * i.factor / nullif(p.denominator, 0), 4) as value,  -- noqa: RF04
    i.unit,
    case when p.months_present = p.months_in_period then 'final' else 'provisional' end
        as status,
    p.months_present,
    p.months_in_period
from periods as p
inner join {{ ref('dim_indicators') }} as i
    on p.indicator_code = i.indicator_code
left join {{ ref('dim_districts') }} as a
    on p.area_code = a.area_code
where p.period_type = any(string_to_array(i.period_types, ';'))
