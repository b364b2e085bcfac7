-- Monthly numerator and denominator per indicator and district: the one input
-- of every ratio-of-sums rollup in fct_indicator_values.
select
    'M07' as indicator_code,
    district_code,
    month_start,
    primary_visits as numerator,
    total_visits as denominator
from {{ ref('int_visits_aggregated_to_district_month') }}
union all
select
    'M12' as indicator_code,
    district_code,
    month_start,
    tcm_visits as numerator,
    total_visits as denominator
from {{ ref('int_visits_aggregated_to_district_month') }}
