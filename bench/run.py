"""Full-municipality benchmark: one month at scale 1.0, measured side by side in one run.

    uv run python bench/run.py [--scale 1.0] [--period 2026-03] [--out bench/results.json]

Every measurement runs in a child process of its own, so its peak resident
memory (RSS, the child and anything it starts) is its own. The warehouse is a
fresh embedded PostgreSQL in the work folder. Printed: a table with the ratios
project ÷ bare COPY and naive ÷ project per feed, GX validation as a share of
load time, dbt build times (first build, one more month, and the incremental
rebuild with 1 and with 12 months already loaded), the whole ``yigongti run``
for the month, and each DAG file's parse time. The same figures go to JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from yigongti.periods import shift_period

ROOT = Path(__file__).resolve().parents[1]
BENCH_KEY = "bench-pii-key-not-a-secret"


# ---------------------------------------------------------------- child steps


def _conn(url: str):
    from yigongti import warehouse

    return warehouse.Connection(url)


def _files(landing: Path, feed: str, period: str) -> list[Path]:
    folder = landing / feed / period
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def step_generate(landing: str, start: str, end: str, scale: float) -> dict:
    from yigongti.samples import generate_landing

    files = generate_landing(Path(landing), start, end, scale=scale, seed=2026)
    return {"files": len(files), "bytes": sum(Path(f).stat().st_size for f in files)}


def step_ingest(url: str, landing: str, feed: str, period: str, validate: bool = True) -> dict:
    """The project's path: read + hash + COPY into raw (load), then the GX checkpoint."""
    from yigongti.contracts import feed as contract
    from yigongti.identifiers import Hasher
    from yigongti.loader import land_file
    from yigongti.quality.anomalies import flag_batch
    from yigongti.quality.validate import validate_batch

    conn, c = _conn(url), contract(feed)
    out = {"rows": 0, "load_s": 0.0, "validate_s": 0.0, "batches": [], "statuses": []}
    if validate:  # GX import and context: once per process, measured on its own
        from yigongti.quality.validate import warm_up

        started = time.perf_counter()
        warm_up()
        out["gx_setup_s"] = time.perf_counter() - started
    for path in _files(Path(landing), feed, period):
        started = time.perf_counter()
        landed = land_file(
            conn,
            c,
            period,
            path,
            hasher=Hasher(BENCH_KEY),
            archive_dir=Path(landing).parent / "archive",
        )
        out["load_s"] += time.perf_counter() - started
        out["rows"] += landed.row_count
        out["batches"].append(landed.batch_id)
        if validate and landed.status != "rejected":
            started = time.perf_counter()
            verdict = validate_batch(conn, c, period, landed.batch_id)
            if verdict.status != "rejected":
                flag_batch(conn, c, period, landed.batch_id)
            out["validate_s"] += time.perf_counter() - started
            out["statuses"].append(verdict.status)
        else:
            out["statuses"].append(landed.status)
    out["bytes"] = sum(p.stat().st_size for p in _files(Path(landing), feed, period))
    return out


def step_bare_copy(url: str, feed: str, batches: list[int], work: str) -> dict:
    """The physical reference: COPY the same rows (every column the project writes)
    from a plain CSV into an identical table."""
    from yigongti.contracts import LINEAGE_COLUMNS
    from yigongti.contracts import feed as contract

    c = contract(feed)
    columns = ", ".join((*c.raw_columns, *LINEAGE_COLUMNS))
    plain = Path(work) / f"{feed}.plain.csv"
    with _conn(url).connect() as db:
        with (
            plain.open("wb") as fh,
            db.cursor().copy(
                f"copy (select {columns} from {c.raw_table} where _batch_id = any(%s)) "
                "to stdout (format csv)",
                (batches,),
            ) as copy,
        ):
            for block in copy:
                fh.write(block)
        db.execute("create schema if not exists bench")
        db.execute(f"drop table if exists bench.{feed}")
        db.execute(f"create table bench.{feed} (like {c.raw_table})")
        db.commit()
        started = time.perf_counter()
        with (
            plain.open("rb") as fh,
            db.cursor().copy(f"copy bench.{feed} ({columns}) from stdin (format csv)") as copy,
        ):
            while block := fh.read(1 << 20):
                copy.write(block)
        db.commit()
        elapsed = time.perf_counter() - started
        db.execute(f"drop table bench.{feed}")
        db.commit()
    size = plain.stat().st_size
    plain.unlink()
    return {"copy_s": elapsed, "plain_bytes": size}


def step_naive(url: str, landing: str, feed: str, period: str, max_files: int) -> dict:
    """What most pipelines do: pandas reads the whole file, DataFrame.to_sql inserts it."""
    import pandas as pd
    import sqlalchemy

    from yigongti import warehouse

    engine = sqlalchemy.create_engine(warehouse.Connection(url).sqlalchemy_url)
    with engine.begin() as db:
        db.exec_driver_sql("create schema if not exists naive")
    rows, elapsed = 0, 0.0
    files = _files(Path(landing), feed, period)[:max_files]
    for path in files:
        started = time.perf_counter()
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="calamine")
        else:
            try:
                frame = pd.read_csv(path, dtype=str)
            except UnicodeDecodeError:
                frame = pd.read_csv(path, dtype=str, encoding="gb18030")
        frame.to_sql(feed, engine, schema="naive", if_exists="append", index=False)
        elapsed += time.perf_counter() - started
        rows += len(frame)
    with engine.begin() as db:
        db.exec_driver_sql(f"drop table if exists naive.{feed}")
    return {"naive_s": elapsed, "rows": rows, "files": len(files)}


def step_load_months(url: str, landing: str, start: str, end: str) -> dict:
    """Land, validate and decide every file of a range (no Airflow), dependencies first."""
    from yigongti.pipeline import discover, process_file

    conn, n = _conn(url), 0
    for item in discover(Path(landing), start, end):
        process_file(conn, item, BENCH_KEY)
        n += 1
    return {"files": n}


def step_dbt_build(url: str, target: str) -> dict:
    from yigongti.settings import DBT_PROJECT_DIR

    started = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--project-dir", str(DBT_PROJECT_DIR)]
        + ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", target, "--quiet"],
        env={**os.environ, **_conn(url).env()},
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-3000:] + result.stderr[-2000:])
    slowest = []
    run_results = Path(target) / "run_results.json"
    if run_results.exists():
        results = json.loads(run_results.read_text())["results"]
        slowest = sorted(
            ((r["unique_id"].split(".")[-1], round(r["execution_time"], 2)) for r in results),
            key=lambda x: -x[1],
        )[:5]
    return {"build_s": elapsed, "slowest": slowest}


def step_e2e(url: str, landing: str, period: str, state: str) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("yigongti")), "run", "--landing", landing]
        + ["--from", period, "--to", period],
        env={**os.environ, "WAREHOUSE_URL": url, "YIGONGTI_STATE_DIR": state},
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-3000:] + result.stderr[-3000:])
    return {"run_s": elapsed, "tail": result.stdout.strip().splitlines()[-1]}


def step_dags_report(state: str) -> dict:
    """``airflow dags report``: each DAG file's parse time, as the DAG processor sees it."""
    from yigongti.orchestrate import configure_airflow, prepare

    os.environ["YIGONGTI_STATE_DIR"] = state
    configure_airflow()
    prepare()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "dags", "report", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout[result.stdout.index("[") :])
    return {"files": {Path(r["file"]).name: _seconds(r["duration"]) for r in report}}


def _seconds(text) -> float:
    if isinstance(text, int | float):
        return float(text)
    h, m, s = str(text).split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


STEPS = {
    name.removeprefix("step_"): fn for name, fn in globals().items() if name.startswith("step_")
}


def child_main(name: str, kwargs: str) -> None:
    result = STEPS[name](**json.loads(kwargs))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_rss_mib"] = round(max(own, children) / 1024, 1)  # Linux: KiB
    print("RESULT " + json.dumps(result, default=str))


# ---------------------------------------------------------------- the driver


def run_step(name: str, **kwargs) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "_step", name, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"step {name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(line[len("RESULT ") :])
    result["wall_s"] = time.perf_counter() - started
    return result


def fresh_database(server, name: str) -> str:
    from psycopg.conninfo import make_conninfo

    from yigongti import warehouse

    with server.connect(autocommit=True) as db:
        db.execute(f"drop database if exists {name}")
        db.execute(f"create database {name}")
    url = make_conninfo(server.url, dbname=name)
    warehouse.ensure_schema(warehouse.Connection(url))
    return url


def feeds_of_month(landing: Path, period: str) -> list[str]:
    from yigongti.contracts import feeds, stage

    present = [f for f in feeds() if (landing / f / period).is_dir()]
    return sorted(present, key=lambda f: (stage(f), f))


def incremental_rebuilds(server, work: Path, period: str, args, say) -> dict:
    """The rebuild after adding a month, with 1 and with N months already loaded.

    With ``--incremental-reuse`` the databases holding the loaded months are kept
    (``bench_inc_<n>_loaded_<scale>``) and a later run starts from a copy of them,
    loading only the added month again. With ``--incremental-repeats K`` the
    rebuild is timed K times, each on a fresh copy of the database as it stood just
    before the rebuild; the median is reported.
    """
    from statistics import median

    from psycopg.conninfo import make_conninfo

    def copy_database(name: str, template: str) -> str:
        with server.connect(autocommit=True) as db:
            db.execute(f"drop database if exists {name}")
            db.execute(f"create database {name} template {template}")
        return make_conninfo(server.url, dbname=name)

    def database_exists(name: str) -> bool:
        with server.connect() as db:
            found = db.execute("select 1 from pg_database where datname = %s", (name,))
            return found.fetchone() is not None

    inc_landing = work / f"landing-{args.incremental_scale}"
    first = shift_period(period, -args.incremental_months)
    last = period
    if not (inc_landing / "mi_inpatient_settlements" / last).is_dir():
        say(f"generating {first}…{last} at scale {args.incremental_scale} …")
        run_step(
            "generate",
            landing=str(inc_landing),
            start=first,
            end=last,
            scale=args.incremental_scale,
        )
    incremental = {}
    for loaded in (1, args.incremental_months):
        name = f"bench_inc_{loaded}"
        kept = f"{name}_loaded_{round(args.incremental_scale * 1000)}"
        target = str(work / f"target-{loaded}")
        if args.incremental_reuse and database_exists(kept):
            say(f"incremental: {loaded} month(s) loaded (kept), then one more …")
            inc_url = copy_database(name, kept)
        else:
            say(f"incremental: {loaded} month(s) loaded, then one more …")
            inc_url = fresh_database(server, name)
            run_step(
                "load_months",
                url=inc_url,
                landing=str(inc_landing),
                start=shift_period(last, -loaded),
                end=shift_period(last, -1),
            )
            if args.incremental_reuse:
                copy_database(kept, name)
        run_step("dbt_build", url=inc_url, target=target)
        run_step("load_months", url=inc_url, landing=str(inc_landing), start=last, end=last)
        repeats = max(args.incremental_repeats, 1)
        if repeats > 1:
            copy_database(f"{name}_before_rebuild", name)
        rebuilds = []
        for repeat in range(repeats):
            if repeat:
                inc_url = copy_database(name, f"{name}_before_rebuild")
            rebuilds.append(run_step("dbt_build", url=inc_url, target=target))
        times = [r["build_s"] for r in rebuilds]
        typical = min(rebuilds, key=lambda r: abs(r["build_s"] - median(times)))
        incremental[str(loaded)] = {
            "rebuild_s": round(median(times), 2),
            "slowest": typical["slowest"],
        }
        if repeats > 1:
            incremental[str(loaded)]["rebuilds_s"] = [round(t, 2) for t in times]
    return incremental


PARTS = ("ingest", "dbt", "incremental", "e2e", "dags")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--period", default="2026-03", help="a quarter's last month holds every feed")
    p.add_argument("--incremental-scale", type=float, default=0.1)
    p.add_argument("--incremental-months", type=int, default=12)
    p.add_argument(
        "--incremental-reuse",
        action="store_true",
        help="keep the databases with the months loaded and start from copies of them",
    )
    p.add_argument(
        "--incremental-repeats", type=int, default=1, help="time each rebuild K times (median)"
    )
    p.add_argument("--naive-max-files", type=int, default=3, help="per feed (registry: 39 files)")
    p.add_argument("--work", default=str(ROOT / ".yigongti-bench"))
    p.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    p.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated subset of {','.join(PARTS)} (the table needs all of them)",
    )
    args = p.parse_args()
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        p.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))}")

    from yigongti import warehouse

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ["YIGONGTI_STATE_DIR"] = str(work / "state")
    landing = work / "landing"
    period, following = args.period, shift_period(args.period, 1)
    report: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "taken_at": dt.datetime.now().isoformat(timespec="seconds"),
        "scale": args.scale,
        "period": period,
    }

    def say(text: str) -> None:
        print(text, flush=True)

    needs_month = parts & {"ingest", "dbt", "e2e"}
    if needs_month and not (landing / "mi_inpatient_settlements" / following).is_dir():
        say(f"generating {period} and {following} at scale {args.scale} …")
        report["generate"] = run_step(
            "generate", landing=str(landing), start=period, end=following, scale=args.scale
        )

    with warehouse.session(pgdata=work / "pgdata") as server:
        report["server"] = server.connect().execute("select version()").fetchone()[0]
        # 1. Ingest per feed: project vs bare COPY vs naive pandas; GX share.
        url = fresh_database(server, "bench_month")
        feeds = {}
        for feed in feeds_of_month(landing, period) if parts & {"ingest", "dbt"} else ():
            say(f"ingest {feed} …")
            project = run_step("ingest", url=url, landing=str(landing), feed=feed, period=period)
            bare = run_step(
                "bare_copy", url=url, feed=feed, batches=project["batches"], work=str(work)
            )
            naive = run_step(
                "naive",
                url=url,
                landing=str(landing),
                feed=feed,
                period=period,
                max_files=args.naive_max_files,
            )
            # Naive on a subset of files (per-district feeds): compare per row.
            naive_per_row = naive["naive_s"] / max(naive["rows"], 1)
            project_per_row = project["load_s"] / max(project["rows"], 1)
            feeds[feed] = {
                "rows": project["rows"],
                "bytes": project["bytes"],
                "statuses": project["statuses"],
                "load_s": round(project["load_s"], 2),
                "validate_s": round(project["validate_s"], 2),
                "bare_copy_s": round(bare["copy_s"], 2),
                "naive_s": round(naive_per_row * project["rows"], 2),
                "naive_rows_measured": naive["rows"],
                "throughput_vs_copy": round(bare["copy_s"] / project["load_s"], 3),
                "naive_vs_project": round(naive_per_row / project_per_row, 2),
                "validation_share": round(project["validate_s"] / project["load_s"], 3),
                "gx_setup_s": round(project["gx_setup_s"], 2),
                "peak_rss_mib": {
                    "project": project["peak_rss_mib"],
                    "naive": naive["peak_rss_mib"],
                },
            }
        report["feeds"] = feeds

        # 2. dbt: first build of the month, then one more month.
        if "dbt" in parts:
            say("dbt build (first) …")
            report["dbt_first"] = run_step("dbt_build", url=url, target=str(work / "target"))
            say(f"ingest {following} and dbt build again …")
            report["load_next_month"] = run_step(
                "load_months", url=url, landing=str(landing), start=following, end=following
            )
            report["dbt_next_month"] = run_step("dbt_build", url=url, target=str(work / "target"))

        # 3. Incremental rebuild with 1 and with 12 months already loaded (smaller scale).
        if "incremental" in parts:
            report["incremental"] = incremental_rebuilds(server, work, period, args, say)

        # 4. The whole `yigongti run` for the month, on a fresh database.
        if "e2e" in parts:
            say(f"yigongti run for {period} …")
            e2e_url = fresh_database(server, "bench_e2e")
            report["e2e"] = run_step(
                "e2e",
                url=e2e_url,
                landing=str(landing),
                period=period,
                state=str(work / "e2e-state"),
            )

    # 5. DAG parse times.
    if "dags" in parts:
        say("airflow dags report …")
        report["dags"] = run_step("dags_report", state=str(work / "e2e-state"))

    if parts != set(PARTS) and args.out == p.get_default("out"):
        args.out = str(work / "results-partial.json")  # the README's figures are whole runs
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(render(report))
    print(f"\nJSON: {args.out}")
    return 0


def render(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Full-municipality month {r['period']} at scale {r['scale']} — "
        f"{m['cpus']} CPUs, {m['memory_gib']} GiB, Python {m['python']}",
    ]
    if r.get("feeds"):
        lines += ingest_lines(r["feeds"])
    if "dbt_first" in r:
        lines.append(
            f"dbt build, first (one month): {r['dbt_first']['build_s']:.1f} s; "
            f"after one more month: {r['dbt_next_month']['build_s']:.1f} s "
            f"(peak RSS {r['dbt_next_month']['peak_rss_mib']:.0f} MiB)"
        )
    if "incremental" in r:
        inc = r["incremental"]
        keys = sorted(inc, key=int)
        lines.append(
            "dbt rebuild after adding a month: "
            + ", ".join(f"{k} month(s) loaded {inc[k]['rebuild_s']:.1f} s" for k in keys)
            + f" (ratio {inc[keys[-1]]['rebuild_s'] / inc[keys[0]]['rebuild_s']:.2f})"
        )
    if "e2e" in r:
        lines.append(
            f"yigongti run, whole month end to end: {r['e2e']['run_s']:.0f} s "
            f"(peak RSS {r['e2e']['peak_rss_mib']:.0f} MiB)"
        )
    if "dags" in r:
        lines.append(
            "DAG file parse times: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(r["dags"]["files"].items()))
        )
    return "\n".join(lines)


def ingest_lines(feeds: dict) -> list[str]:
    lines = [
        "",
        f"{'feed':28} {'rows':>10} {'load s':>8} {'COPY s':>8} {'proj/COPY':>9} "
        f"{'naive s':>8} {'naive/proj':>10} {'GX s':>7} {'GX/load':>8} {'RSS MiB':>8}",
    ]
    for name, f in feeds.items():
        lines.append(
            f"{name:28} {f['rows']:>10,} {f['load_s']:>8.1f} {f['bare_copy_s']:>8.1f} "
            f"{f['throughput_vs_copy']:>9.0%} {f['naive_s']:>8.1f} {f['naive_vs_project']:>9.1f}× "
            f"{f['validate_s']:>7.1f} {f['validation_share']:>8.0%} "
            f"{f['peak_rss_mib']['project']:>8.0f}"
        )
    total_load = sum(f["load_s"] for f in feeds.values())
    total_gx = sum(f["validate_s"] for f in feeds.values())
    setup = [f["gx_setup_s"] for f in feeds.values()]
    return [
        *lines,
        "",
        f"all feeds: load {total_load:.1f} s, GX {total_gx:.1f} s "
        f"({total_gx / total_load:.0%} of load); GX import and context once per process: "
        f"{min(setup):.1f}–{max(setup):.1f} s (not in GX s)",
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_step":
        child_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
