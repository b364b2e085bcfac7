-- Designated providers (医保定点编码) of each monthly registry snapshot: where
-- they lie and whether they are primary-level.
select distinct on (insurance_code, month_start)
    insurance_code,
    month_start,
    district_code,
    is_primary_level
from {{ ref('int_institution_months_classified') }}
where insurance_code is not null
order by insurance_code, month_start, credit_code
