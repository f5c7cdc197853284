"""One enterprise's data for one period, given as an object (the HTTP API, the web form): checked as a
file row is, stored as a new submission version and scored at once.

When the period has been scored, the enterprise gets a new current result in a one-enterprise run
(kind ``submission``) that rankings, explanations and ``lrc verify`` treat like any other; before
the period's first run the score is computed and answered but marked provisional (nothing is
published for a period nobody has scored)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine

from indicators import Catalogue, load_catalogue
from lrc.errors import UsageError
from lrc.ingest import read_object
from lrc.normalise import ascii_form
from lrc.periods import check_period, check_reporting_period
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded
from lrc.service.ingesting import store_batch
from lrc.service.results import current_results
from lrc.service.runs import catalogue_for_run, marks_now, score_submissions, store_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.times import today_in_china

PERIOD_KEYS = ("period", "报告期")


class SubmissionResult(BaseModel):
    submission_id: int  # the submission version now current (a repeat of the same data: the stored one)
    uscc: str
    name: str
    period: str
    version: int
    changed: bool  # False: identical to the stored version, nothing new was stored
    result_run_id: int | None  # the run holding the new result; None while provisional
    catalogue_version: str
    total: float
    grade: str
    red_line: bool
    completeness: float
    province_rank: int | None
    enterprises: int | None  # scored enterprises in the period
    provisional: bool  # the period has no run yet: this score is not published

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> int:
        return self.submission_id


def period_of(values: dict[str, Any], period: str | None) -> str:
    """The period named by the call or inside the object (both, if given, must agree)."""
    inside = next((str(values[k]) for k in PERIOD_KEYS if values.get(k) not in (None, "")), None)
    if period and inside and check_period(inside) != check_period(period):
        raise UsageError(f"报告期 {ascii_form(inside)[:10]} 与 {period} 不一致 (period mismatch)")
    chosen = period or inside
    if not chosen:
        raise UsageError("缺少报告期 period,如 2026Q3 (period missing)")
    return check_reporting_period(chosen, today_in_china())


def catalogue_of_period(conn: Connection, period: str) -> tuple[Catalogue, Any]:
    """The catalogue of the period's newest run (its results are scored alike), else today's default."""
    run = repo.latest_run(conn, period)
    if run is None:
        return load_catalogue(), None
    return catalogue_for_run(conn, run), run


def submit(
    engine: Engine, who: Principal, values: dict[str, Any], *, period: str | None = None, source: str = "API"
) -> SubmissionResult:
    """Check, store and score one enterprise's submission (all or nothing)."""
    require_schema(engine)
    fields = {k: v for k, v in values.items() if k not in PERIOD_KEYS}
    code = ascii_form(str(fields.get("uscc") or fields.get("统一社会信用代码") or "")).upper()[:18]
    with guarded(engine, who, Action.ingest, f"enterprise:{code}") as entry:
        period = period_of(values, period)
        with engine.connect() as conn:
            catalogue, _ = catalogue_of_period(conn, period)
        batch = read_object(fields, catalogue, period=period, source=source)
        batch.sha256 = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()
        with repo.writing(engine) as conn:
            catalogue, run = catalogue_of_period(conn, period)  # again, inside the transaction that writes
            stored = store_batch(conn, who, batch, period, catalogue)
            uscc = str(batch.frame.index[0])
            enterprise = stored.ids[uscc]
            repo.lock_enterprises(conn, [enterprise])
            version = stored.versions[enterprise]
            out = _score(conn, catalogue, run, period, uscc, enterprise, version, bool(stored.fresh), who.name)
            entry.target = f"enterprise:{uscc}"
            entry.detail = (
                f"period {period} version {out.version} {'new' if out.changed else 'unchanged'} "
                f"total {out.total:.1f} {out.grade} run {out.result_run_id}"
            )
            entry.write(conn)
    return out


def _score(
    conn: Connection, catalogue: Catalogue, run: Any, period: str, uscc: str, enterprise: int, version: int,
    changed: bool, actor: str,
) -> SubmissionResult:  # fmt: skip
    subs = repo.latest_submissions(conn, period, [enterprise])
    sub = subs.iloc[0]
    if run is None:  # nothing published for this period yet: score, answer, store no result
        result = score_submissions(conn, catalogue, period, subs, marks_now(conn, catalogue)).result
        return SubmissionResult(
            submission_id=int(sub["submission_id"]), uscc=uscc, name=str(sub["name"]), period=period,
            version=version, changed=changed, result_run_id=None, catalogue_version=catalogue.version,
            total=int(result.total[0]) / 10, grade=str(result.grade[0]), red_line=bool(result.red_line[0]),
            completeness=float(result.completeness[0]), province_rank=None, enterprises=None, provisional=True,
        )  # fmt: skip
    columns = ("uscc", "enterprise_id", "submission_id", "run_id", "total", "grade", "red_line", "completeness")
    before = repo.results(conn, repo.current_runs(conn, run), columns, enterprise_ids=[enterprise])
    if not before.empty and int(before["submission_id"].iloc[0]) == int(sub["submission_id"]):
        row = before.iloc[0].to_dict()  # already scored from this very submission
        run_id, ranked = int(row["run_id"]), standing(conn, run, enterprise, int(row["total"]))
    else:
        marks = marks_now(conn, catalogue)
        started = repo.now()
        scored = score_submissions(conn, catalogue, period, subs, marks)
        ranked = standing(conn, run, enterprise, int(scored.result.total[0]))  # before this result is written
        run_id, rows = store_run(
            conn, catalogue, period, subs, scored, marks, actor=actor, kind="submission", started=started,
            before=before,
        )  # fmt: skip
        row = rows[0]
    total = int(row["total"])
    return SubmissionResult(
        submission_id=int(sub["submission_id"]), uscc=uscc, name=str(sub["name"]), period=period, version=version,
        changed=changed, result_run_id=run_id, catalogue_version=catalogue.version, total=total / 10,
        grade=str(row["grade"]), red_line=bool(row["red_line"]), completeness=float(row["completeness"]),
        **ranked, provisional=False,
    )  # fmt: skip


def standing(conn: Connection, run: Any, enterprise: int, total: int) -> dict[str, int]:
    """The province rank ``total`` gives the enterprise among the current results of the period, and how
    many there are, from the kept current results (``results.current_results``)."""
    kept = current_results(conn, run).state
    others = kept.totals[kept.ids != enterprise]
    return {"province_rank": int((others > total).sum()) + 1, "enterprises": len(others) + 1}
