{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['district_code', 'data_year'],
        post_hook=[
            "{{ incremental_index('built', ['built_at', 'data_year']) }}",
        ]
    )
}}

-- Resident population per district for every data year: the year-end figure of
-- that year, else the latest earlier year available. A figure from before a
-- district's borders changed (2026: 北碚区; 两江新区 is new) is not carried
-- across the change: the value stays null rather than silently wrong. A retired
-- district has no population after the year it ended in.
--
-- Every figure is recomputed (a few hundred rows); only those that changed are
-- written, with a new built_at: how the models using the population find the
-- years to recompute. A figure is only ever replaced, never withdrawn.
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
        (d.valid_to is null or d.valid_to >= {{ last_day_of_year('y.data_year') }})
        and (d.valid_from is null or d.valid_from <= {{ last_day_of_year('y.data_year') }})
        and (
            d.borders_changed_on is null
            or d.borders_changed_on <= {{ last_day_of_year('p.source_year') }}
            or d.borders_changed_on > {{ last_day_of_year('y.data_year') }}
        )
),

resolved as (
    select
        district_code,
        data_year,
        source_year,
        residents
    from candidates
    where newest_first = 1
)

select
    r.district_code,
    r.data_year,
    r.source_year,
    r.residents,
    cast(now() as timestamptz) as built_at
from resolved as r
{% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as t
        where
            t.district_code = r.district_code
            and t.data_year = r.data_year
            and t.source_year is not distinct from r.source_year
            and t.residents is not distinct from r.residents
    )
{% endif %}
