"""The GX quality gate and the batch lifecycle, on a real PostgreSQL."""

from tests.conftest import PII_KEY
from tests.feedfiles import credit_code, registry_row, services_row, write_feed
from yigongti.pipeline import LandingFile, process_file

H1, C1 = credit_code("500101", 1), credit_code("500101", 2)


def _process(conn, path, feed_name, period):
    return process_file(conn, LandingFile(feed_name, period, str(path)), PII_KEY)


def _registry(conn, landing, period="2025-01"):
    path = write_feed(
        landing,
        "hs_institutions",
        period,
        [
            registry_row(H1, "500101", "A100", "甲医院", grade="二级"),
            registry_row(C1, "500101", "C210", "乙卫生院"),
        ],
    )
    return _process(conn, path, "hs_institutions", period)


def test_good_batch_is_accepted_with_lineage(fresh_db, tmp_path):
    assert _registry(fresh_db, tmp_path)["status"] == "accepted"
    path = write_feed(
        tmp_path,
        "hs_monthly_services",
        "2025-01",
        [services_row(H1, 1000, 50), services_row(C1, 600, 60)],
    )
    result = _process(fresh_db, path, "hs_monthly_services", "2025-01")
    assert result["status"] == "accepted", result["message"]
    with fresh_db.connect() as db:
        log = db.execute(
            "select row_count, district_codes, status, sha256 from ops.batch_log "
            "where batch_id = %s",
            (result["batch_id"],),
        ).fetchone()
        lineage = db.execute(
            "select distinct _file_name, _file_sha256, _district_code from "
            "raw.hs_monthly_services where _batch_id = %s",
            (result["batch_id"],),
        ).fetchall()
    assert log[:3] == (2, ["500101"], "accepted")
    assert lineage == [(path.name, log[3], "500101")]


def test_bad_batch_is_rejected_with_rules_and_sample_rows_and_kept(fresh_db, tmp_path):
    _registry(fresh_db, tmp_path)
    unknown = credit_code("500101", 99)  # valid check character, not in the registry
    rows = [services_row(H1, 1000, 50), services_row(C1, -5, 0), services_row(unknown, 10, 0)]
    path = write_feed(tmp_path, "hs_monthly_services", "2025-01", rows, file_name="bad.xlsx")
    result = _process(fresh_db, path, "hs_monthly_services", "2025-01")

    assert result["status"] == "rejected"
    assert {"total_visits.type", "district.known"} <= set(result["rules_failed"])
    # The message names the file, the rule and the offending rows (header ends on row 4).
    assert "bad.xlsx" in result["message"]
    assert "total_visits.type" in result["message"] and "第 7 行" in result["message"]
    with fresh_db.connect() as db:
        kept = db.execute(
            "select count(*) from raw.hs_monthly_services where _batch_id = %s",
            (result["batch_id"],),
        ).fetchone()[0]
        sample = db.execute(
            "select sample from ops.batch_rule_result where batch_id = %s and rule = %s",
            (result["batch_id"], "district.known"),
        ).fetchone()[0]
        active = db.execute(
            "select count(*) from ops.active_batch where feed = 'hs_monthly_services'"
        ).fetchone()[0]
    assert kept == 3  # rows stay in raw, marked by their rejected batch
    assert sample[0]["credit_code"] == unknown and sample[0]["_row_number"] == 8
    assert active == 0  # nothing of it is active, so nothing reaches staging


def test_unreadable_file_is_recorded_and_archived(fresh_db, tmp_path):
    path = tmp_path / "hs_remote_diagnoses" / "2025-01" / "broken.csv"
    path.parent.mkdir(parents=True)
    path.write_text("完全不对的表头\n1\n", encoding="utf-8")
    result = _process(fresh_db, path, "hs_remote_diagnoses", "2025-01")
    assert result["status"] == "rejected" and result["rules_failed"] == ["header.not_found"]
    with fresh_db.connect() as db:
        archived = db.execute(
            "select archive_path from ops.batch_log where batch_id = %s", (result["batch_id"],)
        ).fetchone()[0]
    from pathlib import Path

    assert Path(archived).read_bytes() == path.read_bytes()
    # Delivered files may hold IDs and names in clear: the pipeline's user only.
    assert Path(archived).stat().st_mode & 0o777 == 0o600
    assert Path(archived).parent.stat().st_mode & 0o777 == 0o700
    assert Path(archived).parent.parent.parent.stat().st_mode & 0o777 == 0o700


def test_same_file_twice_is_one_batch(fresh_db, tmp_path):
    first = _registry(fresh_db, tmp_path)
    second = _registry(fresh_db, tmp_path)  # identical bytes
    assert second["duplicate"] and second["batch_id"] == first["batch_id"]
    with fresh_db.connect() as db:
        assert db.execute("select count(*) from raw.hs_institutions").fetchone()[0] == 2


def test_corrected_resubmission_supersedes_and_old_batch_stays(fresh_db, tmp_path):
    _registry(fresh_db, tmp_path)
    rows = [services_row(H1, 1000, 50), services_row(C1, 600, 60)]
    old = _process(
        fresh_db,
        write_feed(tmp_path, "hs_monthly_services", "2025-01", rows),
        "hs_monthly_services",
        "2025-01",
    )
    rows[1] = services_row(C1, 650, 60)
    new = _process(
        fresh_db,
        write_feed(tmp_path, "hs_monthly_services", "2025-01", rows, file_name="500000_更正.xlsx"),
        "hs_monthly_services",
        "2025-01",
    )
    with fresh_db.connect() as db:
        statuses = dict(
            db.execute(
                "select batch_id, status from ops.batch_log where feed = 'hs_monthly_services'"
            )
        )
        active = db.execute(
            "select batch_id from ops.active_batch where feed = 'hs_monthly_services'"
        ).fetchall()
        old_rows = db.execute(
            "select count(*) from raw.hs_monthly_services where _batch_id = %s", (old["batch_id"],)
        ).fetchone()[0]
    assert statuses == {old["batch_id"]: "superseded", new["batch_id"]: "accepted"}
    assert active == [(new["batch_id"],)]
    assert old_rows == 2


def test_retired_district_in_a_2026_period_is_rejected(fresh_db, tmp_path):
    path = write_feed(
        tmp_path,
        "hs_institutions",
        "2026-02",
        [
            registry_row(credit_code("500105", 1), "500105", "A100", "江北某医院"),
        ],
    )
    result = _process(fresh_db, path, "hs_institutions", "2026-02")
    assert result["status"] == "rejected"
    assert "district.valid_for_period" in result["rules_failed"]


def test_feed_specific_rule_from_expectations_folder(fresh_db, tmp_path):
    _registry(fresh_db, tmp_path)
    # expectations/hs_monthly_services.yml: TCM visits may not exceed total visits.
    rows = [services_row(H1, 1000, 50), services_row(C1, 600, 700)]
    path = write_feed(tmp_path, "hs_monthly_services", "2025-01", rows)
    result = _process(fresh_db, path, "hs_monthly_services", "2025-01")
    assert result["status"] == "rejected"
    assert result["rules_failed"] == ["tcm.not_above_total"]
    assert "中医诊疗人次数不应大于总诊疗人次数" in result["message"]
    assert "1 行" in result["message"] and "第 7 行" in result["message"]
