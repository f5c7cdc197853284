"""Run summaries and stored comparisons (``lrc.service.summaries``, ``lrc.service.comparisons``) answer
exactly as the whole run read into pandas (``analytics`` on ``load_results``): headline, city and industry
tables, points lost per item, industry medians, peer ranks, and the changes against another run, for the province,
a city and a district, after one-enterprise rescorings of either run, and when made afresh from the results."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, delete, select

from lrc.scope import Scope
from lrc.service import analytics as an
from lrc.service import comparisons as cm
from lrc.service import load_results
from lrc.service import summaries as sm
from lrc.service.access import Principal, Role
from lrc.service.records import add_record
from lrc.service.submitting import submit
from lrc.store import repository as repo
from lrc.store.tables import RunChangePart, RunSummaryPart
from tests.conftest import ADMIN, StoreBuild, module_store_build, scored_sample
from tests.test_read_path import _later_results

SCOPES = [Scope(), Scope("210200"), Scope("210203")]
CHANGE_COLUMNS = ["uscc", "name", "city", "industry_name", "total_prev", "total", "delta", "grade_prev", "grade"]


def who_in(scope: Scope) -> Principal:
    return Principal(name="t", role=Role.admin if scope.everything else Role.analyst, scope=scope)


def whole(engine: Engine, who: Principal, run_id: int) -> pd.DataFrame:
    """The results the figures are of: for the province or a city, the current results whose current region lies
    inside the scope (an enterprise that moved to another city within the period counts in its new one); for
    a district, each enterprise's newest result inside it, as ``load_results`` reads a scope."""
    if not sm.summable(who.scope):
        return load_results(engine, who, "", run_id)[1]
    frame = load_results(engine, ADMIN, "", run_id)[1]
    return frame[who.scope.mask(frame["region_code"], frame["uscc"])].reset_index(drop=True)


def _runs(engine: Engine) -> tuple[int, int]:
    runs = an.runs_table(engine, ADMIN)
    return int(runs["id"].iloc[-1]), int(runs["id"].iloc[-2])


def check_summary(engine: Engine, who: Principal, run_id: int) -> None:
    made = sm.summary(engine, who, run_id)
    if not sm.summable(who.scope):
        assert made is None
        return
    assert made is not None
    catalogue = an.run_catalogue(engine, run_id)
    grades = [g.grade for g in catalogue.grades]
    frame = whole(engine, who, run_id)
    want, got = an.headline(frame, grades), sm.headline(made.total(), grades)
    assert got["mean"] == pytest.approx(want["mean"])
    assert {**got, "mean": 0} == {**want, "mean": 0}
    for by in ("city_code", "industry"):
        pd.testing.assert_frame_equal(
            sm.group_summary(made, by, grades),
            an.group_summary(frame, by, grades).reset_index(drop=True),
            check_dtype=False,
        )
    usccs, items = an.packed_matrix(engine, ADMIN, run_id, "items")
    order = usccs.get_indexer(frame["uscc"])
    part = made.total()
    want_losses = an.item_losses(catalogue, items[order])
    pd.testing.assert_frame_equal(an.item_losses_of(catalogue, part.n, part.item_sums, part.item_losing), want_losses)
    _, level1 = an.packed_matrix(engine, ADMIN, run_id, "level1")
    level1 = level1[order]
    for industry in frame["industry"].unique():
        mask = (frame["industry"] == industry).to_numpy()
        assert sm.level1_medians(made.groups("industry")[industry]) == (np.median(level1[mask], axis=0) / 10).tolist()
    ranks = an.peer_ranks(frame)
    for row in frame.itertuples(index=False):
        got_ranks = sm.peer_ranks(made, row.city_code, row.industry, int(round(row.total * 10)))
        assert got_ranks == {k: int(v) for k, v in ranks.loc[row.uscc].items()}


def check_changes(engine: Engine, who: Principal, run_id: int, previous_id: int) -> None:
    grades = [g.grade for g in an.run_catalogue(engine, run_id).grades]
    got = cm.changes(engine, who, run_id, previous_id, grades)
    now, before = whole(engine, who, run_id), whole(engine, who, previous_id)
    both = an.compare_runs(now, before, grades)
    assert got.both == len(both)
    assert got.mean_delta == pytest.approx(both["delta"].mean(), nan_ok=True)
    assert (got.grade_up, got.grade_down) == (
        int((both["grade_steps"] < 0).sum()),
        int((both["grade_steps"] > 0).sum()),
    )
    assert (got.new_red_lines, got.score_fell) == (int(both["new_red_line"].sum()), int((both["delta"] < 0).sum()))
    wanted = {
        "rises": both.nlargest(10, "delta"),
        "falls": both.nsmallest(50, "delta"),
        "fell": both[both["grade_steps"] > 0].sort_values(["grade_steps", "delta"], ascending=[False, True]).head(50),
        "red": both[both["new_red_line"]].sort_values("delta", kind="stable").head(50),
    }
    for name, frame in wanted.items():
        columns = [*CHANGE_COLUMNS, "grade_steps"]
        pd.testing.assert_frame_equal(
            got.lists[name][columns].reset_index(drop=True), frame[columns].reset_index(drop=True), check_dtype=False
        )


def check(engine: Engine) -> None:
    run_id, previous_id = _runs(engine)
    for scope in SCOPES:
        who = who_in(scope)
        check_summary(engine, who, run_id)
        check_summary(engine, who, previous_id)
        check_changes(engine, who, run_id, previous_id)


def _stored(engine: Engine, run_id: int, previous_id: int) -> tuple[set[int], set[tuple[int, int]]]:
    summary, change = RunSummaryPart.__table__, RunChangePart.__table__
    with engine.connect() as conn:
        through = set(conn.scalars(select(summary.c.through).where(summary.c.run_id == run_id)))
        query = select(change.c.through, change.c.previous_through).where(
            change.c.run_id == run_id, change.c.previous_id == previous_id
        )
        return through, {(int(a), int(b)) for a, b in conn.execute(query)}


def _last(engine: Engine, run_id: int) -> int:
    with engine.connect() as conn:
        return repo.current_runs(conn, repo.run_row(conn, run_id)).last


def _two_periods(engine: Engine, directory: Path) -> pd.DataFrame:
    """300 sample enterprises scored for 2026Q2 and 2026Q3; returns the 2026Q3 sample."""
    scored_sample(engine, directory, 300, seed=11, period="2026Q2")
    return scored_sample(engine, directory, 300, seed=11, period="2026Q3")


store_build = module_store_build(_two_periods, "two-periods")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, pd.DataFrame]:
    """A copy of the store of 300 sample enterprises scored for two periods; the later period's sample."""
    return engine, store_build.value(engine)


def test_written_while_scoring(store: tuple[Engine, pd.DataFrame]) -> None:
    """A period run's summary and its comparison with the previous period are stored while it is scored."""
    engine, _ = store
    run_id, previous_id = _runs(engine)
    assert _stored(engine, run_id, previous_id) == ({run_id}, {(run_id, previous_id)})
    check(engine)


def test_brought_forward_over_rescorings(store: tuple[Engine, pd.DataFrame], monkeypatch: pytest.MonkeyPatch) -> None:
    """Records, a submission moving an enterprise to another city, a newcomer, and a rescoring of the earlier
    period: a rescoring writes nothing to the stored figures; the first reader brings them forward over the
    rescored enterprises alone (never made again from the whole run), and they equal the whole run."""
    engine, sample = store
    run_id, previous_id = _runs(engine)
    _later_results(engine, sample)
    values = {k: v for k, v in sample.iloc[5].to_dict().items() if not pd.isna(v)}
    submit(engine, ADMIN, {**values, "region_code": "210203", "period": "2026Q2"}, period="2026Q2")
    last, previous_last = _last(engine, run_id), _last(engine, previous_id)
    assert last > run_id and previous_last > previous_id, "both runs have later one-enterprise results"
    assert _stored(engine, run_id, previous_id) == ({run_id}, {(run_id, previous_id)}), "rescorings wrote nothing"

    def whole(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("made again from the whole run instead of brought forward")

    monkeypatch.setattr(sm, "_made", whole)
    monkeypatch.setattr(cm, "store_changes", whole)
    check(engine)
    assert _stored(engine, run_id, previous_id) == ({last}, {(last, previous_last)})
    for k, uscc in enumerate(sample["uscc"].iloc[1:30:4]):  # and again, from where the readers left them
        again = {"uscc": uscc, "type": "LABOUR_PENALTY", "date": "2026-09-20", "source": "大连市人社局",
                 "ref": f"连人社罚〔2026〕{k}号", "severity": "严重"}  # fmt: skip
        add_record(engine, ADMIN, again)
    check(engine)
    assert _stored(engine, run_id, previous_id) == ({_last(engine, run_id)}, {(_last(engine, run_id), previous_last)})


def test_made_when_missing(store: tuple[Engine, pd.DataFrame]) -> None:
    """A run scored before summaries existed (or one no longer up to date) gets them when first asked for."""
    engine, sample = store
    _later_results(engine, sample)
    with engine.begin() as conn:
        conn.execute(delete(RunSummaryPart.__table__))
        conn.execute(delete(RunChangePart.__table__))
    check(engine)
    run_id, previous_id = _runs(engine)
    assert _stored(engine, run_id, previous_id) == ({_last(engine, run_id)}, {(_last(engine, run_id), previous_id)})


def test_a_reader_waits_for_a_rescoring_still_in_flight(pg_engine: Engine, tmp_path: Path) -> None:
    """On PostgreSQL a rescoring that drew its run id may commit after one that drew a larger id: the range a
    summary is brought forward over is read only once no rescoring of the period is in flight."""
    import threading

    scored_sample(pg_engine, tmp_path, 40, seed=5, period="2026Q3")
    with pg_engine.connect() as conn:
        run = repo.run_row(conn, repo.latest_run_id(conn, "2026Q3"))
    settled: list[repo.RunRange] = []
    with pg_engine.begin() as writer:
        repo.hold_period(writer, "2026Q3")  # as a rescoring does before its run id is drawn
        reader = threading.Thread(target=lambda: settled.append(repo.settled_runs(pg_engine, run)))
        reader.start()
        reader.join(timeout=1.0)
        assert reader.is_alive() and not settled, "the reader did not wait for the rescoring in flight"
    reader.join(timeout=10)
    assert settled and settled[0].first == run.id
    with pg_engine.begin() as other:  # another period is not held up
        repo.hold_period(other, "2026Q2")
        assert repo.settled_runs(pg_engine, run).first == run.id


def test_a_summary_is_stored_as_the_same_bytes_whatever_order_its_results_came_in() -> None:
    """A period run's parts come in the store's order; the stored body must not depend on it (its counts
    were written in the order their keys first came)."""
    from indicators import load_catalogue
    from lrc.samples import generate
    from scoring import score

    catalogue = load_catalogue()
    subs = generate(3_000, seed=31, period="2026Q3").set_index("uscc")
    result = score(catalogue, subs)  # (a sample's columns are its facts)

    def stored(order: np.ndarray, parts: int) -> dict[sm.Key, str]:
        summary: dict[sm.Key, sm.Part] = {}
        for rows in np.array_split(order, parts):
            sm.add_parts(summary, sm.parts_of(catalogue, frame.iloc[rows], points[rows], level1[rows]))
        return {key: part.to_json() for key, part in summary.items()}

    frame = pd.DataFrame({
        "city_code": subs["region_code"].str[:4] + "00", "industry": subs["industry"].to_numpy(),
        "total": result.total, "grade": result.grade, "red_line": result.red_line,
    })  # fmt: skip
    points, level1 = np.asarray(result.points), result.level("level1").to_numpy()
    first = stored(np.arange(len(frame)), 1)
    shuffled = stored(np.random.default_rng(5).permutation(len(frame)), 7)
    assert first == shuffled and len(first) > 10
