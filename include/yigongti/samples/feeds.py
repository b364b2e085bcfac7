"""Rows of every feed for the simulated municipality; files written in the contract's shape."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from yigongti.contracts import feed as feed_contract
from yigongti.periods import month_end
from yigongti.reference import districts, ws218_classes
from yigongti.samples.universe import (
    DISCHARGE_RATE,
    SEASON,
    TCM_DEPARTMENT_SHARE,
    DistrictSim,
    Institution,
    make_name,
    make_resident_id,
    population_on,
    stable_rng,
)
from yigongti.samples.writers import DATE_STYLES, write_csv, write_xlsx

MUNICIPAL_REPORTER = "重庆市卫生健康委员会"
AGE_GROUPS = [f"{a}-{a + 4}" for a in range(0, 85, 5)] + ["85+"]
AGE_WEIGHTS = [4, 5, 5.5, 5, 4.5, 5, 7, 7, 6.5, 7.5, 8.5, 8, 6, 6.5, 5, 3, 2, 1.5]
OUT_OF_PROVINCE = ("510100", "510700", "420100", "110100", "440100", "520100")
DIAGNOSES = ("I10", "I63.9", "J18.9", "E11.9", "C34.1", "K35.8", "S72.0", "N18.9", "I25.1", "J44.1")
# Underlying causes of death with rough shares: circulatory, cancer, respiratory, diabetes, other.
DEATH_CAUSES = (
    (("I21.9", "I63.9", "I61.9", "I25.1", "I10"), 0.40),
    (("C34.1", "C22.0", "C16.9", "C18.9", "C50.9"), 0.25),
    (("J44.1", "J18.9", "J84.1"), 0.12),
    (("E11.9", "E14.9"), 0.03),
    (("V89.2", "W19", "K74.6", "N18.9", "A41.9", "G30.9", "R99"), 0.20),
)


def active(universe: list[DistrictSim], day: dt.date) -> Iterator[tuple[DistrictSim, Institution]]:
    for sim in universe:
        for inst in sim.institutions:
            if inst.active_from <= day:
                yield sim, inst


def institutions_rows(universe, day: dt.date) -> Iterator[dict]:
    for _, i in active(universe, day):
        yield {
            "credit_code": i.credit_code,
            "institution_name": i.name,
            "district_code": i.district_on(day),
            "township_code": i.township_code,
            "ws218_code": i.ws218_code,
            "hospital_grade": i.grade if i.ws218_code[0] in "AG" else "未定级",
            "registration_type": i.registration_type,
            "community_code": i.community_code,
            "is_lead_hospital": "是" if i.is_lead else "否",
            "insurance_code": i.insurance_code,
            "is_admin_village_clinic": ("是" if i.is_admin_village_clinic else "否")
            if i.ws218_code == "D600"
            else None,
            "active_from": i.active_from,
        }


def monthly_services_rows(universe, year: int, month: int, seed: int) -> Iterator[dict]:
    tcm_codes = {c for c, v in ws218_classes().items() if v["is_tcm_category"]}
    for sim, i in active(universe, month_end(year, month)):
        rng = stable_rng(seed, "services", i.credit_code, year, month)
        total = round(i.monthly_visits * SEASON[month - 1] * rng.uniform(0.92, 1.08))
        if i.ws218_code in tcm_codes:
            tcm = total
        else:
            tcm = round(
                total * TCM_DEPARTMENT_SHARE.get(i.ws218_code, 0.03) * rng.uniform(0.8, 1.2)
            )
        rate = DISCHARGE_RATE.get(i.ws218_code, DISCHARGE_RATE.get(i.ws218_code[0], 0))
        discharges = round(total * rate * rng.uniform(0.8, 1.2))
        per_visit = 350 if i.level != "primary" else (40 if i.ws218_code == "D600" else 90)
        per_stay = 10_000 if i.level != "primary" else 3_500
        managing = i.ws218_code in ("B100", "C210", "C220")
        share = 1 / max(
            1, sum(1 for x in sim.institutions if x.ws218_code in ("B100", "C210", "C220"))
        )
        yield {
            "credit_code": i.credit_code,
            "institution_name": i.name,
            "total_visits": total,
            "outpatient_emergency_visits": round(total * rng.uniform(0.90, 0.97)),
            "tcm_visits": tcm,
            "discharges": discharges,
            "medical_revenue": total * per_visit + discharges * per_stay,
            "hypertension_managed": round(sim.population * 0.08 * share) if managing else None,
            "diabetes_managed": round(sim.population * 0.025 * share) if managing else None,
        }


def remote_diagnoses_rows(universe, year, month, seed) -> Iterator[dict]:
    categories = (
        ("心电", 0.40),
        ("影像", 0.35),
        ("超声", 0.15),
        ("病理", 0.05),
        ("核医学", 0.02),
        ("肌电图", 0.02),
        ("脑电图", 0.01),
    )
    for sim in universe:
        rng = stable_rng(seed, "remote", sim.code, year, month)
        day = month_end(year, month)
        centres = [i for i in sim.institutions if i.is_lead]
        requesters = [
            i
            for i in sim.institutions
            if i.ws218_code in ("B100", "C210", "C220") and i.active_from <= day
        ]
        # The district's month varies a little (±5 %); its split across
        # requesters and exam categories varies more.
        total = (
            sim.population / 10_000 * sim.rates["remote_per_10k_month"] * rng.uniform(0.95, 1.05)
        )
        cells = [
            (req, category, share * rng.uniform(0.6, 1.4))
            for req in requesters
            for category, share in categories
        ]
        weight = sum(w for _, _, w in cells) or 1
        for req, category, w in cells:
            n = round(total * w / weight)
            if n:
                yield {
                    "centre_institution_code": rng.choice(centres).credit_code,
                    "requesting_institution_code": req.credit_code,
                    "exam_category": category,
                    "diagnoses": n,
                }


def village_equipment_rows(universe, year, seed) -> Iterator[dict]:
    for sim, i in active(universe, dt.date(year, 12, 31)):
        if i.ws218_code == "D600" and i.is_admin_village_clinic:
            rng = stable_rng(seed, "ecg", i.credit_code, year)
            yield {
                "credit_code": i.credit_code,
                "village_code": i.village_code,
                "has_ecg": "是" if rng.random() < sim.rates["ecg_coverage"] else "否",
                "inventory_date": dt.date(year, 12, rng.randrange(1, 29)),
            }


def stationings(sim: DistrictSim, seed: int) -> list[dict]:
    """Every stationing of the sample range (2023-2026), sent by the district's hospitals."""
    rng = stable_rng(seed, "stationing", sim.code)
    senders = [i for i in sim.institutions if i.ws218_code.startswith("A")]
    # Hosts existed before the first stationing (clinics keep opening during the range).
    hosts = [
        i
        for i in sim.institutions
        if i.ws218_code in ("B100", "C210", "C220", "D600") and i.active_from.year < 2023
    ]
    # Compared with the resident population (M04): not reduced by the scale knob.
    n = max(1, round(sim.population / 10_000 * sim.rates["stationed_per_10k"] * 1.6))
    titles = (("中级", 45), ("副高级", 25), ("正高级", 8), ("初级", 17), ("无", 5))
    result = []
    for k in range(n):
        birth = dt.date(rng.randrange(1965, 1995), rng.randrange(1, 13), rng.randrange(1, 29))
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 1300))
        months = rng.choice((3, 4, 6, 6, 9, 12, 12, 18, 24))
        result.append(
            {
                "person_id_hash": make_resident_id(rng, sim.code, birth),
                "person_name": make_name(rng),
                "title_level": rng.choices([t for t, _ in titles], [w for _, w in titles])[0],
                "sending_institution_code": rng.choice(senders).credit_code,
                "host_institution_code": rng.choice(hosts).credit_code,
                "stationing_type": "县聘乡用" if k % 7 else "巡诊派驻",
                "start_date": start,
                "end_date": start + dt.timedelta(days=round(months * 30.4)),
            }
        )
    return result


def stationing_rows(universe, year, month, seed) -> Iterator[dict]:
    day = month_end(year, month)
    for sim in universe:
        for s in stationings(sim, seed):
            if s["start_date"] <= day:
                yield {**s, "end_date": s["end_date"] if s["end_date"] <= day else None}


def chronic_patient_count(sim: DistrictSim) -> int:
    return round(sim.population * sim.rates["managed_share"] * sim.scale * 0.9)


def chronic_person_id(sim: DistrictSim, seed: int, k: int) -> tuple[str, dt.date]:
    """Patient k's resident ID, derivable alone so that settlements can link to it."""
    rng = stable_rng(seed, "chronic-person", sim.code, k)
    age = min(95, 35 + int(rng.expovariate(1 / 22)))
    birth = dt.date(2025 - age, rng.randrange(1, 13), rng.randrange(1, 29))
    return make_resident_id(rng, sim.code, birth), birth


def chronic_persons(sim: DistrictSim, seed: int) -> Iterator[dict]:
    """The district's registered hypertension/diabetes patients (one row per disease)."""
    rng = stable_rng(seed, "chronic", sim.code)
    institutions = [i for i in sim.institutions if i.ws218_code in ("B100", "C210", "C220")]
    for k in range(chronic_patient_count(sim)):
        person, birth = chronic_person_id(sim, seed, k)
        r = rng.random()
        diseases = (
            ("高血压",) if r < 0.72 else ("2型糖尿病",) if r < 0.92 else ("高血压", "2型糖尿病")
        )
        # Registrations continue through the sample range (2012 to 2027).
        registered = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 5800))
        managing = rng.choice(institutions)
        name, sex = make_name(rng), rng.choice("12")
        for n, disease in enumerate(diseases):
            yield {
                "health_record_hash": f"{sim.code}{k:09d}{n:02d}",
                "person_id_hash": person,
                "person_name": name,
                "sex": sex,
                "birth_date": birth,
                "disease": disease,
                "registered_on": registered,
                "is_standard_managed": "是",
                "managing_institution_code": managing.credit_code,
                "residence_code": sim.code,
                "_institution": managing,
            }


def chronic_rows(sim: DistrictSim, year, month, seed) -> Iterator[dict]:
    """A quarter's snapshot: those registered by then, management status re-assessed."""
    day = month_end(year, month)
    rng = stable_rng(seed, "chronic-status", sim.code, year, month)
    for row in chronic_persons(sim, seed):
        managed = rng.random() < 0.76
        if row["registered_on"] <= day:
            row["is_standard_managed"] = "是" if managed else "否"
            district = row.pop("_institution").district_on(day)
            # 6, 9 or 12 digits (district, township, village): the first six place it.
            detail = rng.choice(
                (
                    "",
                    f"{rng.randrange(1, 30):03d}",
                    f"{rng.randrange(1, 30):03d}{rng.randrange(1, 300):03d}",
                )
            )
            yield {**row, "residence_code": district + detail}


def death_rows(universe, year, month, seed) -> Iterator[dict]:
    day = month_end(year, month)
    ages = list(range(0, 100))
    age_weights = [0.2 if a < 30 else 0.6 if a < 50 else 2 if a < 70 else 5 for a in ages]
    for sim in universe:
        rng = stable_rng(seed, "deaths", sim.code, year, month)
        n = round(
            # Compared with the resident population (M14): not reduced by the scale knob.
            sim.population * 0.0089 / 12 * SEASON[month - 1] * rng.uniform(0.9, 1.1)
        )
        residence = sim.institutions[0].district_on(day)
        for k in range(n):
            age = rng.choices(ages, age_weights)[0]
            died = dt.date(year, month, rng.randrange(1, day.day + 1))
            birth = dt.date(year - age - 1, rng.randrange(1, 13), rng.randrange(1, 29))
            group = rng.choices([g for g, _ in DEATH_CAUSES], [w for _, w in DEATH_CAUSES])[0]
            has_id = rng.random() < 0.97
            yield {
                # Numbered by the registering district, unique across the 2026 merger.
                "certificate_hash": f"S{sim.code}{year}{month:02d}{k:06d}",
                "id_type": "1" if has_id else "9",
                "person_id_hash": make_resident_id(rng, sim.code, birth) if has_id else None,
                "sex": rng.choice("12"),
                "birth_date": birth,
                "death_date": died,
                "residence_code": residence
                + (
                    f"{rng.randrange(1, 30):03d}{rng.randrange(1, 200):03d}"
                    if rng.random() < 0.5
                    else ""
                ),
                "underlying_cause_icd10": rng.choice(group),
            }


def population_rows(universe, year, seed) -> Iterator[dict]:
    totals: dict[str, int] = defaultdict(int)
    for sim in universe:
        for code, pop in population_on(sim, year).items():
            totals[code] += pop
    weight = sum(AGE_WEIGHTS)
    for code in sorted(totals):
        rng = stable_rng(seed, "pop-age", code, year)
        for group, w in zip(AGE_GROUPS, AGE_WEIGHTS, strict=True):
            band = totals[code] * w / weight * rng.uniform(0.95, 1.05)
            for sex, share in (("男", 0.502), ("女", 0.498)):
                yield {
                    "district_code": code,
                    "sex": sex,
                    "age_group": group,
                    "residents": round(band * share),
                }


def finance_rows(universe, year, seed) -> Iterator[dict]:
    for sim, i in active(universe, dt.date(year, 12, 31)):
        if i.ws218_code[0] not in "ABC":
            continue
        rng = stable_rng(seed, "finance", i.credit_code, year)
        staff = {"三级": rng.randrange(1200, 3000), "二级": rng.randrange(250, 800)}.get(
            i.grade, rng.randrange(25, 120)
        )
        per_capita = 180_000 * (1.08 if i.is_lead else 1.0)
        if i.level == "primary":
            per_capita *= sim.rates["income_ratio"]
        costs = staff * per_capita * rng.uniform(0.95, 1.05)
        yield {
            "credit_code": i.credit_code,
            "institution_name": i.name,
            "avg_staff": staff,
            "staff_costs": round(costs, 2),
            "wages_and_benefits": round(costs * 0.85, 2),
            "household_transfers": round(costs * 0.03, 2),
        }


def settlement_rows(universe, year, month, seed, fund: dict) -> Iterator[dict]:
    """Inpatient settlement lines; accumulates the fund summary's 住院 part into ``fund``."""
    day = month_end(year, month)
    hubs = {sim.code: sim for sim in universe if sim.code in ("500103", "500106", "500107")}
    seq = 0
    for sim in universe:
        rng = stable_rng(seed, "settlements", sim.code, year, month)
        insured = sim.institutions[0].district_on(day)
        payers = [i for i in sim.institutions if i.insurance_code and i.ws218_code[0] in "ACG"]
        hub_payers = [
            i
            for h in hubs.values()
            for i in h.institutions
            if i.insurance_code and i.ws218_code.startswith("A")
        ]
        patients = chronic_patient_count(sim)
        n = round(sim.population * 0.0187 * SEASON[month - 1] * sim.scale * rng.uniform(0.92, 1.08))
        for _ in range(n):
            seq += 1
            r = rng.random()
            if r < sim.rates["out_of_province"]:
                region = rng.choice(OUT_OF_PROVINCE)
                provider, mean = f"H{region}{rng.randrange(100000):05d}", 25_000
            elif r < sim.rates["in_district_inpatient"] or not hub_payers:
                inst = rng.choices(payers, [max(1, p.monthly_visits) for p in payers])[0]
                region, provider = inst.district_on(day), inst.insurance_code
                mean = (
                    15_000 if inst.grade == "三级" else 8_000 if inst.level != "primary" else 3_500
                )
            else:
                inst = rng.choice(hub_payers)
                region, provider, mean = inst.district_on(day), inst.insurance_code, 16_000
            settled = dt.datetime(
                year,
                month,
                rng.randrange(1, day.day + 1),
                rng.randrange(8, 18),
                rng.randrange(60),
                rng.randrange(60),
            )
            discharged = settled.date() - dt.timedelta(days=rng.choice((0, 0, 1, 2)))
            admitted = discharged - dt.timedelta(days=max(1, round(rng.gammavariate(2.2, 4))))
            cost = round(mean * math.exp(rng.gauss(-0.18, 0.6)), 2)
            employee = rng.random() < 0.25
            paid = round(
                cost * rng.uniform(0.65, 0.80) if employee else cost * rng.uniform(0.50, 0.68), 2
            )
            # About 6 % of stays are registered chronic patients: some 20 % of them a year.
            if patients and rng.random() < 0.06:
                person = chronic_person_id(sim, seed, rng.randrange(patients))[0]
            else:
                birth = dt.date(rng.randrange(1935, 2024), rng.randrange(1, 13), 15)
                person = make_resident_id(rng, sim.code, birth)
            care_type = rng.choices(("21", "22", "51", "24", "52"), (90, 5, 3, 1, 1))[0]
            line = {
                "settlement_id": f"JS{year}{month:02d}{seq:09d}",
                "encounter_id": f"JZ{year}{month:02d}{seq:09d}",
                "person_id_hash": person,
                "insurance_type": "310" if employee else "390",
                "insured_region_code": insured,
                "care_region_code": region,
                "provider_code": provider,
                "care_type": care_type,
                "admitted_on": admitted,
                "discharged_on": discharged,
                "settled_at": settled,
                "total_cost": cost,
                "fund_paid": paid,
                "pooled_fund_paid": round(paid * 0.95, 2),
                "cash_paid": round(cost - paid, 2),
                "main_diagnosis_icd10": "O80.0" if care_type == "51" else rng.choice(DIAGNOSES),
                "is_out_of_area": "1" if region in OUT_OF_PROVINCE else "0",
                "settlement_status": "正常",
            }
            yield line
            key = (insured, provider)
            fund[key] = (fund.get(key, (0, 0.0))[0] + 1, fund.get(key, (0, 0.0))[1] + paid)
            if rng.random() < 0.004 and settled.day < day.day:
                # A reversal repeats the settlement ID with negated amounts, later in the month.
                later = settled + dt.timedelta(days=1)
                yield {
                    **line,
                    "settled_at": later,
                    "settlement_status": "冲销",
                    **{
                        k: -line[k]
                        for k in ("total_cost", "fund_paid", "pooled_fund_paid", "cash_paid")
                    },
                }
                fund[key] = (fund[key][0] - 1, fund[key][1] - paid)


def fund_summary_rows(universe, year, month, seed, inpatient: dict) -> Iterator[dict]:
    for (insured, provider), (count, paid) in sorted(inpatient.items()):
        yield {
            "insured_region_code": insured,
            "provider_code": provider,
            "provider_kind": "定点医疗机构",
            "care_kind": "住院",
            "settlements": count,
            "fund_paid": round(paid, 2),
        }
    day = month_end(year, month)
    for sim in universe:
        rng = stable_rng(seed, "fund", sim.code, year, month)
        insured = sim.institutions[0].district_on(day)
        for i in sim.institutions:
            if i.insurance_code and i.active_from <= day:
                visits = round(i.monthly_visits * 0.3 * sim.scale * rng.uniform(0.8, 1.2))
                if visits:
                    yield {
                        "insured_region_code": insured,
                        "provider_code": i.insurance_code,
                        "provider_kind": "定点医疗机构",
                        "care_kind": "门诊",
                        "settlements": visits,
                        "fund_paid": round(visits * 85 * rng.uniform(0.8, 1.2), 2),
                    }
        for n in range(max(1, round(sim.population / 5000 * sim.scale))):
            purchases = rng.randrange(200, 3000)
            yield {
                "insured_region_code": insured,
                "provider_code": f"P{sim.code}{n + 1:05d}",
                "provider_kind": "定点零售药店",
                "care_kind": "购药",
                "settlements": purchases,
                "fund_paid": round(purchases * 60 * rng.uniform(0.8, 1.2), 2),
            }


CRITERIA = {
    ("紧密型", "资源统一管理"): (
        "统一人员招聘和使用",
        "成员单位单独设账、集中核算",
        "药品检验资源统一管理",
    ),
    ("紧密型", "医共体内部民主决策"): (
        "制定医共体管理章程",
        "成员单位参与决策",
        "负责人员中有基层代表",
    ),
    ("紧密型", "服务协同联动"): (
        "统一规章制度和技术规范",
        "转诊规范有序",
        "信息系统互通共享",
        "传染病监测预警",
    ),
}


def assessment_rows(sim: DistrictSim, year, seed) -> Iterator[dict]:
    rng = stable_rng(seed, "assessment", sim.code, year)
    for number, ((group, item), criteria) in enumerate(CRITERIA.items(), start=1):
        for criterion in criteria:
            result = rng.choices(("已建立并实施", "已建立未实施", "未建立"), (85, 12, 3))[0]
            yield {
                # Numbered as in the documents, now and then (1．资源统一管理).
                "indicator_group": rng.choice((group, f"一、{group}")),
                "indicator_item": rng.choice((item, f"{number}．{item}", f"（{number}）{item}")),
                "criterion": criterion,
                "result": result,
                "evidence": f"{year}年{item}相关文件",
            }


def programme_rows(code: str, year: int, seed: int) -> Iterator[dict]:
    """Directly reported values for the district's plan indicators (附件1)."""
    import csv

    from yigongti.reference import SEEDS

    rng = stable_rng(seed, "programme", code, year)
    seen = set()
    with (SEEDS / "core_performance_targets.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["district_code"] != code or row["seq"] in seen:
                continue
            seen.add(row["seq"])
            base = float(row["baseline_value"])
            drift = (year - int(row["baseline_year"])) * rng.uniform(0.0, 0.12)
            value = base * (1 + drift) if row["unit"] != "%" else min(100.0, base * (1 + drift / 4))
            yield {
                "indicator_name": row["indicator_name"],
                "unit": row["unit"],
                # Counts of organisations and persons are whole numbers.
                "value": round(value) if row["unit"] in ("个", "人") else round(value, 2),
            }


def periods(start: str, end: str) -> list[tuple[int, int]]:
    y, m = map(int, start.split("-"))
    ey, em = map(int, end.split("-"))
    out = []
    while (y, m) <= (ey, em):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate_landing(
    landing: Path,
    start: str,
    end: str,
    scale: float = 0.02,
    seed: int = 2026,
    only: set[str] | None = None,
) -> list[Path]:
    """Write every feed's files for the months start..end into ``landing``.

    Annual feeds are written for each complete year inside the range; the
    chronic registry for each quarter-end month.
    """
    from yigongti.samples.universe import build_universe

    universe = build_universe(scale, seed)
    written: list[Path] = []

    def want(name: str) -> bool:
        return only is None or name in only

    def target(name: str, period: str, district: str, suffix: str) -> Path:
        return landing / name / period / f"{district}_{name}_{period}.{suffix}"

    # The variants of feeds.md, drawn per file (stable, so the demo is repeatable):
    # dates as Excel date cells or in three text forms, organisation lines above
    # the unit line.
    def xlsx(name, period, rows, district="500000", reporter=MUNICIPAL_REPORTER, **kw):
        if want(name):
            path = target(name, period, district, "xlsx")
            rng = stable_rng(seed, "variant", path.name)
            kw.setdefault("date_cells", rng.random() < 0.5)
            kw.setdefault("organisation_line", rng.random() < 0.5)
            write_xlsx(feed_contract(name), path, rows, reporter=reporter, **kw)
            written.append(path)

    def csv(name, period, rows, district="500000", encoding="utf-8"):
        if want(name):
            path = target(name, period, district, "csv")
            style = stable_rng(seed, "variant", path.name).choice(DATE_STYLES)
            write_csv(feed_contract(name), path, rows, encoding=encoding, date_style=style)
            written.append(path)

    months = periods(start, end)
    for year, month in months:
        p = f"{year}-{month:02d}"
        day = month_end(year, month)
        xlsx("hs_institutions", p, institutions_rows(universe, day))
        xlsx(
            "hs_monthly_services",
            p,
            monthly_services_rows(universe, year, month, seed),
            column_numbers=True,
            total_row=True,
        )
        csv("hs_remote_diagnoses", p, remote_diagnoses_rows(universe, year, month, seed))
        xlsx("hs_stationing_roster", p, stationing_rows(universe, year, month, seed))
        csv("death_registrations", p, death_rows(universe, year, month, seed), encoding="utf-8-sig")
        inpatient: dict = {}
        csv(
            "mi_inpatient_settlements",
            p,
            settlement_rows(universe, year, month, seed, inpatient),
            encoding="gbk",
        )
        csv("mi_fund_summary", p, fund_summary_rows(universe, year, month, seed, inpatient))
        if month % 3 == 0:
            by_district: dict[str, list[DistrictSim]] = defaultdict(list)
            for sim in universe:
                by_district[sim.institutions[0].district_on(day)].append(sim)
            for code, sims in by_district.items():
                rows = (r for sim in sims for r in chronic_rows(sim, year, month, seed))
                csv("phs_chronic_registry", p, rows, district=code, encoding="gbk")
    years = sorted({y for y, m in months if (y, 12) in months})
    for year in years:
        p = str(year)
        xlsx("population", p, population_rows(universe, year, seed), reporter="重庆市统计局")
        xlsx("hs_village_clinic_equipment", p, village_equipment_rows(universe, year, seed))
        xlsx(
            "fin_annual_report",
            p,
            finance_rows(universe, year, seed),
            money_unit="万元",
            column_numbers=True,
            total_row=True,
        )
        day = dt.date(year, 12, 31)
        for sim in universe:
            code = sim.institutions[0].district_on(day)
            name = districts()[code].name_zh
            xlsx(
                "hs_closeness_assessment",
                p,
                assessment_rows(sim, year, seed),
                district=code,
                reporter=f"{name}卫生健康委员会",
            )
        for code in ("500113", "500235"):
            xlsx(
                "hs_annual_programme",
                p,
                programme_rows(code, year, seed),
                district=code,
                reporter=f"{districts()[code].name_zh}卫生健康委员会",
            )
    return written
