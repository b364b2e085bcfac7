-- depends_on: {{ ref('int_institution_months_classified') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ incremental_index('month', ['month_start']) }}",
            "{{ incremental_index('built', ['built_at', 'month_start']) }}",
            "{{ incremental_index('code', ['insurance_code', 'month_start']) }}",
        ]
    )
}}

-- Designated providers (医保定点编码) of each monthly registry snapshot: where
-- they lie and whether they are primary-level. Incremental by month: the months
-- whose registry snapshot was rebuilt since this model's last run.
select distinct on (insurance_code, month_start)
    insurance_code,
    month_start,
    district_code,
    is_primary_level,
    cast(now() as timestamptz) as built_at
from {{ ref('int_institution_months_classified') }}
where
    insurance_code is not null
    {% if is_incremental() %}
        and month_start in (
            {{ periods_rebuilt_in(ref('int_institution_months_classified')) }}
        )
    {% endif %}
order by insurance_code, month_start, credit_code
