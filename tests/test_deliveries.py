"""Hand-made deliveries (tests/fixtures/deliveries, written from the feed contracts
alone, not by the sample generator): every variant is accepted with its values
read right, every malformation is rejected naming its rule and rows; on the
embedded PostgreSQL and on Debian's.

Each case lands on top of the same base deliveries (institution registry,
population), which are loaded once per server into a template database.
"""

from __future__ import annotations

import decimal
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import PII_KEY, new_database
from yigongti.contracts import feed as contract
from yigongti.identifiers import CHECKS, Hasher
from yigongti.pipeline import discover_folders, process_folder

FIXTURES = Path(__file__).parent / "fixtures" / "deliveries"
MANIFEST = yaml.safe_load((FIXTURES / "cases.yml").read_text(encoding="utf-8"))
CASES = MANIFEST["cases"]


def _relative(entry: dict) -> bytes:
    """A file's path below the fixture folder, as bytes (some names are not UTF-8)."""
    if entry.get("path_bytes_hex"):
        return bytes.fromhex(entry["path_bytes_hex"])
    return entry["path"].encode("utf-8")


def _land(conn, landing: Path) -> dict[bytes, dict]:
    """Run the ingest step over a landing folder; results keyed by path below it."""
    results = {}
    for folder in discover_folders(landing):
        for result in process_folder(conn, folder, PII_KEY):
            key = os.fsencode(result["path"])
            results[key[len(os.fsencode(landing)) + 1 :]] = result
    return results


@pytest.fixture(scope="module")
def base_template(any_pg, tmp_path_factory):
    """A database holding the base deliveries, copied for every case."""
    from psycopg.conninfo import conninfo_to_dict

    from yigongti import warehouse

    url = new_database(any_pg)
    conn = warehouse.Connection(url)
    warehouse.ensure_schema(conn)
    landing = tmp_path_factory.mktemp("base") / "landing"
    shutil.copytree(FIXTURES / MANIFEST["base"], landing, symlinks=True)
    results = _land(conn, landing)
    for entry in MANIFEST["base_files"]:
        key = entry["path"].encode("utf-8")[len(MANIFEST["base"]) + 1 :]
        assert results[key]["status"] == "accepted", results[key]["message"]
    return any_pg, conninfo_to_dict(url)["dbname"]


def _hash_key(header: str, feed_name: str, value: str) -> str:
    """Match values that are personal identifiers are given in clear."""
    column = next(c for c in contract(feed_name).columns if c.header == header)
    if column.pii != "hash":
        return value
    if column.check:
        value = CHECKS[column.check](value)[0]
    return Hasher(PII_KEY)(value)


def _stored(db, feed_name: str, batch_id: int, match: dict, expect: dict) -> dict:
    """The expected columns of the one row matching ``match``, as delivered values
    read in the warehouse's units (money in yuan with the batch's unit, blank
    counts as 0)."""
    feed = contract(feed_name)
    by_header = {c.header: c for c in feed.columns}
    where = " and ".join(f"{by_header[h].name} = %s" for h in match)
    params = [_hash_key(h, feed_name, str(v)) for h, v in match.items()]
    names = [by_header[h].name for h in expect]
    rows = db.execute(
        f"select {', '.join(names)}, (select money_unit_factor from ops.batch_log "
        f"where batch_id = %s) from {feed.raw_table} where _batch_id = %s and {where}",
        [batch_id, batch_id, *params],
    ).fetchall()
    assert len(rows) == 1, (match, rows)
    *values, factor = rows[0]
    out = {}
    for header, value in zip(expect, values, strict=True):
        column = by_header[header]
        if column.type == "money" and value is not None:
            unit = {"元": 1, "千元": 1000, "万元": 10000}[column.unit] if column.unit else factor
            value = str((decimal.Decimal(value) * unit).quantize(decimal.Decimal("0.01")))
        elif column.type == "count" and value is None and feed.provider == "hc":
            value = "0"
        out[header] = value
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_delivery(case, base_template, tmp_path):
    from yigongti import warehouse

    server, template = base_template
    conn = warehouse.Connection(new_database(server, template=template))
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "cases" / case["id"], landing, symlinks=True)
    results = _land(conn, landing)
    prefix = f"cases/{case['id']}/".encode()
    assert sorted(results) == sorted(_relative(e)[len(prefix) :] for e in case["files"])
    with conn.connect() as db:
        for entry in case["files"]:
            result = results[_relative(entry)[len(prefix) :]]
            where = f"{entry['path']}: {result['message']}"
            if entry["outcome"] == "accepted_or_rejected":
                assert result["status"] in ("accepted", "rejected"), where
                assert result["message"], where
                continue
            if entry["outcome"] == "accepted":
                assert result["status"] == "accepted", where
                assert result["rows"] == entry["data_rows"], where
                for check in entry.get("values", []):
                    got = _stored(db, entry["feed"], result["batch_id"], **check)
                    assert got == {k: v for k, v in check["expect"].items()}, (where, check)
                continue
            assert result["status"] == "rejected", f"{entry['why']} — {where}"
            assert result["rules_failed"], where
            # The message names the file and every offending row it was given.
            assert result["message"], where
            rows = {
                s["_row_number"]
                for (sample,) in db.execute(
                    "select sample from ops.batch_rule_result where batch_id = %s",
                    (result["batch_id"],),
                )
                for s in (sample or [])
                if "_row_number" in s
            }
            for row in entry["bad_rows"][:5]:
                assert row in rows or f"第 {row} 行" in result["message"], (entry["why"], where)
