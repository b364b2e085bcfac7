{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        post_hook=[
            "{{ incremental_index('batch', ['batch_id']) }}",
            "{{ incremental_index('month', ['month_start']) }}",
        ]
    )
}}

-- Death registrations counted per district, registration month, year of death and
-- M14's 5-year age band: deaths from cardiovascular disease (I00-I99), cancer
-- (C00-C97), diabetes (E10-E14) or chronic respiratory disease (J30-J98) at ages
-- 30 (the lower age) to 69 fall in their band; every other death is counted with
-- no band, so every month with registrations has rows. Incremental by
-- registration month: a month is rebuilt when its batch is not built yet.
with deaths as (
    select
        d.district_code,
        d.period_start as month_start,
        {{ year_of('d.death_date') }} as data_year,
        cast(extract(year from age(d.death_date, d.birth_date)) as integer) as age_years,
        (
            left(d.underlying_cause_icd10, 3) between 'I00' and 'I99'
            or left(d.underlying_cause_icd10, 3) between 'C00' and 'C97'
            or left(d.underlying_cause_icd10, 3) between 'E10' and 'E14'
            or left(d.underlying_cause_icd10, 3) between 'J30' and 'J98'
        ) as is_ncd,
        d.batch_id
    from {{ staged_rows_to_rebuild(
        ref('stg_hc__death_registrations'),
        'death_registrations'
    ) }} as d
),

banded as (
    select
        district_code,
        month_start,
        data_year,
        case
            when
                is_ncd
                and age_years between {{ var('premature_mortality_lower_age') }} and 69
                then cast(floor(age_years / 5.0) * 5 as integer)
        end as band_start,
        batch_id
    from deaths
)

select
    district_code,
    month_start,
    data_year,
    band_start,
    count(*) as deaths,
    max(batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from banded
group by district_code, month_start, data_year, band_start
