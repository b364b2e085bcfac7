"""Render the monthly bulletin (月度监测简报) as one self-contained HTML file.

ECharts is inlined from the vendored copy, so the page works offline and can
be mailed or archived as a single file.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jinja2

from yigongti.bulletin import charts, geo, highlights
from yigongti.bulletin.data import Bulletin, Indicator
from yigongti.labels import status_zh, unit_zh

HERE = Path(__file__).parent
ECHARTS_JS = HERE / "vendor" / "echarts-6.0.0" / "echarts.min.js"
TITLE = "重庆市紧密型县域医共体建设月度监测简报"
FEATURED = "M07"  # the indicator mapped on the first page, beside 本月要点


def file_name(month) -> str:
    return f"月度监测简报_{month:%Y-%m}.html"


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal | float | int):
        return f"{float(value):,.2f}"
    return str(value)


def _signed(value) -> str:
    return "—" if value is None else f"{float(value):+,.2f}"


def _tone(indicator: Indicator, change) -> str:
    if not change:
        return ""
    better = change > 0 if indicator.direction == "higher" else change < 0
    return "better" if better else "worse"


def _pct(part: int, whole: int) -> str:
    return "—" if not whole else f"{100 * part / whole:.1f}%"


FILTERS = {
    "fmt": _fmt,
    "signed": _signed,
    "tone": _tone,
    "pct": _pct,
    "unit": unit_zh,
    "status": status_zh,
    "attained": lambda a: "已达成" if a else ("未达成" if a is False else "待评"),
}


def _maps(bulletin: Bulletin):
    """A choropleth per headline indicator, on the boundaries valid at the end of its
    period, and the GeoJSON of each distinct set of boundaries (registered once).
    The featured map (M07, else the first) is drawn again, larger, on the first page."""
    headline_codes = {h.indicator.code for h in bulletin.headlines}
    geojson: dict[str, dict] = {}
    names: dict[frozenset, str] = {}
    maps = []  # (ranking, chart, map name, drawn with a merged district)
    for rank in bulletin.rankings:
        if rank.indicator.code not in headline_codes:
            continue
        end = rank.period.end
        valid = frozenset(d.code for d in bulletin.districts if d.valid_on(end))
        if valid not in names:
            names[valid] = f"chongqing_{len(names) + 1}"
            geojson[names[valid]] = geo.feature_collection(bulletin.districts, end)
        chart = charts.choropleth(rank, names[valid], f"map_{rank.indicator.code}", 340)
        maps.append((rank, chart, names[valid], geo.redrawn(bulletin.districts, end)))
    featured = next((m for m in maps if m[0].indicator.code == FEATURED), None)
    featured = featured or (maps[0] if maps else None)
    if featured is not None:
        rank, _, name, redrawn = featured
        featured = (rank, charts.choropleth(rank, name, "map_featured"), name, redrawn)
    return featured, maps, geojson


def render(bulletin: Bulletin) -> str:
    rankings = [(r, charts.ranking(r, f"rank_{r.indicator.code}")) for r in bulletin.rankings]
    trends = [(t, charts.trend(t, f"trend_{t.indicator.code}")) for t in bulletin.trends]
    comp = charts.completeness(bulletin.completeness, "chart_completeness")
    featured, maps, geojson = _maps(bulletin)
    all_charts = (
        ([featured[1]] if featured else [])
        + [c for _, c, _, _ in maps]
        + [c for _, c in rankings]
        + [c for _, c in trends]
        + [comp]
    )
    # pyecharts options are JavaScript literals (they may carry functions): embed as is.
    charts_js = (
        "["
        + ",".join(
            f'{{"id": {json.dumps(c.chart_id)}, "options": {c.options}}}' for c in all_charts
        )
        + "]"
    )
    feeds = bulletin.completeness.feeds
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("bulletin.html.j2")
    return template.render(
        b=bulletin,
        title=TITLE,
        points=highlights.points(bulletin),
        featured=featured,
        maps=maps,
        redrawn_note=geo.SUCCESSOR_NOTE if any(m[3] for m in maps) else "",
        rankings=rankings,
        trends=trends,
        completeness=comp,
        expected=sum(f["expected"] for f in feeds),
        received=sum(f["received"] for f in feeds),
        on_time=sum(f["on_time"] for f in feeds),
        district_count=bulletin.district_count,
        echarts_js=jinja2.utils.markupsafe.Markup(ECHARTS_JS.read_text(encoding="utf-8")),
        charts_json=jinja2.utils.markupsafe.Markup(charts_js.replace("</", "<\\/")),
        maps_json=jinja2.utils.markupsafe.Markup(
            json.dumps(geojson, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        ),
        **FILTERS,
    )


def write(bulletin: Bulletin, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / file_name(bulletin.month)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(bulletin), encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written bulletin
    return path
