"""Chinese labels users read for the marts' codes (console summary, bulletin)."""

from __future__ import annotations

STATUS_ZH = {"final": "终", "provisional": "暂", "revised": "修"}
UNIT_ZH = {"yuan": "元", "per 10k": "每万人", "level": "级", "ratio": "比值"}


def unit_zh(unit: str) -> str:
    return UNIT_ZH.get(unit, unit)
