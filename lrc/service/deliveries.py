"""What came in and when: the ingest batches (one a facts file, form or API submission stored new versions)
and the deliveries of records (a file, a credit-platform feed, an API call, the command line), whose ids the
commands that made them printed last. A user with a scope narrower than the province sees their own only."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Engine, select

from lrc.errors import NotFoundError
from lrc.periods import check_period
from lrc.service.access import Action, Principal
from lrc.service.audit import check
from lrc.service.json_times import ChinaTime
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import IngestBatch, RecordDelivery


class BatchOut(BaseModel):
    id: int
    period: str
    file_name: str
    file_sha256: str
    rows: int
    new_versions: int
    actor: str
    ingested_at: ChinaTime


class DeliveryOut(BaseModel):
    id: int
    source: str
    received: int
    stored: int
    already: int
    actor: str
    received_at: ChinaTime


def list_batches(engine: Engine, who: Principal, period: str | None = None) -> list[BatchOut]:
    """Ingest batches, newest first (of ``period`` if given)."""
    require_schema(engine)
    check(engine, who, Action.read, "batches")
    query = select(*(c for c in IngestBatch.__table__.columns if c.name != "fields")).order_by(IngestBatch.id.desc())
    if period:
        query = query.where(IngestBatch.period == check_period(period))
    if not who.scope.everything:
        query = query.where(IngestBatch.actor == who.name)
    with engine.connect() as conn:
        return [BatchOut(**row) for row in conn.execute(query).mappings()]


def list_deliveries(engine: Engine, who: Principal) -> list[DeliveryOut]:
    """Deliveries of records, newest first."""
    require_schema(engine)
    check(engine, who, Action.read, "deliveries")
    query = select(RecordDelivery).order_by(RecordDelivery.id.desc())
    if not who.scope.everything:
        query = query.where(RecordDelivery.actor == who.name)
    with engine.connect() as conn:
        return [DeliveryOut(**row) for row in conn.execute(query).mappings()]


def check_delivery(engine: Engine, delivery_id: int) -> None:
    """Refuse a delivery number that no delivery has (its records are listed within the reader's scope, so a
    delivery of several cities' records is one each of them may look into)."""
    query = select(RecordDelivery.id).where(RecordDelivery.id == delivery_id)
    with engine.connect() as conn:
        found = conn.scalar(query) if 1 <= delivery_id <= repo.MAX_ID else None
    if found is None:
        raise NotFoundError(f"没有投递 {delivery_id};`lrc deliveries` 列出你的投递 (no such delivery)")
