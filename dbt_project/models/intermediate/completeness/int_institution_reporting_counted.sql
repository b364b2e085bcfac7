-- depends_on: {{ ref('int_visits_aggregated_to_district_month') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ incremental_index('month', ['month_start']) }}",
        ]
    )
}}

-- 卫统 monthly report per district and month: the institutions active in the
-- month's registry snapshot (every one is expected to report) and those of them
-- that reported. Incremental by month: the months whose registry snapshot or
-- 卫统 report was rebuilt since this model's last run.
with
{% if is_incremental() %}
    months as (
        {{ periods_rebuilt_in(ref('int_institution_months_classified')) }}
        union
        {{ periods_rebuilt_in(ref('int_visits_aggregated_to_district_month')) }}
    ),
{% endif %}

institutions as (
    select
        i.credit_code,
        i.district_code,
        i.month_start
    from {{ ref('int_institution_months_classified') }} as i
    where
        i.is_active
        {% if is_incremental() %}
            and i.month_start in (select m.month_start from months as m)
        {% endif %}
),

reports as (
    select
        s.credit_code,
        s.period_start
    from {{ staged_rows_to_rebuild(
        ref('stg_hc__monthly_services'),
        'hs_monthly_services',
        months_sql='select m.month_start from months as m'
    ) }} as s
)

select
    i.district_code,
    i.month_start,
    count(*) as institutions_expected,
    count(s.credit_code) as institutions_reported,
    cast(now() as timestamptz) as built_at
from institutions as i
left join reports as s
    on i.credit_code = s.credit_code and i.month_start = s.period_start
group by i.district_code, i.month_start
