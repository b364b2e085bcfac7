{#
    The period rules of the warehouse, in one place (the Python side is
    include/yigongti/periods.py). Every argument is a SQL expression; every
    result is a date unless said otherwise.

    Periods: a month, quarter and year start on their first day and end on their
    last; a year-to-date period starts on 1 January and ends on the last day of
    its latest month. A feed's period is a month (YYYY-MM) or, for an annual
    feed, a year (YYYY); a quarterly snapshot is delivered under the quarter's
    last month. An annual feed is read against the institution registry of its
    year's December (the December snapshot, see ``december_of``).
#}

{% macro month_start(day) -%}
    cast(date_trunc('month', {{ day }}) as date)
{%- endmacro %}

{% macro month_end(month_start) -%}
    cast({{ month_start }} + interval '1 month' - interval '1 day' as date)
{%- endmacro %}

{% macro quarter_start(day) -%}
    cast(date_trunc('quarter', {{ day }}) as date)
{%- endmacro %}

{% macro quarter_end(quarter_start) -%}
    cast({{ quarter_start }} + interval '3 months' - interval '1 day' as date)
{%- endmacro %}

{% macro year_start(day) -%}
    cast(date_trunc('year', {{ day }}) as date)
{%- endmacro %}

{% macro year_end(year_start) -%}
    cast({{ year_start }} + interval '1 year' - interval '1 day' as date)
{%- endmacro %}

{# 1 January of the following year: the exclusive upper bound of a year. #}
{% macro next_year_start(year_start) -%}
    cast({{ year_start }} + interval '1 year' as date)
{%- endmacro %}

{# The same day one year earlier (the period compared with in a growth rate). #}
{% macro year_earlier(day) -%}
    cast({{ day }} - interval '1 year' as date)
{%- endmacro %}

{# The calendar year of a date, as an integer (population and deaths are by year). #}
{% macro year_of(day) -%}
    cast(extract(year from {{ day }}) as integer)
{%- endmacro %}

{# The month's number in its year: the months a year-to-date period ending then spans. #}
{% macro months_into_year(month_start) -%}
    cast(extract(month from {{ month_start }}) as integer)
{%- endmacro %}

{# 1 January and 31 December of a year given as an integer. #}
{% macro first_day_of_year(year) -%}
    make_date({{ year }}, 1, 1)
{%- endmacro %}

{% macro last_day_of_year(year) -%}
    make_date({{ year }}, 12, 31)
{%- endmacro %}

{#
    The December snapshot of an annual feed: the registry month an annual
    period (``year_start``, 1 January) is classified by.
#}
{% macro december_of(year_start) -%}
    cast({{ year_start }} + interval '11 months' as date)
{%- endmacro %}

{#
    A feed's periods by its periodicity (a SQL expression: month, quarter or
    year): the step between two periods, the span of one period (a quarterly
    snapshot is its quarter's last month) and how its period is written (the
    landing folder's name: YYYY for annual feeds, YYYY-MM otherwise).
#}
{% macro feed_period_step(periodicity) -%}
    case {{ periodicity }}
        when 'year' then interval '1 year'
        when 'quarter' then interval '3 months'
        else interval '1 month'
    end
{%- endmacro %}

{% macro feed_period_span(periodicity) -%}
    case {{ periodicity }} when 'year' then interval '1 year' else interval '1 month' end
{%- endmacro %}

{% macro feed_period_format(periodicity) -%}
    case {{ periodicity }} when 'year' then 'YYYY' else 'YYYY-MM' end
{%- endmacro %}
