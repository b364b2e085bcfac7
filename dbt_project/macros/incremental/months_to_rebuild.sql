{#
    The months an incremental model must rebuild: those whose active batch of
    ``feed`` is not yet represented in the model (a new month, or a correction
    that superseded the batch the model was built from). Exact whichever order
    batches are decided in: the model keeps the batch id of every row (indexed).
#}
{% macro months_with_unbuilt_batches(feed, batch_column='batch_id') %}
    select a.period_start as month_start
    from {{ source('ops', 'active_batch') }} as a
    where
        a.feed = '{{ feed }}'
        and not exists (
            select 1 from {{ this }} as t
            where t.{{ batch_column }} = a.batch_id
        )
{% endmacro %}

{#
    When this model was last built: the newest built_at of its rows (indexed),
    -infinity while it has none, so that an empty model takes every upstream row.
#}
{% macro last_built_at() -%}
    coalesce((select max(t.built_at) from {{ this }} as t), '-infinity')
{%- endmacro %}

{#
    The periods an upstream incremental model rebuilt since this model was last
    built: the distinct ``period_column`` of its rows built later (an index on
    (built_at, period_column) answers it without reading the rows).
#}
{% macro periods_rebuilt_in(model, period_column='month_start') %}
    select distinct u.{{ period_column }}
    from {{ model }} as u
    where u.built_at > {{ last_built_at() }}
{% endmacro %}

{#
    Post-hook of an incremental model: an index for the look-ups of later runs
    (batch ids, rebuilt periods, delete+insert keys); idempotent.
#}
{% macro incremental_index(name, columns) -%}
    create index if not exists {{ this.name }}_{{ name }} on {{ this }} ({{ columns | join(', ') }})
{%- endmacro %}

{#
    A FROM item: the staged model ``staged`` in a full build; in an incremental
    run only its rows whose active batch of ``feed`` belongs to a month to
    rebuild, read batch by batch through the raw table's batch index (the planner
    cannot know how few batches qualify and would otherwise scan the whole feed).
    The months to rebuild: ``months_sql`` when given, else the months with a batch
    of ``feed`` not built yet, with those ``more_months_sql`` selects.
#}
{% macro staged_rows_to_rebuild(staged, feed, months_sql=none, more_months_sql=none) %}
    {%- if not is_incremental() -%}
        {{ staged }}
    {%- else %}
    (
        select r.*
        from (
            select distinct a.batch_id
            from {{ source('ops', 'active_batch') }} as a
            where
                a.feed = '{{ feed }}'
                and a.period_start in (
                    {% if months_sql -%}
                        {{ months_sql }}
                    {%- else -%}
                        {{ months_with_unbuilt_batches(feed) }}
                        {%- if more_months_sql %} union {{ more_months_sql }}{% endif %}
                    {%- endif %}
                )
        ) as b
        cross join lateral (
            -- offset 0 keeps the lookup per batch (by index), not one join of the feed
            select f.* from {{ staged }} as f
            where f.batch_id = b.batch_id
            offset 0
        ) as r
    )
    {%- endif %}
{% endmacro %}

{#
    A FROM item: the rows of ``relation`` whose ``month_column`` is one of the
    months ``months_sql`` selects, month by month through its index (a join on
    the months would scan the whole relation: the planner cannot know how few
    months there are). ``relation`` in a full build.
#}
{% macro rows_of_months(relation, months_sql, month_column='month_start') %}
    {%- if not is_incremental() -%}
        {{ relation }}
    {%- else %}
    (
        select r.*
        from (select distinct m.month_start from ({{ months_sql }}) as m (month_start)) as m
        cross join lateral (
            -- offset 0 keeps the lookup per month (by index)
            select f.* from {{ relation }} as f
            where f.{{ month_column }} = m.month_start
            offset 0
        ) as r
    )
    {%- endif %}
{% endmacro %}

{#
    Pre-hook of a model that was a table before it became incremental: the
    columns its incremental run looks up are added (empty) to the table built by
    the earlier version, so that the first run finds every month unbuilt and
    rebuilds it, instead of failing on a missing column.
#}
{% macro add_tracking_columns(columns) %}
    do $$
    begin
        if exists (
            select 1 from pg_catalog.pg_class
            where oid = to_regclass('{{ this }}') and relkind = 'r'
        ) then
            {% for name, type in columns.items() -%}
                alter table {{ this }} add column if not exists {{ name }} {{ type }};
            {% endfor %}
        end if;
    end
    $$
{% endmacro %}

{#
    Pre-hook of the person-level models, which group and join by 64-character
    person hashes: hashing, with memory for the hash tables. Sorting the hashes
    under the database's collation costs about twice as much, and the planner,
    which cannot know how many rows a rebuilt period holds, picks either.
#}
{% macro prefer_hashing() -%}
    set local work_mem = '64MB'; set local enable_sort = off
{%- endmacro %}

{# The calendar years (their 1 January, as year_start) of the periods of ``model``
   rebuilt since this model's last run: what a model rebuilt by year recomputes. #}
{% macro years_rebuilt_in(model, period_column='month_start') %}
    select distinct {{ year_start('u.' ~ period_column) }} as year_start
    from {{ model }} as u
    where u.built_at > {{ last_built_at() }}
{% endmacro %}
