"""Which records count on a date, and the engine's record-count columns. Pure: records in, counts out.

A record counts for a period when the period's last day falls inside its display window:
from its decision date up to (not including) the decision date plus its tier's display months.
A record older than that is kept but scores nothing; a closed one (repaired, revoked on an objection,
expired while it still counted, removed by its authority) carries ``closed_from`` and does not count in
a period whose last day is on or after that date."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any

from indicators import Catalogue, to_tenths
from indicators.record_types import record_column

if TYPE_CHECKING:  # numpy and pandas load for many records; one enterprise's are counted in plain Python
    import numpy as np
    import pandas as pd

RECORD_COLUMNS = ("uscc", "type", "tier", "decision_date")  # what the window needs of each record
CLOSED = "closed_from"  # optional column: the date a closure took the record out of the count


def display_until(decision: date, months: int) -> date:
    """The first day a record no longer counts: the decision date plus ``months`` (clamped to month end, as
    pandas' ``DateOffset(months=...)`` does on the vector path; plain dates: every rescoring asks per record)."""
    shifted = decision.month - 1 + months
    year, month = decision.year + shifted // 12, shifted % 12 + 1
    return date(year, month, min(decision.day, monthrange(year, month)[1]))


def display_months(catalogue: Catalogue, record_type: str, tier: str) -> int | None:
    """Months a record of this type and tier counts, or None when the catalogue does not score the type."""
    kind = catalogue.record_type_map.get(record_type)
    rule = kind.tiers.get(tier) if kind else None  # type: ignore[call-overload]
    return rule.display_months if rule else None


def shown_until(catalogue: Catalogue, record_type: str, tier: str, decision: date) -> date | None:
    """The first day a record of this type, tier and decision date no longer counts under ``catalogue``; None
    when the catalogue does not score it (``display_months``, then ``display_until``)."""
    months = display_months(catalogue, record_type, tier)
    return display_until(decision, months) if months else None


FEW = 100  # records: up to this many are windowed one by one (the vector path costs ~5 ms to start)


def live_mask(catalogue: Catalogue, records: pd.DataFrame, as_of: date) -> np.ndarray:
    """Per record: whether it counts on ``as_of`` under ``catalogue`` (decided by then, window still open).
    One enterprise's few records are windowed one by one; many are windowed per (type, tier), so a million
    records cost a few vector operations."""
    import numpy as np

    if records.empty:
        return np.zeros(0, dtype=bool)
    return live_rows(catalogue, records, as_of) if len(records) <= FEW else live_vector(catalogue, records, as_of)


def live_vector(catalogue: Catalogue, records: pd.DataFrame, as_of: date) -> np.ndarray:
    """``live_mask`` a few vector operations per (type, tier)."""
    import numpy as np
    import pandas as pd

    decided = pd.to_datetime(records["decision_date"]).to_numpy()
    moment = np.datetime64(as_of)
    live = np.zeros(len(records), dtype=bool)
    groups = pd.DataFrame({"type": records["type"].to_numpy(), "tier": records["tier"].to_numpy()})
    for (kind, tier), rows in groups.groupby(["type", "tier"], sort=False).indices.items():
        months = display_months(catalogue, str(kind), str(tier))
        if months is None:
            continue
        start = pd.DatetimeIndex(decided[rows])
        until = (start + pd.DateOffset(months=months)).to_numpy()
        live[rows] = (start.to_numpy() <= moment) & (moment < until)
    if CLOSED in records.columns:
        closed = pd.to_datetime(records[CLOSED]).to_numpy()
        live &= ~(closed <= moment)  # NaT (not closed) compares False
    return live


def live_rows(catalogue: Catalogue, records: pd.DataFrame, as_of: date) -> np.ndarray:
    """``live_mask`` one record at a time, by ``display_until`` (a test holds the two equal)."""
    import numpy as np
    import pandas as pd

    live = []
    closures = records[CLOSED] if CLOSED in records.columns else [None] * len(records)
    for kind, tier, decided, closed in zip(records["type"], records["tier"], records["decision_date"], closures,
                                           strict=True):  # fmt: skip
        months = display_months(catalogue, str(kind), str(tier))
        day = pd.Timestamp(decided).date()
        open_ = closed is None or pd.isna(closed) or as_of < pd.Timestamp(closed).date()
        live.append(months is not None and day <= as_of < display_until(day, months) and open_)
    return np.array(live, dtype=bool)


def record_counts(catalogue: Catalogue, records: pd.DataFrame, as_of: date, index: pd.Index) -> pd.DataFrame:
    """Live records per enterprise of ``index`` (USCCs) as the engine's ``record:TYPE:tier`` count columns."""
    import numpy as np
    import pandas as pd

    columns = sorted({c for item in catalogue.items for c, _ in catalogue.record_terms(item)})
    tally = np.zeros((len(index), len(columns)), dtype=np.int64)
    if not records.empty and columns:  # positions, not filtered frames (one enterprise's: ~2 ms less)
        rows = index.get_indexer(records["uscc"])
        keys = [record_column(t, s) for t, s in zip(records["type"], records["tier"], strict=True)]
        cols = pd.Index(columns).get_indexer(keys)
        counted = live_mask(catalogue, records, as_of) & (rows >= 0) & (cols >= 0)
        np.add.at(tally, (rows[counted], cols[counted]), 1)
    return pd.DataFrame(tally, index=index, columns=columns)


def record_tally(catalogue: Catalogue, records: Iterable[Mapping[str, Any]], as_of: date) -> dict[str, int]:
    """``record_counts`` for one enterprise's records (``type``, ``tier``, ``decision_date``), in plain Python:
    every count column, the live records counted. Every record given counts (the caller keeps those of the
    enterprise's USCC), and closures are not read (a ``closed_from`` column is not looked at)."""
    tally = dict.fromkeys(sorted({c for item in catalogue.items for c, _ in catalogue.record_terms(item)}), 0)
    for r in records:
        column = record_column(str(r["type"]), str(r["tier"]))
        months = display_months(catalogue, str(r["type"]), str(r["tier"]))
        day = as_day(r["decision_date"])
        if column in tally and months is not None and day <= as_of < display_until(day, months):
            tally[column] += 1
    return tally


def as_day(value: Any) -> date:
    """A stored date as a ``date``: a date, a time (pandas' Timestamp too) or ISO text (SQLite's)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def marginal_costs(catalogue: Catalogue, counted: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """What each counted record (``id``, ``type``, ``tier``, ``decision_date``) cost, in tenths, taken in
    the order decided: its declared points, plus the item's escalation from the second record of the item
    on, as far as the item's cap allows. The costs of an item add up to the item's points exactly."""
    costs: dict[int, int] = {}
    items = {code: kind.item for code, kind in catalogue.record_type_map.items()}
    # one enterprise's few records: plain Python (a pandas sort and group cost milliseconds per explanation)
    keyed = [
        (items[r["type"]], as_day(r["decision_date"]), int(r["id"]), r["type"], r["tier"])
        for r in counted
        if r["type"] in items
    ]
    keyed.sort(key=lambda r: r[:3])
    for code, part in groupby(keyed, key=lambda r: r[0]):
        item = catalogue.item(code)
        escalation = to_tenths(item.rule.escalation) if item.rule.type == "records" else 0
        cap, running, spent = item.points_tenths, 0, 0
        for k, (_, _, record_id, kind, tier) in enumerate(part):
            running += catalogue.record_type_map[kind].tiers[tier].points_tenths + (escalation if k else 0)
            now = max(running, cap) if cap < 0 else min(running, cap)
            costs[record_id] = now - spent
            spent = now
    return costs
