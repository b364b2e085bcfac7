-- The indicator registry (codes, names, units, formulas, binding decisions).
select
    indicator_code,
    number as indicator_number,
    dimension_zh,
    dimension_en,
    name_zh as indicator_name_zh,
    name_en as indicator_name_en,
    unit,
    factor,
    direction,
    numerator_zh,
    denominator_zh,
    periodicity,
    period_types,
    headline_period_type,
    source_feeds,
    formula_zh,
    notes
from {{ ref('indicator_registry') }}
