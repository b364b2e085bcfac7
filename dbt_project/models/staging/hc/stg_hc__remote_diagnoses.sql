-- Generated from include/yigongti/contracts/feeds.yml (feed hs_remote_diagnoses) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.centre_institution_code,
    r.requesting_institution_code,
    r.exam_category,
    {{ cast_feed_value('r.diagnoses', 'count') }} as diagnoses,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'hs_remote_diagnoses') }}
