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
    status text not null default 'received' check (
        status in (
            'received', 'validated', 'accepted', 'accepted_with_warnings',
            'rejected', 'superseded'
        )
    ),
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

-- failed: an internal error (not the data) stopped landing or validation; the
-- next run lands and validates the batch again.
do $$
begin
    if not exists (
        select 1 from pg_catalog.pg_constraint
        where conname = 'batch_log_status_check'
          and pg_catalog.pg_get_constraintdef(oid) like '%failed%'
    ) then
        alter table ops.batch_log drop constraint if exists batch_log_status_check;
        alter table ops.batch_log add constraint batch_log_status_check check (
            status in (
                'received', 'validated', 'accepted', 'accepted_with_warnings',
                'rejected', 'superseded', 'failed'
            )
        );
    end if;
end
$$;

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
where b.status in ('accepted', 'accepted_with_warnings')
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
