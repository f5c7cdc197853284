"""Records as people read them: the record types of an edition (what each costs, for how long, whether it
can be repaired), and stored records with their cost, display window and status."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from indicators import Catalogue, load_catalogue
from indicators.record_types import SOURCE_KIND_ZH, TIER_ZH, RecordType
from indicators.redress_policy import load_redress_policy
from lrc.normalise import ascii_form
from lrc.service.access import Principal
from lrc.service.deliveries import check_delivery
from lrc.service.explanation import record_view
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.times import china_iso, today_in_china


class TierOut(BaseModel):
    tier: str
    tier_zh: str
    points: float
    display_months: int
    display_years: float
    repair_after_months: int | None
    repair_after: str | None  # the waiting period before a repair may be asked for, ISO 8601 (P3M); None: never


class RecordTypeOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    source_kind: str
    source_kind_zh: str
    tiers: list[TierOut]
    items: list[str]
    points: dict[str, float]
    display_years: dict[str, float]
    repairable: bool
    repair_conditions: list[str]  # what a repair request must prove (the policy's conditions), [] if not repairable
    red_line: bool
    workers: bool
    amount: bool


class RecordOut(BaseModel):
    id: int
    uscc: str
    type: str
    type_zh: str
    tier: str
    tier_zh: str
    date: dt.date
    source: str
    ref: str
    workers: int | None
    amount: float | None
    note: str | None
    item: str | None
    points: float | None
    red_line: bool
    display_until: dt.date | None
    live: bool
    status_zh: str
    closed: dict[str, Any] | None = None  # {cause, cause_zh, effective_from}: it stopped counting (repair…)
    received_at: str  # Beijing time, like every time lrc shows
    delivery_id: int | None = None  # the delivery that brought it (None: stored before deliveries were kept)


def record_type_table(catalogue: Catalogue | None = None) -> list[RecordTypeOut]:
    catalogue = catalogue or load_catalogue()
    return [_type_out(t) for t in catalogue.record_types]


def _type_out(kind: RecordType) -> RecordTypeOut:
    tiers = [
        TierOut(
            tier=t,
            tier_zh=TIER_ZH[t],
            points=float(r.points),
            display_months=r.display_months,
            display_years=round(r.display_months / 12, 4),
            repair_after_months=r.repair_after_months,
            repair_after=_duration(r.repair_after_months),
        )
        for t, r in kind.tiers.items()
    ]
    return RecordTypeOut(
        code=kind.code,
        name_zh=kind.name_zh,
        name_en=kind.name_en,
        source_kind=kind.source_kind,
        source_kind_zh=SOURCE_KIND_ZH[kind.source_kind],
        tiers=tiers,
        items=[kind.item],
        points={t.tier: t.points for t in tiers},
        display_years={t.tier: t.display_years for t in tiers},
        repairable=kind.repairable,
        repair_conditions=list(load_redress_policy().repair.conditions) if kind.repairable else [],
        red_line=kind.red_line,
        workers=kind.workers,
        amount=kind.amount,
    )


def _duration(months: int | None) -> str | None:
    """Months as an ISO 8601 duration: 3 → P3M, 12 → P1Y, 18 → P1Y6M, 0 → P0M."""
    if months is None:
        return None
    years, rest = divmod(months, 12)
    return "P" + (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")


def list_records(
    engine: Engine,
    who: Principal,
    *,
    uscc: str | None = None,
    since: date | None = None,
    ids: list[int] | None = None,
    catalogue: Catalogue | None = None,
    delivery: int | None = None,
) -> list[RecordOut]:
    """Stored records of the enterprises in ``who``'s scope (of one enterprise, decided since a date, of one
    delivery), oldest first, with what each costs under ``catalogue`` and whether it counts today."""
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    if delivery is not None:  # a number no delivery has is said so (it listed nothing, as if empty)
        check_delivery(engine, delivery)
    code = ascii_form(uscc).upper() if uscc else None
    with engine.connect() as conn:
        frame = repo.records_of(conn, uscc=code, since=since, ids=ids, scope=who.scope, delivery=delivery)
        closed = repo.closures_of(conn, frame["id"].astype(int).tolist()) if len(frame) else {}
    today = today_in_china()
    return [_record_out(catalogue, r, today, closed) for r in frame.to_dict("records")]


def stored_now(rows: list[dict[str, Any]], catalogue: Catalogue | None = None) -> list[RecordOut]:
    """Records as a delivery just wrote them (``RecordsSummary.stored_rows``), shown as ``list_records``
    would read them back: an answer to the one who stored them, without a second read."""
    catalogue = catalogue or load_catalogue()
    today = today_in_china()
    return [_record_out(catalogue, r, today, {}) for r in rows]


def _record_out(catalogue: Catalogue, r: dict[str, Any], today: date, closed: dict[int, Any]) -> RecordOut:
    view = record_view(catalogue, r, today, None, closed=closed)
    return RecordOut(
        **{k: v for k, v in view.items() if k not in ("counted", "date", "display_until")},
        date=pd.Timestamp(r["decision_date"]).date(),
        display_until=view["display_until"],
        live=view["counted"],
        uscc=r["uscc"],
        workers=None if pd.isna(r["workers"]) else int(r["workers"]),
        amount=None if pd.isna(r["amount"]) else float(r["amount"]),
        note=None if r["note"] is None or pd.isna(r["note"]) else str(r["note"]),
        red_line=bool(kind.red_line) if (kind := catalogue.record_type_map.get(r["type"])) else False,
        received_at=china_iso(r["received_at"]),
        delivery_id=None if pd.isna(r["delivery_id"]) else int(r["delivery_id"]),
    )
