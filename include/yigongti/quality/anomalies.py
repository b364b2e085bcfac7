"""Warnings for accepted batches: outliers and sudden drops in reporting.

For each measure in the feed contract (``anomalies``) and each district of the
batch, the value is compared with the district's own history in the active
batches, using robust statistics (median and median absolute deviation):

- seasonality-aware when the same period a year earlier exists: the batch's
  ratio to that period is compared with the district's recent year-on-year
  ratios (so a usual winter peak is not an outlier);
- otherwise the value is compared with the district's recent periods.

A value is flagged when its robust z-score exceeds ``Z_LIMIT`` and it also moves
by more than ``MIN_CHANGE`` (small absolute wiggles of very stable series are
not news). Warnings never reject: the batch is accepted with warnings, the
finding is stored and alerted, and the affected mart rows say so.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from psycopg.types.json import Jsonb

from yigongti import batches
from yigongti.contracts import Feed
from yigongti.periods import shift_period

Z_LIMIT = 3.5
MIN_CHANGE = 0.30
# Six monthly points estimate spread poorly: never trust a spread below 5 % of the level.
MAD_FLOOR = 0.05
RECENT = 6
MIN_HISTORY = 3


@dataclass(frozen=True)
class Finding:
    rule: str
    district: str
    value: float
    expected: float
    change: float
    z: float
    label_zh: str

    def describe(self) -> str:
        direction = "下降" if self.change < 0 else "上升"
        return (
            f"{self.district} {self.label_zh} {self.value:,.0f}，较预期 {self.expected:,.0f}"
            f"{direction} {abs(self.change):.0%}（稳健 z={self.z:.1f}）"
        )


def _measure_sql(measure: str) -> str:
    if measure == "rows":
        return "count(*)"
    return f"sum(case when {measure} ~ '^-?[0-9]+(\\.[0-9]+)?$' then {measure}::numeric end)"


def robust_z(value: float, history: list[float]) -> tuple[float, float]:
    """(robust z-score, median) of value against history (0.6745 x deviation / MAD)."""
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history)
    scale = max(mad, abs(median) * MAD_FLOOR, 1e-9)
    return 0.6745 * (value - median) / scale, median


def assess(value: float, by_period: dict[str, float], period: str) -> tuple[float, float] | None:
    """(z, expected value) for the value of ``period``, or None without enough history."""
    recent = [shift_period(period, -k) for k in range(1, RECENT + 1)]
    last_year = by_period.get(shift_period(period, -12))
    ratios = [
        by_period[p] / by_period[shift_period(p, -12)]
        for p in recent
        if p in by_period and by_period.get(shift_period(p, -12))
    ]
    if last_year and len(ratios) >= MIN_HISTORY:
        z, usual_ratio = robust_z(value / last_year, ratios)
        return z, last_year * usual_ratio
    history = [by_period[p] for p in recent if p in by_period]
    if len(history) >= MIN_HISTORY:
        z, median = robust_z(value, history)
        return z, median
    return None


def find(db, feed: Feed, period: str, batch_id: int) -> list[Finding]:
    if feed.periodicity != "month" or not feed.anomalies:
        return []
    findings = []
    earliest = shift_period(period, -(12 + RECENT))
    for spec in feed.anomalies:
        measure = _measure_sql(spec["measure"])
        current = dict(
            db.execute(
                f"select _district_code, {measure} from {feed.raw_table} "
                "where _batch_id = %s and _district_code is not null group by _district_code",
                (batch_id,),
            ).fetchall()
        )
        history: dict[str, dict[str, float]] = {}
        for district, hist_period, value in db.execute(
            f"""
            select r._district_code, a.period, {measure}
            from {feed.raw_table} as r
            inner join ops.active_batch as a
                on a.batch_id = r._batch_id and a.district_code = r._district_code
            where a.feed = %s and a.period >= %s and a.period < %s
              and r._district_code = any(%s)
            group by r._district_code, a.period
            """,
            (feed.name, earliest, period, list(current)),
        ).fetchall():
            history.setdefault(district, {})[hist_period] = float(value or 0)
        for district, value in current.items():
            result = assess(float(value or 0), history.get(district, {}), period)
            if result is None:
                continue
            z, expected = result
            change = (float(value or 0) - expected) / expected if expected else 0.0
            if abs(z) > Z_LIMIT and abs(change) > MIN_CHANGE:
                findings.append(
                    Finding(
                        f"anomaly.{spec['measure']}",
                        district,
                        float(value or 0),
                        expected,
                        change,
                        z,
                        spec["label_zh"],
                    )
                )
    return findings


def flag_batch(conn, feed: Feed, period: str, batch_id: int) -> list[Finding]:
    """Store warnings for an accepted batch and mark it accepted_with_warnings."""
    with conn.connect() as db:
        findings = find(db, feed, period, batch_id)
        if not findings:
            return []
        by_rule: dict[str, list[Finding]] = {}
        for f in findings:
            by_rule.setdefault(f.rule, []).append(f)
        for rule, items in by_rule.items():
            db.execute(
                """
                insert into ops.batch_rule_result
                    (batch_id, rule, severity, column_name, unexpected_count, sample)
                values (%s, %s, 'warning', %s, %s, %s)
                on conflict (batch_id, rule) do nothing
                """,
                (
                    batch_id,
                    rule,
                    rule.split(".", 1)[1],
                    len(items),
                    Jsonb(
                        [
                            {
                                "district_code": f.district,
                                "value": f.value,
                                "expected": round(f.expected),
                                "change": round(f.change, 3),
                                "robust_z": round(f.z, 1),
                            }
                            for f in items
                        ]
                    ),
                ),
            )
        text = "；".join(f"[{f.rule}] {f.describe()}" for f in findings)
        batches.warn(db, batch_id, sorted(by_rule), text)
        db.commit()
    return findings
