-- depends_on: {{ ref('indicator_registry') }}
-- depends_on: {{ ref('int_indicator_values_rolled_up') }}
-- depends_on: {{ ref('int_chronic_hospitalisation_linked') }}
-- depends_on: {{ ref('int_stationed_physicians_counted') }}
-- depends_on: {{ ref('int_indicator_inputs_checked') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='period_start',
        post_hook=[
            "{{ incremental_index('start', ['period_start']) }}",
            "{{ incremental_index('built', ['built_at']) }}",
        ]
    )
}}

-- Every indicator value, one row per indicator x area x period, from the monthly
-- ratio rollup, the growth comparison and the annual and person-level indicators,
-- with its completeness flags and status: fct_indicator_values without the labels.
--
-- Incremental by calendar year (every period lies in one; delete+insert on
-- period_start): a year is recomputed when the rollup rebuilt it since this
-- model's last run (and the following year, whose M10B compares with it), when
-- M04 or M13 rebuilt it, when the completeness of one of its inputs changed, or
-- when an annual indicator recomputed in full from small inputs (M01-M03, M05B,
-- M06, M14) differs from what this model holds for it.
with annual_values as (
    select * from {{ ref('int_closeness_levels_assessed') }}
    union all
    select * from {{ ref('int_ecg_coverage_aggregated') }}
    union all
    select * from {{ ref('int_income_ratio_pooled') }}
    union all
    select * from {{ ref('int_premature_mortality_computed') }}
),

{% if is_incremental() %}
    rollup_years as (
        select distinct {{ year_start('u.period_start') }} as year_start
        from (
            {{ periods_rebuilt_in(ref('int_indicator_values_rolled_up'), 'period_start') }}
        ) as u
    ),

    held_annual as (
        select
            t.indicator_code,
            t.area_code,
            t.period_type,
            t.period_start,
            t.period_end,
            t.numerator,
            t.denominator,
            t.value,
            t.months_present,
            t.months_in_period
        from {{ this }} as t
        where
            t.indicator_code in (
                select r.indicator_code from {{ ref('indicator_registry') }} as r
                where
                    r.computed_in in (
                        'int_closeness_levels_assessed',
                        'int_ecg_coverage_aggregated',
                        'int_income_ratio_pooled',
                        'int_premature_mortality_computed'
                    )
            )
    ),

    changed_years as (
        select y.year_start from rollup_years as y
        union
        select {{ next_year_start('y.year_start') }} from rollup_years as y
        union
        select {{ year_start('u.period_start') }}
        from (
            {{ periods_rebuilt_in(ref('int_chronic_hospitalisation_linked'), 'period_start') }}
        ) as u
        union
        select {{ year_start('u.period_start') }}
        from (
            {{ periods_rebuilt_in(ref('int_stationed_physicians_counted'), 'period_start') }}
        ) as u
        union
        select {{ year_start('u.input_start') }}
        from (
            {{ periods_rebuilt_in(ref('int_indicator_inputs_checked'), 'input_start') }}
        ) as u
        union
        select {{ year_start('d.period_start') }}
        from (
            (
                select
                    a.indicator_code,
                    a.area_code,
                    a.period_type,
                    a.period_start,
                    a.period_end,
                    a.numerator,
                    a.denominator,
                    a.value,
                    cast(a.months_present as bigint) as months_present,
                    cast(a.months_in_period as integer) as months_in_period
                from annual_values as a
                except
                select * from held_annual
            )
            union all
            (
                select * from held_annual
                except
                select
                    a.indicator_code,
                    a.area_code,
                    a.period_type,
                    a.period_start,
                    a.period_end,
                    a.numerator,
                    a.denominator,
                    a.value,
                    cast(a.months_present as bigint) as months_present,
                    cast(a.months_in_period as integer) as months_in_period
                from annual_values as a
            )
        ) as d
    ),
{% endif %}

all_values as (
    select
        r.indicator_code,
        r.area_code,
        r.period_type,
        r.period_start,
        r.period_end,
        r.numerator,
        r.denominator,
        r.value,
        r.months_present,
        r.months_in_period
    from {{ ref('int_indicator_values_rolled_up') }} as r
    {% if is_incremental() %}
        inner join changed_years as y
            on
                r.period_start >= y.year_start
                and r.period_start < {{ next_year_start('y.year_start') }}
    {% endif %}
    union all
    select
        g.indicator_code,
        g.area_code,
        g.period_type,
        g.period_start,
        g.period_end,
        g.numerator,
        g.denominator,
        g.value,
        g.months_present,
        g.months_in_period
    from {{ ref('int_inpatient_cost_growth_compared') }} as g
    {% if is_incremental() %}
        where
            {{ year_start('g.period_start') }}
            in (select y.year_start from changed_years as y)
    {% endif %}
    union all
    select
        m.indicator_code,
        m.area_code,
        m.period_type,
        m.period_start,
        m.period_end,
        m.numerator,
        m.denominator,
        m.value,
        m.months_present,
        m.months_in_period
    from {{ ref('int_stationed_physicians_counted') }} as m
    {% if is_incremental() %}
        where m.period_start in (select y.year_start from changed_years as y)
    {% endif %}
    union all
    select
        m.indicator_code,
        m.area_code,
        m.period_type,
        m.period_start,
        m.period_end,
        m.numerator,
        m.denominator,
        m.value,
        m.months_present,
        m.months_in_period
    from {{ ref('int_chronic_hospitalisation_linked') }} as m
    {% if is_incremental() %}
        where m.period_start in (select y.year_start from changed_years as y)
    {% endif %}
    union all
    select
        a.indicator_code,
        a.area_code,
        a.period_type,
        a.period_start,
        a.period_end,
        a.numerator,
        a.denominator,
        a.value,
        a.months_present,
        a.months_in_period
    from annual_values as a
    {% if is_incremental() %}
        where
            {{ year_start('a.period_start') }}
            in (select y.year_start from changed_years as y)
    {% endif %}
),

checked as (
    select c.*
    from {{ ref('int_indicator_inputs_checked') }} as c
    {% if is_incremental() %}
        where exists (
            select 1 from changed_years as y
            where
                c.input_end >= y.year_start
                and c.input_start < {{ next_year_start('y.year_start') }}
        )
    {% endif %}
),

completeness as (
    -- Monthly inputs of every month of the period: the district's own, and for
    -- the municipality every district's.
    select
        v.indicator_code,
        v.area_code,
        v.period_type,
        v.period_start,
        v.period_end,
        bool_and(c.input_complete) as input_complete,
        bool_or(c.input_warning) as input_warning,
        bool_or(c.input_revised) as input_revised
    from all_values as v
    inner join checked as c
        on
            v.indicator_code = c.indicator_code
            and v.area_code = c.district_code
            and v.period_end >= c.input_start
            and v.period_start <= c.input_end
    group by v.indicator_code, v.area_code, v.period_type, v.period_start, v.period_end
    union all
    select
        v.indicator_code,
        v.area_code,
        v.period_type,
        v.period_start,
        v.period_end,
        bool_and(c.input_complete) as input_complete,
        bool_or(c.input_warning) as input_warning,
        bool_or(c.input_revised) as input_revised
    from all_values as v
    inner join checked as c
        on
            v.indicator_code = c.indicator_code
            and v.period_end >= c.input_start
            and v.period_start <= c.input_end
    where v.area_code = '{{ var("municipality_code") }}'
    group by v.indicator_code, v.area_code, v.period_type, v.period_start, v.period_end
)

select
    v.indicator_code,
    v.area_code,
    v.period_type,
    v.period_start,
    v.period_end,
    v.numerator,
    v.denominator,
    v.value,
    case
        when v.months_present < v.months_in_period then 'provisional'
        when c.input_revised then 'revised'
        else 'final'
    end as status,
    cast(v.months_present as bigint) as months_present,
    cast(v.months_in_period as integer) as months_in_period,
    c.input_complete,
    c.input_warning,
    cast(now() as timestamptz) as built_at
from all_values as v
left join completeness as c
    on
        v.indicator_code = c.indicator_code
        and v.area_code = c.area_code
        and v.period_type = c.period_type
        and v.period_start = c.period_start
        and v.period_end = c.period_end
