"""The ``yigongti`` command line (see shared interfaces: run, demo)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from yigongti.periods import Period
from yigongti.settings import state_dir

log = logging.getLogger("yigongti")

DEMO_FROM, DEMO_TO = "2025-01", "2026-10"


def _period(text: str) -> str:
    try:
        if Period.parse(text).kind == "month":
            return text
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM") from None


def _warehouse_held(stack: ExitStack, what: str):
    """The warehouse (embedded unless WAREHOUSE_URL names one), held for this
    command alone; None, said on stderr, when another run holds it."""
    from yigongti import warehouse

    conn = stack.enter_context(warehouse.session())
    try:
        stack.enter_context(warehouse.exclusive(conn, what))
    except warehouse.WarehouseBusy as exc:
        print(exc, file=sys.stderr)
        return None
    return conn


def cmd_run(args) -> int:
    from yigongti import summary
    from yigongti.orchestrate import PipelineFailed, run_pipeline

    landing = Path(args.landing)
    if not landing.is_dir():
        print(f"landing folder {landing} does not exist", file=sys.stderr)
        return 2
    started = time.monotonic()
    with ExitStack() as stack:
        conn = _warehouse_held(stack, "run")
        if conn is None:
            return 3
        with conn.connect() as db:
            since = db.execute("select now()").fetchone()[0]
        log_file = state_dir() / "logs" / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
        print(f"运行日志（Airflow、GX、dbt）：{log_file}")
        try:
            run_pipeline(
                landing,
                args.period_from,
                args.period_to,
                log_file=None if args.verbose else log_file,
                progress=lambda line: print(line, flush=True),
            )
        except PipelineFailed as exc:
            print(f"流水线失败 / pipeline failed: {exc}", file=sys.stderr)
            print(summary.batches(conn, since), file=sys.stderr)
            return 1
        print()
        print(summary.batches(conn, since))
        print()
        print(summary.latest_month(conn))
        print()
        print(summary.municipal_overview(conn))
        print()
        print(summary.targets(conn))
        print(f"\n用时 {time.monotonic() - started:.0f} 秒；仓库 {conn.params['host']}")
        print(summary.publication(conn, since))
    return 0


def cmd_demo(args) -> int:
    from yigongti.samples import generate_landing

    landing = Path(args.landing) if args.landing else state_dir() / "landing"
    started = time.monotonic()
    files = generate_landing(
        landing, args.period_from, args.period_to, scale=args.scale, seed=args.seed
    )
    print(
        f"样例数据：{len(files)} 个文件，{args.period_from}…{args.period_to}，"
        f"规模 {args.scale}，写入 {landing}（{time.monotonic() - started:.0f} 秒）"
    )
    args.landing = str(landing)
    return cmd_run(args)


def cmd_approve(args) -> int:
    """Approve a month, then rebuild the marts and republish that month."""
    from yigongti import approval, warehouse
    from yigongti.orchestrate import PipelineFailed, rebuild_and_publish

    with ExitStack() as stack:
        conn = _warehouse_held(stack, "approve")
        if conn is None:
            return 3
        warehouse.ensure_schema(conn)
        done = approval.approve(conn, args.month, args.approved_by)
        released = "、".join(map(str, done["released_batches"])) or "无"
        print(f"{args.month} 已审核（审核记录 {done['approval_id']}）")
        print(f"生效的待审核批次：{released}")
        try:
            published = rebuild_and_publish(args.month)
        except PipelineFailed as exc:
            print(f"重建或发布失败 / pipeline failed: {exc}", file=sys.stderr)
            return 1
        if published:
            print(f"已重新发布：{published.get('bulletin')}")
    return 0


def cmd_generate(args) -> int:
    from yigongti.samples import generate_landing

    files = generate_landing(
        Path(args.landing), args.period_from, args.period_to, scale=args.scale, seed=args.seed
    )
    print(f"{len(files)} files written to {args.landing}")
    return 0


def cmd_serve(args) -> int:
    from yigongti import serve, warehouse

    landing = Path(args.landing)
    if not landing.is_dir():
        print(f"landing folder {landing} does not exist", file=sys.stderr)
        return 2
    broker = args.broker_url if args.executor == "celery" else None
    try:
        return serve.serve(landing, args.port, args.executor, broker)
    except warehouse.WarehouseBusy as exc:
        print(exc, file=sys.stderr)
        return 3


def cmd_stop(args) -> int:
    from yigongti import serve

    return serve.stop()


def cmd_dbt_sources(args) -> int:
    from yigongti.dbt_sources import write

    stale = write(check=args.check)
    for path in stale:
        print(f"{'stale' if args.check else 'written'}: {path}")
    return 1 if args.check and stale else 0


def cmd_docs(args) -> int:
    from yigongti.docs import DOC, write

    stale = write(check=args.check)
    if stale:
        print(f"{'stale' if args.check else 'written'}: {DOC}")
    return 1 if args.check and stale else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yigongti", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run every DAG for the periods found in a landing folder")
    run.add_argument("--landing", required=True)
    run.add_argument("--from", dest="period_from", type=_period)
    run.add_argument("--to", dest="period_to", type=_period)
    run.set_defaults(func=cmd_run)

    def sample_args(sp, landing_required: bool):
        sp.add_argument("--landing", required=landing_required)
        sp.add_argument("--from", dest="period_from", type=_period, default=DEMO_FROM)
        sp.add_argument("--to", dest="period_to", type=_period, default=DEMO_TO)
        sp.add_argument(
            "--scale",
            type=float,
            default=0.02,
            help="1.0 = full municipality (~600,000 settlement lines a month)",
        )
        sp.add_argument("--seed", type=int, default=2026)

    demo = sub.add_parser("demo", help="generate sample feeds for every district and run them")
    sample_args(demo, landing_required=False)
    demo.set_defaults(func=cmd_demo)

    apr = sub.add_parser(
        "approve", help="approve a month's indicators: held corrections take effect, then publish"
    )
    apr.add_argument("--month", required=True, type=_period, help="YYYY-MM")
    apr.add_argument("--by", dest="approved_by", default=None, help="审核人 (default: user)")
    apr.set_defaults(func=cmd_approve)

    gen = sub.add_parser("generate", help="write sample feeds into a landing folder")
    sample_args(gen, landing_required=True)
    gen.set_defaults(func=cmd_generate)

    srv = sub.add_parser(
        "serve", help="run Airflow's scheduler, dag-processor, triggerer and UI on this machine"
    )
    srv.add_argument("--landing", required=True, help="the folder the ingest DAGs sweep")
    srv.add_argument("--port", type=int, default=8080, help="UI port on 127.0.0.1")
    srv.add_argument("--executor", choices=("local", "celery"), default="local")
    srv.add_argument(
        "--broker-url", default="redis://127.0.0.1:6379/0", help="Celery broker (celery only)"
    )
    srv.set_defaults(func=cmd_serve)
    stp = sub.add_parser("stop", help="stop the yigongti serve of this state folder")
    stp.set_defaults(func=cmd_stop)

    src = sub.add_parser("dbt-sources", help="regenerate dbt sources from the feed contracts")
    src.add_argument("--check", action="store_true", help="fail if the files are stale")
    src.set_defaults(func=cmd_dbt_sources)
    docs = sub.add_parser("docs", help="regenerate docs/indicators.md from the registry")
    docs.add_argument("--check", action="store_true", help="fail if the page is stale")
    docs.set_defaults(func=cmd_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
