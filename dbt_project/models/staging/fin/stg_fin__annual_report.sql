-- Generated from include/yigongti/contracts/feeds.yml (feed fin_annual_report) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.credit_code,
    r.institution_name,
    {{ cast_feed_value('r.avg_staff', 'numeric') }} as avg_staff,
    {{ cast_feed_value('r.staff_costs', 'money') }} as staff_costs,
    {{ cast_feed_value('r.wages_and_benefits', 'money') }} as wages_and_benefits,
    {{ cast_feed_value('r.household_transfers', 'money') }} as household_transfers,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('fin', 'fin_annual_report') }}
