-- Resident population per district for every data year: the year-end figure of
-- that year, else the latest earlier year available. A figure from before a
-- district's borders changed (2026: 北碚区; 两江新区 is new) is not carried
-- across the change: the value stays null rather than silently wrong. A retired
-- district has no population after the year it ended in.
with population as (
    select
        district_code,
        cast(period as integer) as source_year,
        sum(residents) as residents
    from {{ ref('stg_stat__population') }}
    group by district_code, period
),

years as (
    select cast(generate_series(2015, 2040) as integer) as data_year
),

candidates as (
    select
        p.district_code,
        y.data_year,
        p.source_year,
        p.residents,
        row_number() over (
            partition by p.district_code, y.data_year order by p.source_year desc
        ) as newest_first
    from population as p
    inner join years as y on p.source_year <= y.data_year
    inner join {{ ref('ref_districts') }} as d on p.district_code = d.code
    where
        -- only districts that exist at the data year's end: the populations of
        -- retired districts (江北区, 渝北区 from 2026) are not carried forward
        (d.valid_to is null or d.valid_to >= make_date(y.data_year, 12, 31))
        and (d.valid_from is null or d.valid_from <= make_date(y.data_year, 12, 31))
        and (
            d.borders_changed_on is null
            or d.borders_changed_on <= make_date(p.source_year, 12, 31)
            or d.borders_changed_on > make_date(y.data_year, 12, 31)
        )
)

select
    district_code,
    data_year,
    source_year,
    residents
from candidates
where newest_first = 1
