-- Operational schema: batch lifecycle and lineage. Idempotent.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists marts;
create schema if not exists ops;
create schema if not exists reference;

create sequence if not exists ops.batch_id_seq;

create table if not exists ops.batch_log (
    batch_id bigint primary key default nextval('ops.batch_id_seq'),
    feed text not null,
    provider text not null,
    period text not null,
    file_name text not null,
    file_path text not null,
    archive_path text,
    sha256 text not null,
    received_at timestamptz not null default now(),
    row_count integer,
    district_codes text [] not null default '{}',
    money_unit_factor numeric not null default 1,
    status text not null default 'received',
    rules_failed text [] not null default '{}',
    message text,
    validated_at timestamptz,
    decided_at timestamptz,
    unique (feed, period, sha256)
);

create index if not exists batch_log_feed_period on ops.batch_log (feed, period);

-- The full GX validation result of the batch (JSON), for the people on duty.
alter table ops.batch_log add column if not exists report_path text;

-- First day of the folder's period; null when the folder name is not a period
-- (such a batch is rejected): models read this, never the folder name.
alter table ops.batch_log add column if not exists period_start date;

-- The rules the loader decided while the rows streamed through it
-- (include/yigongti/quality/streamed.py); null until the batch has landed.
alter table ops.batch_log add column if not exists rules_streamed text [];

-- The states of a batch's life, written from include/yigongti/batches.py (the
-- one owner of status); batch_log.status references them.
create table if not exists ops.batch_state (
    state text primary key,
    label_zh text not null,
    active boolean not null,
    undecided boolean not null
);

-- One row per district a batch holds rows for: the unit of supersession.
create table if not exists ops.batch_district (
    batch_id bigint not null references ops.batch_log (batch_id),
    district_code text not null,
    row_count integer not null,
    primary key (batch_id, district_code)
);

-- Sample offending rows per failed rule, for the people on duty.
create table if not exists ops.batch_rule_result (
    batch_id bigint not null references ops.batch_log (batch_id),
    rule text not null,
    severity text not null check (severity in ('failure', 'warning')),
    column_name text,
    unexpected_count bigint,
    sample jsonb,
    primary key (batch_id, rule)
);

-- The active batch per (feed, period, district): the most recently received
-- accepted batch holding rows for that district.
create or replace view ops.active_batch as
select distinct on (b.feed, b.period, d.district_code)
    b.feed,
    b.period,
    d.district_code,
    b.batch_id,
    b.received_at,
    b.money_unit_factor,
    b.period_start
from ops.batch_log as b
inner join ops.batch_district as d on b.batch_id = d.batch_id
where b.status in (select s.state from ops.batch_state as s where s.active)
order by b.feed, b.period, d.district_code, b.received_at desc, b.batch_id desc;

-- What the publish step wrote, and for which month: the bulletin and exports.
create table if not exists ops.publication_log (
    publication_id bigserial primary key,
    month date not null,
    published_at timestamptz not null default now(),
    bulletin_path text not null,
    export_paths text [] not null default '{}'
);

-- dbt builds of the marts: a scheduled rebuild is skipped when no batch was decided
-- since the last finished build started (include/yigongti/builds.py).
create table if not exists ops.build_log (
    build_id bigserial primary key,
    run_id text,
    started_at timestamptz not null default now(),
    finished_at timestamptz
);

-- The health commission's sign-off of a month's indicators
-- (include/yigongti/approval.py): the newest row per month counts.
create table if not exists ops.approval (
    approval_id bigserial primary key,
    month date not null check (extract(day from month) = 1),
    approved_at timestamptz not null default now(),
    approved_by text not null,
    released_batches bigint [] not null default '{}'
);

create index if not exists approval_month on ops.approval (month, approved_at);

-- Exactly the values each publication published, queryable by publication.
create table if not exists ops.published_value (
    publication_id bigint not null references ops.publication_log (publication_id),
    indicator_code text not null,
    area_code text not null,
    period_type text not null,
    period_start date not null,
    period_end date not null,
    numerator numeric,
    denominator numeric,
    value numeric,
    unit text,
    status text,
    primary key (
        publication_id, indicator_code, area_code, period_type, period_start, period_end
    )
);

alter table ops.publication_log add column if not exists approval_id bigint
references ops.approval (approval_id);

-- The values locked for an approved month: those of its newest publication
-- made after its newest approval, for the periods ending in the month. They
-- stay what marts.fct_indicator_values serves until the month is approved again.
create or replace view ops.locked_value as
with newest_approval as (
    select
        month,
        max(approved_at) as approved_at
    from ops.approval
    group by month
),

locking as (
    select distinct on (p.month)
        p.publication_id,
        p.month,
        p.approval_id
    from ops.publication_log as p
    inner join newest_approval as a
        on p.month = a.month and p.published_at >= a.approved_at
    order by p.month, p.published_at desc, p.publication_id desc
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
    v.status,
    l.publication_id,
    l.approval_id
from ops.published_value as v
inner join locking as l on v.publication_id = l.publication_id
where v.period_end between l.month and (l.month + interval '1 month - 1 day')::date;
