-- 报送完整性与及时性: expected vs received, on time vs late, per feed x district x
-- period; for the 卫统 monthly report also active institutions expected vs reported.
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
