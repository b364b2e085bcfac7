"""Readers on files in the providers' real shapes and their quirks."""

import pytest

from tests.feedfiles import credit_code, registry_row, services_row, write_feed
from yigongti.contracts import feed
from yigongti.readers import FeedFileError, open_feed_file


def _read(path, name, hasher=None):
    opened = open_feed_file(feed(name), path, hasher)
    return opened, [dict(zip(feed(name).raw_columns, v, strict=True)) for _, v in opened.rows()]


def test_two_row_header_column_numbers_and_total_row(tmp_path):
    codes = [credit_code("500101", i) for i in (1, 2)]
    path = write_feed(
        tmp_path,
        "hs_monthly_services",
        "2025-01",
        [services_row(codes[0], 1000, 50), services_row(codes[1], 600, 60)],
    )
    opened, rows = _read(path, "hs_monthly_services")
    # title (1), 填报单位/unit (2), two header rows (3-4), 栏次 (5), data (6-7), 合计 (8)
    assert opened.header_row == 4
    assert [r["credit_code"] for r in rows] == codes
    assert [r["total_visits"] for r in rows] == ["1000", "600"]
    assert opened.dropped_total_rows == [8]
    # 医疗收入 is delivered in 千元 by its header: 1000 visits x 100 yuan = 100 千元.
    assert rows[0]["medical_revenue"] == "100"


def test_unit_line_sets_the_money_factor(tmp_path):
    code = credit_code("500101", 1)
    row = {
        "credit_code": code,
        "institution_name": "甲医院",
        "avg_staff": 10,
        "staff_costs": 1_500_000,
        "wages_and_benefits": 1_200_000,
        "household_transfers": 0,
    }
    path = write_feed(tmp_path, "fin_annual_report", "2025", [row], money_unit="万元")
    opened, rows = _read(path, "fin_annual_report")
    assert (opened.unit_label, opened.unit_factor) == ("万元", 10000)
    assert rows[0]["staff_costs"] == "150"  # 1,500,000 yuan written as 150 万元


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    rows = [
        {
            "insured_region_code": "500101",
            "provider_code": "H50010100001",
            "provider_kind": "定点医疗机构",
            "care_kind": "住院",
            "settlements": 3,
            "fund_paid": 12.5,
        }
    ]
    path = write_feed(tmp_path, "mi_fund_summary", "2025-01", rows, encoding=encoding)
    _, read = _read(path, "mi_fund_summary")
    assert read[0]["provider_kind"] == "定点医疗机构"
    assert read[0]["care_kind"] == "住院"


def test_personal_identifiers_are_hashed_and_names_dropped(tmp_path, hasher):
    from stdnum.cn import ric

    body = "50011319600101123"
    person = body + ric.calc_check_digit(body + "0")
    row = {
        "person_id_hash": person,
        "person_name": "张三",
        "title_level": "中级",
        "sending_institution_code": credit_code("500113", 1),
        "host_institution_code": credit_code("500113", 2),
        "stationing_type": "县聘乡用",
        "start_date": "2025-01-01",
        "end_date": None,
    }
    path = write_feed(tmp_path, "hs_stationing_roster", "2025-01", [row])
    _, rows = _read(path, "hs_stationing_roster", hasher)
    assert rows[0]["person_id_hash"] == hasher(person)
    assert rows[0]["person_id_hash_check"] == "ok"
    assert "person_name" not in rows[0]
    assert "张三" not in str(rows) and person not in str(rows)


def test_missing_column_is_a_clear_error(tmp_path):
    path = tmp_path / "hs_remote_diagnoses.csv"
    path.write_text("诊断中心机构代码,申请机构代码,诊断人次\nA,B,1\n", encoding="utf-8")
    with pytest.raises(FeedFileError) as err:
        open_feed_file(feed("hs_remote_diagnoses"), path)
    assert err.value.rule == "header.missing_columns"
    assert "检查类别" in err.value.message


def test_unknown_extra_column_is_rejected(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("诊断中心机构代码,申请机构代码,检查类别,诊断人次,备注\n", encoding="utf-8")
    with pytest.raises(FeedFileError) as err:
        open_feed_file(feed("hs_remote_diagnoses"), path)
    assert err.value.rule == "header.unknown_columns" and "备注" in err.value.message


def test_empty_and_truncated_files(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(FeedFileError) as err:
        open_feed_file(feed("hs_remote_diagnoses"), empty)
    assert err.value.rule == "file.empty"

    good = write_feed(
        tmp_path,
        "hs_institutions",
        "2025-01",
        [registry_row(credit_code("500101", 1), "500101", "A100", "甲医院")],
    )
    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(good.read_bytes()[:400])
    with pytest.raises(FeedFileError) as err:
        list(open_feed_file(feed("hs_institutions"), truncated).rows())
    assert err.value.rule == "file.unreadable"


def test_unknown_unit_is_rejected(tmp_path):
    import xlsxwriter

    path = tmp_path / "fin.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "金额单位：百万元")
    for i, col in enumerate(feed("fin_annual_report").columns):
        sheet.write(1, i, col.header)
    book.close()
    with pytest.raises(FeedFileError) as err:
        open_feed_file(feed("fin_annual_report"), path)
    assert err.value.rule == "unit.unknown" and "百万元" in err.value.message
