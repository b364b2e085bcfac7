"""本月要点: the bulletin's written summary, sentences generated from the data.

Every number comes from the collected bulletin (the same query results as the
tables and charts), rounded as the tables round them (two decimals).
"""

from __future__ import annotations

from dataclasses import dataclass

from yigongti.bulletin.data import Bulletin, Headline, Ranking
from yigongti.labels import unit_zh

LISTED = 5  # a feed's districts are named when no more than these miss it


@dataclass(frozen=True)
class Point:
    topic: str  # headline | targets | deliveries
    text: str
    code: str | None = None  # the indicator, for headline points


def _num(value: float) -> str:
    return f"{value:,.2f}"


def _with_unit(value: float, unit: str) -> str:
    shown = unit_zh(unit)
    return f"{_num(value)}%" if unit == "%" else f"{_num(value)} {shown}"


def _change(h: Headline) -> str:
    if h.change is None:
        return "上期无可比数据"
    previous = {"month": "上月", "quarter": "上季度"}.get(h.period.kind, "上年")
    delta = round(h.change, 2)
    if delta == 0:
        return f"与{previous}持平"
    step = "个百分点" if h.indicator.unit == "%" else f" {unit_zh(h.indicator.unit)}"
    verb = "上升" if delta > 0 else "下降"
    better = delta > 0 if h.indicator.direction == "higher" else delta < 0
    return f"较{previous}{verb} {_num(abs(delta))}{step}（{'向好' if better else '变差'}）"


def _spread(rank: Ranking | None) -> str:
    """The districts furthest above and below the municipal value."""
    if rank is None or rank.municipal is None or not rank.rows:
        return ""
    unit = rank.indicator.unit
    by_gap = sorted(rank.rows, key=lambda r: (r[2] - rank.municipal, r[0]))
    low, high = by_gap[0], by_gap[-1]
    parts = []
    if high[2] > rank.municipal:  # the highest district, when above the municipality
        parts.append(f"最高{high[1]}（{_with_unit(high[2], unit)}）")
    if low[2] < rank.municipal:
        parts.append(f"最低{low[1]}（{_with_unit(low[2], unit)}）")
    return "；" + "，".join(parts) if parts else ""


def headline_points(bulletin: Bulletin) -> list[Point]:
    ranks = {r.indicator.code: r for r in bulletin.rankings}
    out = []
    for h in bulletin.headlines:
        text = (
            f"{h.indicator.name}（{h.indicator.code}，{h.period_label}）全市"
            f"{_with_unit(h.value, h.indicator.unit)}，{_change(h)}"
            f"{_spread(ranks.get(h.indicator.code))}。"
        )
        out.append(Point("headline", text, h.indicator.code))
    return out


def _decided_lately(target: dict, year: int) -> bool:
    """A target decided by the latest data: attainment known and its target year is
    the bulletin's year or the year before (older decisions are no news)."""
    return target["attained"] is not None and target["target_year"] >= year - 1


def target_points(bulletin: Bulletin) -> list[Point]:
    """The municipal goals decided lately, by name; the districts' targets counted."""
    year = bulletin.month.year
    verbs = {True: "已达成", False: "未达成"}
    parts = [
        f"全市目标“{t['indicator_name_zh']}”{t['target_year']}年{verbs[t['attained']]}"
        for t in bulletin.municipal_targets
        if _decided_lately(t, year)
    ]
    by_district: dict[tuple[str, int], list[bool]] = {}
    for t in bulletin.targets:
        if _decided_lately(t, year):
            by_district.setdefault((t["district_name_zh"], t["target_year"]), []).append(
                t["attained"]
            )
    for (name, target_year), attained in by_district.items():
        met, missed = attained.count(True), attained.count(False)
        counts = "、".join(
            f"{verb} {n} 项" for verb, n in (("已达成", met), ("未达成", missed)) if n
        )
        parts.append(f"{name}{target_year}年目标{counts}")
    if not parts:
        return [Point("targets", "核心绩效目标：近期没有新达成或未达成的目标。")]
    return [Point("targets", "核心绩效目标：" + "；".join(parts) + "。")]


def _by_feed(rows: list[dict], rejected: bool = False) -> str:
    """Per feed: how many, and which districts when they are few."""
    feeds: dict[str, list[dict]] = {}
    for row in rows:
        feeds.setdefault(row["feed_title_zh"], []).append(row)
    parts = []
    for title, items in feeds.items():
        notes = []
        if len(items) <= LISTED:
            notes.append("、".join(r["district_name_zh"] for r in items))
        refused = sum(r.get("delivery_status") == "rejected" for r in items) if rejected else 0
        if refused:
            notes.append(f"其中被拒收 {refused} 份")
        parts.append(f"{title} {len(items)} 份" + (f"（{'，'.join(notes)}）" if notes else ""))
    return "、".join(parts)


def delivery_points(bulletin: Bulletin) -> list[Point]:
    comp = bulletin.completeness
    expected = sum(f["expected"] for f in comp.feeds)
    received = sum(f["received"] for f in comp.feeds)
    on_time = sum(f["on_time"] for f in comp.feeds)
    text = f"数据报送：本月应报 {expected} 份，已接收 {received} 份，其中按时 {on_time} 份"
    text += f"、逾期 {received - on_time} 份" if received > on_time else ""
    out = [Point("deliveries", text + "。")]
    if comp.missing:
        text = f"未收到 {len(comp.missing)} 份：{_by_feed(comp.missing, rejected=True)}。"
        out.append(Point("deliveries", text))
    if comp.late:
        out.append(Point("deliveries", f"逾期报送：{_by_feed(comp.late)}。"))
    return out


def points(bulletin: Bulletin) -> list[Point]:
    return headline_points(bulletin) + target_points(bulletin) + delivery_points(bulletin)
