{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        on_schema_change='append_new_columns',
        pre_hook="{{ add_tracking_columns({'batch_id': 'bigint', 'built_at': 'timestamptz'}) }}",
        post_hook=[
            "{{ incremental_index('batch', ['batch_id']) }}",
            "{{ incremental_index('month', ['month_start']) }}",
            "{{ incremental_index('built', ['built_at', 'month_start']) }}",
            "{{ incremental_index('credit', ['credit_code', 'month_start']) }}",
        ]
    )
}}

-- Each institution of each monthly registry snapshot, with its WS 218 class flags
-- and whether it was active in the month (expected to file the 卫统 report).
-- Incremental by month: a month is rebuilt when its registry batch is not built yet.
select
    i.credit_code,
    i.district_code,
    i.ws218_code,
    i.hospital_grade,
    i.insurance_code,
    i.period_start as month_start,
    coalesce(i.is_lead_hospital, false) as is_lead_hospital,
    coalesce(i.is_admin_village_clinic, false) as is_admin_village_clinic,
    coalesce(c.is_primary_level, false) as is_primary_level,
    coalesce(c.is_tcm_category, false) as is_tcm_category,
    coalesce(i.hospital_grade in ('二级', '三级'), false) as is_level_two_or_higher,
    coalesce(
        i.active_from <= {{ month_end('i.period_start') }}
        and (i.active_to is null or i.active_to >= i.period_start),
        false
    ) as is_active,
    i.batch_id,
    cast(now() as timestamptz) as built_at
from {{ staged_rows_to_rebuild(
    ref('stg_hc__institutions'),
    'hs_institutions'
) }} as i
left join {{ ref('ref_ws218_classes') }} as c
    on i.ws218_code = c.ws218_code
