-- M14: WHO SDG 3.4.1 probability of dying between the lower age (30) and 70 from
-- cardiovascular disease (I00-I99), cancer (C00-C97), diabetes (E10-E14) or
-- chronic respiratory disease (J30-J98). Per 5-year band M = deaths / population,
-- q = 5M / (1 + 2.5M); result = (1 - prod(1 - q)) x 100. The municipality pools
-- deaths and population per band before computing. Recomputed in full from the
-- deaths counted per month (a few hundred rows a month).
with bands as (
    select cast(generate_series({{ var('premature_mortality_lower_age') }}, 65, 5) as integer)
        as band_start
),

deaths as (
    select
        district_code,
        data_year,
        band_start,
        sum(deaths) as deaths
    from {{ ref('int_deaths_counted') }}
    where band_start is not null
    group by district_code, data_year, band_start
),

registration_months as (
    select
        district_code,
        {{ year_of('month_start') }} as data_year,
        count(distinct month_start) as months_present
    from {{ ref('int_deaths_counted') }}
    group by district_code, {{ year_of('month_start') }}
),

population as (
    select
        y.district_code,
        y.data_year,
        cast(split_part(p.age_group, '-', 1) as integer) as band_start,
        sum(p.residents) as residents
    from {{ ref('int_population_by_district_year') }} as y
    inner join {{ ref('stg_stat__population') }} as p
        on
            y.district_code = p.district_code
            and cast(p.period as integer) = y.source_year
    where p.age_group like '%-%'
    group by y.district_code, y.data_year, split_part(p.age_group, '-', 1)
),

cells as (
    select
        r.district_code,
        r.data_year,
        b.band_start,
        r.months_present,
        coalesce(pop.residents, 0) as residents,
        coalesce(d.deaths, 0) as deaths
    from registration_months as r
    cross join bands as b
    left join population as pop
        on
            r.district_code = pop.district_code
            and r.data_year = pop.data_year
            and b.band_start = pop.band_start
    left join deaths as d
        on
            r.district_code = d.district_code
            and r.data_year = d.data_year
            and b.band_start = d.band_start
),

pooled as (
    select
        coalesce(district_code, '{{ var("municipality_code") }}') as area_code,
        data_year,
        band_start,
        sum(deaths) as deaths,
        sum(residents) as residents,
        min(months_present) as months_present,
        bool_and(residents > 0) as has_population
    from cells
    group by grouping sets ((district_code, data_year, band_start), (data_year, band_start))
),

probabilities as (
    select
        area_code,
        data_year,
        months_present,
        has_population,
        5.0 * (deaths / nullif(residents, 0))
        / (1 + 2.5 * (deaths / nullif(residents, 0))) as q
    from pooled
)

select
    'M14' as indicator_code,
    area_code,
    'year' as period_type,
    {{ first_day_of_year('data_year') }} as period_start,
    {{ last_day_of_year('data_year') }} as period_end,
    cast(null as numeric) as numerator,
    cast(null as numeric) as denominator,
    case
        when bool_and(has_population)
            then {{ indicator_value('M14', '(1 - exp(sum(ln(1 - q))))') }}
    end as value,
    min(months_present) as months_present,
    12 as months_in_period
from probabilities
group by area_code, data_year
