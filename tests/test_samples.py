"""The sample generator: deterministic, realistic, valid, boundary-aware and streaming."""

import hashlib
import tracemalloc
from collections import defaultdict

from yigongti.contracts import feed
from yigongti.identifiers import check_resident_id, check_uscc
from yigongti.readers import open_feed_file
from yigongti.reference import districts, ws218_classes
from yigongti.samples import generate_landing
from yigongti.samples.feeds import monthly_services_rows, settlement_rows
from yigongti.samples.universe import build_universe


def _digest(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.*"))
        if p.suffix == ".csv"
    }


def test_same_seed_same_files(tmp_path):
    only = {"mi_inpatient_settlements", "death_registrations"}
    generate_landing(tmp_path / "a", "2025-01", "2025-01", scale=0.005, seed=7, only=only)
    generate_landing(tmp_path / "b", "2025-01", "2025-01", scale=0.005, seed=7, only=only)
    generate_landing(tmp_path / "c", "2025-01", "2025-01", scale=0.005, seed=8, only=only)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_feed_is_generated_and_reads_back(tmp_path, hasher):
    files = generate_landing(tmp_path, "2025-12", "2025-12", scale=0.005)
    # December 2025 closes a quarter and a year: every feed has files.
    assert {p.parent.parent.name for p in files} == set(
        __import__("yigongti.contracts", fromlist=["feeds"]).feeds()
    )
    for path in files:
        opened = open_feed_file(feed(path.parent.parent.name), path, hasher)
        assert next(iter(opened.rows()), None) is not None, path


def test_visit_magnitudes_follow_population_rates():
    universe = build_universe(scale=0.01, seed=2026)
    primary = {c for c, v in ws218_classes().items() if v["is_primary_level"]}
    by_district = defaultdict(lambda: [0, 0])
    codes = {i.credit_code: (sim.code, i.ws218_code) for sim in universe for i in sim.institutions}
    for month in range(1, 13):
        for row in monthly_services_rows(universe, 2025, month, seed=2026):
            district, ws218 = codes[row["credit_code"]]
            by_district[district][0] += row["total_visits"]
            by_district[district][1] += row["total_visits"] if ws218 in primary else 0
    for sim in universe:
        total, prim = by_district[sim.code]
        # About 6-7 visits per resident a year; primary-level share 55-70 %.
        assert 5.6 < total / sim.population < 7.4, sim.code
        assert 0.53 < prim / total < 0.72, sim.code


def test_identifiers_carry_valid_check_characters():
    universe = build_universe(scale=0.01, seed=2026)
    assert all(check_uscc(i.credit_code)[1] == "ok" for s in universe for i in s.institutions)
    lines = list(settlement_rows(universe[:3], 2025, 3, 2026, {}))
    assert lines and all(check_resident_id(r["person_id_hash"])[1] == "ok" for r in lines)


def test_inpatient_cost_is_realistic():
    universe = build_universe(scale=0.02, seed=2026)
    lines = [
        r for r in settlement_rows(universe, 2025, 6, 2026, {}) if r["settlement_status"] == "正常"
    ]
    mean = sum(r["total_cost"] for r in lines) / len(lines)
    assert 8_000 < mean < 12_000


def test_boundary_change_2026(tmp_path):
    files = generate_landing(tmp_path, "2025-12", "2026-01", scale=0.005, only={"hs_institutions"})
    by_period = {}
    for path in files:
        rows = open_feed_file(feed("hs_institutions"), path).rows()
        index = feed("hs_institutions").raw_columns.index("district_code")
        by_period[path.parent.name] = {v[index] for _, v in rows}
    assert {"500105", "500112"} <= by_period["2025-12"] and "500157" not in by_period["2025-12"]
    assert "500157" in by_period["2026-01"]
    assert not {"500105", "500112"} & by_period["2026-01"]
    assert by_period["2026-01"] <= {d for d in districts() if d not in ("500105", "500112")}


def test_generator_streams(tmp_path):
    """Peak memory while writing settlements does not grow with the number of lines."""

    def peak(scale):
        tracemalloc.start()
        generate_landing(
            tmp_path / str(scale),
            "2025-01",
            "2025-01",
            scale=scale,
            only={"mi_inpatient_settlements"},
        )
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    small, large = peak(0.01), peak(0.04)
    (written,) = (tmp_path / "0.04").rglob("*.csv")
    with written.open(encoding="gbk") as fh:
        lines = sum(1 for _ in fh)
    assert lines > 8000
    # Four times the lines; memory for the fixed universe grows with scale, rows must not.
    assert large < small * 3
