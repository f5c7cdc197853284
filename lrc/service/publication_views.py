"""Publications beside the current results: the preview of what publishing would freeze now, a
publication's frozen entries as a table, and which of them changed since (a record, an objection or a
repair re-scored the enterprise), for readers that show "as published" or "current"."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from indicators.publication_policy import PublicationPolicy, load_policy
from lrc.periods import check_period
from lrc.publication.content import PublicationContent
from lrc.service.access import Action, Principal
from lrc.service.audit import check
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
