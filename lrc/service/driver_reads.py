"""What every read through the database driver alone asks first (``top_places``, ``driver_explain``): who
acts, which run, and its catalogue copy. Each answers as its SQLAlchemy counterpart does for what it lets
through, and None for everything that counterpart refuses, explains or writes to the audit log: the caller
then leaves the whole read to the SQLAlchemy path, which does exactly that."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lrc.errors import ConflictError
from lrc.normalise import ascii_form
from lrc.periods import PeriodError, check_period
from lrc.scope import Scope
from lrc.service.access import Principal, Role, single_user
from lrc.service.run_info import RunInfo
from lrc.service.stored_catalogue import checked_document
from lrc.store.driver import DriverStore, open_store
from lrc.store.sql_text import MAX_ID

RUN_COLUMNS = ("id", "period", "catalogue_version", "catalogue_hash", "input_hash", "finished_at", "kind")


@dataclass(frozen=True)
class Reading:
    """What every read through the driver starts from: the open store, who acts, the run (``run_to_read``) and
    its checked catalogue copy (text and JSON: ``checked_catalogue``)."""

    store: DriverStore
    who: Principal
    run: dict[str, Any]
    catalogue: tuple[str, dict[str, Any]]


@contextmanager
def reading(db: str | None, name: str | None, period: str, run_id: int | None) -> Iterator[Reading | None]:
    """The store of ``db`` open for the user ``name``'s read of ``period`` (or its run ``run_id``), closed after;
    None where the SQLAlchemy path must answer: a malformed period (it checks who asks first), a store the
    driver cannot open, a user it refuses, a run it does not find, a catalogue copy missing or altered."""
    try:
        period = check_period(period)
    except PeriodError:
        yield None
        return
    store = open_store(db)
    if store is None:
        yield None
        return
    with store:
        who = who_acts(store, name)
        run = run_to_read(store, period, run_id) if who is not None else None
        catalogue = checked_catalogue(store, run) if run is not None else None
        yield Reading(store, who, run, catalogue) if who and run and catalogue else None


def who_acts(store: DriverStore, name: str | None) -> Principal | None:
    """``accounts.acting``'s answer for a user it lets in (single-user mode, or an active account); None where
    it refuses (an unknown or disabled user, no name while accounts exist) or says ``--as`` is wrong."""
    if int(store.rows("SELECT count(*) FROM users")[0][0]) == 0:
        return None if name else single_user("cli")
    if not name:
        return None
    row = store.dicts(
        "SELECT name, role, region, uscc, active FROM users WHERE name = :name", {"name": ascii_form(name).strip()}
    )
    if not row or not row[0]["active"]:
        return None
    user = row[0]
    return Principal(name=user["name"], role=Role(user["role"]), scope=Scope(user["region"], user["uscc"]), door="cli")


def run_to_read(store: DriverStore, period: str, run_id: int | None) -> dict[str, Any] | None:
    """``runs.chosen_run``: the newest period run of ``period`` or the run ``run_id`` of that period (its
    ``RUN_COLUMNS``), with ``last``, the last run of its range (``repository.current_runs``); None when there
    is none."""
    select = f"SELECT {', '.join(RUN_COLUMNS)} FROM score_runs"
    if run_id is None:
        newest = "(SELECT max(id) FROM score_runs WHERE period = :period AND kind = 'period')"
        found = store.dicts(f"{select} WHERE id = {newest}", {"period": period})
    else:
        found = store.dicts(f"{select} WHERE id = :id", {"id": run_id}) if 1 <= run_id <= MAX_ID else []
    if not found or found[0]["period"] != period:
        return None
    run = found[0]
    if isinstance(run["finished_at"], str):  # SQLite keeps times as text: read as SQLAlchemy reads them
        run["finished_at"] = datetime.fromisoformat(run["finished_at"])
    run["last"] = run["id"]
    if run["kind"] == "period":
        next_full = "(SELECT min(id) FROM score_runs WHERE period = :period AND kind = 'period' AND id > :first)"
        last = store.one(
            "SELECT max(id) FROM score_runs WHERE period = :period AND kind != 'period' AND id > :first"
            f" AND id < coalesce({next_full}, :beyond)",
            {"period": period, "first": run["id"], "beyond": MAX_ID + 1},
        )
        run["last"] = (last[0] if last else None) or run["id"]
    return run


def info_of(run: dict[str, Any]) -> RunInfo:
    """``results.run_info`` of a run read by ``run_to_read``, with its range."""
    first, last = int(run["id"]), int(run["last"])
    through = last if last > first else None
    return RunInfo(first, run["period"], run["catalogue_version"], run["input_hash"], run["finished_at"], through)


def checked_catalogue(store: DriverStore, run: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The run's stored catalogue copy (text and JSON), checked against its hash as ``runs.catalogue_for_run``
    checks it (an altered copy is refused there); None when it is missing or altered."""
    content_hash = str(run["catalogue_hash"])
    found = store.one("SELECT document FROM catalogue_versions WHERE content_hash = :hash", {"hash": content_hash})
    if found is None:
        return None
    try:
        return str(found[0]), checked_document(str(found[0]), content_hash)
    except (ConflictError, ValueError):  # altered, or not JSON: the SQLAlchemy path refuses it in its own words
        return None
