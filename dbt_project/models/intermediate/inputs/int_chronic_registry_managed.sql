{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='snapshot_month',
        pre_hook="{{ prefer_hashing() }}",
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
    r.district_code,
    r.period_start as snapshot_month,
    r.person_id_hash,
    bool_or(r.is_standard_managed) as is_managed,
    max(r.batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from {{ staged_rows_to_rebuild(
    ref('stg_hc__chronic_registry'),
    'phs_chronic_registry'
) }} as r
group by r.district_code, r.period_start, r.person_id_hash
