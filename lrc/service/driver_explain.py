"""One enterprise's current result explained through the database driver alone: ``lrc explain``.

``results.explain`` took 1.3 s at a million enterprises, its queries 0.05 s: the rest was importing
SQLAlchemy and pandas, and the engine recomputing one row through pandas. This reads the same rows with the
driver (``lrc.store.driver``), recomputes the points with the row-by-row scorer (``scoring.reasons.
explain_plain``) and assembles the explanation with the same code (``explanation.assemble``), which checks the
points against the stored result. ``tests/test_read_path.py`` compares the two for every enterprise of a store
with records, later results and scoped users.

It answers a current result, or the result in one run (``--run``, with the newer run that supersedes it),
that it finds inside the user's scope. Anything else gives None and the caller asks ``results.explain``: an
enterprise not found or outside the scope (the refusal is written to the audit log there), a user to refuse,
a period not scored or a run not of it, a missing submission, a stored line the plain reader cannot split, or
points that the row-by-row scorer does not reproduce (the engine then decides)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from lrc.normalise import ascii_form
from lrc.scope import Scope
from lrc.service.driver_reads import info_of, reading
from lrc.service.explanation import Explanation, assemble, superseded_note
from lrc.service.stored_catalogue import catalogue_of
from lrc.store.columns import EXPLAINED_COLUMNS, RECORD_FIELDS
from lrc.store.driver import DriverStore
from lrc.store.facts_line import decode_line, typed
from lrc.store.ranking_sql import scope_sql
from lrc.store.sql_text import chunks, in_list
from scoring.reasons import explain_plain

log = logging.getLogger(__name__)


def driver_explain(
    db: str | None, name: str | None, uscc: str, period: str, run_id: int | None = None
) -> Explanation | None:
    """``results.explain(engine, who, uscc, period, run_id=run_id)`` for the user ``name`` (``--as``), or None:
    ask it."""
    code = ascii_form(uscc).upper()
    newer: dict[str, Any] | None = None
    with reading(db, name, period, run_id) as read:
        if read is None:
            return None
        store, run, document = read.store, read.run, read.catalogue
        if run_id is None:
            result = _current_result(store, run, code, read.who.scope)
        else:
            result = _result_in(store, run_id, code, read.who.scope)
            newer = _newer_run(store, run, result) if result is not None else None
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
    info = info_of(run) if run_id is None else info_of({**run, "last": run["id"]})  # one run: no range
    try:
        return assemble(
            catalogue, info, result, typed(facts, catalogue), origin, records, closed, explain_plain,
            newer=None if newer is None else int(newer["id"]),
            superseding=None if newer is None else superseded_note(SimpleNamespace(**newer)),
        )  # fmt: skip
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


def _result_in(store: DriverStore, run_id: int, code: str, scope: Scope) -> dict[str, Any] | None:
    """The enterprise's result in the run ``run_id``, if it lies inside the scope (``repository.result_of`` of
    one run)."""
    fragments, params = scope_sql(scope, "r")
    found = store.dicts(
        f"SELECT {', '.join('r.' + c for c in EXPLAINED_COLUMNS)} FROM score_results r"
        " WHERE r.run_id = :run AND r.uscc = :uscc" + "".join(f" AND {f}" for f in fragments),
        {**params, "run": run_id, "uscc": code},
    )
    return found[0] if found else None


def _newer_run(store: DriverStore, run: dict[str, Any], result: dict[str, Any]) -> dict[str, Any] | None:
    """The newest later run of the period with a result of the enterprise, which supersedes ``result``
    (``repository.newer_result_run``): its id, kind and cause."""
    found = store.dicts(
        "SELECT id, kind, cause_id FROM score_runs WHERE id = (SELECT max(r.run_id) FROM score_results r"
        " JOIN score_runs s ON s.id = r.run_id WHERE s.period = :period AND s.id > :run"
        " AND r.enterprise_id = :enterprise)",
        {"period": run["period"], "run": int(result["run_id"]), "enterprise": int(result["enterprise_id"])},
    )
    return found[0] if found else None


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
