{{ config(materialized='table') }}

-- Whether every monthly input of a monthly indicator arrived for a district and
-- month (and, for the 卫统 report, every active institution reported), and whether
-- any of them was accepted with warnings (outliers, reporting drops) or replaced
-- an earlier accepted delivery (a restatement).
select
    r.indicator_code,
    d.district_code,
    d.period_start as month_start,
    bool_and(
        d.is_received
        and coalesce(d.institutions_reported >= d.institutions_expected, true)
    ) as input_complete,
    bool_or(d.has_warning) as input_warning,
    bool_or(d.is_revised) as input_revised
from {{ ref('indicator_registry') }} as r
cross join lateral unnest(string_to_array(r.source_feeds, ';')) as s (feed)
inner join {{ ref('int_feed_deliveries_expected') }} as d
    on s.feed = d.feed
where r.periodicity = 'month' and d.periodicity = 'month'
group by r.indicator_code, d.district_code, d.period_start
