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
