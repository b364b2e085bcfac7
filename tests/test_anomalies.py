"""Outliers and reporting drops are warnings: robust statistics, seasonality-aware."""

from tests.conftest import PII_KEY
from tests.feedfiles import credit_code, registry_row, services_row, write_feed
from yigongti.alerts import batch_alerts
from yigongti.pipeline import LandingFile, process_file
from yigongti.quality.anomalies import Z_LIMIT, assess, robust_z


def _months(first: str, n: int) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def test_robust_z_against_a_stable_history():
    # History 1000, 1010, 990, 1005, 995, 1000: median 1000; absolute deviations
    # 0, 10, 10, 5, 5, 0 -> MAD 5, floored at 5 % of the median = 50.
    # A value of 500: z = 0.6745 x (500 - 1000) / 50 = -6.745.
    z, median = robust_z(500, [1000, 1010, 990, 1005, 995, 1000])
    assert median == 1000
    assert round(z, 3) == -6.745
    # A noisy history keeps its own spread: 1000, 1200, 800, 1100, 900, 1000 ->
    # deviations 0, 200, 200, 100, 100, 0 -> MAD 100; 500 -> z = 0.6745 x -500 / 100.
    z, _ = robust_z(500, [1000, 1200, 800, 1100, 900, 1000])
    assert round(z, 4) == -3.3725


def test_seasonal_peak_is_not_an_outlier_but_a_drop_is():
    # Twelve months ago January peaked at 1500 (other months ~1000); the last six
    # months ran at last year's level (year-on-year ratio 1.0).
    history = {p: 1000.0 for p in _months("2024-02", 11)}
    history["2025-01"] = 1500.0
    history.update({p: 1000.0 for p in _months("2025-07", 6)})
    # January 2026 at 1520: 1.013 x last January; compared with recent months
    # (1000) it would look like +52 %, but seasonally it is as usual.
    z, expected = assess(1520, history, "2026-01")
    assert abs(z) < Z_LIMIT and expected == 1500
    # January 2026 at 700: ratio 0.47 against a usual 1.0 -> flagged.
    z, _ = assess(700, history, "2026-01")
    assert z < -Z_LIMIT


def test_too_little_history_gives_no_verdict():
    assert assess(10, {"2025-11": 1000.0, "2025-12": 1000.0}, "2026-01") is None


def test_drop_in_a_district_warns_and_alerts(fresh_db, tmp_path):
    codes = [credit_code("500101", i) for i in range(1, 5)]
    registry = write_feed(
        tmp_path,
        "hs_institutions",
        "2025-01",
        [registry_row(c, "500101", "C210", f"卫生院{i}") for i, c in enumerate(codes)],
    )
    process_file(fresh_db, LandingFile("hs_institutions", "2025-01", str(registry)), PII_KEY)
    for period in _months("2025-01", 6):
        path = write_feed(
            tmp_path, "hs_monthly_services", period, [services_row(c, 1000, 100) for c in codes]
        )
        result = process_file(
            fresh_db, LandingFile("hs_monthly_services", period, str(path)), PII_KEY
        )
        assert result["status"] == "accepted", result["message"]
    # July: two of the four centres did not report and visits fell by half.
    path = write_feed(
        tmp_path, "hs_monthly_services", "2025-07", [services_row(c, 1000, 100) for c in codes[:2]]
    )
    result = process_file(
        fresh_db, LandingFile("hs_monthly_services", "2025-07", str(path)), PII_KEY
    )
    assert result["status"] == "accepted_with_warnings"
    assert {"anomaly.rows", "anomaly.total_visits"} <= set(result["rules_failed"])
    assert "500101 总诊疗人次 2,000，较预期 4,000下降 50%" in result["message"]
    (alert,) = batch_alerts(fresh_db, [result["batch_id"]])
    assert alert.level == "warning" and "数据预警" in alert.title
