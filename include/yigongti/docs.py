"""docs/indicators.md, generated from the indicator registry (``yigongti docs``)."""

from __future__ import annotations

from yigongti.registry import indicators
from yigongti.settings import ROOT

DOC = ROOT / "docs" / "indicators.md"
DIRECTION = {"higher": "越高越好 (higher is better)", "lower": "越低越好 (lower is better)"}


def render() -> str:
    rows = indicators()
    lines = [
        "# 监测指标 / Monitoring indicators",
        "",
        "Generated from `dbt_project/seeds/indicator_registry.csv` by `yigongti docs`;"
        " edit the registry, not this page.",
        "",
        "| code | 维度 | 指标 | unit | periods | computed in |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['indicator_code']} | {r['dimension_zh']} | {r['name_zh']} | {r['unit']} "
        f"| {r['period_types'].replace(';', ', ')} | `{r['computed_in']}` |"
        for r in rows
    ]
    for r in rows:
        lines += [
            "",
            f"## {r['indicator_code']} {r['name_zh']}",
            "",
            f"*{r['name_en']}* — {r['dimension_zh']} ({r['dimension_en']}), "
            f"unit `{r['unit']}`, {DIRECTION.get(r['direction'], r['direction'])}.",
            "",
        ]
        if r["numerator_zh"]:
            lines.append(f"- 分子 numerator: {r['numerator_zh']}")
        if r["denominator_zh"]:
            lines.append(f"- 分母 denominator: {r['denominator_zh']}")
        lines += [
            f"- 计算方法 formula: {r['formula_zh']}",
            f"- periodicity: {r['periodicity']}; periods: {r['period_types'].replace(';', ', ')}",
            f"- source feeds: {', '.join(f'`{s}`' for s in r['source_feeds'].split(';'))}",
        ]
        if r["notes"]:
            lines.append(f"- binding decisions: {r['notes']}")
    return "\n".join(lines) + "\n"


def write(check: bool = False) -> bool:
    """Write the page; with ``check``, only report whether it is stale."""
    text = render()
    stale = not DOC.exists() or DOC.read_text(encoding="utf-8") != text
    if stale and not check:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
    return stale
