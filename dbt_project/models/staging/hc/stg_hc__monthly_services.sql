-- Generated from include/yigongti/contracts/feeds.yml (feed hs_monthly_services) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.credit_code,
    r.institution_name,
    {{ cast_feed_value('r.total_visits', 'count') }} as total_visits,
    {{ cast_feed_value('r.outpatient_emergency_visits', 'count') }} as outpatient_emergency_visits,
    {{ cast_feed_value('r.tcm_visits', 'count') }} as tcm_visits,
    {{ cast_feed_value('r.discharges', 'count') }} as discharges,
    {{ cast_feed_value('r.medical_revenue', 'money', unit_factor=1000) }} as medical_revenue,
    {{ cast_feed_value('r.hypertension_managed', 'count') }} as hypertension_managed,
    {{ cast_feed_value('r.diabetes_managed', 'count') }} as diabetes_managed,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('hc', 'hs_monthly_services') }}
