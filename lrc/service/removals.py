"""Removals from a list (移出名单) delivered by the credit platform's feed: the authority that listed an
enterprise (wage-arrears blacklist, published major violations) removes it, at the end of the listing period
or early after a credit repair it decided. The listing record is closed (cause ``removed``) from the removal
date, or from the enterprise's current standing when that is earlier, and the enterprise gets a new result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from lrc.errors import RowProblem
from lrc.normalise import ascii_form, authority_name, document_number
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded
from lrc.service.closures import Closing, close, standing_from
from lrc.service.rescoring import RescoredOut
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.times import today_in_china

LISTINGS = ("WAGE_ARREARS_BLACKLIST", "MAJOR_VIOLATION_PUBLISHED")  # the record types a feed lists


@dataclass(frozen=True)
class Removal:
    row: int
    uscc: str
    day: date
    authority: str
    document_no: str
    removes: str | None  # the listing's document number, when the feed names it


def check_removals(
    engine: Engine,
    who: Principal,
    file: str,
    removals: list[tuple[int, dict[str, Any]]],
    listed_here: dict[tuple[str, str], tuple[str, str]],
    problems: list[RowProblem],
) -> list[Removal]:
    """The removals of a feed, each checked (fields; that it names one listing the store holds or this file
    lists, ``listed_here``: (USCC, document number) → (authority, decision date); that the authority which
    listed the enterprise removes it, 人社部令第45号 第十七条, on or after the listing's date); a problem per
    bad entry is appended to ``problems``."""
    if not removals:
        return []
    require_schema(engine)
    checked: list[Removal] = []
    today = today_in_china()
    with engine.connect() as conn:
        for number, item in removals:

            def problem(column: str, value: Any, reason: str, number: int = number) -> None:
                problems.append(RowProblem(file, number, column, value, reason, record=True))

            uscc = ascii_form(str(item.get("uscc") or "")).strip().upper()
            authority, document = str(item.get("authority") or "").strip(), str(item.get("document_no") or "").strip()
            removes = document_number(str(item.get("removes") or "")) or None
            day = _date(str(item.get("decision_date") or ""))
            if day is None or day > today:
                problem("decision_date", item.get("decision_date"), "移出日期应为不晚于今天的 YYYY-MM-DD (bad date)")
            if not authority:
                problem("authority", None, "缺少作出移出决定的机关 (authority required)")
            if not document:
                problem("document_no", None, "缺少移出决定的文书编号 (document number required)")
            open_ = _open_listings(conn, who, uscc)
            here = {ref: listing for (code, ref), listing in listed_here.items() if code == uscc}
            known = {**{ref: (str(r["source"]), str(r["date"])) for ref, r in open_.items()}, **here}
            # the same removal decision delivered again, not naming its listing: answered, not checked again
            repeat = removes is None and _removed_before(conn, who, uscc, document) is not None
            if removes is not None:
                if removes not in known and not _closed_by(conn, uscc, removes):
                    problem("removes", removes, "库中和本文件中都没有该企业的这份名单记录 (no such listing)")
            elif not known and not repeat:
                problem("uscc", uscc, "该企业没有可移出的名单记录,或不在你的权限范围内 (no listing to remove)")
            elif len(known) > 1 and not repeat:
                problem("removes", None, "该企业有多份名单记录,请在 removes 列写明要移出的名单文号 (which listing?)")
            listing = known.get(removes) if removes is not None else next(iter(known.values()), None)
            listing = None if repeat else listing
            if listing is not None and authority and authority_name(authority) != authority_name(listing[0]):
                reason = f"名单由{listing[0]}列入,应由该机关移出 (only the listing authority removes it)"
                problem("authority", authority, reason)
            if listing is not None and day is not None and (listed := _date(listing[1])) and day < listed:
                problem("decision_date", day.isoformat(), f"移出日期早于列入日期 {listed} (removal before the listing)")
            if day is not None and authority and document:
                checked.append(Removal(number, uscc, day, authority, document, removes))
    return checked


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _listings(conn: Connection, who: Principal, uscc: str) -> pd.DataFrame:
    found = repo.records_of(conn, uscc=uscc, scope=who.scope) if uscc else pd.DataFrame()
    return found[found["type"].isin(LISTINGS)] if len(found) else found


def _open_listings(conn: Connection, who: Principal, uscc: str) -> dict[str, dict[str, Any]]:
    """document number → the record (``id``, ``source``, ``date``) of the enterprise's listings that still count."""
    found = _listings(conn, who, uscc)
    if found.empty:
        return {}
    closed = repo.closures_of(conn, found["id"].astype(int).tolist())
    return {
        document_number(str(r["ref"])): {"id": int(r["id"]), "source": r["source"], "date": str(r["decision_date"])}
        for r in found.to_dict("records")
        if int(r["id"]) not in closed
    }


def _removed_before(
    conn: Connection, who: Principal, uscc: str, document: str, removes: str | None = None
) -> int | None:
    """The listing a removal delivered again took out of the count already: the one it names (``removes``) when
    that no longer counts, else the enterprise's listing that this very removal decision (its document number,
    kept as the closure's ``ref``) removed; None when neither is so."""
    found = _listings(conn, who, uscc)
    if found.empty:
        return None
    closed = repo.closures_of(conn, found["id"].astype(int).tolist())
    for r in found.to_dict("records"):
        closure = closed.get(int(r["id"]))
        if closure is None:
            continue
        named = removes is not None and document_number(str(r["ref"])) == removes
        same = closure["cause"] == "removed" and document_number(str(closure["ref"] or "")) == document_number(document)
        if named or (removes is None and same):
            return int(r["id"])
    return None


def _closed_by(conn: Connection, uscc: str, ref: str) -> bool:
    """Whether the listing was removed already (a removal delivered again is answered, not refused)."""
    found = repo.records_of(conn, uscc=uscc)
    rows = found.to_dict("records") if len(found) else []
    ids = [int(r["id"]) for r in rows if document_number(str(r["ref"])) == ref]
    return bool(ids) and bool(repo.closures_of(conn, ids))


@dataclass(frozen=True)
class Removed:
    """What a delivery of removals did: the listings it took out of the count now (``closed``), those a removal
    delivered again had taken out already (``already``), the new results and the delivery's id."""

    closed: list[int]
    already: list[int]
    results: list[RescoredOut]
    delivery: int


def remove_listings(engine: Engine, who: Principal, file: str, removals: list[Removal]) -> Removed:
    """Close the listings the removals name (the checked ones of ``check_removals``), in one transaction,
    and re-score their enterprises. A removal delivered again closes nothing and is counted as already done
    (in the delivery's row too), like a record delivered again."""
    with guarded(engine, who, Action.record, f"file:{file[:100]}") as entry, repo.writing(engine) as conn:
        closings: list[Closing] = []
        already: list[int] = []
        for removal in removals:
            record_id, before = _listing_to_close(conn, who, removal)
            if record_id is None or any(c.record_id == record_id for c in closings):
                done = record_id or before
                already.extend([done] if done is not None else [])
                continue
            enterprise = int(repo.records_of(conn, ids=[record_id]).iloc[0]["enterprise_id"])
            closings.append(Closing(record_id, enterprise, "removed", standing_from(conn, enterprise, removal.day),
                                    ref=removal.document_no[:100]))  # fmt: skip
        results = close(conn, closings, actor=who.name)
        delivery = repo.add_delivery(
            conn, source=file[:100], received=len(removals), stored=len(closings),
            already=len(removals) - len(closings), actor=who.name, received_at=repo.now(),
        )  # fmt: skip
        entry.detail = (
            f"removals {len(removals)}: closed {[c.record_id for c in closings]}, already {already}, "
            f"rescored {len(results)}, delivery {delivery}"
        )
        entry.write(conn)
    return Removed([c.record_id for c in closings], already, results, delivery)


def _listing_to_close(conn: Connection, who: Principal, removal: Removal) -> tuple[int | None, int | None]:
    """(the record id of the listing a removal ends that still counts, else None; the listing the same removal
    took out before, when it is delivered again). A decision that removed one listing before does not,
    delivered again, remove the enterprise's next one."""
    if removal.removes is None:
        before = _removed_before(conn, who, removal.uscc, removal.document_no)
        if before is not None:
            return None, before
    open_ = _open_listings(conn, who, removal.uscc)
    listing = open_.get(removal.removes) if removal.removes else next(iter(open_.values()), None)
    if listing is not None:
        return int(listing["id"]), None
    if removal.removes is None:
        return None, None  # (asked above)
    return None, _removed_before(conn, who, removal.uscc, removal.document_no, removal.removes)
