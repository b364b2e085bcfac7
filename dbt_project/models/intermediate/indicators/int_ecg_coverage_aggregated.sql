-- M05B: administrative-village clinics with ECG equipment over all of them, per year.
-- The institution registry's 是否行政村卫生室 decides which clinics count, at its
-- latest snapshot of the year; other ledger rows count in neither part (M05B's
-- notes in dbt_project/seeds/indicator_registry.csv).
with ledger as (
    -- each clinic of the ledger, classified by the registry's latest snapshot of
    -- the year that lists it (looked up by credit code)
    select
        e.district_code,
        e.period_start as year_start,
        count(*) filter (where e.has_ecg) as equipped,
        count(*) as clinics
    from {{ ref('stg_hc__village_clinic_equipment') }} as e
    cross join
        lateral (
            select i.is_admin_village_clinic
            from {{ ref('int_institution_months_classified') }} as i
            where
                i.credit_code = e.credit_code
                and i.month_start >= e.period_start
                and i.month_start < {{ next_year_start('e.period_start') }}
            order by i.month_start desc
            limit 1
        ) as r
    where r.is_admin_village_clinic
    group by e.district_code, e.period_start
),

areas as (
    select
        coalesce(district_code, '{{ var("municipality_code") }}') as area_code,
        year_start,
        sum(equipped) as equipped,
        sum(clinics) as clinics
    from ledger
    group by grouping sets ((district_code, year_start), (year_start))
)

select
    'M05B' as indicator_code,
    area_code,
    'year' as period_type,
    year_start as period_start,
    {{ year_end('year_start') }} as period_end,
    cast(equipped as numeric) as numerator,
    cast(clinics as numeric) as denominator,
    {{ indicator_value('M05B', 'equipped', 'clinics') }} as value,
    12 as months_present,
    12 as months_in_period
from areas
