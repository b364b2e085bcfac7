-- Visits per district and month: all, primary-level (M07) and TCM (M12).
-- TCM-category institutions count their total visits whole (indicators.md).
select
    s.district_code,
    i.month_start,
    sum(s.total_visits) as total_visits,
    sum(case when i.is_primary_level then s.total_visits else 0 end) as primary_visits,
    sum(case when i.is_tcm_category then s.total_visits else s.tcm_visits end) as tcm_visits,
    count(*) as reporting_institutions
from {{ ref('stg_hc__monthly_services') }} as s
inner join {{ ref('int_institution_months_classified') }} as i
    on
        s.credit_code = i.credit_code
        and s.period_start = i.month_start
group by s.district_code, i.month_start
