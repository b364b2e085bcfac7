-- depends_on: {{ ref('int_institution_months_classified') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='snapshot_month',
        post_hook=[
            "{{ incremental_index('batch', ['batch_id']) }}",
            "{{ incremental_index('snapshot', ['snapshot_month']) }}",
            "{{ incremental_index('built', ['built_at', 'snapshot_month']) }}",
        ]
    )
}}

-- M04's persons: one row per person, host district and stationing-roster snapshot,
-- qualifying when one of the person's stationings there counts: an intermediate or
-- higher title, sent by a level-2+ institution to a primary-level one (registry of
-- the snapshot month), covering at least 6 calendar months of the year by the
-- snapshot's month end (clipped to the year). Incremental by snapshot month: a
-- month is rebuilt when its roster batch is not built yet or its registry snapshot
-- was rebuilt since this model's last run.
with roster as (
    select
        r.person_id_hash,
        r.district_code,
        r.period_start as snapshot_month,
        {{ year_start('r.period_start') }} as year_start,
        {{ month_end('r.period_start') }} as period_end,
        r.start_date,
        r.end_date,
        r.batch_id,
        r.title_level in ('中级', '副高级', '正高级')
        and sending.is_level_two_or_higher
        and hosting.is_primary_level as is_eligible
    from {{ staged_rows_to_rebuild(
        ref('stg_hc__stationing_roster'),
        'hs_stationing_roster',
        more_months_sql=periods_rebuilt_in(ref('int_institution_months_classified'))
    ) }} as r
    left join {{ ref('int_institution_months_classified') }} as sending
        on
            r.sending_institution_code = sending.credit_code
            and r.period_start = sending.month_start
    left join {{ ref('int_institution_months_classified') }} as hosting
        on
            r.host_institution_code = hosting.credit_code
            and r.period_start = hosting.month_start
)

select
    district_code,
    snapshot_month,
    person_id_hash,
    coalesce(
        bool_or(
            coalesce(is_eligible, false)
            and least(coalesce(end_date, period_end), period_end)
            >= greatest(start_date, year_start) + interval '6 months' - interval '1 day'
        ),
        false
    ) as qualifies,
    max(batch_id) as batch_id,
    cast(now() as timestamptz) as built_at
from roster
group by district_code, snapshot_month, person_id_hash
