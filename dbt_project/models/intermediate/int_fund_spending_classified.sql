-- Fund spending by insured district and provider, with the provider's district
-- (registry of the same month, else the region in its code) and level.
select
    f.district_code as insured_district_code,
    f.period_start as month_start,
    f.provider_code,
    f.provider_kind,
    f.care_kind,
    f.fund_paid,
    coalesce(p.district_code, substr(f.provider_code, 2, 6)) as provider_district_code,
    coalesce(p.is_primary_level, false) as is_primary_level,
    f.provider_kind = '定点医疗机构' as is_medical_institution
from {{ ref('stg_mi__fund_summary') }} as f
left join {{ ref('int_insurance_providers_by_month') }} as p
    on f.provider_code = p.insurance_code and f.period_start = p.month_start
