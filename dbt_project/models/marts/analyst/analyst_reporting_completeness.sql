{{ config(materialized='view') }}
-- 数据报送完整性: fct_reporting_completeness with Chinese column names.
select
    c.feed as 数据代码,
    c.feed_title_zh as 数据名称,
    c.district_code as 区划代码,
    c.district_name_zh as 区县,
    c.period as 报告期,
    c.due_date as 应报日期,
    case c.delivery_status
        when 'received' then '已接收'
        when 'rejected' then '被拒收'
        else '未报送'
    end as 报送情况,
    c.is_on_time as 是否按时,
    c.days_late as 逾期天数,
    c.has_warning as 是否预警,
    c.institutions_expected as 应报机构数,
    c.institutions_reported as 已报机构数
from {{ ref('fct_reporting_completeness') }} as c
