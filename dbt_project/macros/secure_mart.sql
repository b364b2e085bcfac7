{#
    Post-hook of the mart tables: analysts may read them; district analysts see
    only the rows of the districts whose group role they hold (row-level
    security). Skipped where the roles do not exist (managed outside yigongti).
#}
{% macro secure_mart(district_column=none) %}
do $$
begin
    if exists (select 1 from pg_catalog.pg_roles where rolname = 'yigongti_analyst') then
        grant select on {{ this }} to yigongti_analyst, yigongti_district_analyst;
        {% if district_column %}
        alter table {{ this }} enable row level security;
        drop policy if exists district_rows on {{ this }};
        create policy district_rows on {{ this }} for select
            using (marts.can_see_district({{ district_column }}));
        {% endif %}
    end if;
end
$$
{% endmacro %}
