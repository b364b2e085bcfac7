-- Generated from include/yigongti/contracts/feeds.yml (feed population) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.district_code,
    r.sex,
    r.age_group,
    {{ cast_feed_value('r.residents', 'count') }} as residents,
    {{ staged_batch_columns(own_district_code=true) }}
from {{ active_batch_rows('stat', 'population') }}
