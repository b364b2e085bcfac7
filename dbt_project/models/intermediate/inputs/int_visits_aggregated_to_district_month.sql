-- depends_on: {{ ref('int_institution_months_classified') }}
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

-- Visits per district and month: all, primary-level (M07) and TCM (M12).
-- TCM-category institutions count their total visits whole (M12's notes in
-- dbt_project/seeds/indicator_registry.csv).
-- Incremental by month: a month is rebuilt when its 卫统 batch is not built yet or
-- its registry snapshot was rebuilt since this model's last run.
select
    s.district_code,
    i.month_start,
    sum(s.total_visits) as total_visits,
    sum(case when i.is_primary_level then s.total_visits else 0 end) as primary_visits,
    sum(case when i.is_tcm_category then s.total_visits else s.tcm_visits end) as tcm_visits,
    count(*) as reporting_institutions,
    max(s.batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from {{ staged_rows_to_rebuild(
    ref('stg_hc__monthly_services'),
    'hs_monthly_services',
    more_months_sql=periods_rebuilt_in(ref('int_institution_months_classified'))
) }} as s
inner join {{ ref('int_institution_months_classified') }} as i
    on
        s.credit_code = i.credit_code
        and s.period_start = i.month_start
group by s.district_code, i.month_start
