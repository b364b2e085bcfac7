"""What the monthly bulletin says, read from the marts (no formatting here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yigongti.bulletin.geo import District
from yigongti.periods import Period

MUNICIPALITY = "500000"
TREND_MONTHS = 12


@dataclass
class Indicator:
    code: str
    name: str
    unit: str
    direction: str  # higher | lower: which way is better
    headline_period_type: str  # the period type that headlines it (registry)


@dataclass
class Headline:
    indicator: Indicator
    period: Period
    value: float | None
    previous: float | None  # the period before (month on month, year on year for annual)
    last_year: float | None  # same period a year earlier
    status: str | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def period_label(self) -> str:
        return self.period.label_zh


@dataclass
class Ranking:
    indicator: Indicator
    period: Period
    rows: list[tuple[str, str, float]]  # (area_code, name, value), best first
    municipal: float | None

    @property
    def period_label(self) -> str:
        return self.period.label_zh


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
    late: list[dict]  # deliveries received after the due date: feed title, district, days late
    institution_rate: float | None  # 卫统 monthly report: institutions reporting / expected


@dataclass
class Bulletin:
    month: dt.date
    generated_at: dt.datetime
    headlines: list[Headline]
    rankings: list[Ranking]
    trends: list[Trend]
    targets: list[dict]  # the districts' plans
    completeness: Completeness
    warnings: int = 0  # indicator rows of the month flagged by a warned input batch
    municipal_targets: list[dict] = field(default_factory=list)  # the municipal plan's goals
    districts: list[District] = field(default_factory=list)  # the whole dimension, with validity

    @property
    def month_period(self) -> Period:
        return Period.month_of(self.month)

    @property
    def district_count(self) -> int:
        """Districts valid in the bulletin's month (boundaries at the month's end)."""
        end = self.month_period.end
        return sum(d.valid_on(end) for d in self.districts)


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
        "select indicator_code, indicator_name_zh, unit, direction, headline_period_type "
        "from marts.dim_indicators "
        "order by substring(indicator_number from '^[0-9]+')::int, indicator_code"
    ).fetchall()
    return {r[0]: Indicator(*r) for r in rows}


def _latest_periods(db, month: dt.date) -> dict[str, Period]:
    """Each indicator's latest period ending by the bulletin month, of the period type
    that headlines it (the registry's ``headline_period_type``)."""
    rows = db.execute(
        """
        select distinct on (v.indicator_code)
            v.indicator_code, v.period_type, v.period_start, v.period_end
        from marts.fct_indicator_values as v
        inner join marts.dim_indicators as i on v.indicator_code = i.indicator_code
        where v.period_type = i.headline_period_type
            and v.period_end <= %s and v.value is not null
        order by v.indicator_code, v.period_end desc
        """,
        (Period.month_of(month).end,),
    ).fetchall()
    return {code: Period.of_mart(ptype, start, end) for code, ptype, start, end in rows}


def _value(db, code: str, area: str, period: Period):
    row = db.execute(
        "select value, status from marts.fct_indicator_values where indicator_code = %s "
        "and area_code = %s and period_type = %s and period_start = %s and period_end = %s",
        (code, area, period.kind, period.start, period.end),
    ).fetchone()
    return (float(row[0]) if row and row[0] is not None else None), (row[1] if row else None)


def headlines(db, periods: dict[str, Period], indicators: dict[str, Indicator]) -> list[Headline]:
    out = []
    for code, period in periods.items():
        value, status = _value(db, code, MUNICIPALITY, period)
        if value is None:
            continue  # indicators without a municipal value (levels) are ranked only
        previous, _ = _value(db, code, MUNICIPALITY, period.previous)
        last_year, _ = _value(db, code, MUNICIPALITY, period.a_year_earlier)
        out.append(Headline(indicators[code], period, value, previous, last_year, status))
    return sorted(out, key=lambda h: list(indicators).index(h.indicator.code))


def rankings(db, periods: dict[str, Period], indicators: dict[str, Indicator]) -> list[Ranking]:
    out = []
    for code, period in periods.items():
        ind = indicators[code]
        rows = db.execute(
            """
            select area_code, area_name_zh, value from marts.fct_indicator_values
            where indicator_code = %s and period_type = %s and period_start = %s
                and period_end = %s and area_code <> %s and value is not null
            order by value desc, area_code
            """,
            (code, period.kind, period.start, period.end, MUNICIPALITY),
        ).fetchall()
        if not rows:
            continue
        ranked = [(a, n, float(v)) for a, n, v in rows]
        if ind.direction == "lower":
            ranked.sort(key=lambda r: (r[2], r[0]))
        municipal, _ = _value(db, code, MUNICIPALITY, period)
        out.append(Ranking(ind, period, ranked, municipal))
    return sorted(out, key=lambda r: list(indicators).index(r.indicator.code))


def trends(db, month: dt.date, ranking: list[Ranking]) -> list[Trend]:
    """Monthly indicators over the last 12 months: the municipality, best and worst district."""
    last = Period.month_of(month)
    months = [last.shifted(-n).start for n in range(TREND_MONTHS - 1, -1, -1)]
    first = months[0]
    out = []
    for rank in ranking:
        if rank.indicator.headline_period_type != "month":
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


def targets(db, municipal: bool = False) -> list[dict]:
    """The districts' plan targets, or (``municipal``) the municipal plan's goals,
    which the mart carries as rows of the municipality (``500000``)."""
    rows = db.execute(
        f"""
        select district_code, district_name_zh, indicator_seq, indicator_name_zh, unit,
            target_year, target_operator, target_value, latest_actual_year, latest_actual,
            attained
        from marts.fct_target_attainment
        where district_code {"=" if municipal else "<>"} %s
        order by district_code, target_year, indicator_seq
        """,
        (MUNICIPALITY,),
    )
    names = [c.name for c in rows.description]
    return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]


def districts(db) -> list[District]:
    """The district dimension with its validity dates (the municipality left out)."""
    rows = db.execute(
        "select area_code, area_name_zh, valid_from, valid_to from marts.dim_districts "
        "where area_code <> %s order by area_code",
        (MUNICIPALITY,),
    ).fetchall()
    return [District(*r) for r in rows]


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
    late = db.execute(
        """
        select feed_title_zh, district_name_zh, days_late
        from marts.fct_reporting_completeness
        where length(period) = 7 and period_start = %s and is_received and not is_on_time
        order by feed, district_code
        """,
        (month,),
    )
    names = [c.name for c in late.description]
    late_rows = [dict(zip(names, r, strict=True)) for r in late.fetchall()]
    rate = db.execute(
        "select sum(institutions_reported)::numeric / nullif(sum(institutions_expected), 0) "
        "from marts.fct_reporting_completeness "
        "where feed = 'hs_monthly_services' and period_start = %s",
        (month,),
    ).fetchone()[0]
    return Completeness(feed_rows, missing_rows, late_rows, None if rate is None else float(rate))


def collect(conn, month: dt.date | None = None) -> Bulletin | None:
    """Everything the bulletin shows for ``month`` (default: the latest complete month)."""
    month = month or latest_complete_month(conn)
    if month is None:
        return None
    with conn.connect() as db:
        return collect_from(db, month)


def collect_from(db, month: dt.date) -> Bulletin:
    """As ``collect``, on an open connection (tests read inside a transaction)."""
    indicators = _indicators(db)
    periods = _latest_periods(db, month)  # each indicator's latest headline period
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
        municipal_targets=targets(db, municipal=True),
        districts=districts(db),
    )
