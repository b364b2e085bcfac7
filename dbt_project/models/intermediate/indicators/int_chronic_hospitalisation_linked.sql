-- M13: discharges of managed hypertension/diabetes patients over managed
-- patients. Denominator: distinct persons marked 规范管理 in the district's
-- latest registry snapshot by the period end (a person with both diseases
-- counts once). Numerator: their standing settlements with a discharge date
-- from 1 January to the period end, wherever they happened (hashed-ID link).
--
-- Incremental by year (delete+insert on period_start, 1 January): a year is
-- recomputed when a registry snapshot of the year or a settlement discharged in
-- it was built after this model's last run; earlier years stay as built. Only
-- the snapshots and discharges of those years are read (by index).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='period_start',
        pre_hook="{{ prefer_hashing() }}",
        post_hook=[
            "{{ incremental_index('start', ['period_start']) }}",
            "{{ incremental_index('built', ['built_at', 'period_start']) }}",
        ]
    )
}}

with
{% if is_incremental() %}
    changed_years as (
        {{ years_rebuilt_in(ref('int_chronic_registry_managed'), 'snapshot_month') }}
        union
        select d.year_start
        from (
            {{ years_rebuilt_in(ref('int_settlements_classified'), 'discharged_on') }}
        ) as d
        where d.year_start is not null
    ),
{% endif %}

registry as (
    select
        r.district_code,
        r.snapshot_month,
        {{ year_start('r.snapshot_month') }} as year_start,
        r.person_id_hash,
        r.is_managed
    from {{ ref('int_chronic_registry_managed') }} as r
    {% if is_incremental() %}
        {{ join_changed_years('r.snapshot_month') }}
    {% endif %}
),

snapshots as (
    -- managed patients per district and snapshot (one row per person already);
    -- the year is reported from the district's latest snapshot of the year
    select
        district_code,
        snapshot_month,
        year_start,
        {{ month_end('snapshot_month') }} as snapshot_end,
        count(*) filter (where is_managed) as patients,
        snapshot_month = max(snapshot_month) over (
            partition by district_code, year_start
        ) as is_latest_in_year
    from registry
    group by district_code, snapshot_month, year_start
),

discharges as (
    {% if is_incremental() %}
        -- year by year through the index on the discharge date
        select
            s.person_id_hash,
            s.discharged_on,
            y.year_start
        from changed_years as y
        cross join lateral (
            select
                t.person_id_hash,
                t.discharged_on
            from {{ ref('int_settlements_classified') }} as t
            where
                t.discharged_on >= y.year_start
                and t.discharged_on < {{ next_year_start('y.year_start') }}
            -- a fence: the look-up stays per year, by index
            offset 0  -- noqa: AM09
        ) as s
    {% else %}
        select
            s.person_id_hash,
            s.discharged_on,
            {{ year_start('s.discharged_on') }} as year_start
        from {{ ref('int_settlements_classified') }} as s
    {% endif %}
),

linked as (
    -- each managed patient's discharges of the year: to the snapshot's month end
    -- (ytd) and to the year's end
    select
        r.district_code,
        r.snapshot_month,
        count(*) filter (
            where d.discharged_on
            <= {{ month_end('r.snapshot_month') }}
        ) as ytd_discharges,
        count(*) as year_discharges
    from registry as r
    inner join discharges as d
        on r.person_id_hash = d.person_id_hash and r.year_start = d.year_start
    where r.is_managed
    group by r.district_code, r.snapshot_month
),

by_district as (
    select
        s.district_code,
        'ytd' as period_type,
        s.year_start,
        s.snapshot_end as period_end,
        {{ months_into_year('s.snapshot_month') }} as months_present,
        {{ months_into_year('s.snapshot_month') }} as months_in_period,
        s.patients,
        coalesce(l.ytd_discharges, 0) as discharges
    from snapshots as s
    left join linked as l
        on s.district_code = l.district_code and s.snapshot_month = l.snapshot_month
    where s.patients > 0
    union all
    select
        s.district_code,
        'year' as period_type,
        s.year_start,
        {{ year_end('s.year_start') }} as period_end,
        {{ months_into_year('s.snapshot_month') }} as months_present,
        12 as months_in_period,
        s.patients,
        coalesce(l.year_discharges, 0) as discharges
    from snapshots as s
    left join linked as l
        on s.district_code = l.district_code and s.snapshot_month = l.snapshot_month
    where s.patients > 0 and s.is_latest_in_year
),

areas as (
    select
        coalesce(district_code, '{{ var("municipality_code") }}') as area_code,
        period_type,
        year_start as period_start,
        period_end,
        sum(discharges) as discharges,
        sum(patients) as patients,
        min(months_present) as months_present,
        max(months_in_period) as months_in_period
    from by_district
    group by grouping sets (
        (district_code, period_type, year_start, period_end),
        (period_type, year_start, period_end)
    )
)

select
    'M13' as indicator_code,
    area_code,
    period_type,
    period_start,
    period_end,
    cast(discharges as numeric) as numerator,
    cast(patients as numeric) as denominator,
    {{ indicator_value('M13', 'discharges', 'patients') }} as value,
    months_present,
    months_in_period,
    cast(now() as timestamptz) as built_at
from areas
