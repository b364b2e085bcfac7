-- Generated from include/yigongti/contracts/feeds.yml (feed mi_inpatient_settlements) by
-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by
-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of
-- each (period, district) are read.
select
    r.settlement_id,
    r.encounter_id,
    r.person_id_hash,
    r.insurance_type,
    r.insured_region_code,
    r.care_region_code,
    r.provider_code,
    r.care_type,
    {{ cast_feed_value('r.admitted_on', 'date') }} as admitted_on,
    {{ cast_feed_value('r.discharged_on', 'date') }} as discharged_on,
    {{ cast_feed_value('r.settled_at', 'datetime') }} as settled_at,
    {{ cast_feed_value('r.total_cost', 'money') }} as total_cost,
    {{ cast_feed_value('r.fund_paid', 'money') }} as fund_paid,
    {{ cast_feed_value('r.pooled_fund_paid', 'money') }} as pooled_fund_paid,
    {{ cast_feed_value('r.cash_paid', 'money') }} as cash_paid,
    r.main_diagnosis_icd10,
    r.is_out_of_area,
    r.settlement_status,
    {{ staged_batch_columns() }}
from {{ active_batch_rows('mi', 'mi_inpatient_settlements') }}
