"""One enterprise's current result explained through the database driver alone: ``lrc explain``.

``results.explain`` took 1.3 s at a million enterprises, its queries 0.05 s: the rest was importing
SQLAlchemy and pandas, and the engine recomputing one row through pandas. This reads the same rows with the
driver (``lrc.store.driver``), recomputes the points with the row-by-row scorer (``scoring.reasons.
explain_plain``) and assembles the explanation with the same code (``explanation.assemble``), which checks the
points against the stored result. ``tests/test_read_path.py`` compares the two for every enterprise of a store
with records, later results and scoped users.

It answers only a current result (no ``--run``) that it finds inside the user's scope. Anything else gives
None and the caller asks ``results.explain``: an enterprise not found or outside the scope (the refusal is
written to the audit log there), a user to refuse, a period not scored, a missing submission, a stored line
the plain reader cannot split, or points that the row-by-row scorer does not reproduce (the engine then
decides)."""

from __future__ import annotations

import logging
from typing import Any

from lrc.normalise import ascii_form
from lrc.scope import Scope
from lrc.service.driver_reads import info_of, reading
from lrc.service.explanation import Explanation, assemble
from lrc.service.stored_catalogue import catalogue_of
from lrc.store.columns import EXPLAINED_COLUMNS, RECORD_FIELDS
from lrc.store.driver import DriverStore
from lrc.store.facts_line import decode_line, typed
from lrc.store.ranking_sql import scope_sql
from lrc.store.sql_text import chunks, in_list
from scoring.reasons import explain_plain

log = logging.getLogger(__name__)


def driver_explain(db: str | None, name: str | None, uscc: str, period: str) -> Explanation | None:
    """``results.explain(engine, who, uscc, period)`` for the user ``name`` (``--as``), or None: ask it."""
    code = ascii_form(uscc).upper()
    with reading(db, name, period, None) as read:
        if read is None:
            return None
        store, run, document = read.store, read.run, read.catalogue
        result = _current_result(store, run, code, read.who.scope)
        submission = _submission(store, int(result["submission_id"])) if result is not None else None
        facts = decode_line(submission["facts"], submission["fields"]) if submission is not None else None
        if result is None or submission is None or facts is None:
            return None
        records = store.dicts(
            f"SELECT {', '.join(RECORD_FIELDS)} FROM records WHERE enterprise_id = :enterprise ORDER BY id",
            {"enterprise": int(result["enterprise_id"])},
        )
        closed = _closures(store, [int(r["id"]) for r in records])
    catalogue = catalogue_of(document[1], str(run["catalogue_hash"]))  # checked by ``reading`` already
    origin = (str(submission["file_name"]), int(submission["source_row"]), int(submission["batch_id"]))
    try:
        return assemble(
            catalogue, info_of(run), result, typed(facts, catalogue), origin, records, closed, explain_plain
        )
    except Exception as exc:  # noqa: BLE001 - the row-by-row scorer disagrees with the stored points (a
        # ConflictError) or cannot score a rule (an error): the engine decides, through the other path
        log.info("explain of %s left to the engine: %s", code, exc.__class__.__name__)
        return None


def _current_result(store: DriverStore, run: dict[str, Any], code: str, scope: Scope) -> dict[str, Any] | None:
    """The enterprise's newest result among the run's range inside the scope, unless a newer one lies outside
    it (``repository.result_of``)."""
    fragments, params = scope_sql(scope, "r")
    span = {"first": run["id"], "last": run["last"], "period": run["period"]}
    found = store.dicts(
        f"SELECT {', '.join('r.' + c for c in EXPLAINED_COLUMNS)} FROM score_results r"
        " JOIN score_runs s ON s.id = r.run_id"
        " WHERE r.uscc = :uscc AND r.run_id >= :first AND r.run_id <= :last AND s.period = :period"
        + "".join(f" AND {f}" for f in fragments),
        {**params, **span, "uscc": code},
    )
    if not found:
        return None
    newest = max(found, key=lambda r: int(r["run_id"]))
    if not scope.everything and store.rows(
        "SELECT r.run_id FROM score_results r JOIN score_runs s ON s.id = r.run_id WHERE r.enterprise_id = :enterprise"
        " AND r.run_id > :run AND r.run_id <= :last AND s.period = :period AND s.id > :first LIMIT 1",
        {**span, "enterprise": newest["enterprise_id"], "run": newest["run_id"]},
    ):
        return None  # the enterprise's current result lies outside the scope (it moved by a later submission)
    return newest


def _submission(store: DriverStore, submission_id: int) -> dict[str, Any] | None:
    """A submission's stored facts, its batch's field list and its origin (``repository.submission_line``)."""
    found = store.dicts(
        "SELECT s.facts, b.fields, b.file_name, s.source_row, s.batch_id FROM submissions s"
        " JOIN ingest_batches b ON b.id = s.batch_id WHERE s.id = :id",
        {"id": submission_id},
    )
    return found[0] if found else None


def _closures(store: DriverStore, record_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Record id → its closure (``repository.closures_of``)."""
    found: dict[int, dict[str, Any]] = {}
    for part in chunks(record_ids):
        listed, named = in_list("r", part)
        for row in store.dicts(f"SELECT * FROM record_closures WHERE record_id IN {listed}", named):
            found[int(row["record_id"])] = row
    return found
