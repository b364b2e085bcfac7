"""The first slice end to end: real DAG runs (dag.test), GX, Cosmos/dbt, PostgreSQL.

Hand-made registry and 卫统 monthly reports for two districts and two months,
plus a bad file in the same run. Expected values are computed by hand below.

Institutions (WS 218 code: primary level? TCM category?)
  万州区 500101: H1 A100 hospital (no, no); C1 C210 township centre (primary);
                 V1 D600 village clinic (primary)
  巴南区 500113: T1 A210 TCM hospital (TCM); D1 D212 TCM clinic (primary, TCM);
                 S1 D500 school clinic (neither: not named under indicator 7)

Visits (total / TCM column)      2025-01          2025-02
  H1                              1000 / 50        800 / 40
  C1                               600 / 60        700 / 70
  V1                               100 / 30        100 / 30
  T1                               400 / 100       400 / 100   (counts whole: 400)
  D1                               200 / 200       200 / 200
  S1                                50 / 0          50 / 0
"""

import decimal
from pathlib import Path

import pytest

from tests.feedfiles import credit_code, registry_row, services_row, write_feed

D = decimal.Decimal
TEN_PLACES = D("1e-10")
H1, C1, V1 = (credit_code("500101", i) for i in (1, 2, 3))
T1, D1, S1 = (credit_code("500113", i) for i in (1, 2, 3))
VISITS = {
    "2025-01": {
        H1: (1000, 50),
        C1: (600, 60),
        V1: (100, 30),
        T1: (400, 100),
        D1: (200, 200),
        S1: (50, 0),
    },
    "2025-02": {
        H1: (800, 40),
        C1: (700, 70),
        V1: (100, 30),
        T1: (400, 100),
        D1: (200, 200),
        S1: (50, 0),
    },
}


def _landing(root: Path) -> Path:
    registry = [
        registry_row(H1, "500101", "A100", "万州甲医院", grade="二级"),
        registry_row(C1, "500101", "C210", "万州乙中心卫生院"),
        registry_row(V1, "500101", "D600", "万州丙村卫生室"),
        registry_row(T1, "500113", "A210", "巴南中医院", grade="二级"),
        registry_row(D1, "500113", "D212", "巴南中医诊所"),
        registry_row(S1, "500113", "D500", "巴南某中学卫生保健所"),
    ]
    for period, visits in VISITS.items():
        write_feed(root, "hs_institutions", period, registry)
        write_feed(
            root,
            "hs_monthly_services",
            period,
            [services_row(code, total, tcm) for code, (total, tcm) in visits.items()],
        )
    # Another provider's feed in the same landing zone (statistics bureau).
    write_feed(
        root,
        "population",
        "2025",
        [
            {"district_code": d, "sex": sex, "age_group": "30-34", "residents": 1000}
            for d in ("500101", "500113")
            for sex in ("男", "女")
        ],
        reporter="重庆市统计局",
    )
    # A bad delivery in the same run: negative visits. It must be rejected alone.
    write_feed(
        root,
        "hs_monthly_services",
        "2025-02",
        [services_row(H1, -1, 0)],
        file_name="500000_hs_monthly_services_bad.xlsx",
    )
    return root


@pytest.fixture(scope="module")
def marts(pg_server, tmp_path_factory):
    """Run the pipeline once for the module in a database of its own."""
    import os

    from psycopg.conninfo import make_conninfo

    from yigongti import warehouse
    from yigongti.orchestrate import run_pipeline

    with pg_server.connect(autocommit=True) as db:
        db.execute("create database e2e")
    from tests.receivers import Receivers

    saved = dict(os.environ)
    os.environ["WAREHOUSE_URL"] = make_conninfo(pg_server.url, dbname="e2e")
    try:
        with Receivers() as alerts, warehouse.session() as conn:
            os.environ["AIRFLOW_CONN_YIGONGTI_ALERTS"] = alerts.connection
            run_pipeline(_landing(tmp_path_factory.mktemp("landing")), None, None)
            with conn.connect() as db:
                values = {
                    # values are stored unrounded; compared here to ten places
                    (r[0], r[1], r[2], r[3].isoformat(), r[4].isoformat()): (
                        r[5],
                        r[6],
                        None if r[7] is None else r[7].quantize(TEN_PLACES),
                        r[8],
                    )
                    for r in db.execute(
                        "select indicator_code, area_code, period_type, period_start, "
                        "period_end, numerator, denominator, value, status "
                        "from marts.fct_indicator_values"
                    )
                }
                batches = db.execute(
                    "select file_name, status, rules_failed from ops.batch_log"
                ).fetchall()
                completeness = {
                    (r[0], r[1], r[2]): r[3:]
                    for r in db.execute(
                        "select feed, district_code, period, delivery_status, "
                        "institutions_expected, institutions_reported "
                        "from marts.fct_reporting_completeness"
                    )
                }
            yield values, batches, alerts, completeness
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _pct(numerator, denominator):
    return (D(numerator) * 100 / D(denominator)).quantize(TEN_PLACES)


def test_monthly_district_values(marts):
    values, _, _, _ = marts
    # 万州 Jan, M07: primary C1 + V1 = 600 + 100 = 700 of 1000 + 600 + 100 = 1700
    assert values[("M07", "500101", "month", "2025-01-01", "2025-01-31")] == (
        700,
        1700,
        _pct(700, 1700),
        "final",
    )
    # 万州 Jan, M12: TCM-department visits 50 + 60 + 30 = 140 of 1700
    assert values[("M12", "500101", "month", "2025-01-01", "2025-01-31")][:3] == (
        140,
        1700,
        _pct(140, 1700),
    )
    # 巴南 Jan, M07: only D1 (200) is primary; S1 (D500) is not: 200 of 400 + 200 + 50 = 650
    assert values[("M07", "500113", "month", "2025-01-01", "2025-01-31")][:3] == (
        200,
        650,
        _pct(200, 650),
    )
    # 巴南 Jan, M12: T1 counts whole (400) + D1 200 + S1 0 = 600 of 650
    assert values[("M12", "500113", "month", "2025-01-01", "2025-01-31")][:3] == (
        600,
        650,
        _pct(600, 650),
    )


def test_municipal_value_is_a_ratio_of_sums(marts):
    values, _, _, _ = marts
    # Jan M07 = (700 + 200) / (1700 + 650) = 900 / 2350 = 38.2979 %,
    # not the mean of district ratios ((41.18 % + 30.77 %) / 2 = 35.97 %).
    numerator, denominator, value, _ = values[
        ("M07", "500000", "month", "2025-01-01", "2025-01-31")
    ]
    assert (numerator, denominator, value) == (900, 2350, _pct(900, 2350))
    assert value != ((_pct(700, 1700) + _pct(200, 650)) / 2).quantize(D("0.0001"))


def test_quarter_ytd_and_year(marts):
    values, _, _, _ = marts
    # 万州 Feb M07: (700 + 100) / (800 + 700 + 100) = 800 / 1600; Q1 so far: 1500 / 3300
    assert values[("M07", "500101", "month", "2025-02-01", "2025-02-28")][:3] == (
        800,
        1600,
        _pct(800, 1600),
    )
    assert values[("M07", "500101", "quarter", "2025-01-01", "2025-03-31")] == (
        1500,
        3300,
        _pct(1500, 3300),
        "provisional",
    )  # March has not arrived
    # Municipal ytd to Feb M07: (700 + 800 + 200 + 200) / (1700 + 1600 + 650 + 650) = 1900 / 4600
    assert values[("M07", "500000", "ytd", "2025-01-01", "2025-02-28")] == (
        1900,
        4600,
        _pct(1900, 4600),
        "final",
    )
    # Municipal year M12 so far: (140 + 600 + 140 + 600) / 4600 = 1480 / 4600
    # (万州 Feb TCM: 40 + 70 + 30 = 140; 巴南 Feb: 400 + 200 + 0 = 600)
    assert values[("M12", "500000", "year", "2025-01-01", "2025-12-31")][:3] == (
        1480,
        4600,
        _pct(1480, 4600),
    )


def test_bad_file_rejected_alone(marts):
    _, batches, _, _ = marts
    by_name = {name: (status, rules) for name, status, rules in batches}
    assert by_name["500000_hs_monthly_services_bad.xlsx"][0] == "rejected"
    assert "total_visits.type" in by_name["500000_hs_monthly_services_bad.xlsx"][1]
    others = [s for n, (s, _) in by_name.items() if not n.endswith("_bad.xlsx")]
    assert others and set(others) == {"accepted"}


def test_every_provider_dag_ingests_its_feeds(marts):
    _, batches, _, _ = marts
    assert ("500000_population_2025.xlsx", "accepted") in {(n, s) for n, s, _ in batches}


def test_rejected_batch_alerts_by_mail_and_webhook(marts):
    _, _, alerts, _ = marts
    # One bad file in the run: one alert on each channel, none for the good files.
    assert len(alerts.mails) == 1 and len(alerts.posts) == 1
    subject, body = alerts.texts()[0]
    assert "批次拒收" in subject and "500000_hs_monthly_services_bad.xlsx" in subject
    for expected in ("2025-02", "total_visits.type", "示例行", "GX Data Docs", "原始文件存档"):
        assert expected in body, expected
    assert alerts.posts[0]["title"] == subject and alerts.posts[0]["type"] == "failure"
    # The linked Data Docs page exists and shows the failed expectation, as the
    # people on duty read it (the rule the reader decided, reported through GX).
    page = body.split("GX Data Docs）：file://", 1)[1].split()[0]
    assert "“总诊疗人次数”应为非负整数" in Path(page).read_text(encoding="utf-8")


def test_completeness_shows_who_reported_and_who_is_missing(marts):
    *_, completeness = marts
    # 万州区 and 巴南区 delivered February through the municipal 卫统 file, every
    # active institution included (3 of 3 each); 涪陵区 500102 has no rows: missing.
    assert completeness[("hs_monthly_services", "500101", "2025-02")] == ("received", 3, 3)
    assert completeness[("hs_monthly_services", "500113", "2025-02")] == ("received", 3, 3)
    assert completeness[("hs_monthly_services", "500102", "2025-02")][0] == "missing"


def _login(pg_server, role: str, *groups: str):
    """A login role in the given groups, connected to the pipeline's database."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    with pg_server.connect(autocommit=True) as db:
        db.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
        db.execute(
            sql.SQL("create role {} login in role {}").format(
                sql.Identifier(role), sql.SQL(", ").join(map(sql.Identifier, groups))
            )
        )
    return psycopg.connect(make_conninfo(pg_server.url, dbname="e2e", user=role), autocommit=True)


def test_analyst_reads_marts_but_not_raw_staging_or_ops(marts, pg_server):
    import psycopg

    with _login(pg_server, "t_analyst", "yigongti_analyst") as db:
        areas = {r[0] for r in db.execute("select area_code from marts.fct_indicator_values")}
        assert {"500101", "500113", "500000"} <= areas
        for table in (
            "raw.hs_monthly_services",
            "staging.stg_hc__monthly_services",
            "ops.batch_log",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(f"select 1 from {table} limit 1")


def test_district_analyst_sees_only_their_district(marts, pg_server):
    with _login(
        pg_server, "t_banan", "yigongti_district_analyst", "yigongti_district_500113"
    ) as db:
        areas = {r[0] for r in db.execute("select area_code from marts.fct_indicator_values")}
        completeness = {
            r[0] for r in db.execute("select district_code from marts.fct_reporting_completeness")
        }
    assert areas == {"500113"}
    assert completeness == {"500113"}


def test_district_analyst_cannot_shadow_the_catalog(marts, pg_server):
    """A temporary pg_roles that claims every district role, first on the search
    path, must not widen what the row filter lets through."""
    with _login(
        pg_server, "t_shadow", "yigongti_district_analyst", "yigongti_district_500113"
    ) as db:
        db.execute(
            """
            create temp view pg_roles as
            select 'yigongti_district_' || d.code as rolname, u.oid
            from (values ('500101'), ('500113'), ('500102')) as d (code)
            cross join pg_catalog.pg_roles as u
            where u.rolname = current_user
            """
        )
        db.execute("set search_path = pg_temp, pg_catalog")
        areas = {r[0] for r in db.execute("select area_code from marts.fct_indicator_values")}
    assert areas == {"500113"}


def test_analyst_views_have_chinese_columns_and_keep_district_security(marts, pg_server):
    with _login(pg_server, "t_analyst2", "yigongti_analyst") as db:
        cur = db.execute(
            "select 区县, 指标值, 单位 from marts.analyst_indicator_long "
            "where 指标代码 = 'M07' and 区划代码 = '500101' and 期间类型 = '月' "
            "and 期间开始 = date '2025-01-01'"
        )
        # The views round to four places (the mart keeps the unrounded value).
        assert cur.fetchall() == [("万州区", _pct(700, 1700).quantize(D("0.0001")), "%")]
        wide = db.execute("select * from marts.analyst_indicator_wide limit 1")
        headers = [d.name for d in wide.description]
        # A header holds the code and the Chinese unit, within PostgreSQL's 63
        # bytes (a longer name would be cut); the full name is its comment.
        comment = db.execute(
            "select col_description('marts.analyst_indicator_wide'::regclass, a.attnum) "
            "from pg_attribute as a where a.attrelid = 'marts.analyst_indicator_wide'::regclass "
            "and a.attname = 'M07（%）'"
        ).fetchone()
    assert "M07（%）" in headers and "M10A（元）" in headers  # units in Chinese, not yuan
    assert all(len(h.encode()) <= 63 for h in headers)
    assert comment == ("M07 区域内基层医疗卫生机构诊疗人次占比（%）",)
    with _login(
        pg_server, "t_banan2", "yigongti_district_analyst", "yigongti_district_500113"
    ) as db:
        areas = {r[0] for r in db.execute("select 区划代码 from marts.analyst_indicator_long")}
    assert areas == {"500113"}  # the views run with the reader's rights


@pytest.fixture(scope="module")
def published(marts):
    """What the publish DAG of the run wrote (the run ends with it)."""
    from yigongti import warehouse

    with warehouse.current().connect() as db:
        rows = db.execute(
            "select month, bulletin_path, export_paths from ops.publication_log"
        ).fetchall()
    assert len(rows) == 1, rows
    month, page, exports = rows[0]
    return month, Path(page), [Path(p) for p in exports]


def test_publish_chooses_the_latest_month_and_writes_bulletin_and_exports(published):
    month, page, exports = published
    # No month has every district's deliveries (two districts of 39 report), so the
    # bulletin falls back to the latest month with values: 2025-02.
    assert month.isoformat() == "2025-02-01"
    assert page.name == "月度监测简报_2025-02.html" and page.exists()
    assert sorted(p.suffix for p in exports) == [".csv", ".xlsx"]
    assert all(p.exists() for p in exports)


def test_csv_export_has_chinese_headers_and_the_months_values(published):
    import csv

    _, _, exports = published
    path = next(p for p in exports if p.suffix == ".csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {"指标代码", "指标名称", "区县", "期间类型", "指标值", "单位"} <= set(rows[0])
    # 万州 Feb M07: primary C1 700 + V1 100 = 800 of 800 + 700 + 100 = 1600 -> 50 %
    wanzhou = [r for r in rows if r["指标代码"] == "M07" and r["区划代码"] == "500101"]
    month = next(r for r in wanzhou if r["期间类型"] == "月")
    assert D(month["指标值"]) == _pct(800, 1600)
    # Periods ending with February: the month and the year to date (no quarter ends).
    assert {r["期间类型"] for r in wanzhou} == {"月", "年初至今"}


def test_excel_export_has_one_sheet_per_analyst_view(published):
    from python_calamine import CalamineWorkbook

    _, _, exports = published
    book = CalamineWorkbook.from_path(str(next(p for p in exports if p.suffix == ".xlsx")))
    assert book.sheet_names == ["监测指标", "监测指标（宽表）", "核心绩效指标", "数据完整性"]
    completeness = book.get_sheet_by_name("数据完整性").to_python()
    assert completeness[0][:4] == ["数据代码", "数据名称", "区划代码", "区县"]
    # February's 卫统 report: 万州 and 巴南 delivered, the other districts did not.
    services = [r for r in completeness[1:] if r[0] == "hs_monthly_services"]
    status = {r[2]: r[6] for r in services}
    assert status["500101"] == status["500113"] == "已接收"
    assert set(status.values()) == {"已接收", "未报送"}


def test_bulletin_charts_render_in_a_headless_browser(published):
    """Open the bulletin in Chromium (offline): every chart drew on its canvas, the map
    has the month's districts, and every character of the page has a glyph."""
    from playwright.sync_api import sync_playwright

    from tests.test_bulletin import browser_args, chromium, missing_glyphs

    _, page_path, _ = published
    errors = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=browser_args())
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
        page.goto(page_path.as_uri())
        page.wait_for_function("window.bulletinReady === true")
        charts = page.evaluate(
            """() => Array.from(document.querySelectorAll('div.chart')).map(div => {
                const chart = echarts.getInstanceByDom(div);
                const canvas = div.querySelector('canvas');
                const option = chart ? chart.getOption() : null;
                return {
                    id: div.id,
                    kind: div.dataset.kind,
                    width: canvas ? canvas.width : 0,
                    height: canvas ? canvas.height : 0,
                    points: option ? option.series.map(s => s.data.length) : [],
                    data: option ? option.series[0].data : [],
                    map: option && option.series[0].map ? option.series[0].map : null,
                    categories: option && option.yAxis ? option.yAxis[0].data : null,
                    inked: canvas ? (() => {
                        const ctx = canvas.getContext('2d');
                        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                        let n = 0;
                        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
                        return n;
                    })() : 0,
                };
            })"""
        )
        featured = next(c for c in charts if c["id"] == "map_featured")
        regions = page.evaluate(
            "name => echarts.getMap(name).geoJSON.features.map(f => f.properties.name)",
            featured["map"],
        )
        headline = page.locator("#headlines + table tbody tr", has_text="M07").inner_text()
        glyphs = missing_glyphs(page)
        browser.close()
    assert not errors, errors  # offline: nothing fetched from the network, no script error
    kinds = {c["kind"] for c in charts}
    assert kinds == {"map", "ranking", "trend", "completeness"}
    for chart in charts:
        assert chart["width"] > 0 and chart["height"] > 0, chart
        assert chart["inked"] > 1000, chart  # pixels actually drawn
        assert chart["points"] and all(n > 0 for n in chart["points"]), chart
    # February M07 ranking, higher is better: 万州 50.00 % before 巴南 200 / 650 = 30.77 %.
    ranking = next(c for c in charts if c["id"] == "rank_M07")
    assert ranking["categories"] == ["万州区", "巴南区"]
    # Municipal headline: (800 + 200) / (1600 + 650) = 44.44 %; January was
    # 900 / 2350 = 38.30 %, so the change is +6.15 points.
    assert "44.44" in headline and "+6.15" in headline
    # The first page's map is M07's: the two districts with values, on the 38
    # districts of February 2025 (两江新区 only from 2026-01-25), named as the
    # dimension names them (the shapes' file says 梁平县, 武隆县).
    # (ECharts lists every region in the series' data; those without a value are grey.)
    valued = [d for d in featured["data"] if d.get("value") is not None]
    assert {(d["name"], d["value"]) for d in valued} == {
        ("万州区", 50.0),
        ("巴南区", 30.77),
    }
    assert len(regions) == 38 and len(set(regions)) == 38
    assert {"江北区", "渝北区", "梁平区", "武隆区"} <= set(regions)
    assert "两江新区" not in regions and "梁平县" not in regions
    # One map per headline indicator with district values (M07 and M12 here).
    assert {c["id"] for c in charts if c["kind"] == "map"} == {
        "map_featured",
        "map_M07",
        "map_M12",
    }
    # Every distinct character of the page has a glyph (no missing-glyph boxes).
    assert glyphs["checked"] > 200 and glyphs["missing"] == [], glyphs


def test_bulletin_opens_with_the_months_points_from_the_same_numbers(published):
    """本月要点: sentences from the data, numbers as in the tables."""
    import re

    _, page_path, _ = published
    html = page_path.read_text(encoding="utf-8")
    points = [
        re.sub(r"<[^>]+>", "", p).strip()
        for p in re.findall(r'<li data-topic="[a-z]+"[^>]*>(.*?)</li>', html, re.S)
    ]
    # M07: (800 + 200) / (1600 + 650) = 44.44 %, January 900 / 2350 = 38.30 %:
    # +6.15 points; 万州 800 / 1600 = 50.00 % above it, 巴南 200 / 650 = 30.77 % below.
    assert points[0] == (
        "区域内基层医疗卫生机构诊疗人次占比（M07，2025年2月）全市44.44%，"
        "较上月上升 6.15个百分点（向好）；最高万州区（50.00%），最低巴南区（30.77%）。"
    )
    # M12: TCM (140 + 600) / 2250 = 32.89 %, January (140 + 600) / 2350 = 31.49 %:
    # +1.40 points; 巴南 600 / 650 = 92.31 % above, 万州 140 / 1600 = 8.75 % below.
    assert points[1] == (
        "中医诊疗人次占比（M12，2025年2月）全市32.89%，较上月上升 1.40个百分点（向好）；"
        "最高巴南区（92.31%），最低万州区（8.75%）。"
    )
    # February's monthly deliveries in this world: the registry and the 卫统 report,
    # each expected from the 38 districts valid, received from 万州 and 巴南:
    # 2 x 38 = 76 expected, 2 x 2 = 4 received, 36 missing per feed (counted, not named).
    deliveries = [p for p in points if p.startswith(("数据报送", "未收到", "逾期"))]
    assert deliveries[0].startswith("数据报送：本月应报 76 份，已接收 4 份，")
    assert "未收到 72 份：医疗卫生机构名录 36 份、卫生统计月报（医疗服务） 36 份。" in deliveries
    # The bulletin covers the districts valid in the month: 39 codes, 两江新区 not yet.
    assert "范围：全市 38 个区县" in html
    # The summary comes first: before the headline table.
    assert html.index('id="highlights"') < html.index('id="headlines"')


def test_bulletin_counts_the_districts_valid_in_the_month(marts):
    import datetime as dt

    from yigongti import warehouse
    from yigongti.bulletin.data import collect_from

    with warehouse.current().connect() as db:
        # 2026-01 ends after 2026-01-25: 江北区 and 渝北区 gone, 两江新区 in: 38 - 2 + 1.
        assert collect_from(db, dt.date(2026, 1, 1)).district_count == 37
        assert collect_from(db, dt.date(2025, 12, 1)).district_count == 38
        db.rollback()


def test_bulletin_shows_the_municipal_goals_in_their_own_section(marts):
    """全市目标: rows of the municipality in fct_target_attainment, when there are any."""
    import datetime as dt
    import re

    from yigongti import warehouse
    from yigongti.bulletin import render
    from yigongti.bulletin.data import collect_from

    def section(html):
        return re.search(r'id="municipal-targets">(.*?)<h2', html, re.S).group(1)

    with warehouse.current().connect() as db:
        db.execute("delete from marts.fct_target_attainment where district_code = '500000'")
        none = render.render(collect_from(db, dt.date(2025, 2, 1)))
        db.execute(
            """
            insert into marts.fct_target_attainment (district_code, district_name_zh,
                indicator_seq, indicator_name_zh, unit, target_year, target_operator,
                target_value, latest_actual_year, latest_actual, attained)
            values ('500000', '重庆市', 1, '建成紧密型区县域医共体的区县占比', '%', 2025, '>=',
                    90, 2025, 94.74, true),
                   ('500000', '重庆市', 1, '建成紧密型区县域医共体的区县占比', '%', 2027, '>=',
                    100, 2025, 94.74, null)
            """
        )
        bulletin = collect_from(db, dt.date(2025, 2, 1))
        some = render.render(bulletin)
        db.rollback()
    assert "暂无全市目标" in section(none)
    assert [t["target_year"] for t in bulletin.municipal_targets] == [2025, 2027]
    assert all(t["district_code"] != "500000" for t in bulletin.targets)
    body = re.search(r"<tbody>(.*?)</tbody>", section(some), re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows]
    assert cells == [
        "1 建成紧密型区县域医共体的区县占比 2025 &gt;= 90.00 % 94.74（2025） 已达成",
        "1 建成紧密型区县域医共体的区县占比 2027 &gt;= 100.00 % 94.74（2025） 待评",
    ]
    # The 2025 goal is decided (final 2025 value) in the bulletin's year: a point.
    assert "全市目标“建成紧密型区县域医共体的区县占比”2025年已达成" in some


def test_bulletin_pdf_is_a4_with_the_points_and_a_map_on_its_first_page(published):
    from pypdf import PdfReader

    from tests.test_bulletin import notdef_glyphs, pdf_text

    _, page_path, _ = published
    pdf = page_path.with_suffix(".pdf")  # beside the HTML, same name
    assert pdf.name == "月度监测简报_2025-02.pdf" and pdf.exists()
    reader = PdfReader(pdf)
    first = reader.pages[0]
    # A4: 210 x 297 mm = 595.3 x 841.9 points.
    assert abs(float(first.mediabox.width) - 595.3) < 1
    assert abs(float(first.mediabox.height) - 841.9) < 1
    text = "".join(pdf_text(pdf, slice(0, 1)).split())  # lines wrap anywhere in Chinese
    assert "本月要点" in text and "全市44.44%" in text
    assert "M07区域内基层医疗卫生机构诊疗人次占比(2025年2月)" in text  # the map's caption
    assert len(first.images) >= 1  # the map, printed from its canvas
    assert sum(len(p.images) for p in reader.pages) >= 8  # every chart: 3 maps, 4 bars, ...
    drawn, boxes = notdef_glyphs(pdf)
    assert drawn > 1000 and boxes == 0  # every glyph printed, no missing-glyph box


def test_dbt_docs_are_served_through_cosmos(marts):
    """The publish DAG's docs, as the Cosmos plugin serves them in the Airflow UI."""
    from cosmos.plugin.airflow3 import create_cosmos_fastapi_app
    from fastapi.testclient import TestClient

    client = TestClient(create_cosmos_fastapi_app())
    index = client.get("/yigongti/dbt_docs_index.html")
    assert index.status_code == 200, index.text[:500]
    assert "dbt" in index.text.lower()
    catalog = client.get("/yigongti/catalog.json").json()
    assert "model.yigongti.fct_indicator_values" in catalog["nodes"]
    manifest = client.get("/yigongti/manifest.json").json()
    view = manifest["nodes"]["model.yigongti.analyst_indicator_long"]
    assert view["columns"]["指标值"]["description"]


def test_the_run_summary_ends_with_the_bulletin_path(published):
    """What `yigongti run` and `yigongti demo` print last: where the bulletin is."""
    import datetime as dt

    from yigongti import summary, warehouse

    _, page, exports = published
    text = summary.publication(warehouse.current(), dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert text.splitlines()[-2:] == [
        f"月度监测简报（2025年2月）：{page}",
        f"月度监测简报 PDF（2025年2月）：{page.with_suffix('.pdf')}",
    ]
    assert all(str(p) in text for p in exports)
