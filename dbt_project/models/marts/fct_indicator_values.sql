-- 监测指标值: one row per indicator x area x period, from the monthly ratio
-- rollup, the growth comparison and the annual and person-level indicators.
with all_values as (
    select * from {{ ref('int_indicator_values_rolled_up') }}
    union all
    select * from {{ ref('int_inpatient_cost_growth_compared') }}
    union all
    select * from {{ ref('int_closeness_levels_assessed') }}
    union all
    select * from {{ ref('int_stationed_physicians_counted') }}
    union all
    select * from {{ ref('int_ecg_coverage_aggregated') }}
    union all
    select * from {{ ref('int_income_ratio_pooled') }}
    union all
    select
        indicator_code,
        area_code,
        period_type,
        period_start,
        period_end,
        numerator,
        denominator,
        value,
        months_present,
        months_in_period
    from {{ ref('int_chronic_hospitalisation_linked') }}
    union all
    select * from {{ ref('int_premature_mortality_computed') }}
),

completeness as (
    -- Monthly inputs of every month (and, for the municipality, every district).
    select
        v.indicator_code,
        v.area_code,
        v.period_type,
        v.period_start,
        v.period_end,
        bool_and(c.input_complete) as input_complete,
        bool_or(c.input_warning) as input_warning,
        bool_or(c.input_revised) as input_revised
    from all_values as v
    inner join {{ ref('int_indicator_inputs_checked') }} as c
        on
            v.indicator_code = c.indicator_code
            and (v.area_code = c.district_code or v.area_code = '{{ var("municipality_code") }}')
            and v.period_end >= c.input_start
            and v.period_start <= c.input_end
    group by v.indicator_code, v.area_code, v.period_type, v.period_start, v.period_end
)

select
    v.indicator_code,
    i.indicator_name_zh,
    i.indicator_name_en,
    i.dimension_zh,
    v.area_code,
    a.area_name_zh,
    a.area_name_en,
    v.period_type,
    v.period_start,
    v.period_end,
    v.numerator,
    v.denominator,
    v.value,
    i.unit,
    case
        when v.months_present < v.months_in_period then 'provisional'
        when completeness.input_revised then 'revised'
        else 'final'
    end as status,
    cast(v.months_present as bigint) as months_present,
    cast(v.months_in_period as integer) as months_in_period,
    completeness.input_complete,
    completeness.input_warning
from all_values as v
inner join {{ ref('dim_indicators') }} as i
    on v.indicator_code = i.indicator_code
left join {{ ref('dim_districts') }} as a
    on v.area_code = a.area_code
left join completeness
    on
        v.indicator_code = completeness.indicator_code
        and v.area_code = completeness.area_code
        and v.period_type = completeness.period_type
        and v.period_start = completeness.period_start
        and v.period_end = completeness.period_end
