{{ config(materialized='table') }}

-- Each institution of each monthly registry snapshot, with its WS 218 class flags.
select
    i.credit_code,
    i.district_code,
    i.ws218_code,
    i.hospital_grade,
    i.insurance_code,
    i.period_start as month_start,
    coalesce(i.is_lead_hospital, false) as is_lead_hospital,
    coalesce(i.is_admin_village_clinic, false) as is_admin_village_clinic,
    coalesce(c.is_primary_level, false) as is_primary_level,
    coalesce(c.is_tcm_category, false) as is_tcm_category,
    coalesce(i.hospital_grade in ('二级', '三级'), false) as is_level_two_or_higher
from {{ ref('stg_hc__institutions') }} as i
left join {{ ref('ref_ws218_classes') }} as c
    on i.ws218_code = c.ws218_code
