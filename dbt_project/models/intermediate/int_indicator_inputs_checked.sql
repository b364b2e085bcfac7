{{ config(materialized='table') }}

-- Per indicator, district and input delivery period: for a monthly indicator,
-- whether every monthly input arrived (and, for the 卫统 report, every active
-- institution reported) and whether any was accepted with warnings (outliers,
-- reporting drops); for every indicator and periodicity, whether an input was
-- restated (a second accepted delivery), which makes the values built on it
-- revised. Annual inputs span their year, so a corrected population restates
-- every month of it.
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
