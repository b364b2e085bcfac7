-- M06: per-capita income (人员经费 / 在职职工年平均人数) of primary-level
-- institutions over that of the lead hospital(s), pooled within the district
-- (several lead hospitals) and across districts for the municipality.
-- Institutions are classified by the registry of the report year's December.
with reports as (
    select
        f.district_code,
        f.period_start as year_start,
        f.staff_costs,
        f.avg_staff,
        i.is_primary_level,
        i.is_lead_hospital
    from {{ ref('stg_fin__annual_report') }} as f
    inner join {{ ref('int_institution_months_classified') }} as i
        on
            f.credit_code = i.credit_code
            and i.month_start = {{ december_of('f.period_start') }}
),

pooled as (
    select
        coalesce(district_code, '{{ var("municipality_code") }}') as area_code,
        year_start,
        sum(staff_costs) filter (where is_primary_level)
        / nullif(sum(avg_staff) filter (where is_primary_level), 0) as primary_per_capita,
        sum(staff_costs) filter (where is_lead_hospital)
        / nullif(sum(avg_staff) filter (where is_lead_hospital), 0) as lead_per_capita
    from reports
    group by grouping sets ((district_code, year_start), (year_start))
)

select
    'M06' as indicator_code,
    area_code,
    'year' as period_type,
    year_start as period_start,
    {{ year_end('year_start') }} as period_end,
    primary_per_capita as numerator,
    lead_per_capita as denominator,
    {{ indicator_value('M06', 'primary_per_capita', 'lead_per_capita') }} as value,
    12 as months_present,
    12 as months_in_period
from pooled
