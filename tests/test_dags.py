"""DagBag integrity: every DAG imports, is wired as designed and is cheap to parse."""

import pytest

from yigongti.contracts import providers
from yigongti.settings import DAGS_DIR


@pytest.fixture(scope="module")
def dagbag():
    from yigongti.orchestrate import prepare

    prepare()  # the metadata database
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(DAGS_DIR))


def test_every_dag_imports(dagbag):
    assert dagbag.import_errors == {}
    expected = {f"yigongti_ingest_{p}" for p in providers()}
    expected |= {"yigongti_transform", "yigongti_publish", "yigongti_approve"}
    assert set(dagbag.dag_ids) == expected


def test_dags_are_operable(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags and "yigongti" in dag.tags, dag.dag_id
        assert dag.max_active_runs == 1, dag.dag_id
        assert not dag.catchup, dag.dag_id
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag.dag_id}.{task.task_id} has no retries"


def test_ingest_maps_over_files_and_feeds_the_transform(dagbag):
    ingest = dagbag.get_dag("yigongti_ingest_hc")
    mapped = {t.task_id for t in ingest.tasks if t.is_mapped}
    # The registry (stage 0) is decided before the feeds placed through it (stage 1).
    assert mapped == {"process_stage_0", "process_stage_1"}
    assert "process_stage_0" in ingest.get_task("discover_stage_1").upstream_task_ids
    mi = dagbag.get_dag("yigongti_ingest_mi")
    assert "process_stage_0" in mi.get_task("discover_stage_1").upstream_task_ids
    # The asset is updated by the run's verdict: only when every load succeeded
    # (it waits on every stage, none failed) and a batch changed.
    announce = ingest.get_task("announce")
    assert [o.uri for o in announce.outlets] == ["yigongti://raw/hc"]
    assert announce.trigger_rule == "none_failed"
    assert {"process_stage_0", "process_stage_1", "report"} <= announce.upstream_task_ids
    assert not ingest.get_task("report").outlets
    transform = dagbag.get_dag("yigongti_transform")
    condition = transform.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any provider's ingest triggers it
    scheduled_on = {a.uri for a in condition.objects}
    # ... and so does an approval (held corrections released, approved flags).
    assert scheduled_on == {f"yigongti://raw/{p}" for p in providers()} | {
        "yigongti://ops/approval"
    }
    approve = dagbag.get_dag("yigongti_approve")
    assert approve.schedule is None and "month" in approve.params  # triggered by a person
    assert {o.uri for t in approve.tasks for o in t.outlets} == {"yigongti://ops/approval"}


def test_transform_waits_for_the_sweep_then_builds_once(dagbag):
    transform = dagbag.get_dag("yigongti_transform")
    build = transform.get_task("dbt_build")
    assert type(build).__name__ == "DbtBuildLocalOperator"  # every model and its tests
    # the sweep is over and the warehouse schemas exist before dbt reads its sources
    assert build.upstream_task_ids == {"prepare_warehouse"}
    assert transform.get_task("prepare_warehouse").upstream_task_ids == {"wait_for_ingest"}
    assert transform.get_task("marts_built").upstream_task_ids == {"dbt_build", "prepare_warehouse"}
    fin = dagbag.get_dag("yigongti_ingest_fin")  # placed through hc's institution registry
    assert "wait_for_upstream" in fin.get_task("discover_stage_0").upstream_task_ids
    assert "wait_for_upstream" not in dagbag.get_dag("yigongti_ingest_hc").task_ids


def test_each_dag_file_parses_on_its_own():
    """Each file imports alone (the dag-processor parses files one by one); how
    fast is measured by bench/run.py, not here."""
    from airflow.dag_processing.dagbag import DagBag

    for path in sorted(DAGS_DIR.glob("*.py")):
        bag = DagBag(str(path))
        assert not bag.import_errors, path.name
        assert bag.dags, path.name


def test_publish_follows_the_marts_and_serves_docs(dagbag):
    transform = dagbag.get_dag("yigongti_transform")
    built = {o.uri for t in transform.tasks for o in t.outlets}
    publish = dagbag.get_dag("yigongti_publish")
    assert {a.uri for a in publish.timetable.asset_condition.objects} == built
    assert built == {"yigongti://marts/indicators"}
    docs = publish.get_task("dbt_docs")
    assert type(docs).__name__ == "DbtDocsLocalOperator"
    assert "bulletin" in docs.upstream_task_ids  # docs of the marts just published
    assert "month" in publish.params  # republish an earlier month after a restatement


def test_ingest_reads_the_landing_zone_through_object_storage(dagbag, tmp_path):
    """A landing zone on another filesystem (here fsspec's in-memory one, as S3 or
    SFTP would be) is discovered and its files fetched to a local copy."""
    import sys

    from airflow.sdk.io import attach
    from fsspec.implementations.memory import MemoryFileSystem

    from yigongti.pipeline import discover_folders

    sys.path.insert(0, str(DAGS_DIR.parent / "plugins"))
    from yigongti_landing import landing_path, local_copy

    attach("memory", fs=MemoryFileSystem())
    root = landing_path("memory://landing")
    for name, body in (("a.csv", b"first"), ("b.csv", b"second")):
        target = root / "hs_monthly_services" / "2025-01" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    (root / "not_a_feed").mkdir(parents=True, exist_ok=True)
    folders = discover_folders(landing_path("memory://landing"), provider="hc")
    assert [(f["feed"], f["period"], len(f["paths"])) for f in folders] == [
        ("hs_monthly_services", "2025-01", 2)
    ]
    first = folders[0]["paths"][0]
    assert first.startswith("memory://")
    with local_copy(first) as local:
        assert local.read_bytes() == b"first" and local.name == "a.csv"
    assert not local.exists()  # the temporary copy is gone
    local_file = tmp_path / "x.csv"
    local_file.write_text("here")
    with local_copy(str(landing_path(str(local_file)))) as same:
        assert same == local_file  # local landing files are read in place
