-- depends_on: {{ ref('indicator_registry') }}
-- depends_on: {{ ref('int_indicator_values_rolled_up') }}
-- depends_on: {{ ref('int_chronic_hospitalisation_linked') }}
-- depends_on: {{ ref('int_stationed_physicians_counted') }}
-- depends_on: {{ ref('int_indicator_inputs_checked') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='period_start',
        post_hook=[
            "{{ incremental_index('start', ['period_start']) }}",
            "{{ incremental_index('built', ['built_at']) }}",
        ]
    )
}}

-- Every indicator value, one row per indicator x area x period, from the monthly
-- ratio rollup, the growth comparison and the annual and person-level indicators,
-- with its completeness flags and status: fct_indicator_values without the labels.
--
-- Incremental by calendar year (every period lies in one; delete+insert on
-- period_start): a year is recomputed when the rollup rebuilt it since this
-- model's last run (and the following year, whose M10B compares with it), when
-- M04 or M13 rebuilt it, when the completeness of one of its inputs changed, or
-- when an annual indicator recomputed in full from small inputs (M01-M03, M05B,
-- M06, M14) differs from what this model holds for it.
{# Annual indicators recomputed in full from small inputs (compared with what is held). #}
{% set annual_models = [
    'int_closeness_levels_assessed',
    'int_ecg_coverage_aggregated',
    'int_income_ratio_pooled',
    'int_premature_mortality_computed',
] %}

with annual_values as (
    {{ union_indicator_values(models=annual_models) }}
),

{% if is_incremental() %}
    rollup_years as (
        {{ years_rebuilt_in(ref('int_indicator_values_rolled_up'), 'period_start') }}
    ),

    held_annual as (
        select {{ indicator_value_select('t') }}
        from {{ this }} as t
        where
            t.indicator_code in (
                select r.indicator_code from {{ ref('indicator_registry') }} as r
                where
                    r.computed_in in (
                        {%- for model in annual_models %}
                            '{{ model }}'{{ "," if not loop.last }}
                        {%- endfor %}
                    )
            )
    ),

    changed_years as (
        select y.year_start from rollup_years as y
        union
        select {{ next_year_start('y.year_start') }} from rollup_years as y
        union
        {{ years_rebuilt_in(ref('int_chronic_hospitalisation_linked'), 'period_start') }}
        union
        {{ years_rebuilt_in(ref('int_stationed_physicians_counted'), 'period_start') }}
        union
        {{ years_rebuilt_in(ref('int_indicator_inputs_checked'), 'input_start') }}
        union
        -- the annual values that differ from those held (same columns, same order)
        select {{ year_start('d.period_start') }}
        from (
            (
                select * from annual_values
                except
                select * from held_annual
            )
            union all
            (
                select * from held_annual
                except
                select * from annual_values
            )
        ) as d
    ),
{% endif %}

-- Every period lies in one year: a changed year's rows are all its periods'.
all_values as (
    {{ union_indicator_values(
        models=[
            'int_indicator_values_rolled_up',
            'int_inpatient_cost_growth_compared',
            'int_stationed_physicians_counted',
            'int_chronic_hospitalisation_linked',
        ],
        ctes=['annual_values'],
        join_sql=(
            join_changed_years('v.period_start')
        ) if is_incremental() else '',
    ) }}
),

checked as (
    select c.*
    from {{ ref('int_indicator_inputs_checked') }} as c
    {% if is_incremental() %}
        where exists (
            select 1 from changed_years as y
            where
                c.input_end >= y.year_start
                and c.input_start < {{ next_year_start('y.year_start') }}
        )
    {% endif %}
),

completeness as (
    -- Inputs of every month of the period: the district's own, and for the
    -- municipality every district's.
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
    inner join checked as c
        on
            v.indicator_code = c.indicator_code
            and (
                v.area_code = c.district_code
                or v.area_code = '{{ var("municipality_code") }}'
            )
            and v.period_end >= c.input_start
            and v.period_start <= c.input_end
    group by v.indicator_code, v.area_code, v.period_type, v.period_start, v.period_end
)

select
    v.indicator_code,
    v.area_code,
    v.period_type,
    v.period_start,
    v.period_end,
    v.numerator,
    v.denominator,
    v.value,
    case
        when v.months_present < v.months_in_period then 'provisional'
        when c.input_revised then 'revised'
        else 'final'
    end as status,
    cast(v.months_present as bigint) as months_present,
    cast(v.months_in_period as integer) as months_in_period,
    c.input_complete,
    c.input_warning,
    cast(now() as timestamptz) as built_at
from all_values as v
left join completeness as c
    on
        v.indicator_code = c.indicator_code
        and v.area_code = c.area_code
        and v.period_type = c.period_type
        and v.period_start = c.period_start
        and v.period_end = c.period_end
