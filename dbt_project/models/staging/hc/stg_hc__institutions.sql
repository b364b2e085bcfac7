-- Generated from include/yigongti/contracts/feeds.yml (feed hs_institutions) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.credit_code,
    r.institution_name,
    r.district_code,
    r.township_code,
    r.ws218_code,
    r.hospital_grade,
    r.registration_type,
    r.community_code,
    {{ cast_feed_value('r.is_lead_hospital', 'yesno') }} as is_lead_hospital,
    r.insurance_code,
    {{ cast_feed_value('r.is_admin_village_clinic', 'yesno') }} as is_admin_village_clinic,
    {{ cast_feed_value('r.active_from', 'date') }} as active_from,
    {{ cast_feed_value('r.active_to', 'date') }} as active_to,
    {{ staged_batch_columns(own_district_code=true) }}
from {{ active_batch_rows('hc', 'hs_institutions') }}
