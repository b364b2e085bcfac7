-- depends_on: {{ ref('int_visits_aggregated_to_district_month') }}
-- depends_on: {{ ref('int_fund_spending_classified') }}
-- depends_on: {{ ref('int_settlements_classified') }}
-- depends_on: {{ ref('int_remote_diagnoses_counted') }}
-- depends_on: {{ ref('int_population_by_district_year') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month_start',
        on_schema_change='append_new_columns',
        pre_hook="{{ add_tracking_columns({'built_at': 'timestamptz'}) }}",
        post_hook=[
            "{{ incremental_index('month', ['month_start']) }}",
            "{{ incremental_index('built', ['built_at', 'month_start']) }}",
        ]
    )
}}

-- Monthly numerator and denominator per ratio indicator and district: the one
-- input of the ratio-of-sums rollup in fct_indicator_values. A stock
-- denominator (resident population) is summed over districts, never over months.
--
-- Incremental by month: a month is rebuilt (every indicator) when its visits,
-- fund spending, settlements or remote diagnoses were rebuilt since this model's
-- last run, or the resident population of its year changed.
with
{% if is_incremental() %}
    months as (
        {{ periods_rebuilt_in(ref('int_visits_aggregated_to_district_month')) }}
        union
        {{ periods_rebuilt_in(ref('int_fund_spending_classified')) }}
        union
        {{ periods_rebuilt_in(ref('int_settlements_classified')) }}
        union
        {{ periods_rebuilt_in(ref('int_remote_diagnoses_counted')) }}
        union
        select r.month_start
        from {{ ref('int_remote_diagnoses_counted') }} as r
        inner join {{ ref('int_population_by_district_year') }} as p
            on {{ year_of('r.month_start') }} = p.data_year
        where p.built_at > {{ last_built_at() }}
    ),
{% endif %}

visits as (
    select v.*
    from {{ ref('int_visits_aggregated_to_district_month') }} as v
    {% if is_incremental() %}
        where v.month_start in (select m.month_start from months as m)
    {% endif %}
),

remote_reported as (
    -- 病理 (pathology) is not imaging and does not count toward 5a.
    select
        r.district_code,
        r.month_start,
        sum(r.diagnoses) filter (where r.exam_category <> '病理') as diagnoses
    from {{ ref('int_remote_diagnoses_counted') }} as r
    {% if is_incremental() %}
        where r.month_start in (select m.month_start from months as m)
    {% endif %}
    group by r.district_code, r.month_start
),

remote as (
    -- The month's delivery was received: a district none of whose institutions
    -- requested a remote diagnosis had 0, not a missing value (which would drop
    -- its population from the municipal denominator).
    select
        d.code as district_code,
        m.month_start,
        coalesce(r.diagnoses, 0) as diagnoses
    from (
        select distinct
            month_start,
            {{ month_end('month_start') }} as month_end
        from remote_reported
    ) as m
    inner join {{ ref('ref_districts') }} as d
        on
            (d.valid_from is null or m.month_end >= d.valid_from)
            and (d.valid_to is null or m.month_end <= d.valid_to)
    left join remote_reported as r
        on m.month_start = r.month_start and d.code = r.district_code
),

fund as (
    select
        insured_district_code as district_code,
        month_start,
        sum(fund_paid) filter (
            where is_medical_institution and provider_district_code = insured_district_code
        ) as in_district,
        sum(fund_paid) filter (
            where
            is_medical_institution
            and provider_district_code = insured_district_code
            and is_primary_level
        ) as in_district_primary,
        sum(fund_paid) filter (where is_medical_institution) as all_medical
    from {{ rows_of_months(
        ref('int_fund_spending_classified'), 'select m.month_start from months as m'
    ) }} as f
    group by insured_district_code, month_start
),

stays as (
    select
        insured_district_code as district_code,
        month_start,
        count(*) filter (where is_in_district) as in_district_stays,
        sum(total_cost) filter (where is_in_district) as in_district_cost,
        count(*) as all_stays
    from {{ rows_of_months(
        ref('int_settlements_classified'), 'select m.month_start from months as m'
    ) }} as s
    group by insured_district_code, month_start
),

unioned as (
    select
        'M07' as indicator_code,
        district_code,
        month_start,
        primary_visits as numerator,
        total_visits as denominator,
        false as denominator_is_stock
    from visits
    union all
    select
        'M12' as indicator_code,
        district_code,
        month_start,
        tcm_visits as numerator,
        total_visits as denominator,
        false as denominator_is_stock
    from visits
    union all
    select
        'M05A' as indicator_code,
        r.district_code,
        r.month_start,
        r.diagnoses as numerator,
        p.residents as denominator,
        true as denominator_is_stock
    from remote as r
    left join {{ ref('int_population_by_district_year') }} as p
        on
            r.district_code = p.district_code
            and {{ year_of('r.month_start') }} = p.data_year
    union all
    select
        'M08' as indicator_code,
        district_code,
        month_start,
        coalesce(in_district, 0) as numerator,
        all_medical as denominator,
        false as denominator_is_stock
    from fund
    union all
    select
        'M09' as indicator_code,
        district_code,
        month_start,
        coalesce(in_district_primary, 0) as numerator,
        in_district as denominator,
        false as denominator_is_stock
    from fund
    union all
    select
        'M10A' as indicator_code,
        district_code,
        month_start,
        in_district_cost as numerator,
        in_district_stays as denominator,
        false as denominator_is_stock
    from stays
    union all
    select
        'M11' as indicator_code,
        district_code,
        month_start,
        in_district_stays as numerator,
        all_stays as denominator,
        false as denominator_is_stock
    from stays
)

select
    indicator_code,
    district_code,
    month_start,
    numerator,
    denominator,
    denominator_is_stock,
    cast(now() as timestamptz) as built_at
from unioned
