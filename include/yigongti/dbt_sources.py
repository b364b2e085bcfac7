"""Generate the dbt sources of the raw layer (and the ref_feeds seed) from the feed contracts.

The files are committed (dbt reads them as they are); ``--check`` in the test
command fails when they drift from the contracts.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from yigongti.contracts import LINEAGE_COLUMNS, MONEY_UNITS, feeds, providers
from yigongti.settings import DBT_PROJECT_DIR

HEADER = "# Generated from include/yigongti/contracts/feeds.yml by `yigongti dbt-sources`.\n"


def _column(col) -> list[dict]:
    meta = {"type": col.type, "header_zh": col.header}
    if col.unit:
        meta["unit_factor"] = MONEY_UNITS[col.unit]
    if col.pii:
        meta["pii"] = col.pii
    description = f"{col.header}" + ("（HMAC 散列，不含明文）" if col.pii == "hash" else "")
    out = [{"name": col.name, "description": description, "meta": meta}]
    if col.check_column:
        out.append(
            {
                "name": col.check_column,
                "description": f"{col.header} 校验结果 (ok/converted/format/checksum/birth_date)",
                "meta": {"type": "check"},
            }
        )
    return out


LINEAGE_DESCRIPTIONS = {
    "_batch_id": "Batch (file) id in ops.batch_log",
    "_file_name": "Delivered file name",
    "_file_sha256": "SHA-256 of the delivered file",
    "_row_number": "Row number in the delivered file",
    "_received_at": "When the pipeline first saw the file",
    "_district_code": "District the row belongs to, per the feed's district rule",
    "_issues": "Rules the row broke while it was read (semicolon-separated); null when clean",
}


def render() -> dict[Path, str]:
    files = {}
    for provider, info in providers().items():
        tables = []
        for feed in feeds().values():
            if feed.provider != provider:
                continue
            columns = [c for col in feed.stored_columns for c in _column(col)]
            columns += [
                {"name": n, "description": LINEAGE_DESCRIPTIONS[n], "meta": {"type": "lineage"}}
                for n in LINEAGE_COLUMNS
            ]
            tables.append(
                {
                    "name": feed.name,
                    "description": f"{feed.title_zh}（{feed.format}, {feed.periodicity}）: "
                    "values as delivered, text-typed, one batch per file.",
                    "meta": {
                        "periodicity": feed.periodicity,
                        "district_rule": feed.district,
                        "staging_model": staging_model_name(feed),
                    },
                    "columns": columns,
                }
            )
        doc = {
            "version": 2,
            "sources": [
                {
                    "name": provider,
                    "schema": "raw",
                    "description": f"{info['name_zh']} ({info['name_en']}). "
                    "Each feed lands in raw.<feed> (the landing folder's name) and is staged "
                    f"as stg_{provider}__<feed without its programme prefix "
                    f"{', '.join(FEED_PREFIXES)}> (meta.staging_model), "
                    "by include/yigongti/dbt_sources.py.",
                    "tables": tables,
                }
            ],
        }
        path = DBT_PROJECT_DIR / "models" / "staging" / provider / f"_{provider}__sources.yml"
        files[path] = HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    return files


# Columns every staging model adds to its feed's own (macros/staging/stage_feed.sql,
# staged_batch_columns).
STAGING_COLUMNS = {
    "period": "Reporting period as delivered (YYYY-MM, or YYYY for annual feeds)",
    "period_start": "First day of the reporting period",
    "district_code": "行政区划代码 of the district the row belongs to (feed's district rule)",
    "batch_id": "Batch (file) the row came from, in ops.batch_log",
    "source_row_number": "Row number in the delivered file",
    "received_at": "When the pipeline first saw the file",
}
MODELS_HEADER = (
    "# Columns are completed from include/yigongti/contracts/feeds.yml by\n"
    "# `yigongti dbt-sources`; descriptions and tests written here are kept.\n"
)


# Feed names carry the programme that produces them, staging models the provider
# that delivers them (the dbt Labs convention stg_<source>__<entity>): the feed's
# programme prefix is dropped. Landing folders and raw tables keep the feed names
# fixed by the delivery specification.
FEED_PREFIXES = {
    "hs_": "卫生统计 health statistics (provider hc)",
    "phs_": "基本公共卫生 basic public health (provider hc)",
    "mi_": "医保 medical insurance (provider mi)",
    "fin_": "财务年报 finance annual report (provider fin)",
}


def staging_model_name(feed) -> str:
    """stg_<provider>__<feed name without its programme prefix>."""
    entity = feed.name
    for prefix in FEED_PREFIXES:
        if entity.startswith(prefix):
            entity = entity.removeprefix(prefix)
            break
    return f"stg_{feed.provider}__{entity}"


def staging_models(provider: str) -> dict[str, str]:
    """Feed name -> staging model name, for the provider's feeds (by model name)."""
    found = {f.name: staging_model_name(f) for f in feeds().values() if f.provider == provider}
    return dict(sorted(found.items(), key=lambda item: item[1]))


STAGING_SQL_HEADER = (
    "-- Generated from include/yigongti/contracts/feeds.yml (feed {feed}) by\n"
    "-- `yigongti dbt-sources`: change the contract and regenerate. Types are cast by\n"
    "-- dbt_project/macros/staging/stage_feed.sql; only the rows of the active batch of\n"
    "-- each (period, district) are read.\n"
)


def render_staging_sql(feed) -> str:
    """The staging model of a feed: every stored column, typed, named in the file."""
    lines = []
    for col in feed.stored_columns:
        if col.type in ("text", "code"):
            lines.append(f"r.{col.name}")
            continue
        args = f"'r.{col.name}', '{col.type}'"
        if col.unit:
            args += f", unit_factor={MONEY_UNITS[col.unit]}"
        lines.append(f"{{{{ cast_feed_value({args}) }}}} as {col.name}")
    own_district = any(c.name == "district_code" for c in feed.stored_columns)
    lineage = "staged_batch_columns(" + ("own_district_code=true" if own_district else "") + ")"
    body = "".join(f"    {line},\n" for line in lines)
    return (
        STAGING_SQL_HEADER.format(feed=feed.name)
        + "select\n"
        + body
        + f"    {{{{ {lineage} }}}}\n"
        + f"from {{{{ active_batch_rows('{feed.provider}', '{feed.name}') }}}}\n"
    )


def render_staging_sql_files() -> dict[Path, str]:
    return {
        DBT_PROJECT_DIR / "models" / "staging" / f.provider / f"{staging_model_name(f)}.sql": (
            render_staging_sql(f)
        )
        for f in feeds().values()
    }


def _staging_columns(feed) -> list[dict]:
    columns = [
        {
            "name": c.name,
            "description": _column(c)[0]["description"]
            + ("，换算为元" if c.type == "money" else ""),
        }
        for c in feed.stored_columns
    ]
    names = {c["name"] for c in columns}
    return columns + [
        {"name": n, "description": d} for n, d in STAGING_COLUMNS.items() if n not in names
    ]


def render_staging_models() -> dict[Path, str]:
    """Each provider's staging models yml with every built column listed.

    Hand-written model descriptions, column descriptions and tests stay; columns
    the contracts add get their Chinese header as description.
    """
    files = {}
    for provider in providers():
        path = DBT_PROJECT_DIR / "models" / "staging" / provider / f"_{provider}__models.yml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        doc = doc or {"version": 2, "models": []}
        written = {m["name"]: m for m in doc["models"]}
        models = []
        for feed_name, name in staging_models(provider).items():
            feed = feeds()[feed_name]
            model = written.get(name) or {"name": name, "description": f"{feed.title_zh}, typed."}
            model["description"] = " ".join(model["description"].split())  # folded text
            kept = {c["name"]: c for c in model.get("columns", [])}
            model["columns"] = [{**c, **kept.get(c["name"], {})} for c in _staging_columns(feed)]
            models.append(model)
        doc["models"] = models
        files[path] = MODELS_HEADER + yaml.safe_dump(
            doc, allow_unicode=True, sort_keys=False, width=100
        )
    return files


FEED_SEED = DBT_PROJECT_DIR / "seeds" / "ref_feeds.csv"
FEED_SEED_COLUMNS = (
    "feed",
    "provider",
    "title_zh",
    "periodicity",
    "expected_districts",
    "due_months_after",
    "due_day",
)


def render_feed_seed() -> str:
    """Feed metadata the completeness mart needs, as a seed generated from the contracts."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FEED_SEED_COLUMNS)
    for f in feeds().values():
        writer.writerow(
            [
                f.name,
                f.provider,
                f.title_zh,
                f.periodicity,
                f.expected,
                f.due["months_after"],
                f.due["day"],
            ]
        )
    return out.getvalue()


def write(check: bool = False) -> list[Path]:
    """Write the files; with ``check``, return the stale ones and write nothing."""
    stale = []
    generated = {
        **render(),
        **render_staging_sql_files(),
        **render_staging_models(),
        FEED_SEED: render_feed_seed(),
    }
    for path, text in generated.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return stale
