{{ config(materialized='table') }}

-- Inpatient settlements that stand: a settlement with a 冲销 line counts neither
-- in stays nor in costs (indicators.md), whichever month the reversal arrived in.
-- Insured-district basis; in-district when the provider lies in the insured district.
with reversed as (
    select distinct settlement_id
    from {{ ref('stg_mi__inpatient_settlements') }}
    where settlement_status = '冲销'
)

select
    s.settlement_id,
    s.person_id_hash,
    s.district_code as insured_district_code,
    s.period_start as month_start,
    s.admitted_on,
    s.discharged_on,
    s.total_cost,
    s.fund_paid,
    s.is_out_of_area,
    coalesce(p.district_code, s.care_region_code) as care_district_code,
    coalesce(p.district_code, s.care_region_code) = s.district_code as is_in_district
from {{ ref('stg_mi__inpatient_settlements') }} as s
left join {{ ref('int_insurance_providers_by_month') }} as p
    on s.provider_code = p.insurance_code and s.period_start = p.month_start
where
    s.settlement_status = '正常'
    and s.settlement_id not in (select r.settlement_id from reversed as r)
