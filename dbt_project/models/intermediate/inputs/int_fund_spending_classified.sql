-- depends_on: {{ ref('int_insurance_providers_by_month') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ incremental_index('batch', ['batch_id']) }}",
            "{{ incremental_index('month', ['month_start']) }}",
            "{{ incremental_index('built', ['built_at', 'month_start']) }}",
        ]
    )
}}

-- Fund spending by insured district and provider, with the provider's district
-- (registry of the same month, else the region in its code) and level.
-- Incremental by month: a month is rebuilt when its fund batch is not built yet or
-- its providers were rebuilt since this model's last run.
select
    f.district_code as insured_district_code,
    f.period_start as month_start,
    f.provider_code,
    f.provider_kind,
    f.care_kind,
    f.fund_paid,
    coalesce(p.district_code, substr(f.provider_code, 2, 6)) as provider_district_code,
    coalesce(p.is_primary_level, false) as is_primary_level,
    f.provider_kind = '定点医疗机构' as is_medical_institution,
    f.batch_id,
    cast(now() as timestamptz) as built_at
from {{ staged_rows_to_rebuild(
    ref('stg_mi__fund_summary'),
    'mi_fund_summary',
    more_months_sql=periods_rebuilt_in(ref('int_insurance_providers_by_month'))
) }} as f
left join {{ ref('int_insurance_providers_by_month') }} as p
    on f.provider_code = p.insurance_code and f.period_start = p.month_start
