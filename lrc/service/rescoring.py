"""A new current result for some enterprises of one scored period, made now: after a record arrives, an
objection is overturned, a record is repaired, expires or is removed. The result is a run of its own
(``kind`` records, objection, repair, expiry or removal) that supersedes the enterprise's earlier result of
the period; the record (per enterprise) and the objection or repair (``cause_id``) behind it are linked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Connection

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
