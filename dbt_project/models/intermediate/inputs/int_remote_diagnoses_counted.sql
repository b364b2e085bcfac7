{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        post_hook=[
            "{{ incremental_index('batch', ['batch_id']) }}",
            "{{ incremental_index('built', ['built_at', 'month_start']) }}",
        ]
    )
}}

-- Remote diagnoses per district, month and examination category. Incremental by
-- month: a month is rebuilt when its batch is not built yet.
select
    r.district_code,
    r.period_start as month_start,
    r.exam_category,
    sum(r.diagnoses) as diagnoses,
    max(r.batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from {{ staged_rows_to_rebuild(
    ref('stg_hc__remote_diagnoses'),
    'hs_remote_diagnoses'
) }} as r
group by r.district_code, r.period_start, r.exam_category
