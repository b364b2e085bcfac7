-- Generated from include/yigongti/contracts/feeds.yml (feed phs_chronic_registry) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.health_record_hash,
    r.person_id_hash,
    r.sex,
    {{ cast_feed_value('r.birth_date', 'date') }} as birth_date,
    r.disease,
    {{ cast_feed_value('r.registered_on', 'date') }} as registered_on,
    {{ cast_feed_value('r.is_standard_managed', 'yesno') }} as is_standard_managed,
    r.managing_institution_code,
    r.residence_code,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'phs_chronic_registry') }}
