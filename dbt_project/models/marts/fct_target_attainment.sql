-- 主要核心绩效指标达成: one row per district x plan indicator x target year, for
-- the districts with a published plan (others have no rows, not "failed"), and
-- the municipal plan's goals (seed municipal_goals) as rows of area 500000.
-- The actual is the computed monitoring indicator where the plan indicator is
-- the same quantity (M06, M07), else the directly reported annual value; for the
-- municipal goal, the share of districts that built the community in the year.
{%- set target_columns = [
    'district_code', 'seq', 'indicator_name', 'unit', 'baseline_year',
    'baseline_operator', 'baseline_value', 'target_year',
    'target_operator_as_written', 'target_value', 'monitoring_indicator_code'
] %}
{%- set actual_columns = [
    'district_code', 'seq', 'actual_year', 'value', 'status', 'actual_source'
] %}
with all_targets as (
    select {{ target_columns | join(', ') }}
    from {{ ref('core_performance_targets') }}
    union all
    select {{ target_columns | join(', ') }}
    from {{ ref('municipal_goals') }}
),

targets as (
    select
        *,
        coalesce(target_operator_as_written, '>=') as target_operator,
        regexp_replace(normalize(indicator_name, nfkc), '[[:space:]]', '', 'g') as name_key
    from all_targets
),

plan_indicators as (
    select distinct
        district_code,
        seq,
        monitoring_indicator_code,
        name_key
    from targets
),

-- A district has built the close-knit community in a year when M01, M02 and M03
-- are all at level 2 (已建立并实施). Each year assessed counts the districts
-- valid at its end, those without an assessment as not built.
closeness as (
    select
        v.area_code,
        cast(extract(year from v.period_start) as integer) as actual_year,
        count(*) = 3 and min(v.value) = 2 as built,
        bool_and(v.status in ('final', 'revised')) as settled
    from {{ ref('fct_indicator_values') }} as v
    where v.indicator_code in ('M01', 'M02', 'M03') and v.period_type = 'year'
    group by v.area_code, extract(year from v.period_start)
),

districts_of_year as (
    select
        y.actual_year,
        d.area_code
    from (select distinct actual_year from closeness) as y
    cross join {{ ref('dim_districts') }} as d
    where
        d.area_type <> 'municipality'
        and coalesce(d.valid_from, '-infinity') <= make_date(y.actual_year, 12, 31)
        and coalesce(d.valid_to, 'infinity') >= make_date(y.actual_year, 12, 31)
),

goals as (
    select distinct seq from {{ ref('municipal_goals') }}
),

municipal_built as (
    select
        '{{ var("municipality_code") }}' as district_code,
        g.seq,
        y.actual_year,
        100.0 * count(*) filter (where c.built) / count(*) as value,
        case
            when count(c.area_code) = count(*) and bool_and(c.settled) then 'final'
            else 'provisional'
        end as status,
        'computed' as actual_source
    from districts_of_year as y
    cross join goals as g
    left join closeness as c
        on y.area_code = c.area_code and y.actual_year = c.actual_year
    group by g.seq, y.actual_year
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
    {%- for part in ['computed', 'reported', 'municipal_built'] %}
        select {{ actual_columns | join(', ') }} from {{ part }}
        {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
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
