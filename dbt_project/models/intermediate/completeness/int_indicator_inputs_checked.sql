{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['indicator_code', 'district_code', 'input_start', 'input_end'],
        on_schema_change='append_new_columns',
        post_hook=[
            "{{ incremental_index('key', ['indicator_code', 'district_code', 'input_start']) }}",
            "{{ incremental_index('built', ['built_at', 'input_start']) }}",
        ]
    )
}}

-- Per indicator, district and input delivery period: for a monthly indicator,
-- whether every monthly input arrived (and, for the 卫统 report, every active
-- institution reported) and whether any was accepted with warnings (outliers,
-- reporting drops); for every indicator and periodicity, whether an input was
-- restated (a second accepted delivery), which makes the values built on it
-- revised. Annual inputs span their year, so a corrected population restates
-- every month of it.
--
-- Every row is recomputed from the expected deliveries (a few thousand rows a
-- year); only rows that changed are written, with a new built_at: how the
-- indicator values find the periods whose completeness changed, whether through
-- a delivery or because a period fell due. A row is never withdrawn (expected
-- deliveries only accumulate).
with checked as (
    select
        r.indicator_code,
        d.district_code,
        d.period_start as input_start,
        d.period_end as input_end,
        bool_and(
            d.is_received
            and coalesce(d.institutions_reported >= d.institutions_expected, true)
        ) filter (where r.periodicity = 'month' and d.periodicity = 'month') as input_complete,
        bool_or(d.has_warning) filter (
            where r.periodicity = 'month' and d.periodicity = 'month'
        ) as input_warning,
        bool_or(d.is_revised) as input_revised
    from {{ ref('indicator_registry') }} as r
    cross join lateral unnest(string_to_array(r.source_feeds, ';')) as s (feed)
    inner join {{ ref('int_feed_deliveries_expected') }} as d
        on s.feed = d.feed
    group by r.indicator_code, d.district_code, d.period_start, d.period_end
)

select
    c.indicator_code,
    c.district_code,
    c.input_start,
    c.input_end,
    c.input_complete,
    c.input_warning,
    c.input_revised,
    cast(now() as timestamptz) as built_at
from checked as c
{% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as t
        where
            t.indicator_code = c.indicator_code
            and t.district_code = c.district_code
            and t.input_start = c.input_start
            and t.input_end = c.input_end
            and t.input_complete is not distinct from c.input_complete
            and t.input_warning is not distinct from c.input_warning
            and t.input_revised is not distinct from c.input_revised
    )
{% endif %}
