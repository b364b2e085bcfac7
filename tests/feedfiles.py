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


def resident_id(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


def settlement_row(settlement_id: str, **extra) -> dict:
    """A valid inpatient settlement line of January 2025, insured and treated in 500101."""
    return {
        "settlement_id": settlement_id,
        "encounter_id": f"JZ{settlement_id}",
        "person_id_hash": resident_id("50010119600101123"),
        "insurance_type": "390",
        "insured_region_code": "500101",
        "care_region_code": "500101",
        "provider_code": "H50010100001",
        "care_type": "21",
        "admitted_on": dt.date(2025, 1, 3),
        "discharged_on": dt.date(2025, 1, 10),
        "settled_at": dt.datetime(2025, 1, 10, 9, 30),
        "total_cost": 9000.0,
        "fund_paid": 6000.0,
        "pooled_fund_paid": 5700.0,
        "cash_paid": 3000.0,
        "main_diagnosis_icd10": "I63.9",
        "is_out_of_area": "0",
        "settlement_status": "正常",
        **extra,
    }


def death_row(certificate: str, **extra) -> dict:
    return {
        "certificate_hash": certificate,
        "id_type": "1",
        "person_id_hash": resident_id("50010119500101123"),
        "sex": "1",
        "birth_date": dt.date(1950, 1, 1),
        "death_date": dt.date(2025, 1, 15),
        "residence_code": "500101",
        "underlying_cause_icd10": "I21.9",
        **extra,
    }


def fund_row(provider: str, care_kind: str, fund_paid: float, **extra) -> dict:
    return {
        "insured_region_code": "500101",
        "provider_code": provider,
        "provider_kind": "定点医疗机构",
        "care_kind": care_kind,
        "settlements": 1,
        "fund_paid": fund_paid,
        **extra,
    }
