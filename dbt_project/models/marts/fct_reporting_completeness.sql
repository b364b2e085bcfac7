{%- set key_columns = ['feed', 'district_code', 'period'] -%}
{%- set value_columns = [
    'feed_title_zh', 'provider', 'district_name_zh', 'period_start', 'period_end',
    'due_date', 'delivery_status', 'is_received', 'is_on_time', 'days_late',
    'has_warning', 'first_received_at', 'first_accepted_at', 'institutions_expected',
    'institutions_reported', 'institution_reporting_rate'
] -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key_columns,
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ delete_rows_not_in(ref('int_feed_deliveries_expected'), "
            ~ key_columns ~ ") }}",
            "{{ incremental_index('key', " ~ key_columns ~ ") }}",
        ]
    )
}}

-- 报送完整性与及时性: expected vs received, on time vs late, per feed x district x
-- period; for the 卫统 monthly report also active institutions expected vs reported.
-- Incremental: only rows that are new or changed are written, and rows no longer
-- expected are deleted, so the mart always equals a full rebuild.
with deliveries as (
    select
        feed,
        feed_title_zh,
        provider,
        district_code,
        district_name_zh,
        period,
        period_start,
        period_end,
        due_date,
        delivery_status,
        is_received,
        is_on_time,
        days_late,
        has_warning,
        first_received_at,
        first_accepted_at,
        institutions_expected,
        institutions_reported,
        round(100.0 * institutions_reported / nullif(institutions_expected, 0), 2)
            as institution_reporting_rate
    from {{ ref('int_feed_deliveries_expected') }}
)

select * from deliveries as d
{% if is_incremental() %}
    where {{ row_not_held('d', key_columns, value_columns) }}
{% endif %}
