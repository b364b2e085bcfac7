"""The column rules the loader decides while rows stream through it agree with
the same rules run by PostgreSQL over the landed batch; the reader's fast
column path agrees with its row-by-row path; blocks keep row numbers right."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import PII_KEY
from tests.feedfiles import resident_id, settlement_row, write_feed
from yigongti.contracts import feed as contract
from yigongti.identifiers import Hasher
from yigongti.pipeline import LandingFile, process_file
from yigongti.quality.suites import batch_rows, rules_for, unexpected_rows_query
from yigongti.readers import open_feed_file
from yigongti.readers import sources as sources_module
from yigongti.readers.table import FeedFile

JAN = "2025-01"


def _bad_lines() -> list[dict]:
    """Each line breaks one column rule; lines 2-3 (rows 2 and 3 of the file) are clean."""
    return [
        settlement_row("S1"),
        settlement_row("S2"),
        settlement_row("S3", insurance_type="999"),  # value set
        settlement_row("S4", provider_code="X123"),  # format
        settlement_row("S5", encounter_id=None),  # required
        settlement_row("S6", person_id_hash=resident_id("50010119600101123")[:-1] + "0"),
        settlement_row("S7", insured_region_code="500199"),  # no such district
        settlement_row("S8", is_out_of_area="2"),  # value set
        settlement_row("S9", main_diagnosis_icd10="i63"),  # format (lower case)
    ]


def test_streamed_counts_equal_postgresql_running_the_same_rules(fresh_db, tmp_path):
    path = write_feed(tmp_path, "mi_inpatient_settlements", JAN, _bad_lines())
    result = process_file(
        fresh_db, LandingFile("mi_inpatient_settlements", JAN, str(path)), PII_KEY
    )
    assert result["status"] == "rejected"
    feed = contract("mi_inpatient_settlements")
    with fresh_db.connect() as db:
        streamed = db.execute(
            "select rules_streamed from ops.batch_log where batch_id = %s",
            (result["batch_id"],),
        ).fetchone()[0]
        stored = dict(
            db.execute(
                "select rule, unexpected_count from ops.batch_rule_result where batch_id = %s",
                (result["batch_id"],),
            ).fetchall()
        )
        column_rules = [
            r for r in rules_for(feed, JAN) if r.expectation_type != "unexpected_rows_expectation"
        ]
        assert {r.name for r in column_rules} <= set(streamed)
        by_postgres = {}
        for rule in column_rules:
            query = unexpected_rows_query(rule).replace(
                "{batch}", batch_rows(feed, result["batch_id"])
            )
            by_postgres[rule.name] = db.execute(f"select count(*) from ({query}) as u").fetchone()[
                0
            ]
    for name, count in by_postgres.items():
        assert stored.get(name, 0) == count, name
    # One line per broken rule, as written above.
    assert {name for name, count in by_postgres.items() if count} == {
        "insurance_type.in_set",
        "provider_code.format",
        "encounter_id.not_null",
        "person_id_hash.check_character",
        "district.valid_for_period",
        "is_out_of_area.in_set",
        "main_diagnosis_icd10.format",
    }


def test_a_repeated_key_is_decided_exactly_in_sql(fresh_db, tmp_path):
    """Two lines with one key (settlement ID and status) and one line whose ID repeats
    with the other status: GX's count is every row of a repeated key, here 2."""
    lines = [
        settlement_row("S1"),
        settlement_row("S1"),
        settlement_row("S2"),
        settlement_row(
            "S2",
            settlement_status="冲销",
            total_cost=-9000.0,
            fund_paid=-6000.0,
            pooled_fund_paid=-5700.0,
            cash_paid=-3000.0,
        ),
    ]
    path = write_feed(tmp_path, "mi_inpatient_settlements", JAN, lines)
    result = process_file(
        fresh_db, LandingFile("mi_inpatient_settlements", JAN, str(path)), PII_KEY
    )
    assert result["status"] == "rejected" and result["rules_failed"] == ["key.unique"]
    with fresh_db.connect() as db:
        count, sample, streamed, report = db.execute(
            "select r.unexpected_count, r.sample, l.rules_streamed, l.report_path "
            "from ops.batch_rule_result r join ops.batch_log l using (batch_id) "
            "where batch_id = %s and rule = 'key.unique'",
            (result["batch_id"],),
        ).fetchone()
    assert "key.unique" not in streamed  # left to SQL
    assert count == 2 and [s["_row_number"] for s in sample] == [2, 3]
    assert report.endswith(".html")  # a rendered Data Docs page for the people on duty


def test_every_batch_has_its_gx_result_recorded(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("YIGONGTI_STATE_DIR", str(tmp_path / "state"))
    path = write_feed(tmp_path, "mi_inpatient_settlements", JAN, _bad_lines()[:2])
    result = process_file(
        fresh_db, LandingFile("mi_inpatient_settlements", JAN, str(path)), PII_KEY
    )
    assert result["status"] == "accepted", result["message"]
    with fresh_db.connect() as db:
        report = db.execute(
            "select report_path from ops.batch_log where batch_id = %s", (result["batch_id"],)
        ).fetchone()[0]
    recorded = json.loads(Path(report).read_text())
    rules = {r["expectation_config"]["meta"]["rule"]: r for r in recorded["results"]}
    feed = contract("mi_inpatient_settlements")
    assert set(rules) == {r.name for r in rules_for(feed, JAN)}
    assert recorded["success"] and all(r["result"]["unexpected_count"] == 0 for r in rules.values())
    assert rules["reversal.without_original"]["expectation_config"]["type"] == (
        "unexpected_rows_expectation"
    )


def _slow_only(monkeypatch):
    monkeypatch.setattr(FeedFile, "_fast_frame", lambda self, rows, typed: (None, set()))


SETTLEMENT_HEADER = (
    "结算ID,就诊ID,人员证件号码,险种类型,参保地医保区划,就医地医保区划,定点医药机构编号,"
    "医疗类别,入院日期,出院日期,结算时间,医疗费总额,基金支付总额,统筹基金支出,个人现金支付,"
    "主要诊断代码,异地结算标志,结算状态"
)


def _line(i: int, admitted="2025/01/03", cost="9000.00", settled="2025/01/10 09:30:00") -> str:
    person = resident_id(f"500101196001{i % 28 + 1:02d}123")
    return (
        f"JS{i:06d},JZ{i:06d},{person},390,500101,500101,H50010100001,21,{admitted},"
        f"2025/01/10,{settled},{cost},6000.00,5700.00,3000.00,I63.9,0,正常"
    )


def test_fast_column_path_agrees_with_row_by_row(tmp_path, monkeypatch):
    """Clean blocks skip the row-by-row look; both paths give the same rows,
    issues and row numbers, on clean lines and on lines that need a look."""
    lines = [_line(i) for i in range(300)]
    lines[120] = _line(120, admitted="2025/02/30")  # not a day of the calendar
    lines[121] = _line(121, cost='"9,000.00"')  # thousands separator, quoted
    lines[122] = _line(122, settled="2025-01-10T09:30")  # ISO with 'T', no seconds
    lines[123] = " " + _line(123) + " "  # padded with spaces
    lines[200:] = [_line(i, admitted="20250103") for i in range(200, 300)]  # compact dates
    path = tmp_path / "500000_settlements.csv"
    path.write_bytes(("\r\n".join([SETTLEMENT_HEADER, *lines]) + "\r\n").encode("gbk"))
    feed = contract("mi_inpatient_settlements")
    monkeypatch.setattr(sources_module, "BLOCK_CHARS", 4096)  # many blocks

    def read():
        opened = open_feed_file(feed, path, Hasher(PII_KEY))
        rows = list(opened.rows())
        return rows, {i.rule: (i.count, i.sample) for i in opened.issues}

    fast = read()
    _slow_only(monkeypatch)
    slow = read()
    assert fast == slow
    rows, issues = fast
    assert [n for n, _ in rows] == list(range(2, 302))
    assert set(issues) == {"admitted_on.type"}
    count, sample = issues["admitted_on.type"]
    assert count == 1 and sample[0]["_row_number"] == 122
    by_number = dict(rows)
    names = feed.raw_columns
    assert by_number[123][names.index("total_cost")] == "9000.00"
    assert by_number[124][names.index("settled_at")] == "2025-01-10 09:30:00"
    assert by_number[125][names.index("settlement_id")] == "JS000123"
    assert by_number[125][names.index("settlement_status")] == "正常"
    assert by_number[2][names.index("admitted_on")] == "2025-01-03"
    assert by_number[250][names.index("admitted_on")] == "2025-01-03"
    assert by_number[2][names.index("person_id_hash")] == Hasher(PII_KEY)(
        resident_id("50010119600101123")
    )


def test_quoted_line_breaks_across_blocks_keep_row_numbers(tmp_path, monkeypatch):
    """A quoted field holding a line break straddles the end of a block: the block
    is extended, and each row is numbered by its last physical line."""
    monkeypatch.setattr(sources_module, "BLOCK_CHARS", 64)
    header = "诊断中心机构代码,申请机构代码,检查类别,诊断人次"
    body = [f"A{i},B{i},心电,{i}" for i in range(1, 30)]
    body[10] = 'A11,"B\n11",心电,11'
    path = tmp_path / "remote.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    rows = list(open_feed_file(contract("hs_remote_diagnoses"), path).rows())
    numbers = [n for n, _ in rows]
    assert numbers == [*range(2, 12), *range(13, 32)]
    assert "B\n11" in rows[10][1]


@pytest.mark.parametrize("form", ["2025-01-03", "2025/01/03", "20250103"])
def test_date_forms_read_alike(tmp_path, form):
    path = write_feed(
        tmp_path, "mi_inpatient_settlements", JAN, [settlement_row("S1", admitted_on=form)]
    )
    feed = contract("mi_inpatient_settlements")
    rows = list(open_feed_file(feed, path, Hasher(PII_KEY)).rows())
    assert rows[0][1][feed.raw_columns.index("admitted_on")] == dt.date(2025, 1, 3).isoformat()


def test_full_width_digits_are_a_type_error_not_a_failed_cast(tmp_path):
    """Numbers typed with full-width digits cannot be cast by the warehouse: the row
    is named (the whole batch rejected), never loaded for a staging cast to fail on."""
    path = tmp_path / "500000_settlements.csv"
    lines = [_line(1), _line(2, cost="９０００.00")]
    path.write_text("\n".join([SETTLEMENT_HEADER, *lines]) + "\n", encoding="utf-8")
    opened = open_feed_file(contract("mi_inpatient_settlements"), path, Hasher(PII_KEY))
    list(opened.rows())
    issues = {i.rule: i for i in opened.issues}
    assert set(issues) == {"total_cost.type"}
    assert issues["total_cost.type"].sample == [{"_row_number": 3, "value": "９０００.00"}]


def test_a_value_that_is_no_date_is_reported_not_cast(fresh_db, tmp_path):
    """The feed-specific rules cast dates (death before birth); a row whose date is
    not a day of the calendar is reported by the reader, and those casts never see
    it: the batch is rejected with the row named, not failed as an internal error."""
    from tests.feedfiles import death_row

    rows = [death_row("D1"), death_row("D2", death_date="2025-02-30")]
    path = write_feed(tmp_path, "death_registrations", JAN, rows)
    result = process_file(fresh_db, LandingFile("death_registrations", JAN, str(path)), PII_KEY)
    assert result["status"] == "rejected", result["message"]
    assert result["rules_failed"] == ["death_date.type"]
    assert "第 3 行（2025-02-30）" in result["message"]


def test_blank_values_land_as_null_never_as_empty_text(fresh_db, tmp_path):
    """COPY reads an unquoted empty field as NULL and a quoted one as empty text:
    blanks of every kind of column (text, money, pattern, hashed and checked
    identifier) must reach raw as NULL, or ``is null`` rules miss them."""
    from tests.feedfiles import death_row

    settlement = settlement_row("S1", pooled_fund_paid=None, main_diagnosis_icd10=None)
    death = death_row("D1", id_type="2", person_id_hash=None)  # not a resident ID: optional
    for feed_name, row in [
        ("mi_inpatient_settlements", settlement),
        ("death_registrations", death),
    ]:
        path = write_feed(tmp_path, feed_name, JAN, [row])
        result = process_file(fresh_db, LandingFile(feed_name, JAN, str(path)), PII_KEY)
        feed = contract(feed_name)
        with fresh_db.connect() as db:
            values = db.execute(
                f"select {', '.join(feed.raw_columns)}, _issues from {feed.raw_table} "
                "where _batch_id = %s",
                (result["batch_id"],),
            ).fetchone()
        assert "" not in values, (feed_name, values)
        blank = {
            n for n, v in zip([*feed.raw_columns, "_issues"], values, strict=True) if v is None
        }
        expected = (
            {"pooled_fund_paid", "main_diagnosis_icd10"}
            if feed_name == "mi_inpatient_settlements"
            else {"person_id_hash", "person_id_hash_check"}
        )
        assert blank == expected | {"_issues"}, feed_name


def test_a_file_unreadable_after_its_first_blocks_is_rejected_whole(
    fresh_db, tmp_path, monkeypatch
):
    """Blocks are read ahead in a thread: a byte sequence no encoding reads, deep in
    the file, still rejects the batch (no row of it stays) with the file's rule."""
    monkeypatch.setattr(sources_module, "BLOCK_CHARS", 512)
    monkeypatch.setattr(sources_module, "SNIFF_BYTES", 1024)  # the encoding looks right
    lines = [_line(i) for i in range(200)]
    data = ("\n".join([SETTLEMENT_HEADER, *lines]) + "\n").encode("utf-8")
    at = data.index(b"JS000150")
    path = tmp_path / "mi_inpatient_settlements" / JAN / "500000_settlements.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at:])
    result = process_file(
        fresh_db, LandingFile("mi_inpatient_settlements", JAN, str(path)), PII_KEY
    )
    assert result["status"] == "rejected" and result["rules_failed"] == ["file.encoding"]
    with fresh_db.connect() as db:
        rows = db.execute(
            "select count(*) from raw.mi_inpatient_settlements where _batch_id = %s",
            (result["batch_id"],),
        ).fetchone()[0]
    assert rows == 0
