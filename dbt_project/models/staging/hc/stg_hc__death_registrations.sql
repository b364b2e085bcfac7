-- Generated from include/yigongti/contracts/feeds.yml (feed death_registrations) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.certificate_hash,
    r.id_type,
    r.person_id_hash,
    r.sex,
    {{ cast_feed_value('r.birth_date', 'date') }} as birth_date,
    {{ cast_feed_value('r.death_date', 'date') }} as death_date,
    r.residence_code,
    r.underlying_cause_icd10,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'death_registrations') }}
