-- depends_on: {{ ref('int_stationing_roster_qualified') }}
-- depends_on: {{ ref('int_population_by_district_year') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='period_start',
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ incremental_index('start', ['period_start']) }}",
            "{{ incremental_index('built', ['built_at', 'period_start']) }}",
        ]
    )
}}

-- M04: qualifying stationed physicians (int_stationing_roster_qualified), distinct
-- persons per host district (the municipality counts each person once), per
-- 10,000 residents. Rows: ytd at each roster snapshot month, and the year from
-- the year's latest snapshot.
--
-- Incremental by year (delete+insert on period_start, 1 January): a year is
-- recomputed when one of its roster snapshots or its resident population was
-- rebuilt since this model's last run.
with
{% if is_incremental() %}
    changed_years as (
        {{ years_rebuilt_in(ref('int_stationing_roster_qualified'), 'snapshot_month') }}
        union
        select {{ first_day_of_year('p.data_year') }}
        from {{ ref('int_population_by_district_year') }} as p
        where p.built_at > {{ last_built_at() }}
    ),
{% endif %}

roster as (
    select
        q.district_code,
        q.snapshot_month,
        {{ year_start('q.snapshot_month') }} as year_start,
        q.person_id_hash,
        q.qualifies
    from {{ ref('int_stationing_roster_qualified') }} as q
    {% if is_incremental() %}
        {{ join_changed_years('q.snapshot_month') }}
    {% endif %}
),

latest_in_year as (
    select
        district_code,
        year_start,
        max(snapshot_month) as snapshot_month
    from roster
    group by district_code, year_start
),

periods as (
    select
        r.district_code,
        r.person_id_hash,
        r.qualifies,
        r.year_start,
        'ytd' as period_type,
        {{ month_end('r.snapshot_month') }} as period_end,
        {{ months_into_year('r.snapshot_month') }} as months_present,
        {{ months_into_year('r.snapshot_month') }} as months_in_period
    from roster as r
    union all
    select
        r.district_code,
        r.person_id_hash,
        r.qualifies,
        r.year_start,
        'year' as period_type,
        {{ year_end('r.year_start') }} as period_end,
        {{ months_into_year('r.snapshot_month') }} as months_present,
        12 as months_in_period
    from roster as r
    inner join latest_in_year as l
        on
            r.district_code = l.district_code
            and r.snapshot_month = l.snapshot_month
),

counted as (
    select
        coalesce(district_code, '{{ var("municipality_code") }}') as area_code,
        period_type,
        year_start as period_start,
        period_end,
        count(distinct person_id_hash) filter (where qualifies) as persons,
        max(months_present) as months_present,
        max(months_in_period) as months_in_period
    from periods
    group by grouping sets (
        (district_code, period_type, year_start, period_end),
        (period_type, year_start, period_end)
    )
),

population as (
    select
        coalesce(district_code, '{{ var("municipality_code") }}') as area_code,
        data_year,
        sum(residents) as residents
    from {{ ref('int_population_by_district_year') }}
    group by grouping sets ((district_code, data_year), (data_year))
)

select
    'M04' as indicator_code,
    c.area_code,
    c.period_type,
    c.period_start,
    c.period_end,
    cast(c.persons as numeric) as numerator,
    p.residents as denominator,
    {{ indicator_value('M04', 'c.persons', 'p.residents') }} as value,
    c.months_present,
    c.months_in_period,
    cast(now() as timestamptz) as built_at
from counted as c
left join population as p
    on
        c.area_code = p.area_code
        and {{ year_of('c.period_start') }} = p.data_year
