"""The monthly bulletin (月度监测简报) and the analyst exports of a month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from yigongti import approval
from yigongti.bulletin.data import collect, latest_complete_month
from yigongti.settings import state_dir

__all__ = ["latest_complete_month", "publish", "publish_dir"]


def publish_dir() -> Path:
    return state_dir() / "publish"


def publish(conn, month: dt.date | None = None, out_dir: Path | None = None) -> dict | None:
    """Write the bulletin and exports for ``month`` (default: latest complete month).

    Re-running for the same month overwrites its files (idempotent); every run
    is recorded in ops.publication_log.
    """
    from yigongti.bulletin import pdf, render
    from yigongti.exports import write_exports

    bulletin = collect(conn, month)
    if bulletin is None:
        return None
    folder = (out_dir or publish_dir()) / f"{bulletin.month:%Y-%m}"
    page = render.write(bulletin, folder)
    printed = pdf.write(page)  # beside the HTML: same name, .pdf
    exports = write_exports(conn, bulletin.month, folder)
    with conn.connect() as db:
        # Exactly the values published, by publication (include/yigongti/approval.py).
        publication_id = db.execute(
            "insert into ops.publication_log (month, bulletin_path, export_paths, approval_id) "
            "values (%s, %s, %s, %s) returning publication_id",
            (
                bulletin.month,
                str(page),
                [str(p) for p in exports],
                approval.approval_of(db, bulletin.month),
            ),
        ).fetchone()[0]
        approval.snapshot(db, publication_id, bulletin.month)
        db.commit()
    return {
        "month": f"{bulletin.month:%Y-%m}",
        "bulletin": str(page),
        "pdf": None if printed is None else str(printed),
        "exports": [str(p) for p in exports],
    }
