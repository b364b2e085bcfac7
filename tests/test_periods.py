"""The Period type (include/yigongti/periods.py) against hand-worked calendar facts."""

import datetime as dt

import pytest

from yigongti.periods import Period, feed_period, registry_period, shift_period

D = dt.date


def test_landing_folder_names_parse_to_a_month_or_a_year():
    assert Period.parse("2026-03") == Period(D(2026, 3, 1), "month")
    assert Period.parse("2025") == Period(D(2025, 1, 1), "year")
    for bad in ("2026-13", "2026-3", "26-03", "2026-03-01", "二〇二六"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_ends_follow_the_calendar():
    assert Period.parse("2024-02").end == D(2024, 2, 29)  # leap year
    assert Period.parse("2026-02").end == D(2026, 2, 28)
    assert Period(D(2026, 4, 1), "quarter").end == D(2026, 6, 30)
    assert Period.ending("ytd", D(2026, 3, 15)).end == D(2026, 3, 31)
    assert Period.parse("2026").end == D(2026, 12, 31)


def test_the_period_a_month_belongs_to():
    march = Period.parse("2026-03")
    assert Period.ending("quarter", march) == Period(D(2026, 1, 1), "quarter")
    assert Period.ending("quarter", Period.parse("2026-11")).start == D(2026, 10, 1)
    ytd = Period.ending("ytd", march)
    assert (ytd.start, ytd.through, ytd.months) == (D(2026, 1, 1), D(2026, 3, 1), 3)
    assert Period.ending("year", march) == Period.parse("2026")


def test_shifts_and_comparisons():
    assert Period.parse("2026-01").previous == Period.parse("2025-12")
    assert shift_period("2026-03", -14) == "2025-01"
    assert Period(D(2026, 1, 1), "quarter").previous.start == D(2025, 10, 1)
    ytd = Period.ending("ytd", Period.parse("2026-03"))
    # 同比 of Jan–Mar 2026 is Jan–Mar 2025, not the whole of 2025.
    assert ytd.a_year_earlier.end == D(2025, 3, 31)
    assert Period.parse("2026-03").a_year_earlier == Period.parse("2025-03")


def test_labels_users_read():
    assert Period.parse("2026-03").label_zh == "2026年3月"
    assert Period(D(2026, 4, 1), "quarter").label_zh == "2026年第2季度"
    assert Period.ending("ytd", Period.parse("2026-03")).label_zh == "2026年1—3月"
    assert Period.parse("2025").label_zh == "2025年"


def test_mart_rows_and_feed_folders():
    row = Period.of_mart("ytd", D(2026, 1, 1), D(2026, 5, 31))
    assert row.through == D(2026, 5, 1) and row.end == D(2026, 5, 31)
    assert feed_period("year", "2025") == Period.parse("2025")
    assert feed_period("year", "2025-12") is None  # an annual feed is delivered as YYYY
    assert feed_period("month", "2025") is None
    assert registry_period("year", "2025") == "2025-12"
    assert registry_period("month", "2026-03") == "2026-03"


def test_impossible_periods_are_refused():
    with pytest.raises(ValueError):
        Period(D(2026, 2, 1), "quarter")
    with pytest.raises(ValueError):
        Period(D(2026, 1, 1), "ytd")  # a year to date needs its last month
    with pytest.raises(ValueError):
        Period(D(2026, 3, 1), "year")
