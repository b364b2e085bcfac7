"""The landing zone through Airflow's object-storage paths.

``landing`` is a local folder or a URL (``file://``, ``s3://bucket/landing``,
``sftp://host/landing``, ...) with an optional Airflow connection: which one is
configuration, not code. Files are read from a local copy when remote.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from airflow.sdk import ObjectStoragePath


def landing_path(landing: str, conn_id: str | None = None) -> ObjectStoragePath:
    url = landing if "://" in landing else Path(landing).resolve().as_uri()
    return ObjectStoragePath(url, conn_id=conn_id)


@contextmanager
def local_copy(url: str, conn_id: str | None = None):
    """A local path for one landing file: the file itself on a local disk, else a
    temporary copy streamed down (the loader archives its own copy)."""
    path = ObjectStoragePath(url, conn_id=conn_id)
    if path.protocol in ("file", "local"):
        yield Path(path.path)
        return
    with tempfile.TemporaryDirectory(prefix="yigongti-landing-") as tmp:
        local = Path(tmp) / path.name
        with path.open("rb") as src, local.open("wb") as dst:
            shutil.copyfileobj(src, dst, length=1 << 20)
        yield local
