-- The label vocabulary (seed ref_labels) where analysts read: period types,
-- statuses, units and approval in Chinese, joined by the analyst views.
select
    vocabulary,
    code,
    label_zh
from {{ ref('ref_labels') }}
