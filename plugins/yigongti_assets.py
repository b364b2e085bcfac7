"""The assets that chain the DAGs: ingest -> transform -> publish."""

from __future__ import annotations

from airflow.sdk import Asset


def raw(provider: str) -> Asset:
    """A provider's raw tables, updated by its ingest DAG."""
    return Asset(f"yigongti://raw/{provider}")


MARTS = Asset("yigongti://marts/indicators")
# A month approved (its held corrections released): the marts' approved flags change.
APPROVAL = Asset("yigongti://ops/approval")
BULLETIN = Asset("yigongti://publish/bulletin")
