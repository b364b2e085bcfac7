{#
    Marts mirrored from a model that is rebuilt by period: an incremental run
    writes only the rows that are new or differ from the mart's (delete+insert on
    the key), and this post-hook deletes the mart's rows whose key the source no
    longer holds.
#}
{% macro delete_rows_not_in(source_relation, key_columns) %}
    delete from {{ this }} as t
    where not exists (
        select 1 from {{ source_relation }} as s
        where
            {% for column in key_columns -%}
                s.{{ column }} = t.{{ column }}{{ " and" if not loop.last }}
            {% endfor %}
    )
{% endmacro %}

{#
    The incremental condition of a mirrored mart: the row is not already in the
    mart with every column the same (null equal to null).
    ``row`` is the alias of the new row.
#}
{% macro row_not_held(row, key_columns, value_columns) %}
    not exists (
        select 1 from {{ this }} as t
        where
            {% for column in key_columns -%}
                t.{{ column }} = {{ row }}.{{ column }} and
            {% endfor -%}
            (
                {%- for column in value_columns -%}
                    t.{{ column }}{{ ", " if not loop.last }}
                {%- endfor -%}
            ) is not distinct from (
                {%- for column in value_columns -%}
                    {{ row }}.{{ column }}{{ ", " if not loop.last }}
                {%- endfor -%}
            )
    )
{% endmacro %}

{#
    The rows of a model's input that lie in the calendar years it rebuilds (the
    CTE changed_years, one year_start per year), as a join.
#}
{% macro join_changed_years(column) -%}
    inner join changed_years as y
        on
            {{ column }} >= y.year_start
            and {{ column }} < {{ next_year_start('y.year_start') }}
{%- endmacro %}
