{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='snapshot_month',
        post_hook=[
            "create index if not exists {{ this.name }}_batch on {{ this }} (batch_id)",
            "{{ incremental_index('snapshot', ['snapshot_month']) }}",
            "{{ incremental_index('built', ['built_at', 'snapshot_month']) }}",
        ]
    )
}}

-- One row per person, district and registry snapshot (a person with both
-- diseases counts once): managed (规范管理) for either disease. Incremental by
-- snapshot month: only snapshots with a batch not built yet are read.
select
    district_code,
    period_start as snapshot_month,
    person_id_hash,
    bool_or(is_standard_managed) as is_managed,
    max(batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from {{ ref('stg_hc__chronic_registry') }}
{% if is_incremental() %}
    where period_start in ({{ months_with_unbuilt_batches('phs_chronic_registry') }})
{% endif %}
group by district_code, period_start, person_id_hash
