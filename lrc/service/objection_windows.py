"""The objection window a publication gives (发布之日起 N 日内, to a day the notice states): which notice covers
the result an objection is filed against, and whether the filing came after the notice's last day.

An objection filed after it is still accepted: it is about the enterprise's current result, and an objection
to credit information is not time-barred. It is not silent either: the objection names the notice and its
last day, and is marked late (``late``). The notice is the newest publication that listed the very result
objected to and was published on or before the filing day (a paper filing received before a notice is not
late for it); its last day counts from the publication date by the policy edition it was made under."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from indicators.publication_policy import PublicationPolicy, load_policy
from lrc.errors import CatalogueError
from lrc.store import repository as repo
from lrc.store.tables import Publication
from lrc.times import in_china, stored_date


class NoticeWindowOut(BaseModel):
    publication_id: int
    number: str  # 辽工信评〔2026〕3号
    published_on: str  # YYYY-MM-DD, Beijing
    until: str  # the last day it gave for objections (inclusive): a filing after it is late


def objection_until(published_on: date, policy: PublicationPolicy) -> date:
    """The last day for objections a notice published on ``published_on`` gives (发布之日起 N 日内: the day of
    publication not counted, the last one is)."""
    return published_on + timedelta(days=policy.objection_days)


def _policy(version: str) -> PublicationPolicy:
    try:
        return load_policy(version)
    except CatalogueError:  # a policy given to publish() rather than shipped: the shipped window applies
        return load_policy()


def covering(conn: Connection, period: str, run_id: int, enterprise_id: int, day: date) -> tuple[int, date] | None:
    """(publication id, last day for objections) of the newest publication of ``period`` published by ``day``
    that lists the result of ``enterprise_id`` in run ``run_id``; None when none does."""
    table = Publication.__table__.c
    query = select(table.id, table.published_at, table.policy_version).where(
        table.period == period, table.run_id <= run_id, func.coalesce(table.through_run_id, table.run_id) >= run_id
    )
    listed = f'%"result_id":"{run_id}:{enterprise_id}"%'  # (the canonical JSON of an entry: no spaces)
    for pub_id, published_at, version in conn.execute(query.order_by(table.id.desc())).all():
        published = in_china(published_at).date()
        if published > day:
            continue
        if conn.scalar(select(table.id).where(table.id == pub_id, table.content.like(listed))) is not None:
            return int(pub_id), objection_until(published, _policy(str(version)))
    return None


def is_late(filed_on: date, until: date) -> bool:
    """Whether an objection filed on ``filed_on`` missed a notice window whose last day is ``until`` (the last
    day itself is in time)."""
    return filed_on > until


def notices(conn: Connection, rows: list[Any]) -> dict[int, NoticeWindowOut]:
    """Objection id → the notice window it was filed under (``rows``: objection rows), for those with one."""
    wanted = sorted({int(r["publication_id"]) for r in rows if r["publication_id"] is not None})
    if not wanted:
        return {}
    table = Publication.__table__.c
    found: dict[int, tuple[str, date]] = {}
    for part in repo.chunks(wanted):
        query = select(table.id, table.number, table.published_at).where(table.id.in_(list(part)))
        found.update({int(i): (str(n), in_china(at).date()) for i, n, at in conn.execute(query)})
    out = {}
    for r in rows:
        if r["publication_id"] is not None:
            number, published = found[int(r["publication_id"])]
            out[int(r["id"])] = NoticeWindowOut(
                publication_id=int(r["publication_id"]), number=number, published_on=published.isoformat(),
                until=stored_date(r["window_until"]).isoformat(),
            )
    return out
