"""Typed access to the feed contracts in ``feeds.yml``."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACTS_FILE = Path(__file__).with_name("feeds.yml")

MONEY_UNITS = {"元": 1, "千元": 1000, "万元": 10000}

LINEAGE_COLUMNS = (
    "_batch_id",
    "_file_name",
    "_file_sha256",
    "_row_number",
    "_received_at",
    "_district_code",
    "_issues",
)


def normalize_header(text: str) -> str:
    """Header cells differ in width and spacing between providers' templates."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


# The documents number their items (`1.`, `1．`, `（一）`, `一、`, `(2)`) and explain a
# group after a dash (`一、紧密型——推进人事……`): neither is part of the name.
_NUMBERING = re.compile(
    r"^(?:[(（]?[0-9一二三四五六七八九十]+[)）]|[0-9一二三四五六七八九十]+[.、,:])\s*"
)
_EXPLANATION = re.compile(r"(?:——|—|--).*$")
_TRAILING = re.compile(r"[。.,;:、，；：\s]+$")


def normalize_name(text: str | None) -> str | None:
    """A name from the documents as it is known: NFKC, numbering, explanation,
    closing punctuation and white space removed (feeds.md: names are matched
    after normalising)."""
    if text is None:
        return None
    name = unicodedata.normalize("NFKC", str(text)).strip()
    name = _TRAILING.sub("", _EXPLANATION.sub("", name))
    while (stripped := _NUMBERING.sub("", name, count=1)) != name:
        name = stripped.strip()
    return re.sub(r"\s+", "", name) or None


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    type: str
    key: bool = False
    required: bool = False
    pattern: str | None = None
    values: tuple[str, ...] | None = None
    values_from: str | None = None
    # name: a name from the documents, stored as normalize_name() gives it
    normalize: str | None = None
    unit: str | None = None
    signed: bool = False
    pii: str | None = None
    check: str | None = None
    # (header of another column, its values): the check applies only to those rows
    check_if: tuple[str, tuple[str, ...]] | None = None
    group_zh: str | None = None

    @property
    def is_required(self) -> bool:
        return self.key or self.required

    @property
    def stored(self) -> bool:
        """Dropped PII never reaches the warehouse."""
        return self.pii != "drop"

    @property
    def normalized_header(self) -> str:
        return normalize_header(self.header)

    @property
    def check_column(self) -> str | None:
        return f"{self.name}_check" if self.check else None


@dataclass(frozen=True)
class Feed:
    name: str
    provider: str
    title_zh: str
    format: str
    periodicity: str
    district: str
    columns: tuple[Column, ...]
    registry: bool = False
    after: tuple[str, ...] = ()
    due: dict = field(default_factory=dict, compare=False, hash=False)
    expected: str = "all"
    anomalies: tuple = field(default=(), compare=False, hash=False)
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.stored)

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """Data columns of the raw table, in reader output order."""
        names: list[str] = []
        for col in self.stored_columns:
            names.append(col.name)
            if col.check_column:
                names.append(col.check_column)
        return tuple(names)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key)

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def district_rule(self) -> tuple[str, str | None]:
        """('column'|'institution'|'region', column name) or ('file', None)."""
        kind, _, column = self.district.partition(":")
        return kind, column or None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")


@cache
def _document() -> dict:
    with CONTRACTS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _column(spec: dict) -> Column:
    values = spec.get("values")
    check_if = spec.get("check_if")
    if check_if:  # {header: [values]} in the YAML
        ((header, allowed),) = check_if.items()
        check_if = (header, tuple(str(v) for v in allowed))
    return Column(**{**spec, "values": tuple(values) if values else None, "check_if": check_if})


@cache
def providers() -> dict[str, dict]:
    return _document()["providers"]


@cache
def feeds() -> dict[str, Feed]:
    result = {}
    for name, spec in _document()["feeds"].items():
        spec = dict(spec)
        columns = tuple(_column(c) for c in spec.pop("columns"))
        known = {k: spec.pop(k) for k in list(spec) if k in Feed.__dataclass_fields__}
        known["after"] = tuple(known.get("after", ()))
        known["anomalies"] = tuple(known.get("anomalies", ()))
        result[name] = Feed(name=name, columns=columns, extra=spec, **known)
    return result


def feed(name: str) -> Feed:
    try:
        return feeds()[name]
    except KeyError:
        raise KeyError(f"unknown feed {name!r}; known feeds: {', '.join(feeds())}") from None


def feeds_of(provider: str) -> list[Feed]:
    return [f for f in feeds().values() if f.provider == provider]


@cache
def registry_feed() -> Feed:
    """The institution registry (``registry: true``): other feeds are placed through it."""
    (found,) = [f for f in feeds().values() if f.registry]
    return found


def dependencies(feed: Feed) -> set[str]:
    """Feeds whose batches must be decided before this feed's (same period)."""
    deps = set(feed.after)
    if feed.district_rule[0] == "institution":
        deps.add(registry_feed().name)
    return deps


@cache
def upstream_providers(provider: str) -> list[str]:
    """Other providers whose feeds this provider's feeds depend on (fin and mi place
    rows through hc's institution registry): their ingest runs go first."""
    return sorted(
        {
            feed(d).provider
            for f in feeds_of(provider)
            for d in dependencies(f)
            if feed(d).provider != provider
        }
    )


def stage(name: str) -> int:
    """Ingest stage within the provider's DAG: after every same-provider dependency.

    Dependencies on another provider's feeds are met by running that provider's
    DAG first (the institution registry comes with the health commission's).
    """
    this = feed(name)
    same = [d for d in dependencies(this) if feed(d).provider == this.provider]
    return 1 + max(stage(d) for d in same) if same else 0
