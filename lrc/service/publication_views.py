"""Publications beside the current results: the preview of what publishing would freeze now, a
publication's frozen entries as a table, and which of them changed since (a record, an objection or a
repair re-scored the enterprise), for readers that show "as published" or "current"."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from indicators.publication_policy import PublicationPolicy, load_policy
from lrc.periods import check_period
from lrc.publication.amendments import Amendments, Correction, Withdrawn
from lrc.publication.content import PublicationContent
from lrc.service.access import Action, Principal
from lrc.service.audit import check
from lrc.service.closures import CAUSE_ZH
from lrc.service.publications import PublicationOut, build_content, default_title, get_publication, parse_scope
from lrc.service.runs import get_run
from lrc.store import repository as repo
from lrc.store import require_schema

ENTRY_COLUMNS = ("rank", "uscc", "name", "city", "industry_name", "total", "grade", "red_line")


def preview(
    engine: Engine, who: Principal, period: str, scope: str, title: str, policy: PublicationPolicy | None = None
) -> PublicationContent:
    """The document ``publish`` would freeze now (number, entries, lists, footnotes), written nowhere.
    Only those who may publish may preview (a refusal is recorded). Pass its ``title`` to ``publish``."""
    require_schema(engine)
    period = check_period(period)
    scope, scope_zh = parse_scope(scope)
    check(engine, who, Action.publish, f"period:{period} {scope} (preview)")
    title = title.strip()[:200] or default_title(period, scope_zh)
    with engine.connect() as conn:
        return build_content(conn, who, period, scope, scope_zh, title, policy or load_policy())


def entries_frame(content: PublicationContent) -> pd.DataFrame:
    """The frozen entries, best first: ``ENTRY_COLUMNS`` as published."""
    rows = [{c: getattr(e, c) for c in ENTRY_COLUMNS} for e in content.entries]
    return pd.DataFrame(rows, columns=list(ENTRY_COLUMNS))


def since_published(published: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """``published`` (``entries_frame``) with each enterprise's ``current_total`` and ``current_grade``
    (missing where ``current`` does not hold it, e.g. outside the reader's scope) and ``changed``:
    whether its total or grade differs now.

    >>> was = pd.DataFrame({"uscc": ["1", "2", "3"], "total": [80.0, 70.0, 60.0], "grade": ["A", "B", "C"]})
    >>> now = pd.DataFrame({"uscc": ["1", "2"], "total": [80.0, 55.5], "grade": ["A", "C"]})
    >>> since_published(was, now)["changed"].tolist()
    [False, True, False]
    """
    now = current[["uscc", "total", "grade"]].rename(columns={"total": "current_total", "grade": "current_grade"})
    merged = published.merge(now, on="uscc", how="left", validate="one_to_one")
    known = merged["current_grade"].notna().to_numpy()
    tenths = np.rint(merged["total"].to_numpy(dtype=float) * 10)
    now_tenths = np.rint(merged["current_total"].to_numpy(dtype=float) * 10)
    differs = (tenths != now_tenths) | (merged["grade"].astype(str) != merged["current_grade"].astype(str)).to_numpy()
    return merged.assign(changed=known & differs)


def publication_keys(meta: PublicationOut) -> dict[str, Any]:
    """What names the publication a ranking as published comes from, beside its entries: its id, document
    number, title and time (ISO 8601). ``lrc rank --published`` gives them with each entry, the API's
    ``view=published`` with its page: a reader knows which frozen ranking they were shown."""
    return {
        "publication_id": meta.id,
        "publication_number": meta.number,
        "publication_title": meta.title,
        "published_at": meta.published_at.isoformat(),
    }


def as_published(engine: Engine, who: Principal, publication_id: int) -> tuple[PublicationOut, pd.DataFrame]:
    """A publication's entries inside ``who``'s scope (``entries_frame``), each with its current result beside
    it (``since_published``): what the API and ``lrc rank --published`` show."""
    meta, content = get_publication(engine, who, publication_id)
    regions = pd.Series([e.region_code for e in content.entries], dtype=object)
    frame = entries_frame(content)
    frame = frame[who.scope.mask(regions, frame["uscc"])].reset_index(drop=True)
    with engine.connect() as conn:
        run = get_run(conn, content.period, None)
        current = repo.results(conn, repo.current_runs(conn, run), ("uscc", "total", "grade"), scope=who.scope)
    current = current.assign(total=current["total"].astype(float) / 10) if len(current) else current
    if current.empty:
        current = pd.DataFrame({"uscc": pd.Series(dtype=object), "total": pd.Series(dtype=float),
                                "grade": pd.Series(dtype=object)})  # fmt: skip
    return meta, since_published(frame, current)


CORRECTED_ZH = {"objection": "已更正", "repair": "已修复", "expiry": "展示期满", "removal": "已移出名单"}
CASE_ZH = {"objection": "异议", "repair": "修复申请"}
CORRECTION_COLUMNS = ("uscc", "corrected", "kind", "cause_id", "newer_run_id")


def correction_marks(entries: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """For each entry (``uscc``, ``run_id``, ``enterprise_id``) whose result a later run of kind objection,
    repair, expiry or removal superseded: ``CORRECTION_COLUMNS``, the mark naming every such cause in order,
    the kind and case of the newest of those runs, and ``newer_run_id``, the newest later run of any kind
    holding a result of the enterprise (its current result: a record's rescoring after a correction supersedes
    the corrected result too) (``later``: ``repository.later_result_runs``).

    >>> entries = pd.DataFrame({"uscc": ["a", "b"], "run_id": [4, 4], "enterprise_id": [1, 2]})
    >>> later = pd.DataFrame({"enterprise_id": [1, 2, 1, 1], "run_id": [5, 6, 7, 8],
    ...                       "kind": ["objection", "records", "repair", "records"], "cause_id": [3, None, 2, None]})
    >>> correction_marks(entries, later)[["uscc", "corrected", "kind", "newer_run_id"]].values.tolist()
    [['a', '已更正(异议 3)、已修复(修复申请 2)', 'repair', 8]]
    """
    merged = entries.merge(later, on="enterprise_id", suffixes=("", "_later"))
    merged = merged[merged["run_id_later"] > merged["run_id"]].sort_values("run_id_later")
    newest_run = merged.groupby("uscc")["run_id_later"].max()
    rows = []
    corrected = merged[merged["kind"].isin(list(CORRECTED_ZH))]
    for uscc, group in corrected.groupby("uscc", sort=False):
        marks = [_mark(str(k), c) for k, c in zip(group["kind"], group["cause_id"], strict=True)]
        newest = group.iloc[-1]
        rows.append({"uscc": uscc, "corrected": "、".join(dict.fromkeys(marks)), "kind": str(newest["kind"]),
                     "cause_id": None if pd.isna(newest["cause_id"]) else int(newest["cause_id"]),
                     "newer_run_id": int(newest_run[uscc])})  # fmt: skip
    return pd.DataFrame(rows, columns=list(CORRECTION_COLUMNS))


def _mark(kind: str, cause: Any) -> str:
    case = CASE_ZH.get(kind)
    return CORRECTED_ZH[kind] + (f"({case} {int(cause)})" if case and not pd.isna(cause) else "")


def corrections(engine: Engine, who: Principal, publication_id: int) -> pd.DataFrame:
    """The entries of a publication inside ``who``'s scope whose result was superseded since by an objection,
    a credit repair, an expiry or a removal (``correction_marks``): the publication stays as published, and
    readers see that, and why, a newer result exists."""
    _, content = get_publication(engine, who, publication_id)
    return corrected_entries(engine, who, content)


def corrected_entries(engine: Engine, who: Principal, content: PublicationContent) -> pd.DataFrame:
    """``corrections`` of a publication's content already read."""
    keys = [(e.uscc, e.region_code, *e.result_id.split(":")) for e in content.entries]
    entries = pd.DataFrame(keys, columns=["uscc", "region_code", "run_id", "enterprise_id"])
    entries = entries[who.scope.mask(entries["region_code"], entries["uscc"])].astype(
        {"run_id": int, "enterprise_id": int}
    )
    if entries.empty:
        return pd.DataFrame(columns=list(CORRECTION_COLUMNS))
    with engine.connect() as conn:
        later = repo.later_result_runs(conn, content.period, int(entries["run_id"].min()),
                                       entries["enterprise_id"].tolist())  # fmt: skip
    return correction_marks(entries[["uscc", "run_id", "enterprise_id"]], later)


def amendments(engine: Engine, who: Principal, publications: list[tuple[int, PublicationContent, str]]) -> Amendments:
    """What the public site shows beside ``publications`` (``all_contents``): each corrected entry with its
    newer result (``corrections``), and the published records that stopped counting since."""
    found: list[Correction] = []
    withdrawn: dict[tuple[str, str], Withdrawn] = {}
    seen: set[str] = set()
    with engine.connect() as conn:
        for pub_id, content, _ in publications:  # (the contents are read: not again per publication)
            marks = corrected_entries(engine, who, content)
            for run_id, group in marks.groupby("newer_run_id") if len(marks) else ():
                newer = repo.results(conn, int(run_id), ("uscc", "total", "grade"))
                newer = newer[newer["uscc"].isin(group["uscc"])].set_index("uscc")
                found += [
                    Correction(publication_id=pub_id, uscc=str(r.uscc), text_zh=str(r.corrected),
                               total=int(newer.loc[r.uscc, "total"]) / 10, grade=str(newer.loc[r.uscc, "grade"]),
                               run_id=int(run_id))  # fmt: skip
                    for r in group.itertuples(index=False)
                    if r.uscc in newer.index
                ]
            for entry in content.entries:
                inside = who.scope.contains(entry.region_code, entry.uscc)
                if not entry.public_records or entry.uscc in seen or not inside:
                    continue
                seen.add(entry.uscc)
                records = repo.records_of(conn, uscc=entry.uscc)
                closed = repo.closures_of(conn, records["id"].astype(int).tolist()) if len(records) else {}
                refs = {int(r["id"]): str(r["ref"]) for r in records.to_dict("records")}
                for record_id, closure in closed.items():
                    since = pd.Timestamp(closure["at"]).date().isoformat()
                    withdrawn[(entry.uscc, refs[record_id])] = Withdrawn(
                        uscc=entry.uscc, ref=refs[record_id], cause_zh=CAUSE_ZH.get(closure["cause"], ""), since=since
                    )
    ordered = sorted(found, key=lambda c: (c.publication_id, c.uscc))
    return Amendments(corrections=ordered, withdrawn=[withdrawn[k] for k in sorted(withdrawn)])
