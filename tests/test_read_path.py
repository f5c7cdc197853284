"""The read path by indexed SQL (``ranking_page``) answers exactly as the whole run read into pandas
(``ranking``): the same rows, ranks, province ranks and match counts, for every filter, scope, page, and
with later one-enterprise results replacing some of the period run's; and so do pages from the current
results a process keeps (province-wide), patched run by run. The match counts hold whether the period run
keeps its counts (``run_match_counts``, migration 0022) or was stored without them."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, event, text

import lrc.service.top_places as top_places_module
from lrc.errors import NotFoundError, UsageError
from lrc.export import to_records
from lrc.render import RANK_COLUMNS, _json_value
from lrc.scope import Scope
from lrc.service import Filters, accounts, explain, ranking, results, score_period
from lrc.service.access import Principal, Role
from lrc.service.driver_explain import driver_explain
from lrc.service.recent import Recent
from lrc.service.records import add_record
from lrc.service.results import ranking_page
from lrc.service.submitting import submit
from lrc.service.top_places import top_places
from lrc.store import repository as repo
from lrc.store.ranking_sql import PK_INDEX, first_totals_sql
from lrc.store.sql_text import in_list
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


PAGES = ((10, 0), (1, 0), (7, 3), (1000, 0), (30, 380), (10, 1000))
COUNTED = ((10, 0), (10, 1000))  # the pages of a run without its match counts: the rows are read alike


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


GROUPS = "city_code, region_code, industry, size, ownership, grade"  # what a run's match counts keep


def kept_counts(conn: Connection, run_id: int) -> list[tuple[object, ...]]:
    """The match counts kept for ``run_id``, checked to be its results counted by city, county, industry, size,
    ownership and grade."""
    kept = conn.execute(text(f"SELECT {GROUPS}, n FROM run_match_counts WHERE run_id = :r"), {"r": run_id}).all()
    counted = conn.execute(
        text(f"SELECT {GROUPS}, count(*) FROM score_results WHERE run_id = :r GROUP BY {GROUPS}"), {"r": run_id}
    ).all()
    assert sorted(map(tuple, kept), key=repr) == sorted(map(tuple, counted), key=repr)
    return [tuple(r) for r in kept]


def _counts(engine: Engine, kept: bool) -> None:
    """The period run's match counts as scored (``kept``: checked to be there), or gone, as for a run stored
    before migration 0022 (its matches are then counted from its results)."""
    with engine.begin() as conn:
        if kept:
            assert kept_counts(conn, 1), "the period run keeps its match counts"
        else:
            conn.execute(text("DELETE FROM run_match_counts WHERE run_id = 1"))


@pytest.mark.parametrize(
    ("kept", "counts"), [(True, True), (False, True), (False, False)], ids=["kept", "sql", "sql-uncounted"]
)
def test_pages_equal_the_whole_run(store: Engine, monkeypatch: pytest.MonkeyPatch, kept: bool, counts: bool) -> None:
    _counts(store, counts)
    if not kept:  # nothing kept: the pages come from indexed SQL (``ranking`` reads the run afresh each time)
        monkeypatch.setattr(results, "_LOADED", Forgetful())
    with store.connect() as conn:
        runs = repo.current_runs(conn, repo.run_row(conn, 1))
    assert runs.last > runs.first, "the store has later one-enterprise results"
    for scope in SCOPES:
        who = Principal(name="t", role=Role.admin if scope.everything else Role.analyst, scope=scope)
        for filters in FILTERS:
            _same(store, who, filters, PAGES if counts else COUNTED)
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


# ---- the first places through the database driver alone (``lrc rank --top N``) ------------------------------

SCOPED_USERS = {"boss": ("admin", None, None), "dl": ("analyst", "210200", None), "hb": ("viewer", "210203", None)}


def _driver_same(
    url: str, engine: Engine, name: str, who: Principal, filters: Filters, limits: tuple[int, ...]
) -> None:
    """``top_places`` gives the first places of ``ranking`` (rows, ranks, province ranks, columns) and its count."""
    info, whole = ranking(engine, who, PERIOD, filters)
    for limit in limits:
        found = top_places(url, name, PERIOD, filters, limit=limit)
        assert found is not None, f"the driver path answered {name} {filters}"
        assert found.info == info
        assert found.matched == len(whole)
        assert all(list(row) == RANK_COLUMNS for row in found.rows)
        shown = [{c: _json_value(v) for c, v in row.items()} for row in found.rows]  # as `-f json` writes them
        assert shown == to_records(whole[RANK_COLUMNS].iloc[:limit]), (name, filters, limit)


@pytest.mark.parametrize("counts", [True, False], ids=["counted", "uncounted"])
def test_driver_places_equal_the_whole_run(store: Engine, monkeypatch: pytest.MonkeyPatch, counts: bool) -> None:
    """Every scope and filter, with later one-enterprise results replacing some of the period run's (some moved to
    another city), on both backends, with the period run's match counts kept or not: the driver's first places
    are ``ranking``'s, and it answered each."""
    _counts(store, counts)
    monkeypatch.setattr(results, "_LOADED", Forgetful())
    url = store.url.render_as_string(hide_password=False)
    for name, (role, region, uscc) in SCOPED_USERS.items():
        accounts.add_user(store, ADMIN, name, role, "a-long-password", region=region, uscc=uscc)
    for name, (role, region, uscc) in SCOPED_USERS.items():
        who = Principal(name=name, role=Role(role), scope=Scope(region, uscc))
        for filters in FILTERS:
            _driver_same(url, store, name, who, filters, (1, 10, 500))


def test_matches_are_summed_from_the_counts_where_they_can_tell(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read paths sum the period run's match counts for a scope and filters on the columns they keep (a
    count added to them shows), and count the results themselves for a search in the name or USCC and inside
    one enterprise's scope, which the counts cannot tell (the added count does not show)."""
    monkeypatch.setattr(results, "_LOADED", Forgetful())
    url = store.url.render_as_string(hide_password=False)
    with store.begin() as conn:
        mine = str(conn.scalar(text("SELECT uscc FROM score_results WHERE run_id = 1 AND region_code = '210202'")))
        conn.execute(text(
            f"INSERT INTO run_match_counts (run_id, {GROUPS}, n)"
            " VALUES (1, '210200', '210202', 'C', '小型', '私营', 'A', 1000)"
        ))  # fmt: skip
    users = {"boss": ("admin", None, None), "dl": ("analyst", "210200", None), "firm": ("enterprise", None, mine)}
    accounts.add_user(store, ADMIN, "boss", "admin", "a-long-password")
    for name, (role, region, uscc) in list(users.items())[1:]:
        accounts.add_user(store, ADMIN, name, role, "a-long-password", region=region, uscc=uscc)
    cases = [
        ("boss", Filters(), 1000), ("boss", Filters(region="210200"), 1000), ("boss", Filters(region="210202"), 1000),
        ("boss", Filters(region="210203"), 0), ("boss", Filters(industry="C", size="小型", grade="A"), 1000),
        ("boss", Filters(ownership="私营", grade="B"), 0), ("dl", Filters(industry="C"), 1000),
        ("boss", Filters(search="有限"), 0), ("dl", Filters(search=mine[:6]), 0), ("firm", Filters(), 0),
    ]  # fmt: skip
    for name, filters, added in cases:
        role, region, uscc = users[name]
        who = Principal(name=name, role=Role(role), scope=Scope(region, uscc))
        whole = len(ranking(store, who, PERIOD, filters)[1])
        assert ranking_page(store, who, PERIOD, filters, limit=3)[2] == whole + added, (name, filters)
        found = top_places(url, name, PERIOD, filters, limit=3)
        assert found is not None and found.matched == whole + added, (name, filters)


def test_a_run_scored_before_migration_0022_is_counted_from_its_results(store: Engine) -> None:
    """The upgrade keeps no counts for the runs already stored (their matches are counted from their results, on
    both read paths); the next period run keeps its own."""
    from alembic import command

    from lrc.store import upgrade
    from lrc.store.revision import alembic_config

    url = store.url.render_as_string(hide_password=False)
    config = alembic_config()
    with store.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0021")
    upgrade(store)
    with store.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM run_match_counts")) == 0
    for filters in (Filters(), Filters(region="210200"), Filters(industry="C", size="小型"), Filters(search="有限")):
        whole = len(ranking(store, ADMIN, PERIOD, filters)[1])
        assert ranking_page(store, ADMIN, PERIOD, filters, limit=3)[2] == whole
        found = top_places(url, None, PERIOD, filters, limit=3)
        assert found is not None and found.matched == whole
    run_id = score_period(store, ADMIN, PERIOD).run_id
    with store.connect() as conn:
        assert sum(int(r[-1]) for r in kept_counts(conn, run_id)) == 400


def test_driver_places_of_an_enterprise_user(store: Engine) -> None:
    url = store.url.render_as_string(hide_password=False)
    with store.connect() as conn:
        mine = str(conn.exec_driver_sql("SELECT uscc FROM score_results WHERE run_id > 1 LIMIT 1").scalar())
    accounts.add_user(store, ADMIN, "boss", "admin", "a-long-password")
    accounts.add_user(store, ADMIN, "firm", "enterprise", "a-long-password", uscc=mine)
    _driver_same(
        url, store, "firm", Principal(name="firm", role=Role.enterprise, scope=Scope(None, mine)), Filters(), (5,)
    )


def test_driver_places_leave_to_the_full_path(store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the driver path does not answer itself it leaves to ``ranking_page`` (None): refusals (written to the
    audit log there), a period or run it cannot find, too many later results, a store it cannot open plainly."""
    url = store.url.render_as_string(hide_password=False)
    assert top_places(url, None, PERIOD, Filters(), limit=3) is not None  # single-user mode
    assert top_places(url, "someone", PERIOD, Filters(), limit=3) is None  # no accounts yet: --as is an error
    assert top_places(url, None, "2025Q1", Filters(), limit=3) is None  # not scored
    assert top_places(url, None, "2026Q9", Filters(), limit=3) is None  # said by the other path, after who asks
    assert top_places(url, None, PERIOD, Filters(), limit=3, run_id=99_999) is None
    assert top_places(url, None, PERIOD, Filters(), limit=3, run_id=2**40) is None
    with pytest.raises(UsageError, match="行业"):  # refused here, in ranking_page's words
        top_places(url, None, PERIOD, Filters(industry="Z9"), limit=3)
    with monkeypatch.context() as patched:
        patched.setattr(top_places_module, "LATER_MAX", 1)
        assert top_places(url, None, PERIOD, Filters(), limit=3) is None
    with monkeypatch.context() as patched:
        patched.setenv("LRC_DRIVER_READS", "0")
        assert top_places(url, None, PERIOD, Filters(), limit=3) is None
    assert top_places(f"sqlite:///{tmp_path / 'missing.db'}", None, PERIOD, Filters(), limit=3) is None
    assert not (tmp_path / "missing.db").exists(), "opening for a read created no file"
    assert top_places(url, None, PERIOD, Filters(), limit=3, run_id=1) is not None  # --run of the period run
    spaced = tmp_path / "a b.db"  # a URL's %20 is a space, as SQLAlchemy reads it
    if store.dialect.name == "sqlite":
        shutil.copyfile(store.url.database or "", spaced)
        assert top_places(f"sqlite:///{str(spaced).replace(' ', '%20')}", None, PERIOD, Filters(), limit=3) is not None
        assert top_places(f"sqlite:///{tmp_path}/a%2520b.db", None, PERIOD, Filters(), limit=3) is None
    with store.begin() as conn:  # a catalogue copy altered under the run: refused by the other path, not read here
        if store.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS catalogue_versions_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE catalogue_versions DISABLE TRIGGER USER")
        conn.exec_driver_sql(
            "UPDATE catalogue_versions SET document = replace(document, '\"version\"', '\"version\" ')"
        )
    assert top_places(url, None, PERIOD, Filters(), limit=3) is None
    accounts.add_user(store, ADMIN, "boss", "admin", "a-long-password")
    accounts.add_user(store, ADMIN, "gone", "viewer", "a-long-password")
    accounts.disable_user(store, ADMIN, "gone")
    assert top_places(url, None, PERIOD, Filters(), limit=3) is None  # who are you?
    assert top_places(url, "nobody", PERIOD, Filters(), limit=3) is None
    assert top_places(url, "gone", PERIOD, Filters(), limit=3) is None


# ---- one explanation through the database driver alone (``lrc explain``) ------------------------------------


def test_driver_explanations_equal_the_service_s(store: Engine) -> None:
    """Every enterprise of a store with records or a later result (some moved to another city), and every
    third of the rest, with closures: ``driver_explain`` gives what ``explain`` gives, for the province and for
    a city user (who is left to ``explain`` outside the city: refused there, and written to the audit log)."""
    url = store.url.render_as_string(hide_password=False)
    with store.connect() as conn:
        runs = repo.current_runs(conn, repo.run_row(conn, 1))
        current = repo.results(conn, runs, ("uscc", "region_code", "records", "run_id"))
    assert (current["records"].fillna("") != "").sum() >= 10 and (current["run_id"] > 1).sum() >= 10
    answered = 0
    marked = (current["records"].fillna("") != "") | (current["run_id"] > 1)
    chosen = current[marked | (current.index % 3 == 0)]
    for uscc in chosen["uscc"]:
        expected = explain(store, ADMIN, uscc, PERIOD).to_dict()
        found = driver_explain(url, None, uscc, PERIOD)
        assert found is not None and found.to_dict() == expected, uscc
        answered += 1
    accounts.add_user(store, ADMIN, "boss", "admin", "a-long-password")
    accounts.add_user(store, ADMIN, "dl", "analyst", "a-long-password", region="210200")
    dalian = Principal(name="dl", role=Role.analyst, scope=Scope("210200"))
    for uscc, region in zip(current["uscc"][::5], current["region_code"][::5], strict=True):
        found = driver_explain(url, "dl", uscc, PERIOD)
        if not str(region).startswith("2102"):
            assert found is None  # outside the scope: the service refuses it and audits the refusal
            continue
        assert found is not None and found.to_dict() == explain(store, dalian, uscc, PERIOD).to_dict()
    assert driver_explain(url, "boss", "91210000000000000X", PERIOD) is None  # not found: the service says so
    assert driver_explain(url, "nobody", str(current["uscc"].iloc[0]), PERIOD) is None
    assert driver_explain(url, "boss", str(current["uscc"].iloc[0]), "2026Q9") is None  # (a refusal comes first)
    assert answered == len(chosen) > len(current) / 3


def test_driver_explanations_of_one_run_equal_the_service_s(store: Engine) -> None:
    """``lrc explain --run N``: the result in one run, the period run's (superseded for some by a later run, whose
    kind the explanation names) and each later run's, for the province and for a city user; a run of another
    period or none at all is left to the service, which says so."""
    url = store.url.render_as_string(hide_password=False)
    with store.connect() as conn:
        held = conn.execute(text("SELECT run_id, uscc FROM score_results ORDER BY run_id, uscc")).all()
    assert len({r for r, _ in held}) > 10
    superseded = 0
    for run_id, uscc in held[::7] + [h for h in held if h[0] > 1]:
        expected = explain(store, ADMIN, uscc, PERIOD, run_id=run_id).to_dict()
        found = driver_explain(url, None, uscc, PERIOD, run_id)
        assert found is not None and found.to_dict() == expected, (run_id, uscc)
        superseded += found.superseded_by is not None
    assert superseded >= 3  # (how many depends on the day: records' display periods end as days pass)
    accounts.add_user(store, ADMIN, "boss", "admin", "a-long-password")
    accounts.add_user(store, ADMIN, "dl", "analyst", "a-long-password", region="210200")
    dalian = Principal(name="dl", role=Role.analyst, scope=Scope("210200"))
    with store.connect() as conn:
        regions = dict(conn.execute(text("SELECT uscc, region_code FROM score_results WHERE run_id = 1")).all())
    for uscc, region in list(regions.items())[::9]:
        found = driver_explain(url, "dl", uscc, PERIOD, 1)
        if not region.startswith("2102"):
            assert found is None  # outside the scope: the service refuses it and audits the refusal
            continue
        assert found is not None and found.to_dict() == explain(store, dalian, uscc, PERIOD, run_id=1).to_dict()
    uscc = held[0][1]
    assert driver_explain(url, None, uscc, "2026Q2", 1) is None  # run 1 is 2026Q3's: the service says so
    assert driver_explain(url, None, uscc, PERIOD, 999) is None


def test_an_enterprise_that_moved_is_its_new_region_s_only(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later submission moved one enterprise out of Dalian and one into it. A Dalian user's whole ranking, its
    pages (by SQL and through the driver) and explanations show the second and not the first (whose result in
    Dalian is superseded by one elsewhere); the first is Shenyang's now. Before, each enterprise's newest result
    inside the scope was read as current: the first stayed in Dalian's ranking with its old result."""
    monkeypatch.setattr(results, "_LOADED", Forgetful())
    url = store.url.render_as_string(hide_password=False)
    with store.connect() as conn:
        runs = repo.current_runs(conn, repo.run_row(conn, 1))
        now = repo.results(conn, runs, ("uscc", "region_code")).set_index("uscc")["region_code"]
        then = repo.results(conn, 1, ("uscc", "region_code")).set_index("uscc")["region_code"]
    moved = now[now != then.reindex(now.index)]
    out = next(u for u, r in moved.items() if not r.startswith("2102") and then[u].startswith("2102"))
    into = next(u for u, r in moved.items() if r.startswith("2102") and not then[u].startswith("2102"))
    accounts.add_user(store, ADMIN, "boss", "admin", "a-long-password")
    accounts.add_user(store, ADMIN, "dl", "analyst", "a-long-password", region="210200")
    accounts.add_user(store, ADMIN, "sy", "analyst", "a-long-password", region="210100")
    dalian = Principal(name="dl", role=Role.analyst, scope=Scope("210200"))
    shenyang = Principal(name="sy", role=Role.analyst, scope=Scope("210100"))
    _, whole = ranking(store, dalian, PERIOD, Filters())
    assert into in set(whole["uscc"]) and out not in set(whole["uscc"])
    assert out in set(ranking(store, shenyang, PERIOD, Filters())[1]["uscc"])
    _, page, matched = ranking_page(store, dalian, PERIOD, Filters(), limit=1000)
    assert list(page["uscc"]) == list(whole["uscc"]) and matched == len(whole)
    found = top_places(url, "dl", PERIOD, Filters(), limit=1000)
    assert found is not None and [r["uscc"] for r in found.rows] == list(whole["uscc"]) and found.matched == len(whole)
    with pytest.raises(NotFoundError):
        explain(store, dalian, out, PERIOD)
    assert driver_explain(url, "dl", out, PERIOD) is None  # left to explain, which refuses and audits it
    explained = driver_explain(url, "sy", out, PERIOD)
    assert explained is not None and explained.to_dict() == explain(store, shenyang, out, PERIOD).to_dict()
    assert explained.region_code == now[out]


def test_the_period_run_s_totals_of_a_few_enterprises_are_read_by_the_key(store: Engine) -> None:
    """A page reads the period run's rows of the enterprises with later results by the primary key: on SQLite the
    planner took the ranking index (it holds the total too) and walked the whole run, for any number of them."""
    with store.connect() as conn:
        ids = [
            int(v) for v in conn.exec_driver_sql("SELECT enterprise_id FROM score_results WHERE run_id > 1").scalars()
        ]
        pk_index = conn.exec_driver_sql(PK_INDEX).scalar() if store.dialect.name == "sqlite" else None
        listed, named = in_list("e", ids)
        query, params = first_totals_sql(store.dialect.name, pk_index, listed, ([], {}))
        explain_word = "EXPLAIN QUERY PLAN" if store.dialect.name == "sqlite" else "EXPLAIN"
        plan = "\n".join(
            str(r[-1]) for r in conn.execute(text(f"{explain_word} {query}"), {**params, **named, "first": 1})
        )
        totals = conn.execute(text(query), {**params, **named, "first": 1}).all()
    assert len(totals) == len(set(ids)) > 10
    if store.dialect.name == "sqlite":
        assert pk_index and pk_index in plan and "ix_score_results_ranking" not in plan, plan
