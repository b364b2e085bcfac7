-- Generated from include/yigongti/contracts/feeds.yml (feed hs_stationing_roster) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.person_id_hash,
    r.title_level,
    r.sending_institution_code,
    r.host_institution_code,
    r.stationing_type,
    {{ cast_feed_value('r.start_date', 'date') }} as start_date,
    {{ cast_feed_value('r.end_date', 'date') }} as end_date,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'hs_stationing_roster') }}
