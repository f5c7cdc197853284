"""Getting a stored file back: a hearing's attachment (CSR report, minutes) or a plan action's evidence.

A file is stored once by its hash and may be attached to several hearings; its id (``lrc hearing show``
lists it as an attachment's ``id``, ``lrc plan show`` as ``evidence_id``) is enough to ask for it. The
reader must see one hearing it is attached to (an enterprise of it inside their scope) or the enterprise
of a plan action whose evidence it is. Otherwise it is not found, and when it exists the audit log records
the refusal; a file handed out is recorded as an export."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, exists, or_, select

from lrc.errors import NotFoundError
from lrc.service import audit
from lrc.service.access import Action, Principal
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Attachment, HearingAttachment, HearingEnterprise, PlanAction

__all__ = ["StoredFile", "stored_file"]


class StoredFile(BaseModel):
    id: int
    name: str  # the name it was attached under
    media_type: str
    size: int
    sha256: str
    content: bytes


def _attached_name(conn: Connection, who: Principal, file_id: int) -> str | None:
    """The name under which the file is attached to a hearing ``who`` may see, or None: the hearing's own
    file (its minutes) where one of its enterprises is inside the scope; an enterprise's file (its CSR report)
    only where that enterprise is."""
    inside = repo.scope_conditions(who.scope, HearingEnterprise.region_code, HearingEnterprise.uscc)
    seen = exists().where(
        HearingEnterprise.hearing_id == HearingAttachment.hearing_id,
        or_(HearingAttachment.uscc.is_(None), HearingEnterprise.uscc == HearingAttachment.uscc),
        *inside,
    )
    query = (
        select(HearingAttachment.name)
        .where(HearingAttachment.attachment_id == file_id, seen)
        .order_by(HearingAttachment.id)
        .limit(1)
    )
    return conn.scalar(query)


def _evidence(conn: Connection, who: Principal, file_id: int) -> bool:
    """Whether the file is the evidence of a plan action inside ``who``'s scope."""
    inside = repo.scope_conditions(who.scope, PlanAction.region_code, PlanAction.uscc)
    query = select(PlanAction.id).where(PlanAction.evidence_id == file_id, *inside).limit(1)
    return conn.scalar(query) is not None


def stored_file(engine: Engine, who: Principal, file_id: int) -> StoredFile:
    """The file ``file_id`` with its bytes, when ``who`` may see a hearing or plan action it belongs to."""
    require_schema(engine)
    target = f"attachment:{file_id}"
    audit.check(engine, who, Action.read, target)
    missing = NotFoundError(f"附件 {file_id} 不存在,或你无权查看 (no such attachment, or not permitted)")
    if not 1 <= file_id <= repo.MAX_ID:
        raise missing
    with engine.connect() as conn:
        row = conn.execute(select(Attachment.__table__).where(Attachment.id == file_id)).mappings().first()
        if row is None:
            raise missing
        name = _attached_name(conn, who, file_id)
        visible = name is not None or _evidence(conn, who, file_id)
    if not visible:  # the same answer as not found; the audit log says what happened
        audit.record(engine, who, Action.read, target, "denied", "outside scope")
        raise missing
    found = StoredFile(id=file_id, name=name or str(row["name"]), media_type=str(row["media_type"]),
                       size=int(row["size"]), sha256=str(row["sha256"]), content=bytes(row["content"]))  # fmt: skip
    audit.exported(engine, who, target, f"{found.name[:200]} sha256={found.sha256}")
    return found
