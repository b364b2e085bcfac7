"""Warehouse roles: the pipeline's writer, analysts, and district analysts.

- ``yigongti_writer``: what the pipeline's login user belongs to (owns all schemas' objects).
- ``yigongti_analyst``: reads the marts only — not raw, staging or ops (hashed
  person-level rows never leave those).
- ``yigongti_district_analyst`` together with ``yigongti_district_<code>``: reads
  the marts, but row-level security shows only that district's rows.

Grants and policies on the mart tables are (re)applied by dbt after each build
(macro ``secure_mart``), because a rebuilt table starts without them.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

from yigongti.reference import districts

log = logging.getLogger(__name__)

GROUP_ROLES = ("yigongti_writer", "yigongti_analyst", "yigongti_district_analyst")


def district_role(code: str) -> str:
    return f"yigongti_district_{code}"


def ensure_roles(db: psycopg.Connection) -> bool:
    """Create the group roles (NOLOGIN); False when the user may not create roles."""
    names = [*GROUP_ROLES, *(district_role(c) for c in districts())]
    try:
        for name in names:
            if not db.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone():
                db.execute(sql.SQL("create role {} nologin").format(sql.Identifier(name)))
        db.execute("grant usage on schema marts to yigongti_analyst, yigongti_district_analyst")
        # Row filter of the district analysts; a code without a district role
        # (the municipality, a region outside Chongqing) is simply not theirs.
        db.execute(
            """
            create or replace function marts.can_see_district(code text) returns boolean
            language sql stable
            -- A fixed search path and qualified catalog names: a temporary
            -- pg_roles of the caller's must not decide what they may see.
            set search_path = pg_catalog, pg_temp
            as $$
                select not pg_catalog.pg_has_role(
                        current_user, 'yigongti_district_analyst', 'member')
                    or exists (
                        select 1 from pg_catalog.pg_roles as r
                        where r.rolname = 'yigongti_district_' || code
                          and pg_catalog.pg_has_role(current_user, r.oid, 'member'))
            $$
            """
        )
        for schema in ("raw", "staging", "marts", "ops", "reference"):
            db.execute(f"grant usage, create on schema {schema} to yigongti_writer")
    except psycopg.errors.InsufficientPrivilege:
        log.warning("no privilege to create roles: analyst access is managed outside yigongti")
        return False
    return True
