{%- set key_columns = [
    'indicator_code', 'area_code', 'period_type', 'period_start', 'period_end'
] -%}
{%- set value_columns = [
    'indicator_name_zh', 'indicator_name_en', 'dimension_zh', 'area_name_zh',
    'area_name_en', 'numerator', 'denominator', 'value', 'unit', 'status',
    'months_present', 'months_in_period', 'input_complete', 'input_warning'
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
with labelled as (
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
        v.numerator,
        v.denominator,
        v.value,
        i.unit,
        v.status,
        v.months_present,
        v.months_in_period,
        v.input_complete,
        v.input_warning
    from {{ ref('int_indicator_values_assembled') }} as v
    inner join {{ ref('dim_indicators') }} as i
        on v.indicator_code = i.indicator_code
    left join {{ ref('dim_districts') }} as a
        on v.area_code = a.area_code
)

select * from labelled as l
{% if is_incremental() %}
    where {{ row_not_held('l', key_columns, value_columns) }}
{% endif %}
