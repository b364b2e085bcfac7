-- M04: intermediate-or-higher physicians sent by level-2+ institutions to
-- primary-level institutions whose stationing, clipped to the year, covers at
-- least 6 calendar months by the period end; distinct persons per host district
-- (the municipality counts each person once). Rows: ytd at each roster snapshot
-- month, and the year from the year's latest snapshot.
with roster as (
    select
        r.person_id_hash,
        r.district_code,
        r.period_start as snapshot_month,
        cast(date_trunc('year', r.period_start) as date) as year_start,
        cast(r.period_start + interval '1 month' - interval '1 day' as date) as period_end,
        r.start_date,
        r.end_date,
        r.title_level in ('中级', '副高级', '正高级')
        and sending.is_level_two_or_higher
        and hosting.is_primary_level as is_eligible
    from {{ ref('stg_hc__stationing_roster') }} as r
    left join {{ ref('int_institution_months_classified') }} as sending
        on
            r.sending_institution_code = sending.credit_code
            and r.period_start = sending.month_start
    left join {{ ref('int_institution_months_classified') }} as hosting
        on
            r.host_institution_code = hosting.credit_code
            and r.period_start = hosting.month_start
),

qualifying as (
    select
        *,
        coalesce(is_eligible, false)
        and least(coalesce(end_date, period_end), period_end)
        >= greatest(start_date, year_start) + interval '6 months' - interval '1 day'
            as qualifies
    from roster
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
        q.district_code,
        q.person_id_hash,
        q.qualifies,
        q.year_start,
        'ytd' as period_type,
        q.period_end,
        cast(extract(month from q.snapshot_month) as integer) as months_present,
        cast(extract(month from q.snapshot_month) as integer) as months_in_period
    from qualifying as q
    union all
    select
        q.district_code,
        q.person_id_hash,
        q.qualifies,
        q.year_start,
        'year' as period_type,
        cast(q.year_start + interval '1 year' - interval '1 day' as date) as period_end,
        cast(extract(month from q.snapshot_month) as integer) as months_present,
        12 as months_in_period
    from qualifying as q
    inner join latest_in_year as l
        on
            q.district_code = l.district_code
            and q.snapshot_month = l.snapshot_month
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
    c.persons * 10000.0 / nullif(p.residents, 0) as value,
    c.months_present,
    c.months_in_period
from counted as c
left join population as p
    on
        c.area_code = p.area_code
        and cast(extract(year from c.period_start) as integer) = p.data_year
