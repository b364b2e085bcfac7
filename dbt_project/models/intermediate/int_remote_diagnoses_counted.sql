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
    district_code,
    period_start as month_start,
    exam_category,
    sum(diagnoses) as diagnoses,
    max(batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from {{ ref('stg_hc__remote_diagnoses') }}
{% if is_incremental() %}
    where period_start in ({{ months_with_unbuilt_batches('hs_remote_diagnoses') }})
{% endif %}
group by district_code, period_start, exam_category
