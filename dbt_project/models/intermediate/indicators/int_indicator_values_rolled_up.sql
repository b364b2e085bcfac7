-- depends_on: {{ ref('int_indicator_inputs_unioned') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='period_start',
        on_schema_change='append_new_columns',
        pre_hook="{{ add_tracking_columns({'built_at': 'timestamptz'}) }}",
        post_hook=[
            "{{ incremental_index('start', ['period_start']) }}",
            "{{ incremental_index('built', ['built_at', 'period_start']) }}",
        ]
    )
}}

-- Monthly ratio indicators for districts and the municipality by month, quarter,
-- ytd and year. Every value is a ratio of sums of the monthly district inputs,
-- never an average of ratios. A stock denominator (resident population) is
-- summed over districts but not over months; a district without one is left out
-- of the municipal numerator too, so both sides cover the same districts.
--
-- Incremental by year (delete+insert on period_start): every period of a year
-- (its months, quarters, year to date and the year) is recomputed when one of its
-- monthly inputs was rebuilt since this model's last run.
with
{% if is_incremental() %}
    changed_years as (
        {{ years_rebuilt_in(ref('int_indicator_inputs_unioned')) }}
    ),
{% endif %}

inputs as (
    select
        i.indicator_code,
        i.district_code as area_code,
        i.month_start,
        i.numerator,
        i.denominator,
        i.denominator_is_stock
    from {{ ref('int_indicator_inputs_unioned') }} as i
    {% if is_incremental() %}
        {{ join_changed_years('i.month_start') }}
    {% endif %}
),

areas as (
    select
        indicator_code,
        area_code,
        month_start,
        numerator,
        denominator,
        denominator_is_stock
    from inputs
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
        {{ quarter_start('month_start') }} as quarter_start,
        {{ year_start('month_start') }} as year_start
    from areas
),

periods as (
    select
        indicator_code,
        area_code,
        'month' as period_type,
        month_start as period_start,
        {{ month_end('month_start') }} as period_end,
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
        {{ quarter_end('quarter_start') }} as period_end,
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
        {{ month_end('upto.month_start') }} as period_end,
        sum(m.numerator) as numerator,
        {{ rollup_denominator('m.denominator', 'm.denominator_is_stock') }} as denominator,
        count(*) as months_present,
        {{ months_into_year('upto.month_start') }} as months_in_period
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
        {{ year_end('year_start') }} as period_end,
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
    {{ apply_factor('p.numerator', 'p.denominator', 'r.factor') }} as value,
    p.months_present,
    p.months_in_period,
    cast(now() as timestamptz) as built_at
from periods as p
inner join {{ ref('indicator_registry') }} as r
    on p.indicator_code = r.indicator_code
where p.period_type = any(string_to_array(r.period_types, ';'))
