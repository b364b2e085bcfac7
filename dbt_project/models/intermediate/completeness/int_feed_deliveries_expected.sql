{{ config(materialized='table') }}

-- Every delivery the platform expects: feed x district x period, from each feed's
-- first period to the last one already due (or the latest received), for the
-- districts valid at the period's end (or, for plan feeds, the districts with a
-- plan); with what arrived, whether it was accepted, and whether it was on time.
with feeds as (
    select
        *,
        {{ feed_period_step('periodicity') }} as step,
        -- A quarterly snapshot's period is the quarter's last month.
        {{ feed_period_span('periodicity') }} as span,
        {{ feed_period_format('periodicity') }} as period_format
    from {{ ref('ref_feeds') }}
),

batches as (
    select
        b.batch_id,
        b.feed,
        b.period,
        b.status,
        b.received_at,
        d.district_code
    from {{ source('ops', 'batch_log') }} as b
    inner join {{ source('ops', 'batch_district') }} as d
        on b.batch_id = d.batch_id
),

receipts as (
    select
        feed,
        period,
        district_code,
        min(received_at) as first_received_at,
        min(received_at) filter (
            where status in ('accepted', 'accepted_with_warnings', 'superseded')
        ) as first_accepted_at,
        coalesce(bool_or(status = 'accepted_with_warnings'), false) as has_warning,
        -- A second accepted delivery for the district (a whole file superseded, or a
        -- district's correction of a municipal file whose other districts stand):
        -- values built on the first are restated.
        count(distinct batch_id) filter (
            where status in ('accepted', 'accepted_with_warnings', 'superseded')
        ) > 1 as is_revised
    from batches
    group by feed, period, district_code
),

feed_span as (
    select
        f.feed,
        min(b.period_start) as first_period,
        max(b.period_start) as last_received_period
    from feeds as f
    inner join {{ source('ops', 'batch_log') }} as b
        on f.feed = b.feed
    -- a folder that is not a period (2026-13) has no period_start: never read its name
    where b.period_start is not null
    group by f.feed
),

periods as (
    select
        f.feed,
        f.provider,
        f.title_zh,
        f.periodicity,
        f.expected_districts,
        cast(p.period_start as date) as period_start,
        cast(p.period_start + f.span - interval '1 day' as date) as period_end,
        to_char(p.period_start, f.period_format) as period,
        -- due: the given day of the month that many months after the period ends
        least(
            cast(
                date_trunc('month', p.period_start + f.span - interval '1 day')
                + make_interval(months => f.due_months_after)
                + make_interval(days => f.due_day - 1) as date
            ),
            cast(
                date_trunc('month', p.period_start + f.span - interval '1 day')
                + make_interval(months => f.due_months_after + 1)
                - interval '1 day' as date
            )
        ) as due_date
    from feeds as f
    inner join feed_span as s on f.feed = s.feed
    cross join lateral generate_series(
        s.first_period,
        greatest(s.last_received_period, cast({{ var('completeness_as_of') }} as timestamp)),
        f.step
    ) as p (period_start)
),

due_periods as (
    select p.*
    from periods as p
    inner join feed_span as s on p.feed = s.feed
    where
        p.due_date <= cast({{ var('completeness_as_of') }} as date)
        or p.period_start <= s.last_received_period
),

plan_districts as (
    select distinct district_code from {{ ref('core_performance_targets') }}
),

expected as (
    select
        p.*,
        d.area_code as district_code,
        d.area_name_zh as district_name_zh
    from due_periods as p
    inner join {{ ref('dim_districts') }} as d
        on
            d.area_type <> 'municipality'
            and (d.valid_from is null or p.period_end >= d.valid_from)
            and (d.valid_to is null or p.period_end <= d.valid_to)
    where
        p.expected_districts = 'all'
        or d.area_code in (select pd.district_code from plan_districts as pd)
),

institutions as (
    -- 卫统 monthly report: every active institution is expected every month.
    select
        district_code,
        month_start as period_start,
        institutions_expected,
        institutions_reported
    from {{ ref('int_institution_reporting_counted') }}
)

select
    e.feed,
    e.provider,
    e.title_zh as feed_title_zh,
    e.periodicity,
    e.district_code,
    e.district_name_zh,
    e.period,
    e.period_start,
    e.period_end,
    e.due_date,
    r.first_received_at,
    r.first_accepted_at,
    case
        when r.first_accepted_at is not null then 'received'
        when r.first_received_at is not null then 'rejected'
        else 'missing'
    end as delivery_status,
    r.first_accepted_at is not null as is_received,
    case
        when r.first_accepted_at is not null
            then cast(r.first_accepted_at as date) <= e.due_date
    end as is_on_time,
    case
        when r.first_accepted_at is not null
            then greatest(cast(r.first_accepted_at as date) - e.due_date, 0)
    end as days_late,
    coalesce(r.has_warning, false) as has_warning,
    coalesce(r.is_revised, false) as is_revised,
    i.institutions_expected,
    i.institutions_reported
from expected as e
left join receipts as r
    on e.feed = r.feed and e.period = r.period and e.district_code = r.district_code
left join institutions as i
    on
        e.feed = 'hs_monthly_services'
        and e.district_code = i.district_code
        and e.period_start = i.period_start
