{#
    The months an incremental model must rebuild: those whose active batch of
    ``feed`` is not yet represented in the model (a new month, or a correction
    that superseded the batch the model was built from). Exact whichever order
    batches are decided in: the model keeps the batch id of every row.
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
