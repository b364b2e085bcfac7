-- M05B: administrative-village clinics with ECG equipment over all of them, per year.
-- The registry's 是否行政村卫生室 decides which clinics count (indicators.md): its
-- latest snapshot of the year; other ledger rows count in neither part.
with registry as (
    select distinct on (credit_code, date_trunc('year', month_start))
        credit_code,
        cast(date_trunc('year', month_start) as date) as year_start,
        is_admin_village_clinic
    from {{ ref('int_institution_months_classified') }}
    order by credit_code asc, date_trunc('year', month_start) asc, month_start desc
),

ledger as (
    select
        e.district_code,
        e.period_start as year_start,
        count(*) filter (where e.has_ecg) as equipped,
        count(*) as clinics
    from {{ ref('stg_hc__village_clinic_equipment') }} as e
    inner join registry as r
        on e.credit_code = r.credit_code and e.period_start = r.year_start
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
    cast(year_start + interval '1 year' - interval '1 day' as date) as period_end,
    cast(equipped as numeric) as numerator,
    cast(clinics as numeric) as denominator,
    equipped * 100.0 / nullif(clinics, 0) as value,
    12 as months_present,
    12 as months_in_period
from areas
