-- Generated from include/yigongti/contracts/feeds.yml (feed hs_annual_programme) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.indicator_name,
    r.unit,
    {{ cast_feed_value('r.value', 'numeric') }} as value,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'hs_annual_programme') }}
