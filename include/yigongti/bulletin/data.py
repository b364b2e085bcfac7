"""What the monthly bulletin says, read from the marts (no formatting here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yigongti.periods import add_months, month_end

MUNICIPALITY = "500000"
TREND_MONTHS = 12


@dataclass
class Indicator:
    code: str
    name: str
    unit: str
    direction: str  # higher | lower: which way is better
    periodicity: str


@dataclass
class Headline:
    indicator: Indicator
    period_label: str
    value: float | None
    previous: float | None  # the period before (month on month, year on year for annual)
    last_year: float | None  # same period a year earlier
    status: str | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class Ranking:
    indicator: Indicator
    period_label: str
    rows: list[tuple[str, str, float]]  # (area_code, name, value), best first
    municipal: float | None


@dataclass
class Trend:
    indicator: Indicator
    months: list[str]  # YYYY-MM
    municipal: list[float | None]
    best: tuple[str, list[float | None]] | None = None  # best district of the month (direction)
    worst: tuple[str, list[float | None]] | None = None


@dataclass
class Completeness:
    feeds: list[dict]  # per feed: title, expected, received, on_time, rejected, missing
    missing: list[dict]  # deliveries not received: feed title, district, status, due date
    institution_rate: float | None  # 卫统 monthly report: institutions reporting / expected


@dataclass
class Bulletin:
    month: dt.date
    generated_at: dt.datetime
    headlines: list[Headline]
    rankings: list[Ranking]
    trends: list[Trend]
    targets: list[dict]
    completeness: Completeness
    warnings: int = 0  # indicator rows of the month flagged by a warned input batch


def latest_complete_month(conn) -> dt.date | None:
    """The latest month whose monthly deliveries are all in (every feed, every district).

    A month still missing a delivery is not bulletin-ready; when no month is
    complete, the latest month with indicator values is used (the bulletin's
    completeness section then says what is missing).
    """
    with conn.connect() as db:
        complete = db.execute(
            """
            select max(period_start) from (
                select period_start
                from marts.fct_reporting_completeness
                where length(period) = 7
                group by period_start
                having bool_and(is_received)
            ) as m
            """
        ).fetchone()[0]
        if complete is not None:
            return complete
        return db.execute(
            "select max(period_start) from marts.fct_indicator_values "
            "where period_type = 'month' and value is not null"
        ).fetchone()[0]


def _indicators(db) -> dict[str, Indicator]:
    # Registry order: by number (1, 2, … 10a, 10b, … 14), which is text.
    rows = db.execute(
        "select indicator_code, indicator_name_zh, unit, direction, periodicity "
        "from marts.dim_indicators "
        "order by substring(indicator_number from '^[0-9]+')::int, indicator_code"
    ).fetchall()
    return {r[0]: Indicator(*r) for r in rows}


def _label(period_type: str, start: dt.date) -> str:
    if period_type == "month":
        return f"{start:%Y年%-m月}"
    if period_type == "quarter":
        return f"{start:%Y年}第{(start.month - 1) // 3 + 1}季度"
    if period_type == "ytd":
        return f"{start:%Y年}累计"
    return f"{start:%Y年}"


def _latest_periods(db, month: dt.date) -> dict[str, tuple[str, dt.date]]:
    """Each indicator's latest period ending by the bulletin month, at its own periodicity."""
    rows = db.execute(
        """
        select distinct on (v.indicator_code) v.indicator_code, v.period_type, v.period_start
        from marts.fct_indicator_values as v
        inner join marts.dim_indicators as i on v.indicator_code = i.indicator_code
        where v.period_type = case i.periodicity when 'month' then 'month'
                                                when 'quarter' then 'quarter' else 'year' end
            and v.period_end <= %s and v.value is not null
        order by v.indicator_code, v.period_start desc
        """,
        (month_end(month.year, month.month),),
    ).fetchall()
    return {code: (ptype, start) for code, ptype, start in rows}


def _value(db, code, area, ptype, start):
    row = db.execute(
        "select value, status from marts.fct_indicator_values where indicator_code = %s "
        "and area_code = %s and period_type = %s and period_start = %s",
        (code, area, ptype, start),
    ).fetchone()
    return (float(row[0]) if row and row[0] is not None else None), (row[1] if row else None)


def _shift(start: dt.date, ptype: str, back: int) -> dt.date:
    """The start of the period ``back`` periods earlier."""
    return add_months(start, -{"month": 1, "quarter": 3}.get(ptype, 12) * back)


def headlines(
    db, periods: dict[str, tuple[str, dt.date]], indicators: dict[str, Indicator]
) -> list[Headline]:
    out = []
    for code, (ptype, start) in periods.items():
        value, status = _value(db, code, MUNICIPALITY, ptype, start)
        if value is None:
            continue  # indicators without a municipal value (levels) are ranked only
        previous, _ = _value(db, code, MUNICIPALITY, ptype, _shift(start, ptype, 1))
        last_year, _ = _value(db, code, MUNICIPALITY, ptype, _shift(start, "year", 1))
        out.append(
            Headline(indicators[code], _label(ptype, start), value, previous, last_year, status)
        )
    return sorted(out, key=lambda h: list(indicators).index(h.indicator.code))


def rankings(
    db, periods: dict[str, tuple[str, dt.date]], indicators: dict[str, Indicator]
) -> list[Ranking]:
    out = []
    for code, (ptype, start) in periods.items():
        ind = indicators[code]
        rows = db.execute(
            """
            select area_code, area_name_zh, value from marts.fct_indicator_values
            where indicator_code = %s and period_type = %s and period_start = %s
                and area_code <> %s and value is not null
            order by value desc, area_code
            """,
            (code, ptype, start, MUNICIPALITY),
        ).fetchall()
        if not rows:
            continue
        ranked = [(a, n, float(v)) for a, n, v in rows]
        if ind.direction == "lower":
            ranked.sort(key=lambda r: (r[2], r[0]))
        municipal, _ = _value(db, code, MUNICIPALITY, ptype, start)
        out.append(Ranking(ind, _label(ptype, start), ranked, municipal))
    return sorted(out, key=lambda r: list(indicators).index(r.indicator.code))


def trends(db, month: dt.date, ranking: list[Ranking]) -> list[Trend]:
    """Monthly indicators over the last 12 months: the municipality, best and worst district."""
    first = _shift(month, "month", TREND_MONTHS - 1)
    months = [_shift(month, "month", n) for n in range(TREND_MONTHS - 1, -1, -1)]
    out = []
    for rank in ranking:
        if rank.indicator.periodicity != "month":
            continue
        series = db.execute(
            """
            select area_code, period_start, value from marts.fct_indicator_values
            where indicator_code = %s and period_type = 'month'
                and period_start between %s and %s
            """,
            (rank.indicator.code, first, month),
        ).fetchall()
        by_area: dict[str, dict[dt.date, float | None]] = {}
        for area, start, value in series:
            by_area.setdefault(area, {})[start] = None if value is None else float(value)

        def line(area: str, values=by_area) -> list[float | None]:
            return [values.get(area, {}).get(m) for m in months]

        best, worst = rank.rows[0], rank.rows[-1]
        out.append(
            Trend(
                rank.indicator,
                [f"{m:%Y-%m}" for m in months],
                line(MUNICIPALITY),
                (best[1], line(best[0])),
                (worst[1], line(worst[0])) if worst is not best else None,
            )
        )
    return out


def targets(db) -> list[dict]:
    rows = db.execute(
        """
        select district_name_zh, indicator_seq, indicator_name_zh, unit, target_year,
            target_operator, target_value, latest_actual_year, latest_actual, attained
        from marts.fct_target_attainment
        order by district_code, target_year, indicator_seq
        """
    )
    names = [c.name for c in rows.description]
    return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]


def completeness(db, month: dt.date) -> Completeness:
    feeds = db.execute(
        """
        select feed_title_zh, count(*) as expected,
            count(*) filter (where is_received) as received,
            count(*) filter (where is_on_time) as on_time,
            count(*) filter (where delivery_status = 'rejected') as rejected,
            count(*) filter (where delivery_status = 'missing') as missing
        from marts.fct_reporting_completeness
        where length(period) = 7 and period_start = %s
        group by feed, feed_title_zh order by feed
        """,
        (month,),
    )
    names = [c.name for c in feeds.description]
    feed_rows = [dict(zip(names, r, strict=True)) for r in feeds.fetchall()]
    missing = db.execute(
        """
        select feed_title_zh, district_name_zh, delivery_status, due_date
        from marts.fct_reporting_completeness
        where length(period) = 7 and period_start = %s and not is_received
        order by feed, district_code
        """,
        (month,),
    )
    names = [c.name for c in missing.description]
    missing_rows = [dict(zip(names, r, strict=True)) for r in missing.fetchall()]
    rate = db.execute(
        "select sum(institutions_reported)::numeric / nullif(sum(institutions_expected), 0) "
        "from marts.fct_reporting_completeness "
        "where feed = 'hs_monthly_services' and period_start = %s",
        (month,),
    ).fetchone()[0]
    return Completeness(feed_rows, missing_rows, None if rate is None else float(rate))


def collect(conn, month: dt.date | None = None) -> Bulletin | None:
    """Everything the bulletin shows for ``month`` (default: the latest complete month)."""
    month = month or latest_complete_month(conn)
    if month is None:
        return None
    with conn.connect() as db:
        indicators = _indicators(db)
        periods = _latest_periods(db, month)  # each indicator's latest period by the month
        ranking = rankings(db, periods, indicators)
        warned = db.execute(
            "select count(*) from marts.fct_indicator_values "
            "where period_type = 'month' and period_start = %s and input_warning",
            (month,),
        ).fetchone()[0]
        return Bulletin(
            month=month,
            generated_at=dt.datetime.now().replace(microsecond=0),
            headlines=headlines(db, periods, indicators),
            rankings=ranking,
            trends=trends(db, month, ranking),
            targets=targets(db),
            completeness=completeness(db, month),
            warnings=warned,
        )
