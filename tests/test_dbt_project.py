"""The dbt project builds on an empty warehouse, and every indicator's arithmetic
is proven by a dbt unit test (hand-computed fixtures in the YAML beside each model,
dbt_project/models/intermediate/<purpose>/<model>.yml)."""

import csv
import json
import subprocess

import pytest

from tests.conftest import dbt_command
from yigongti.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="module")
def build(pg_server, tmp_path_factory):
    """dbt build (seeds, models, data and unit tests) into a database of its own."""
    import os

    from psycopg.conninfo import make_conninfo

    from yigongti import warehouse

    with pg_server.connect(autocommit=True) as db:
        db.execute("create database dbt_build")
    conn = warehouse.Connection(make_conninfo(pg_server.url, dbname="dbt_build"))
    warehouse.ensure_schema(conn)
    target = tmp_path_factory.mktemp("dbt-target")

    def dbt(*args):
        return subprocess.run(
            dbt_command(*args, target=target, logs=target / "logs"),
            env={**os.environ, **conn.env()},
            capture_output=True,
            text=True,
        )

    result = dbt("build")
    if result.returncode == 0:
        # The catalog (columns as built) for the documentation check.
        docs = dbt("docs", "generate", "--no-compile")
        assert docs.returncode == 0, docs.stdout[-4000:]
    return result, target


def test_build_succeeds_on_an_empty_warehouse(build):
    result, _ = build
    assert result.returncode == 0, result.stdout[-4000:]


def test_every_unit_test_passes(build):
    _, target = build
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(unit) >= 12
    assert {s for s in unit.values()} == {"pass"}, unit


def test_every_indicator_is_computed_in_a_unit_tested_model(build):
    _, target = build
    manifest = json.loads((target / "manifest.json").read_text())
    tested = {t["model"] for t in manifest["unit_tests"].values()}
    with (DBT_PROJECT_DIR / "seeds" / "indicator_registry.csv").open(encoding="utf-8") as fh:
        registry = list(csv.DictReader(fh))
    assert {r["indicator_code"] for r in registry} >= {f"M{n:02d}" for n in (1, 2, 3, 4, 6, 7)}
    untested = {
        r["indicator_code"]: r["computed_in"] for r in registry if r["computed_in"] not in tested
    }
    assert not untested


def test_every_model_seed_and_column_is_described(build):
    """dbt docs (served through Cosmos) describe every relation and every column built."""
    _, target = build
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    missing = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed"):
            continue
        if not node["description"].strip():
            missing.append(uid)
        described = {n for n, c in node["columns"].items() if c["description"].strip()}
        built = catalog["nodes"].get(uid, {}).get("columns", {})
        assert built or node["resource_type"] == "seed" or uid in missing, f"{uid} not in catalog"
        missing += [f"{uid}.{c}" for c in built if c not in described]
    assert not missing, "\n".join(missing)
