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
from lrc.service.publications import build_content, parse_scope
from lrc.store import require_schema

ENTRY_COLUMNS = ("rank", "uscc", "name", "city", "industry_name", "total", "grade", "red_line")


def default_title(period: str, scope_zh: str) -> str:
    """The title of a publication given none (as ``publish`` makes it)."""
    return f"{period} 企业劳动关系信用评价结果({scope_zh})"


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
