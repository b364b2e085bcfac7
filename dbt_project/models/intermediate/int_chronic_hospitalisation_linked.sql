-- M13: discharges of managed hypertension/diabetes patients over managed
-- patients. Denominator: distinct persons marked 规范管理 in the district's
-- latest registry snapshot by the period end (a person with both diseases
-- counts once). Numerator: their standing settlements with a discharge date
-- from 1 January to the period end, wherever they happened (hashed-ID link).
--
-- Incremental by year (delete+insert on period_start, 1 January): a year is
-- recomputed when a registry snapshot of the year or a settlement discharged in
-- it was built after this model's last run; earlier years stay as built.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='period_start'
    )
}}

with
{% if is_incremental() %}
    changed_years as (
        select distinct cast(date_trunc('year', c.snapshot_month) as date) as year_start
        from {{ ref('int_chronic_registry_managed') }} as c
        where c.built_at > (select max(t.built_at) from {{ this }} as t)
        union
        select distinct cast(date_trunc('year', s.discharged_on) as date)
        from {{ ref('int_settlements_classified') }} as s
        where s.built_at > (select max(t.built_at) from {{ this }} as t)
    ),
{% endif %}

registry as (
    select
        district_code,
        snapshot_month,
        cast(date_trunc('year', snapshot_month) as date) as year_start,
        person_id_hash,
        is_managed
    from {{ ref('int_chronic_registry_managed') }}
    {% if is_incremental() %}
        where
            cast(date_trunc('year', snapshot_month) as date)
            in (select y.year_start from changed_years as y)
    {% endif %}
),

periods as (
    -- ytd at every snapshot month; the year from the year's latest snapshot
    select distinct
        district_code,
        snapshot_month,
        year_start,
        'ytd' as period_type,
        cast(snapshot_month + interval '1 month' - interval '1 day' as date) as period_end,
        cast(extract(month from snapshot_month) as integer) as months_in_period
    from registry
    union all
    select
        district_code,
        max(snapshot_month) as snapshot_month,
        year_start,
        'year' as period_type,
        cast(year_start + interval '1 year' - interval '1 day' as date) as period_end,
        12 as months_in_period
    from registry
    group by district_code, year_start
),

managed as (
    select
        p.district_code,
        p.period_type,
        p.year_start,
        p.period_end,
        p.months_in_period,
        cast(extract(month from p.snapshot_month) as integer) as months_present,
        r.person_id_hash
    from periods as p
    inner join registry as r
        on
            p.district_code = r.district_code
            and p.snapshot_month = r.snapshot_month
    where r.is_managed
),

discharges as (
    select
        m.district_code,
        m.period_type,
        m.period_end,
        count(*) as discharges
    from managed as m
    inner join {{ ref('int_settlements_classified') }} as s
        on
            m.person_id_hash = s.person_id_hash
            and s.discharged_on between m.year_start and m.period_end
    group by m.district_code, m.period_type, m.period_end
),

by_district as (
    select
        m.district_code,
        m.period_type,
        m.year_start,
        m.period_end,
        max(m.months_present) as months_present,
        max(m.months_in_period) as months_in_period,
        count(distinct m.person_id_hash) as patients
    from managed as m
    group by m.district_code, m.period_type, m.year_start, m.period_end
),

areas as (
    select
        coalesce(b.district_code, '{{ var("municipality_code") }}') as area_code,
        b.period_type,
        b.year_start as period_start,
        b.period_end,
        sum(coalesce(d.discharges, 0)) as discharges,
        sum(b.patients) as patients,
        min(b.months_present) as months_present,
        max(b.months_in_period) as months_in_period
    from by_district as b
    left join discharges as d
        on
            b.district_code = d.district_code
            and b.period_type = d.period_type
            and b.period_end = d.period_end
    group by grouping sets (
        (b.district_code, b.period_type, b.year_start, b.period_end),
        (b.period_type, b.year_start, b.period_end)
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
    discharges * 100.0 / nullif(patients, 0) as value,
    months_present,
    months_in_period,
    cast(now() as timestamptz) as built_at
from areas
