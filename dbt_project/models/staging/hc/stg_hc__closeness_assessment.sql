-- Generated from include/yigongti/contracts/feeds.yml (feed hs_closeness_assessment) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.indicator_group,
    r.indicator_item,
    r.criterion,
    r.result,
    r.evidence,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'hs_closeness_assessment') }}
