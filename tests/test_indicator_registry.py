"""The indicator registry (dbt_project/seeds/indicator_registry.csv) is the definition
of every indicator, checked against the dbt project it describes (parsed, no database):

- ``computed_in`` is the model that emits the code, and no other model emits it;
- ``source_feeds`` are the feeds upstream of the indicator in the dbt lineage;
- the code's unit test (named with it) runs on that model;
- ``factor`` is applied through the factor macro, never written into a model;
- ``headline_period_type`` is one of the indicator's period types.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.conftest import dbt_command
from yigongti import registry
from yigongti.contracts import feeds

CODE = re.compile(r"^M\d{2}[A-Z]?$")
# How a model emits an indicator code: a literal selected as indicator_code, or the
# registry's rows filtered to a list of codes (int_closeness_levels_assessed).
EMITTED_LITERAL = re.compile(r"'(M\d{2}[A-Z]?)'\s+as\s+indicator_code")
EMITTED_LIST = re.compile(r"indicator_code\s+in\s+\(([^)]*)\)")
FACTOR_CALL = re.compile(r"indicator_value\(\s*'(M\d{2}[A-Z]?)'")
# A factor written into a model instead of read from the registry.
HARD_CODED_FACTOR = re.compile(r"\*\s*100(?:\.0*)?\b|\b10000(?:\.0*)?\b")


def _code_of(sql: str) -> str:
    """The SQL without its comments (Jinja and SQL line comments)."""
    sql = re.sub(r"\{#.*?#\}", "", sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    target = tmp_path_factory.mktemp("dbt-parse")
    result = subprocess.run(
        dbt_command("parse", target=target, logs=target / "logs"),
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return json.loads((target / "manifest.json").read_text())


def _model(manifest, name):
    node = manifest["nodes"].get(f"model.yigongti.{name}")
    assert node is not None, f"no model {name}"
    return node


def _emitted(node) -> set[str]:
    sql = _code_of(node["raw_code"])
    codes = set(EMITTED_LITERAL.findall(sql))
    for listed in EMITTED_LIST.findall(sql):
        codes |= set(re.findall(r"'(M\d{2}[A-Z]?)'", listed))
    return codes


def _ancestors(manifest, uid) -> set[str]:
    seen, todo = set(), [uid]
    while todo:
        node = manifest["nodes"].get(todo.pop()) or {}
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _upstream_feeds(manifest, uids) -> set[str]:
    """The raw feeds (sources of a provider, not ops) upstream of the nodes, with the
    institution registry when a feed is placed in districts through it."""
    found = set()
    for uid in uids:
        for parent in _ancestors(manifest, uid) | {uid}:
            source = manifest["sources"].get(parent)
            if source and source["source_name"] != "ops":
                found.add(source["name"])
    registry_feeds = {f.name for f in feeds().values() if f.registry}
    if any(feeds()[f].district.startswith("institution:") for f in found):
        found |= registry_feeds
    return found


def test_codes_are_unique_and_well_formed():
    codes = [r["indicator_code"] for r in registry.indicators()]
    assert len(codes) == len(set(codes))
    assert all(CODE.match(c) for c in codes), codes


def test_computed_in_emits_the_code_and_no_other_model_does(manifest):
    emitted_by = {}
    for node in manifest["nodes"].values():
        # Codes are emitted before the marts, which only read them.
        if node["resource_type"] == "model" and "/marts/" not in node["original_file_path"]:
            for code in _emitted(node):
                emitted_by.setdefault(code, set()).add(node["name"])
    wrong = {
        r["indicator_code"]: (r["computed_in"], sorted(emitted_by.get(r["indicator_code"], ())))
        for r in registry.indicators()
        if emitted_by.get(r["indicator_code"]) != {r["computed_in"]}
    }
    assert not wrong, f"code: (computed_in, models emitting it) {wrong}"
    unknown = set(emitted_by) - {r["indicator_code"] for r in registry.indicators()}
    assert not unknown, f"codes emitted but not in the registry: {unknown}"


def test_source_feeds_are_the_feeds_upstream_in_the_lineage(manifest):
    """An indicator's inputs are its model's, or those listed for its code in the
    model's ``meta.indicator_inputs`` (a model emitting several indicators); their
    upstream feeds are what int_indicator_inputs_checked judges completeness by."""
    wrong = {}
    for r in registry.indicators():
        node = _model(manifest, r["computed_in"])
        uid = node["unique_id"]
        inputs = node["config"].get("meta", {}).get("indicator_inputs", {}).get(r["indicator_code"])
        if inputs:
            uids = [f"model.yigongti.{name}" for name in inputs]
            not_upstream = set(uids) - _ancestors(manifest, uid)
            assert not not_upstream, f"{r['indicator_code']}: {not_upstream} not upstream of {uid}"
        else:
            uids = [uid]
        lineage = _upstream_feeds(manifest, uids)
        declared = set(r["source_feeds"].split(";"))
        if lineage != declared:
            wrong[r["indicator_code"]] = {
                "registry": sorted(declared),
                "lineage": sorted(lineage),
            }
    assert not wrong, "\n".join(f"{c}: {d}" for c, d in wrong.items())


def test_source_feeds_are_contract_feeds():
    names = set(feeds())
    for r in registry.indicators():
        assert set(r["source_feeds"].split(";")) <= names, r["indicator_code"]


def test_each_code_has_a_unit_test_named_with_it_on_its_model(manifest):
    tests = [(t["name"].split("_"), t["model"]) for t in manifest["unit_tests"].values()]
    missing = [
        r["indicator_code"]
        for r in registry.indicators()
        if not any(
            r["indicator_code"].lower() in words and model == r["computed_in"]
            for words, model in tests
        )
    ]
    assert not missing, f"no unit test named with the code on its computed_in model: {missing}"


def test_factor_is_applied_by_the_macro_only(manifest):
    """No model writes a factor; indicator_value('Mxx', …) is called only in Mxx's model."""
    by_code = {r["indicator_code"]: r for r in registry.indicators()}
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or "/marts/" in node["original_file_path"]:
            continue
        sql = _code_of(node["raw_code"])
        if HARD_CODED_FACTOR.search(sql):
            problems.append(f"{node['name']}: hard-coded factor")
        for code in FACTOR_CALL.findall(sql):
            if by_code[code]["computed_in"] != node["name"]:
                problems.append(f"{node['name']}: applies {code}'s factor")
            if not by_code[code]["factor"]:
                problems.append(f"{code} has no factor in the registry")
    assert not problems, problems


def test_headline_period_type_is_published_and_follows_periodicity():
    for r in registry.indicators():
        assert r["headline_period_type"] in r["period_types"].split(";"), r["indicator_code"]
        assert r["headline_period_type"] == r["periodicity"], r["indicator_code"]
        assert registry.headline_period_type(r["indicator_code"]) == r["headline_period_type"]
