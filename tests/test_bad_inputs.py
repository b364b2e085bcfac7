"""A catalogue of bad deliveries: each is rejected (or warned) with the rule that
caught it, its rows kept; good deliveries beside them pass."""

import datetime as dt

import pytest

from tests.conftest import PII_KEY
from tests.feedfiles import death_row, fund_row, resident_id, settlement_row, write_feed
from yigongti.pipeline import LandingFile, process_file

JAN = "2025-01"


def _run(conn, landing, feed, period, rows, **kwargs):
    path = write_feed(landing, feed, period, rows, **kwargs)
    return process_file(conn, LandingFile(feed, period, str(path)), PII_KEY)


SETTLEMENT_CASES = [
    (
        "discharge before admission",
        [settlement_row("A", discharged_on=dt.date(2025, 1, 1))],
        "discharge.not_before_admission",
    ),
    (
        "negative amount on a normal line",
        [settlement_row("A", total_cost=-9000.0)],
        "amount.negative_on_normal_line",
    ),
    (
        "reversal without original",
        [
            settlement_row("A"),
            settlement_row(
                "B",
                settlement_status="冲销",
                total_cost=-9000.0,
                fund_paid=-6000.0,
                pooled_fund_paid=-5700.0,
                cash_paid=-3000.0,
            ),
        ],
        "reversal.without_original",
    ),
    (
        "settled outside the folder's month",
        [settlement_row("A", settled_at=dt.datetime(2025, 2, 1, 8, 0))],
        "settled_in_folder_period",
    ),
    (
        "bad check character in a resident ID",
        [
            settlement_row("A", person_id_hash=resident_id("50010119600101123")[:-1] + "0")
            if not resident_id("50010119600101123").endswith("0")
            else settlement_row("A", person_id_hash=resident_id("50010119600101123")[:-1] + "1")
        ],
        "person_id_hash.check_character",
    ),
    (
        "unknown insurance type",
        [settlement_row("A", insurance_type="999")],
        "insurance_type.in_set",
    ),
    ("duplicate settlement", [settlement_row("A"), settlement_row("A")], "key.unique"),
    (
        "insured region outside Chongqing",
        [settlement_row("A", insured_region_code="510100")],
        "district.valid_for_period",
    ),
]


@pytest.mark.parametrize(
    ("case", "rows", "rule"), SETTLEMENT_CASES, ids=[c[0] for c in SETTLEMENT_CASES]
)
def test_bad_settlement_lines_are_rejected(fresh_db, tmp_path, case, rows, rule):
    result = _run(fresh_db, tmp_path, "mi_inpatient_settlements", JAN, rows, encoding="gbk")
    assert result["status"] == "rejected", case
    assert rule in result["rules_failed"], result["message"]
    with fresh_db.connect() as db:
        kept = db.execute(
            "select count(*) from raw.mi_inpatient_settlements where _batch_id = %s",
            (result["batch_id"],),
        ).fetchone()[0]
    assert kept == len(rows)


def test_good_settlements_with_a_reversal_and_a_legacy_id_pass(fresh_db, tmp_path):
    legacy = "500101600101123"  # 15-digit ID: converted, not rejected
    rows = [
        settlement_row("A"),
        settlement_row(
            "A",
            settlement_status="冲销",
            settled_at=dt.datetime(2025, 1, 20),
            total_cost=-9000.0,
            fund_paid=-6000.0,
            pooled_fund_paid=-5700.0,
            cash_paid=-3000.0,
        ),
        settlement_row("B", person_id_hash=legacy),
    ]
    result = _run(fresh_db, tmp_path, "mi_inpatient_settlements", JAN, rows, encoding="gbk")
    assert result["status"] == "accepted", result["message"]


DEATH_CASES = [
    (
        "death before birth",
        [death_row("D1", death_date=dt.date(1949, 12, 31))],
        "death.not_before_birth",
    ),
    (
        "death in the future",
        [death_row("D1", death_date=dt.date.today() + dt.timedelta(days=30))],
        "death.not_in_future",
    ),
    (
        "resident ID type without a number",
        [death_row("D1", person_id_hash=None)],
        "id_number.required_for_resident_id",
    ),
    (
        "malformed ICD-10 code",
        [death_row("D1", underlying_cause_icd10="心梗")],
        "underlying_cause_icd10.format",
    ),
]


@pytest.mark.parametrize(("case", "rows", "rule"), DEATH_CASES, ids=[c[0] for c in DEATH_CASES])
def test_bad_death_registrations_are_rejected(fresh_db, tmp_path, case, rows, rule):
    result = _run(fresh_db, tmp_path, "death_registrations", JAN, rows, encoding="utf-8-sig")
    assert result["status"] == "rejected", case
    assert rule in result["rules_failed"], result["message"]


def _settlements(conn, landing):
    # Fund paid: A 6000 + B 4000 = 10000 yuan for insured district 500101.
    rows = [
        settlement_row("A"),
        settlement_row("B", fund_paid=4000.0, pooled_fund_paid=3800.0, cash_paid=5000.0),
    ]
    assert (
        _run(conn, landing, "mi_inpatient_settlements", JAN, rows, encoding="gbk")["status"]
        == "accepted"
    )


def test_fund_summary_reconciles_within_half_a_percent(fresh_db, tmp_path):
    _settlements(fresh_db, tmp_path)
    # 10040 vs 10000: 0.4 % apart -> accepted.
    rows = [fund_row("H50010100001", "住院", 10040.0), fund_row("H50010100001", "门诊", 800.0)]
    result = _run(fresh_db, tmp_path, "mi_fund_summary", JAN, rows)
    assert result["status"] == "accepted", result["message"]


def test_fund_summary_that_does_not_reconcile_is_rejected(fresh_db, tmp_path):
    _settlements(fresh_db, tmp_path)
    # 10060 vs 10000: 0.6 % apart -> rejected.
    rows = [fund_row("H50010100001", "住院", 10060.0), fund_row("H50010100001", "门诊", 800.0)]
    result = _run(fresh_db, tmp_path, "mi_fund_summary", JAN, rows)
    assert result["status"] == "rejected"
    assert result["rules_failed"] == ["reconciliation.inpatient"]
    assert "0.5%" in result["message"]


def test_fund_summary_without_settlement_lines_is_accepted_with_a_warning(fresh_db, tmp_path):
    rows = [fund_row("H50010100001", "住院", 10000.0)]
    result = _run(fresh_db, tmp_path, "mi_fund_summary", JAN, rows)
    assert result["status"] == "accepted_with_warnings"
    assert result["rules_failed"] == ["reconciliation.lines_missing"]


def _csv(landing, feed, period, name, data: bytes):
    path = landing / feed / period / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _truncated_registry(landing):
    from tests.feedfiles import credit_code, registry_row

    good = write_feed(
        landing / "good",
        "hs_institutions",
        JAN,
        [registry_row(credit_code("500101", 1), "500101", "A100", "甲医院")],
    )
    path = landing / "hs_institutions" / JAN / "truncated.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(good.read_bytes()[:500])
    return "hs_institutions", JAN, path


REMOTE_HEADER = "诊断中心机构代码,申请机构代码,检查类别,诊断人次\n"


def _remote(name: str, data: bytes, feed: str = "hs_remote_diagnoses", period: str = JAN):
    """A builder of one raw file in the landing folder, for the cases below."""
    return lambda landing: (feed, period, _csv(landing, feed, period, name, data))


FILE_CASES = [
    (
        "undecodable bytes",
        _remote("bad.csv", REMOTE_HEADER.encode() + b"\xff\xfe\xff,\x80\n"),
        "file.encoding",
    ),
    ("header only", _remote("h.csv", REMOTE_HEADER.encode()), "file.no_rows"),
    ("empty file", _remote("e.csv", b""), "file.empty"),
    (
        "missing column",
        _remote("m.csv", "诊断中心机构代码,申请机构代码,诊断人次\n".encode()),
        "header.missing_columns",
    ),
    (
        "extra unknown column",
        _remote("x.csv", (REMOTE_HEADER[:-1] + ",备注\n").encode()),
        "header.unknown_columns",
    ),
    (
        "wrong file format",
        _remote("registry.csv", "统一社会信用代码\n".encode(), feed="hs_institutions"),
        "file.format",
    ),
    (
        "period folder not a month",
        _remote("p.csv", REMOTE_HEADER.encode(), period="2025-13"),
        "period.format",
    ),
    ("truncated xlsx", _truncated_registry, "file.unreadable"),
]


@pytest.mark.parametrize(("case", "make", "rule"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_unreadable_files_are_rejected_batches_and_archived(fresh_db, tmp_path, case, make, rule):
    from pathlib import Path

    feed, period, path = make(tmp_path)
    result = process_file(fresh_db, LandingFile(feed, period, str(path)), PII_KEY)
    assert result["status"] == "rejected", case
    assert result["rules_failed"] == [rule], result["message"]
    with fresh_db.connect() as db:
        archived = db.execute(
            "select archive_path from ops.batch_log where batch_id = %s", (result["batch_id"],)
        ).fetchone()[0]
    assert Path(archived).read_bytes() == path.read_bytes()


def test_unknown_ws218_code_and_bad_credit_code_are_rejected(fresh_db, tmp_path):
    from tests.feedfiles import credit_code, registry_row

    good = credit_code("500101", 1)
    broken = credit_code("500101", 2)[:-1] + (
        "0" if not credit_code("500101", 2).endswith("0") else "1"
    )
    rows = [
        registry_row(good, "500101", "Z999", "未知类别机构"),
        registry_row(broken, "500101", "A100", "校验码错误的医院"),
    ]
    result = _run(fresh_db, tmp_path, "hs_institutions", JAN, rows)
    assert result["status"] == "rejected"
    assert {"ws218_code.in_set", "credit_code.check_character"} <= set(result["rules_failed"])


def test_unknown_district_code_is_rejected(fresh_db, tmp_path):
    rows = [{"district_code": "500199", "sex": "男", "age_group": "30-34", "residents": 10}]
    result = _run(fresh_db, tmp_path, "population", "2025", rows, reporter="重庆市统计局")
    assert result["status"] == "rejected"
    assert "district.valid_for_period" in result["rules_failed"]


def test_header_shifted_one_column_is_still_read(fresh_db, tmp_path):
    """A sheet whose table starts in column B (a blank first column) is located by name."""
    import xlsxwriter

    from tests.feedfiles import credit_code
    from yigongti.contracts import feed

    path = tmp_path / "hs_village_clinic_equipment" / "2025" / "500000_ledger.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 1, "村卫生室心电设备台账")
    for i, col in enumerate(feed("hs_village_clinic_equipment").columns):
        sheet.write(2, i + 1, col.header)
    for i, v in enumerate([credit_code("500101", 3), "500101001001", "是", "2025-12-01"]):
        sheet.write(3, i + 1, v)
    book.close()
    result = process_file(
        fresh_db, LandingFile("hs_village_clinic_equipment", "2025", str(path)), PII_KEY
    )
    # Its clinic is not in any registry of this database: known layout, unknown institution.
    assert result["rules_failed"] == ["district.known"]
