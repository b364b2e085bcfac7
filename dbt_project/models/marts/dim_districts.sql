-- Areas with validity dates (the 2026 boundary change), plus the municipality.
select
    code as area_code,
    name_zh as area_name_zh,
    name_en as area_name_en,
    type as area_type,
    valid_from,
    valid_to,
    census2020_population
from {{ ref('ref_districts') }}
union all
select
    '{{ var("municipality_code") }}' as area_code,
    '重庆市' as area_name_zh,
    'Chongqing Municipality' as area_name_en,
    'municipality' as area_type,
    cast(null as date) as valid_from,
    cast(null as date) as valid_to,
    cast(null as bigint) as census2020_population
