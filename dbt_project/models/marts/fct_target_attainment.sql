-- 主要核心绩效指标达成: one row per district x plan indicator x target year, for
-- the districts with a published plan (others have no rows, not "failed").
-- The actual is the computed monitoring indicator where the plan indicator is
-- the same quantity (M06, M07), else the directly reported annual value.
with targets as (
    select
        *,
        coalesce(target_operator_as_written, '>=') as target_operator,
        regexp_replace(normalize(indicator_name, nfkc), '[[:space:]]', '', 'g') as name_key
    from {{ ref('core_performance_targets') }}
),

plan_indicators as (
    select distinct
        district_code,
        seq,
        monitoring_indicator_code,
        name_key
    from targets
),

computed as (
    select
        p.district_code,
        p.seq,
        cast(extract(year from v.period_start) as integer) as actual_year,
        v.value,
        v.status,
        'computed' as actual_source
    from plan_indicators as p
    inner join {{ ref('fct_indicator_values') }} as v
        on
            p.monitoring_indicator_code = v.indicator_code
            and p.district_code = v.area_code
    where v.period_type = 'year' and v.value is not null
),

reported as (
    select
        p.district_code,
        p.seq,
        cast(r.period as integer) as actual_year,
        r.value,
        'final' as status,
        'reported' as actual_source
    from plan_indicators as p
    inner join {{ ref('stg_hc__annual_programme') }} as r
        on
            p.district_code = r.district_code
            and p.name_key
            = regexp_replace(normalize(r.indicator_name, nfkc), '[[:space:]]', '', 'g')  -- noqa: RF02, LT05
    where p.monitoring_indicator_code is null
),

actuals as (
    select * from computed
    union all
    select * from reported
),

latest as (
    select
        t.*,
        a.actual_year,
        a.value as actual_value,
        a.status as actual_status,
        a.actual_source,
        row_number() over (
            partition by t.district_code, t.seq, t.target_year
            order by a.actual_year desc nulls last
        ) as newest_first
    from targets as t
    left join actuals as a
        on
            t.district_code = a.district_code
            and t.seq = a.seq
            and t.target_year >= a.actual_year
),

judged as (
    select
        *,
        case
            when actual_value is null then null
            when target_operator = '>=' then actual_value >= target_value
            when target_operator = '<=' then actual_value <= target_value
        end as meets_target
    from latest
    where newest_first = 1
)

select
    j.district_code,
    d.area_name_zh as district_name_zh,
    d.area_name_en as district_name_en,
    j.seq as indicator_seq,
    j.indicator_name as indicator_name_zh,
    j.unit,
    j.monitoring_indicator_code,
    j.baseline_year,
    j.baseline_operator,
    j.baseline_value,
    j.target_year,
    j.target_operator,
    j.target_value,
    j.actual_year as latest_actual_year,
    j.actual_value as latest_actual,
    j.actual_source,
    j.actual_status,
    j.meets_target,
    -- Decided only by the target year's own value once it is no longer provisional
    -- (final, or revised after a correction).
    case
        when j.actual_year = j.target_year and j.actual_status in ('final', 'revised')
            then j.meets_target
    end as attained
from judged as j
left join {{ ref('dim_districts') }} as d
    on j.district_code = d.area_code
