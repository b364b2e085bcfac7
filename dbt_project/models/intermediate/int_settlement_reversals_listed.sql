{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        post_hook="create index if not exists {{ this.name }}_batch on {{ this }} (batch_id)"
    )
}}

-- The settlements that 冲销 lines reverse, by the month the reversal arrived in.
-- Incremental: only months with a batch not built yet are read from staging.
select distinct
    s.settlement_id,
    s.period_start as month_start,
    s.batch_id
from {{ ref('stg_mi__inpatient_settlements') }} as s
where
    s.settlement_status = '冲销'
    {% if is_incremental() %}
        and s.period_start in (
            {{ months_with_unbuilt_batches('mi_inpatient_settlements') }}
        )
    {% endif %}
