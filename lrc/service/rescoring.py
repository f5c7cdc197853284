"""A new current result for some enterprises of one scored period, made now: after a record arrives, an
objection is overturned, a record is repaired, expires or is removed. The result is a run of its own
(``kind`` records, objection, repair, expiry or removal) that supersedes the enterprise's earlier result of
the period; the record (per enterprise) and the objection or repair (``cause_id``) behind it are linked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Connection, and_, func, select
from sqlalchemy.orm import aliased

from indicators import Catalogue
from lrc.service.runs import (
    Marks,
    catalogue_for_run,
    get_run,
    marks_now,
    score_submissions,
    scored_submissions,
    store_run,
)
from lrc.store import repository as repo
from lrc.store.tables import ScoreResult, ScoreRun


class RescoredOut(BaseModel):
    uscc: str
    name: str
    period: str
    run_id: int
    total: float
    grade: str
    red_line: bool
    previous_total: float | None
    previous_grade: str | None


BEFORE = ("uscc", "enterprise_id", "submission_id", "total", "grade", "red_line", "records")


def current_of(
    conn: Connection, period: str, enterprise_ids: Sequence[int], runs: repo.RunRange | None = None
) -> pd.DataFrame:
    """The current results (``BEFORE`` columns) of some enterprises in a scored period (read in parts: an IN
    list stays within what PostgreSQL and SQLite accept); ``runs``: the runs holding them, when read already."""
    runs = runs or repo.current_runs(conn, get_run(conn, period, None))
    return repo.results_of(conn, runs, BEFORE, enterprise_ids)


def rescore(
    conn: Connection,
    period: str,
    enterprise_ids: Sequence[int],
    *,
    kind: str,
    actor: str,
    cause_records: Mapping[int, int | None] | None = None,
    cause_id: int | None = None,
    newest_submission: bool = False,
    marks: Marks | None = None,
    run: Any = None,
    runs: repo.RunRange | None = None,
    catalogue: Catalogue | None = None,
) -> list[RescoredOut]:
    """Score again, in the caller's transaction, the enterprises of ``enterprise_ids`` that have a current
    result in ``period``: from the submission that result scored (or, ``newest_submission``, the period's
    newest one: an objection's corrected facts), with the records and closures seen now. ``run`` and
    ``catalogue``: the period's newest run and its catalogue, when the caller has read them in this
    transaction already (``runs``: the run's range, read with it)."""
    run = run if run is not None else get_run(conn, period, None)
    catalogue = catalogue if catalogue is not None else catalogue_for_run(conn, run)
    before = current_of(conn, period, enterprise_ids, runs or repo.current_runs(conn, run))
    if before.empty:
        return []
    if newest_submission:
        subs = repo.latest_submissions(conn, period, before["enterprise_id"].astype(int).tolist())
    else:
        subs = scored_submissions(conn, before)
    marks = marks or marks_now(conn, catalogue)
    started = repo.now()
    scored = score_submissions(conn, catalogue, period, subs, marks)
    causes = [(cause_records or {}).get(int(e)) for e in subs["enterprise_id"]]
    run_id, rows = store_run(
        conn, catalogue, period, subs, scored, marks, actor=actor, kind=kind, started=started, causes=causes,
        before=before, cause_id=cause_id,
    )  # fmt: skip
    was = before.set_index("uscc")
    return [
        RescoredOut(
            uscc=row["uscc"],
            name=row["name"],
            period=period,
            run_id=run_id,
            total=row["total"] / 10,
            grade=row["grade"],
            red_line=row["red_line"],
            previous_total=float(was.loc[row["uscc"], "total"]) / 10 if row["uscc"] in was.index else None,
            previous_grade=str(was.loc[row["uscc"], "grade"]) if row["uscc"] in was.index else None,
        )
        for row in rows
    ]


def caused_by(conn: Connection, kind: str, causes: Mapping[int, int]) -> dict[int, list[RescoredOut]]:
    """The new results an objection's or a repair's decision made (``kind``: the runs' kind, objection or
    repair), read back from the runs naming it (``cause_id``): case id (of ``causes``: case id → its
    enterprise's id) → its results, oldest run first, each beside the result it superseded (the enterprise's
    newest earlier result of the period). What ``show`` gives, as the decision's own answer gave it."""
    found: dict[int, list[RescoredOut]] = {case: [] for case in causes}
    for part in repo.chunks(sorted(causes)):
        for row in conn.execute(_caused_query(kind, list(part))).mappings():
            if causes[int(row["cause_id"])] != int(row["enterprise_id"]):
                continue
            found[int(row["cause_id"])].append(RescoredOut(
                uscc=row["uscc"], name=row["name"], period=row["period"], run_id=int(row["run_id"]),
                total=int(row["total"]) / 10, grade=row["grade"], red_line=bool(row["red_line"]),
                previous_total=None if row["previous_total"] is None else int(row["previous_total"]) / 10,
                previous_grade=row["previous_grade"],
            ))  # fmt: skip
    return found


def _caused_query(kind: str, case_ids: list[int]) -> Any:
    new, old, earlier, earlier_run = (aliased(ScoreResult), aliased(ScoreResult), aliased(ScoreResult),
                                      aliased(ScoreRun))  # fmt: skip
    superseded = (
        select(func.max(earlier.run_id))
        .join(earlier_run, earlier_run.id == earlier.run_id)
        .where(earlier.enterprise_id == new.enterprise_id, earlier_run.period == ScoreRun.period,
               earlier.run_id < new.run_id)  # fmt: skip
        .scalar_subquery()
    )
    return (
        select(ScoreRun.cause_id, ScoreRun.period, new.run_id, new.enterprise_id, new.uscc, new.name, new.total,
               new.grade, new.red_line, old.total.label("previous_total"),
               old.grade.label("previous_grade"))  # fmt: skip
        .join(new, new.run_id == ScoreRun.id)
        .outerjoin(old, and_(old.enterprise_id == new.enterprise_id, old.run_id == superseded))
        .where(ScoreRun.kind == kind, ScoreRun.cause_id.in_(case_ids))
        .order_by(ScoreRun.id, new.enterprise_id)
    )
