"""Build small, hand-specified feed files in the providers' real shapes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stdnum.cn import uscc

from yigongti.contracts import feed
from yigongti.samples.writers import write_csv, write_xlsx


def credit_code(district: str, serial: int) -> str:
    """A valid unified social credit code (check character from python-stdnum)."""
    body = f"12{district}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def registry_row(code: str, district: str, ws218: str, name: str, **extra) -> dict:
    return {
        "credit_code": code,
        "institution_name": name,
        "district_code": district,
        "township_code": f"{district}001",
        "ws218_code": ws218,
        "hospital_grade": extra.pop("grade", "未定级"),
        "registration_type": "11",
        "community_code": None,
        "is_lead_hospital": "否",
        "insurance_code": None,
        "is_admin_village_clinic": "是" if ws218 == "D600" else None,
        "active_from": dt.date(2010, 1, 1),
        **extra,
    }


def services_row(code: str, total: int, tcm: int, **extra) -> dict:
    return {
        "credit_code": code,
        "institution_name": f"机构{code[-4:]}",
        "total_visits": total,
        "outpatient_emergency_visits": total,
        "tcm_visits": tcm,
        "discharges": 0,
        "medical_revenue": total * 100,
        "hypertension_managed": None,
        "diabetes_managed": None,
        **extra,
    }


def write_feed(
    landing: Path,
    name: str,
    period: str,
    rows: list[dict],
    *,
    file_name: str | None = None,
    **kwargs,
) -> Path:
    contract = feed(name)
    path = landing / name / period / (file_name or f"500000_{name}_{period}.{contract.format}")
    if contract.format == "xlsx":
        kwargs.setdefault("reporter", "重庆市卫生健康委员会")
        grouped = any(c.group_zh for c in contract.columns)
        kwargs.setdefault("column_numbers", grouped)
        kwargs.setdefault("total_row", grouped)
        write_xlsx(contract, path, rows, **kwargs)
    else:
        write_csv(contract, path, rows, **kwargs)
    return path
