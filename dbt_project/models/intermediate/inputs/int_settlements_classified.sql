{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        post_hook=[
            "create index if not exists {{ this.name }}_batch on {{ this }} (batch_id)",
            "{{ incremental_index('month', ['month_start']) }}",
            "{{ incremental_index('built', ['built_at', 'month_start', 'discharged_on']) }}",
            "{{ incremental_index('settlement', ['settlement_id']) }}",
            "{{ incremental_index('discharged', ['discharged_on']) }}",
        ]
    )
}}

-- Inpatient settlements that stand: a settlement with a 冲销 line counts neither
-- in stays nor in costs, whichever month the reversal arrived in (M10A's notes
-- in dbt_project/seeds/indicator_registry.csv).
-- Insured-district basis; in-district when the provider lies in the insured district.
--
-- Incremental by settlement month: a month is rebuilt when its settlement batch
-- is not built yet, when its providers (the institution registry of the month)
-- were rebuilt since the last build, or when a reversal arriving in a month not
-- built yet names one of its settlements (looked up by settlement id).
{% if is_incremental() %}
    with unbuilt as (
        {{ months_with_unbuilt_batches('mi_inpatient_settlements') }}
    ),

    months as (
        select u.month_start from unbuilt as u
        union
        {{ periods_rebuilt_in(ref('int_insurance_providers_by_month')) }}
        union
        select t.month_start
        from {{ ref('int_settlement_reversals_listed') }} as r
        inner join {{ this }} as t
            on r.settlement_id = t.settlement_id
        where
            r.month_start = any(array(select u.month_start from unbuilt as u))
            and r.month_start > t.month_start
    )
{% endif %}

select
    s.settlement_id,
    s.person_id_hash,
    s.district_code as insured_district_code,
    s.period_start as month_start,
    s.admitted_on,
    s.discharged_on,
    s.total_cost,
    s.fund_paid,
    s.is_out_of_area,
    coalesce(p.district_code, s.care_region_code) as care_district_code,
    coalesce(p.district_code, s.care_region_code) = s.district_code as is_in_district,
    s.batch_id,
    cast(now() as timestamptz) as built_at
from {{ staged_rows_to_rebuild(
    ref('stg_mi__inpatient_settlements'),
    'mi_inpatient_settlements',
    months_sql='select m.month_start from months as m'
) }} as s
left join {{ ref('int_insurance_providers_by_month') }} as p
    on s.provider_code = p.insurance_code and s.period_start = p.month_start
where
    s.settlement_status = '正常'
    and not exists (
        select 1 from {{ ref('int_settlement_reversals_listed') }} as r
        where r.settlement_id = s.settlement_id
    )
