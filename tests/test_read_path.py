"""The read path by indexed SQL (``ranking_page``) answers exactly as the whole run read into pandas
(``ranking``): the same rows, ranks, province ranks and match counts, for every filter, scope, page, and
with later one-enterprise results replacing some of the period run's."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from lrc.render import RANK_COLUMNS
from lrc.scope import Scope
from lrc.service import Filters, ranking
from lrc.service.access import Principal, Role
from lrc.service.records import add_record
from lrc.service.results import ranking_page
from lrc.service.submitting import submit
from lrc.store import repository as repo
from tests.conftest import ADMIN, scored_sample

PERIOD = "2026Q3"
FILTERS = [
    Filters(),
    Filters(region="210200"),
    Filters(region="210203"),
    Filters(industry="C"),
    Filters(industry="C", size="小型"),
    Filters(grade="A"),
    Filters(grade="D"),
    Filters(ownership="私营", region="210100"),
    Filters(search="有限"),
    Filters(search="9121"),
    Filters(search="zz-none"),
]
SCOPES = [Scope(), Scope("210200"), Scope("210203")]


PAGES = ((10, 0), (1, 0), (7, 3), (50, 20), (1000, 0), (5, 150), (30, 380), (10, 1000))


def _same(engine: Engine, who: Principal, filters: Filters, pages: tuple[tuple[int, int], ...] = PAGES) -> None:
    info, whole = ranking(engine, who, PERIOD, filters)
    for limit, offset in pages:
        info2, page, matched = ranking_page(engine, who, PERIOD, filters, limit=limit, offset=offset)
        assert info2 == info
        assert matched == len(whole)
        expected = whole[RANK_COLUMNS].iloc[offset : offset + limit].reset_index(drop=True)
        pd.testing.assert_frame_equal(page[RANK_COLUMNS], expected, check_dtype=False)
        assert page[RANK_COLUMNS].to_dict("records") == expected.to_dict("records")


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Engine:
    sample = scored_sample(engine, tmp_path, 400, seed=11, period=PERIOD)
    kinds = ["LABOUR_PENALTY", "CORRECTION_ORDER", "WAGE_ARREARS_FINDING"]
    for k, uscc in enumerate(sample["uscc"].iloc[:40:3]):  # later one-enterprise results, some twice
        for again in range(1 + (k % 2)):
            kind = kinds[(k + again) % len(kinds)]
            add_record(engine, ADMIN, {
                "uscc": uscc, "type": kind, "date": (date(2026, 9, 1) + timedelta(days=k % 20)).isoformat(),
                "source": "沈阳市人力资源和社会保障局", "ref": f"沈人社监〔2026〕{k}-{again}号",
                "severity": "严重" if kind != "CORRECTION_ORDER" else "",
            })  # fmt: skip
    for moved, to in ((sample[sample["region_code"].str.startswith("2102")].index[0], "210102"),
                      (sample[~sample["region_code"].str.startswith("2102")].index[1], "210203")):  # fmt: skip
        values = {k: v for k, v in sample.loc[moved].to_dict().items() if not pd.isna(v)}
        submit(engine, ADMIN, {**values, "region_code": to}, period=PERIOD)  # a later result in another city
    return engine


def test_pages_equal_the_whole_run(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.connect() as conn:
        runs = repo.current_runs(conn, repo.run_row(conn, 1))
    assert runs.last > runs.first, "the store has later one-enterprise results"
    for scope in SCOPES:
        who = Principal(name="t", role=Role.admin if scope.everything else Role.analyst, scope=scope)
        for filters in FILTERS:
            _same(store, who, filters)
    monkeypatch.setattr(repo, "LATER_MAX", 1)  # the whole-run fallback answers the same
    _same(store, ADMIN, Filters(region="210200"), ((10, 5),))


def test_without_later_results(engine: Engine, tmp_path: Path) -> None:
    scored_sample(engine, tmp_path, 150, seed=3, period=PERIOD)
    for filters in FILTERS[:4]:
        _same(engine, ADMIN, filters, ((10, 0), (3, 4)))
