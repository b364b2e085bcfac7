-- Generated from include/yigongti/contracts/feeds.yml (feed mi_fund_summary) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.insured_region_code,
    r.provider_code,
    r.provider_kind,
    r.care_kind,
    {{ cast_feed_value('r.settlements', 'count') }} as settlements,
    {{ cast_feed_value('r.fund_paid', 'money') }} as fund_paid,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('mi', 'mi_fund_summary') }}
