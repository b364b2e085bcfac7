-- Generated from include/yigongti/contracts/feeds.yml (feed hs_village_clinic_equipment) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.credit_code,
    r.village_code,
    {{ cast_feed_value('r.has_ecg', 'yesno') }} as has_ecg,
    {{ cast_feed_value('r.inventory_date', 'date') }} as inventory_date,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'hs_village_clinic_equipment') }}
