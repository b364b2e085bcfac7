{%- set key_columns = [
    'indicator_code', 'area_code', 'period_type', 'period_start', 'period_end'
] -%}
{%- set value_columns = [
    'indicator_name_zh', 'indicator_name_en', 'dimension_zh', 'area_name_zh',
    'area_name_en', 'numerator', 'denominator', 'value', 'unit', 'status',
    'months_present', 'months_in_period', 'input_complete', 'input_warning',
    'approved', 'approval_id', 'published_in', 'pending_value'
] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key_columns,
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ delete_rows_not_in(ref('int_indicator_values_assembled'), "
            ~ key_columns ~ ") }}",
            "{{ incremental_index('key', " ~ key_columns ~ ") }}",
        ]
    )
}}

-- 监测指标值: one row per indicator x area x period (int_indicator_values_assembled,
-- rebuilt by year) with the registry's and the districts' labels. Incremental:
-- only rows that are new or changed are written, and rows no longer computed are
-- deleted, so the mart always equals a full rebuild.
--
-- A period ending in an approved month is approved (include/yigongti/approval.py);
-- once such a month is published after its newest approval, its values are locked
-- to exactly those published (ops.locked_value) until it is approved again: a
-- recomputed value that differs waits in pending_value.
with approvals as (
    select
        month,
        max(approval_id) as approval_id
    from {{ source('ops', 'approval') }}
    group by month
),

labelled as (
    select
        v.indicator_code,
        i.indicator_name_zh,
        i.indicator_name_en,
        i.dimension_zh,
        v.area_code,
        a.area_name_zh,
        a.area_name_en,
        v.period_type,
        v.period_start,
        v.period_end,
        case when k.publication_id is null then v.numerator else k.numerator end as numerator,
        case when k.publication_id is null then v.denominator else k.denominator end as denominator,
        case when k.publication_id is null then v.value else k.value end as value,
        i.unit,
        case when k.publication_id is null then v.status else k.status end as status,
        v.months_present,
        v.months_in_period,
        v.input_complete,
        v.input_warning,
        ap.approval_id is not null as approved,
        ap.approval_id,
        k.publication_id as published_in,
        case
            when k.publication_id is not null and (v.value is distinct from k.value)
                then v.value
        end as pending_value
    from {{ ref('int_indicator_values_assembled') }} as v
    inner join {{ ref('dim_indicators') }} as i
        on v.indicator_code = i.indicator_code
    left join {{ ref('dim_districts') }} as a
        on v.area_code = a.area_code
    left join approvals as ap
        on ap.month = cast(date_trunc('month', v.period_end) as date)
    left join {{ source('ops', 'locked_value') }} as k
        on
            v.indicator_code = k.indicator_code
            and v.area_code = k.area_code
            and v.period_type = k.period_type
            and v.period_start = k.period_start
            and v.period_end = k.period_end
)

select * from labelled as l
{% if is_incremental() %}
    where {{ row_not_held('l', key_columns, value_columns) }}
{% endif %}
