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
from {{ staged_rows_to_rebuild(
    ref('stg_mi__inpatient_settlements'),
    'mi_inpatient_settlements'
) }} as s
where s.settlement_status = '冲销'
