"""The read path by indexed SQL (``ranking_page``) answers exactly as the whole run read into pandas
(``ranking``): the same rows, ranks, province ranks and match counts, for every filter, scope, page, and
with later one-enterprise results replacing some of the period run's; and so do pages from the current
results a process keeps (province-wide), patched run by run."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, event

from lrc.render import RANK_COLUMNS
from lrc.scope import Scope
from lrc.service import Filters, ranking, results
from lrc.service.access import Principal, Role
from lrc.service.recent import Recent
from lrc.service.records import add_record
from lrc.service.results import ranking_page
from lrc.service.submitting import submit
from lrc.store import repository as repo
from lrc.uscc import make_uscc
from tests.conftest import ADMIN, StoreBuild, module_store_build, scored_sample

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


class Forgetful(Recent):
    """Keeps nothing: every read is afresh (and ``ranking_page`` reads by SQL)."""

    def get(self, key: object) -> None:
        return None


def _same(
    engine: Engine, who: Principal, filters: Filters, pages: tuple[tuple[int, int], ...] = PAGES, whole: object = None
) -> None:
    info, whole = whole if isinstance(whole, tuple) else ranking(engine, who, PERIOD, filters)
    for limit, offset in pages:
        info2, page, matched = ranking_page(engine, who, PERIOD, filters, limit=limit, offset=offset)
        assert info2 == info
        assert matched == len(whole)
        expected = whole[RANK_COLUMNS].iloc[offset : offset + limit].reset_index(drop=True)
        pd.testing.assert_frame_equal(page[RANK_COLUMNS], expected, check_dtype=False)
        assert page[RANK_COLUMNS].to_dict("records") == expected.to_dict("records")


def _with_later_results(engine: Engine, directory: Path) -> None:
    _later_results(engine, scored_sample(engine, directory, 400, seed=11, period=PERIOD))


store_build = module_store_build(_with_later_results, "later-results")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> Engine:
    """A copy of a store of 400 scored sample enterprises with later one-enterprise results."""
    return engine


def _later_results(engine: Engine, sample: pd.DataFrame) -> Engine:
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


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "sql"])
def test_pages_equal_the_whole_run(store: Engine, monkeypatch: pytest.MonkeyPatch, kept: bool) -> None:
    if not kept:  # nothing kept: the pages come from indexed SQL (``ranking`` reads the run afresh each time)
        monkeypatch.setattr(results, "_LOADED", Forgetful())
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


def test_kept_pages_follow_later_results(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages from results kept before the later results were made (patched with the runs not read yet; a new
    enterprise makes the kept state anew) equal the whole run read afresh."""
    sample = scored_sample(engine, tmp_path, 400, seed=11, period=PERIOD)
    ranking(engine, ADMIN, PERIOD, Filters())  # kept from here on
    newcomer = {k: v for k, v in sample.iloc[7].to_dict().items() if not pd.isna(v)}
    newcomer.update(uscc=make_uscc("210200", "NEWC0ME1"), name="新来有限公司")
    submit(engine, ADMIN, newcomer, period=PERIOD)
    ranking_page(engine, ADMIN, PERIOD, Filters(), limit=5)  # the newcomer kept: a new state read whole
    _later_results(engine, sample)
    for filters in FILTERS:
        ranking_page(engine, ADMIN, PERIOD, filters, limit=5)  # brought up to date with every later run
    patched = results._LOADED.items.copy()
    forgetful = Forgetful()
    for filters in FILTERS:
        monkeypatch.setattr(results, "_LOADED", forgetful)
        whole = ranking(engine, ADMIN, PERIOD, filters)
        monkeypatch.setattr(results, "_LOADED", Recent())
        results._LOADED.items.update(patched)
        _same(engine, ADMIN, filters, whole=whole)


def test_later_runs_not_known_yet(store: Engine) -> None:
    """The runs not read yet are found whether they are the newest, every one, or one committed out of order."""
    with store.connect() as conn:
        runs = repo.current_runs(conn, repo.run_row(conn, 1))
        every = repo.later_runs(conn, runs)
        assert len(every) > 3
        assert repo.later_runs(conn, runs, set(every)) == []
        assert repo.later_runs(conn, runs, set(every[:-2])) == every[-2:]
        assert repo.later_runs(conn, runs, set(every) - {every[1]}) == [every[1]]
        assert repo.later_runs(conn, runs, set(every[2:]) - {every[-1]}) == [every[0], every[1], every[-1]]


def test_a_few_enterprises_read_as_the_whole_range(store: Engine) -> None:
    """Each enterprise's newest result read alone (its rows first, then their runs' period) equals the same
    range read whole; and a run of the range's ids from another period never counts."""
    columns = ("uscc", "enterprise_id", "run_id", "total", "grade", "records")
    with store.connect() as conn:
        runs = repo.current_runs(conn, repo.run_row(conn, 1))
        whole = repo.results(conn, runs, columns).sort_values("enterprise_id").reset_index(drop=True)
        ids = whole["enterprise_id"].astype(int).tolist()
        assert (whole["run_id"] > runs.first).sum() >= 10, "some current results are later ones"
        alone = pd.concat([repo.results_of(conn, runs, columns, [i]) for i in ids[::7]], ignore_index=True)
        pd.testing.assert_frame_equal(alone, whole.iloc[::7].reset_index(drop=True), check_dtype=False)
        by_rows = sorted(repo.newest_rows(conn, runs, columns, ids))
        assert by_rows == sorted(tuple(r) for r in whole.itertuples(index=False))
        for uscc in whole["uscc"].iloc[::25]:
            one = repo.result_of(conn, runs, columns, uscc)
            assert one is not None and one == whole[whole["uscc"] == uscc].iloc[0].to_dict()
        elsewhere = repo.RunRange("2026Q2", runs.first, runs.last)  # the same ids, another period's range
        assert repo.newest_rows(conn, elsewhere, columns, ids[:50]) == []
        assert repo.result_of(conn, elsewhere, columns, str(whole["uscc"].iloc[0])) is None


def test_a_page_walks_the_ranking_index(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's rows are read in the ranking index's order, not sorted: on PostgreSQL the ranking orders
    USCCs by ``COLLATE "C"`` and so must the index (migration 0019), or every page sorts the whole run."""
    monkeypatch.setattr(results, "_LOADED", Forgetful())  # the page by SQL
    seen: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        seen.append((statement, parameters))

    event.listen(store, "before_cursor_execute", keep)
    try:
        ranking_page(store, ADMIN, PERIOD, Filters(region="210200"), limit=10, offset=5, count=False)
    finally:
        event.remove(store, "before_cursor_execute", keep)
    pages = [(s, p) for s, p in seen if "ORDER BY score_results.total DESC" in s]
    assert len(pages) == 1, "one statement reads the page"
    statement, parameters = pages[0]
    with store.connect() as conn:
        if store.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_sort = off")  # a sort only where nothing else can give the order
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))  # type: ignore[arg-type]
            assert "ix_score_results_ranking" in plan and "Sort" not in plan, plan
        else:
            plan = "\n".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))  # type: ignore[arg-type]
            assert "ix_score_results_ranking" in plan and "TEMP B-TREE" not in plan, plan
