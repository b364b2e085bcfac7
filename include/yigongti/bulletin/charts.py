"""ECharts options for the bulletin, built with pyecharts (rendered offline by render.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pyecharts import options as opts
from pyecharts.charts import Bar, Line, Map

from yigongti.bulletin.data import Completeness, Ranking, Trend
from yigongti.labels import unit_zh

ROW_HEIGHT = 18  # px per district in a ranking
MAP_HEIGHT = 320
# Better to worse, whichever way an indicator points (the visual map is flipped for
# indicators where lower is better).
MAP_COLOURS = ["#1a7f4b", "#8cc67a", "#f4e8a4", "#f0a35e", "#c9352b"]


@dataclass(frozen=True)
class Chart:
    chart_id: str
    height: int
    options: str  # ECharts option JSON (may hold JS functions, hence not plain json)


def _init(chart_id: str, height: int) -> opts.InitOpts:
    # No animation: the page is printed and checked as soon as it loads.
    return opts.InitOpts(
        width="100%",
        height=f"{height}px",
        chart_id=chart_id,
        renderer="canvas",
        animation_opts=opts.AnimationOpts(animation=False),
    )


def _grid(top: int) -> opts.GridOpts:
    # Labels inside the grid: long district and feed names never clip.
    return opts.GridOpts(
        pos_top=top, pos_left=10, pos_right=60, pos_bottom=10, is_contain_label=True
    )


def ranking(rank: Ranking, chart_id: str) -> Chart:
    height = 40 + ROW_HEIGHT * len(rank.rows)
    bar = (
        Bar(init_opts=_init(chart_id, height))
        .add_xaxis([name for _, name, _ in rank.rows])
        .add_yaxis(
            f"{rank.indicator.name}（{unit_zh(rank.indicator.unit)}）",
            [round(v, 2) for _, _, v in rank.rows],
            label_opts=opts.LabelOpts(position="right", font_size=10),
            category_gap="25%",
        )
        .reversal_axis()
        .set_global_opts(
            legend_opts=opts.LegendOpts(is_show=False),
            xaxis_opts=opts.AxisOpts(name=unit_zh(rank.indicator.unit)),
            yaxis_opts=opts.AxisOpts(is_inverse=True, axislabel_opts=opts.LabelOpts(font_size=10)),
            tooltip_opts=opts.TooltipOpts(trigger="axis"),
        )
    )
    bar.options.update(grid=_grid(top=10))
    if rank.municipal is not None:
        bar.set_series_opts(
            markline_opts=opts.MarkLineOpts(
                data=[opts.MarkLineItem(x=round(rank.municipal, 2), name="全市")],
                label_opts=opts.LabelOpts(formatter="全市 {c}"),
                symbol="none",
            )
        )
    return Chart(chart_id, height, bar.dump_options())


def trend(series: Trend, chart_id: str) -> Chart:
    def rounded(values):
        return [None if v is None else round(v, 2) for v in values]

    line = (
        Line(init_opts=_init(chart_id, 260))
        .add_xaxis(series.months)
        .add_yaxis("全市", rounded(series.municipal), is_connect_nones=False, symbol_size=6)
    )
    for label, extra in (("最优", series.best), ("最差", series.worst)):
        if extra:
            name, values = extra
            line.add_yaxis(
                f"{name}（本月{label}）",
                rounded(values),
                linestyle_opts=opts.LineStyleOpts(type_="dashed"),
                symbol_size=4,
            )
    line.set_series_opts(label_opts=opts.LabelOpts(is_show=False))
    line.set_global_opts(
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
        yaxis_opts=opts.AxisOpts(name=unit_zh(series.indicator.unit), is_scale=True),
        legend_opts=opts.LegendOpts(pos_top=0),
    )
    line.options.update(grid=_grid(top=50))
    return Chart(chart_id, 260, line.dump_options())


def completeness(comp: Completeness, chart_id: str) -> Chart:
    titles = [f["feed_title_zh"] for f in comp.feeds]
    late = [f["received"] - f["on_time"] for f in comp.feeds]
    height = 60 + 26 * len(titles)
    bar = Bar(init_opts=_init(chart_id, height)).add_xaxis(titles)
    for name, values, colour in (
        ("按时", [f["on_time"] for f in comp.feeds], "#3a9e5f"),
        ("逾期", late, "#e6a23c"),
        ("被拒收", [f["rejected"] for f in comp.feeds], "#d9534f"),
        ("未报送", [f["missing"] for f in comp.feeds], "#999999"),
    ):
        bar.add_yaxis(
            name,
            values,
            stack="deliveries",
            color=colour,
            label_opts=opts.LabelOpts(is_show=False),
        )
    bar.options.update(grid=_grid(top=30))
    bar.reversal_axis().set_global_opts(
        legend_opts=opts.LegendOpts(pos_top=0),
        xaxis_opts=opts.AxisOpts(name="区县数"),
        yaxis_opts=opts.AxisOpts(is_inverse=True),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
    )
    return Chart(chart_id, height, bar.dump_options())


def choropleth(rank: Ranking, map_name: str, chart_id: str, height: int = MAP_HEIGHT) -> Chart:
    """The districts coloured by the indicator's value (districts without one stay grey)."""
    values = [round(v, 2) for _, _, v in rank.rows]
    colours = MAP_COLOURS if rank.indicator.direction == "lower" else MAP_COLOURS[::-1]
    chart = (
        Map(init_opts=_init(chart_id, height))
        .add(
            f"{rank.indicator.name}（{unit_zh(rank.indicator.unit)}）",
            [(name, round(v, 2)) for _, name, v in rank.rows],
            maptype=map_name,
            is_roam=False,
            is_map_symbol_show=False,
            label_opts=opts.LabelOpts(is_show=False),
            itemstyle_opts=opts.ItemStyleOpts(
                area_color="#e6e6e6", border_color="#ffffff", border_width=0.6
            ),
            layout_center=["50%", "45%"],
            layout_size="90%",
        )
        .set_global_opts(
            legend_opts=opts.LegendOpts(is_show=False),
            tooltip_opts=opts.TooltipOpts(trigger="item"),
            visualmap_opts=opts.VisualMapOpts(
                min_=min(values),
                max_=max(values) if max(values) > min(values) else min(values) + 1,
                range_color=colours,
                precision=2,
                orient="horizontal",
                pos_left="center",
                pos_bottom=0,
                item_width=12,
                item_height=120,
            ),
        )
    )
    return Chart(chart_id, height, chart.dump_options())
