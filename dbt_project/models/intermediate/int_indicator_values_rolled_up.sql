{{ config(materialized='table') }}

-- Monthly ratio indicators for districts and the municipality by month, quarter,
-- ytd and year. Every value is a ratio of sums of the monthly district inputs,
-- never an average of ratios. A stock denominator (resident population) is
-- summed over districts but not over months; a district without one is left out
-- of the municipal numerator too, so both sides cover the same districts.
with inputs as (
    select
        indicator_code,
        district_code as area_code,
        month_start,
        numerator,
        denominator,
        denominator_is_stock
    from {{ ref('int_indicator_inputs_unioned') }}
),

areas as (
    select * from inputs
    union all
    select
        indicator_code,
        '{{ var("municipality_code") }}' as area_code,
        month_start,
        sum(numerator) filter (where denominator is not null) as numerator,
        sum(denominator) as denominator,
        bool_or(denominator_is_stock) as denominator_is_stock
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
        {{ rollup_denominator() }} as denominator,
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
        {{ rollup_denominator('m.denominator', 'm.denominator_is_stock') }} as denominator,
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
        {{ rollup_denominator() }} as denominator,
        count(*) as months_present,
        12 as months_in_period
    from monthly
    group by indicator_code, area_code, year_start
)

select
    p.indicator_code,
    p.area_code,
    p.period_type,
    p.period_start,
    p.period_end,
    p.numerator,
    p.denominator,
    p.numerator * r.factor / nullif(p.denominator, 0) as value,
    p.months_present,
    p.months_in_period
from periods as p
inner join {{ ref('indicator_registry') }} as r
    on p.indicator_code = r.indicator_code
where p.period_type = any(string_to_array(r.period_types, ';'))
