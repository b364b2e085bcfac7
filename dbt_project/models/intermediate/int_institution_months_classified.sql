-- Each institution of each monthly registry snapshot, with its WS 218 class flags.
select
    i.credit_code,
    i.district_code,
    i.ws218_code,
    i.is_lead_hospital,
    i.hospital_grade,
    i.period_start as month_start,
    coalesce(c.is_primary_level, false) as is_primary_level,
    coalesce(c.is_tcm_category, false) as is_tcm_category
from {{ ref('stg_hc__institutions') }} as i
left join {{ ref('ref_ws218_classes') }} as c
    on i.ws218_code = c.ws218_code
