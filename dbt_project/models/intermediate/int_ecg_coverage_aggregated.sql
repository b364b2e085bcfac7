-- M05B: administrative-village clinics with ECG equipment over all of them, per year.
with ledger as (
    select
        district_code,
        period_start as year_start,
        count(*) filter (where has_ecg) as equipped,
        count(*) as clinics
    from {{ ref('stg_hc__village_clinic_equipment') }}
    group by district_code, period_start
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
    cast(year_start + interval '1 year' - interval '1 day' as date) as period_end,
    cast(equipped as numeric) as numerator,
    cast(clinics as numeric) as denominator,
    round(equipped * 100.0 / nullif(clinics, 0), 4) as value,
    12 as months_present,
    12 as months_in_period
from areas
