"""CSR hearings (社会责任听证): a hearing of one enterprise (individual) or of several grouped by industry, size
or ownership (collective), its attached files (the enterprises' CSR reports, the minutes) and its outcome.

Analysts and above create and change hearings (``Action.hearing``), each change audited; everyone reads
within their scope. A hearing is visible when one of its enterprises is inside the reader's scope, and
may be changed only by someone whose scope holds all of them."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, computed_field
from sqlalchemy import Connection, Engine, insert, select, update

from lrc.errors import ConflictError, Hidden, NotFoundError, UsageError, shorten
from lrc.normalise import ascii_form, free_text
from lrc.periods import FIRST_DAY
from lrc.service.access import Action, Principal
from lrc.service.audit import Entry, check, deny, guarded, refusals
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.tables import Attachment, Enterprise, Hearing, HearingAttachment, HearingEnterprise, Submission
from lrc.times import china_iso, today_in_china

KINDS = ("individual", "collective")
KIND_ZH = {"individual": "个别听证", "collective": "集体听证"}
STATUS_ZH = {"planned": "待举行", "held": "已举行"}
ATTACHMENT_KINDS = ("csr_report", "minutes", "evidence")
ATTACHMENT_ZH = {"csr_report": "履行社会责任报告", "minutes": "听证记录", "evidence": "整改证明"}
MEDIA_TYPES = {  # what may be attached: PDF, Word and images
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
SIGNATURES = {  # how each kind of file begins (a .jpeg is a .jpg)
    b"%PDF-": ".pdf",
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": ".doc",  # an OLE compound file (then: holding a WordDocument stream)
    b"PK\x03\x04": ".docx",  # a zip (then: holding word/document.xml)
}
KIND_NAMES = {  # (Chinese, English) for messages
    ".pdf": ("PDF 文件", "PDF"), ".png": ("PNG 图片", "PNG"), ".jpg": ("JPEG 图片", "JPEG"),
    ".jpeg": ("JPEG 图片", "JPEG"), ".doc": ("Word 文档 .doc", "Word .doc"), ".docx": ("Word 文档 .docx", "Word .docx"),
}  # fmt: skip
MAX_BYTES = 20 * 1024 * 1024
TEXT_CHARS = 4000


class HearingEnterpriseOut(BaseModel):
    uscc: str
    name: str
    region_code: str


class AttachmentOut(BaseModel):
    id: int  # the stored file's id
    kind: str
    uscc: str | None
    name: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: Any
    stored_before: bool = False  # the same bytes were already stored (kept once)
    attached_before: bool = False  # this hearing had the same file, as the same kind and enterprise: a repeat

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_zh(self) -> str:
        return ATTACHMENT_ZH.get(self.kind, self.kind)


class HearingOut(BaseModel):
    id: int
    kind: str
    date: date
    title: str
    chair: str | None
    participants: str | None
    status: str
    opinions: str | None
    conclusions: str | None
    outcome_by: str | None
    outcome_at: Any
    created_by: str
    created_at: Any
    enterprises: list[HearingEnterpriseOut]
    attachments: list[AttachmentOut]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_zh(self) -> str:
        return KIND_ZH.get(self.kind, self.kind)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


@dataclass(frozen=True)
class Known:
    """An enterprise as its newest submission names it."""

    id: int
    uscc: str
    name: str
    region_code: str


def usccs_of(text: str | list[str]) -> list[str]:
    """USCCs from a comma-separated list (full-width commas and spaces too), upper-cased, in order, once each."""
    parts = text if isinstance(text, list) else ascii_form(text).replace(",", ",").replace("、", ",").split(",")
    seen: list[str] = []
    for part in parts:
        code = ascii_form(part).strip().upper()
        if code and code not in seen:
            seen.append(code)
    return seen


def known_enterprises(conn: Connection, usccs: list[str]) -> dict[str, Known]:
    """The enterprises of ``usccs`` that have a submission, by USCC, with the name and region of their newest
    (``repo.newest_submissions``)."""
    if not usccs:
        return {}
    ids = dict(conn.execute(select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(usccs))).all())
    if not ids:
        return {}
    newest = [s for _, s in repo.newest_submissions(conn, list(ids.values())).values()]
    rows = conn.execute(
        select(Submission.enterprise_id, Submission.name, Submission.region_code).where(Submission.id.in_(newest))
    ).all()
    by_id = {int(r[0]): (str(r[1]), str(r[2])) for r in rows}
    return {u: Known(int(i), u, *by_id[int(i)]) for u, i in ids.items() if int(i) in by_id}


def enterprises_in_scope(conn: Connection, who: Principal, usccs: list[str]) -> list[Known]:
    """Each named enterprise, known and inside ``who``'s scope, or the refusal naming the first that is not:
    outside the scope is answered as unknown (its existence is not told), and the audit log says so."""
    found = known_enterprises(conn, usccs)
    for code in usccs:
        known = found.get(code)
        if known is None and who.scope.everything:
            raise NotFoundError(f"企业 {shorten(code)} 不存在(尚无报送数据)(unknown enterprise)")
        if known is None or not who.scope.contains(known.region_code, known.uscc):  # answered alike
            scope = who.scope.label()
            missing = f"企业 {shorten(code)} 不存在,或不在你的范围 {scope} 内 (unknown or outside your scope)"
            raise NotFoundError(missing) if known is None else Hidden(missing)
    return [found[c] for c in usccs]


def _text(value: str | None, what: str, required: bool = False) -> str | None:
    return free_text(value, what, limit=TEXT_CHARS, required=required)


def add_hearing(
    engine: Engine,
    who: Principal,
    *,
    kind: str,
    held_on: date,
    title: str,
    enterprises: str | list[str],
    chair: str | None = None,
    participants: str | None = None,
) -> HearingOut:
    """A new hearing of the named enterprises (individual: exactly one)."""
    require_schema(engine)
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise UsageError(f"听证类型 {shorten(kind)} 应为 individual(个别)或 collective(集体)(unknown kind)")
    usccs = usccs_of(enterprises)
    if not usccs:
        raise UsageError("请用 --enterprises 列出参加听证的企业 (no enterprise named)")
    if kind == "individual" and len(usccs) != 1:
        raise UsageError(f"个别听证只能有一家企业,列出了 {len(usccs)} 家 (individual: one enterprise)")
    if kind == "collective" and len(usccs) < 2:
        reason = "集体听证至少要有两家企业(同一信用代码只算一家);一家企业请用 individual (collective: two or more)"
        raise UsageError(reason)
    latest = today_in_china() + timedelta(days=366)
    if not FIRST_DAY <= held_on <= latest:
        raise UsageError(f"听证日期 {held_on} 应在 {FIRST_DAY} 之后、一年之内(不晚于 {latest})(date out of range)")
    name = _text(title, "听证标题 (title)", required=True)
    with guarded(engine, who, Action.hearing, "hearing:new") as entry:
        chosen = _checked_enterprises(engine, who, usccs)
        with repo.writing(engine) as conn:
            return _store_hearing(conn, entry, kind, held_on, name, chosen, chair, participants)


def _checked_enterprises(engine: Engine, who: Principal, usccs: list[str]) -> list[Known]:
    with engine.connect() as conn:  # refusals are recorded in a transaction of their own: before writing
        return enterprises_in_scope(conn, who, usccs)


def _store_hearing(
    conn: Connection, entry: Entry, kind: str, held_on: date, name: str | None, chosen: list[Known],
    chair: str | None, participants: str | None,
) -> HearingOut:
    who = entry.who
    values = {"kind": kind, "held_on": held_on, "title": name, "chair": _text(chair, "主持人 (chair)"),
              "participants": _text(participants, "参加人员 (participants)"), "status": "planned",
              "created_by": who.name, "created_at": repo.now()}  # fmt: skip
    hearing_id = int(conn.execute(insert(Hearing).returning(Hearing.id), values).scalar_one())
    conn.execute(insert(HearingEnterprise), [
        {"hearing_id": hearing_id, "enterprise_id": k.id, "uscc": k.uscc, "region_code": k.region_code}
        for k in chosen
    ])  # fmt: skip
    entry.target = f"hearing:{hearing_id}"
    entry.detail = f"{kind} {held_on.isoformat()} {len(chosen)} 家: {','.join(k.uscc for k in chosen)[:300]}"
    entry.write(conn)
    return _hearing_out(conn, who, hearing_id)


def _members(conn: Connection, hearing_id: int) -> list[tuple[int, str, str]]:
    query = select(HearingEnterprise.enterprise_id, HearingEnterprise.uscc, HearingEnterprise.region_code)
    rows = conn.execute(query.where(HearingEnterprise.hearing_id == hearing_id).order_by(HearingEnterprise.uscc))
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def _visible(who: Principal, members: list[tuple[int, str, str]]) -> bool:
    return any(who.scope.contains(region, uscc) for _, uscc, region in members)


def _hearing_out(conn: Connection, who: Principal, hearing_id: int) -> HearingOut:
    row = conn.execute(select(Hearing.__table__).where(Hearing.id == hearing_id)).mappings().one()
    members = [m for m in _members(conn, hearing_id) if who.scope.contains(m[2], m[1])]
    names = known_enterprises(conn, [m[1] for m in members])
    listed = [HearingEnterpriseOut(uscc=u, name=names[u].name if u in names else "", region_code=r)
              for _, u, r in members]  # fmt: skip
    values = {k: v for k, v in dict(row).items() if k in HearingOut.model_fields}
    values["created_at"] = china_iso(values["created_at"])
    values["outcome_at"] = china_iso(values["outcome_at"])
    inside = {u for _, u, _ in members}  # an enterprise's own file (its CSR report) only within the scope
    attachments = [a for a in _attachments(conn, hearing_id) if a.uscc is None or a.uscc in inside]
    return HearingOut(date=row["held_on"], enterprises=listed, attachments=attachments, **values)


def _attachments(conn: Connection, hearing_id: int) -> list[AttachmentOut]:
    """Every file attached to the hearing (the caller keeps those its reader may see)."""
    table = HearingAttachment.__table__
    query = (
        select(table.c.kind, table.c.uscc, table.c.name, table.c.added_by, table.c.added_at, Attachment.id,
               Attachment.media_type, Attachment.size, Attachment.sha256)  # fmt: skip
        .join(Attachment, Attachment.id == table.c.attachment_id)
        .where(table.c.hearing_id == hearing_id)
        .order_by(table.c.id)
    )
    return [
        AttachmentOut(**{**dict(r), "added_at": china_iso(r["added_at"])})
        for r in conn.execute(query).mappings()
    ]


Members = list[tuple[int, str, str]]  # (enterprise id, USCC, region code)


def members_of(engine: Engine, conn: Connection, who: Principal, hearing_id: int, change: bool) -> Members:
    """The hearing's enterprises, when ``who`` may see (``change``: change) the hearing; else not found or denied."""
    missing = NotFoundError(f"听证 {hearing_id} 不存在,或你无权查看 (no such hearing, or not permitted)")
    if not repo.row_exists(conn, Hearing.id, hearing_id):
        raise missing
    members = _members(conn, hearing_id)
    if not _visible(who, members):
        raise Hidden(str(missing))
    if change and not all(who.scope.contains(region, uscc) for _, uscc, region in members):
        deny(engine, who, Action.hearing, f"hearing:{hearing_id}",
             f"无权操作:听证 {hearing_id} 有企业不在你的范围 {who.scope.label()} 内 (outside your scope)")  # fmt: skip
    return members


def _changeable(engine: Engine, who: Principal, hearing_id: int) -> list[tuple[int, str, str]]:
    """The enterprises of a hearing ``who`` may change (read before the write: a refusal is recorded on its own)."""
    with engine.connect() as conn:
        return members_of(engine, conn, who, hearing_id, change=True)


def get_hearing(engine: Engine, who: Principal, hearing_id: int) -> HearingOut:
    """One hearing, with its enterprises inside ``who``'s scope and its attachments (not their bytes)."""
    require_schema(engine)
    check(engine, who, Action.read, f"hearing:{hearing_id}")
    with refusals(engine, who, Action.read, f"hearing:{hearing_id}"), engine.connect() as conn:
        members_of(engine, conn, who, hearing_id, change=False)
        return _hearing_out(conn, who, hearing_id)


def list_hearings(engine: Engine, who: Principal) -> list[HearingOut]:
    """Every hearing ``who`` may see, newest date first."""
    require_schema(engine)
    check(engine, who, Action.read, "hearings")
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Hearing.id).order_by(Hearing.held_on.desc(), Hearing.id.desc())))
        return [_hearing_out(conn, who, i) for i in ids if _visible(who, _members(conn, i))]


def read_attachment_file(path: Path) -> tuple[bytes, str]:
    """A file's bytes and media type, if it is a PDF, Word document or image of at most ``MAX_BYTES``, under a
    name that shows as what it is (no direction characters: ``evil\u202efdp.exe.pdf`` reads as ``…exe``), whose
    content is what its name says (``content_kind``). Every file attached or given as evidence (hearings, plan
    actions, objections, repairs; the dashboard's uploads too) is read here."""
    name = str(free_text(Path(path).name, f"文件名 {shorten(Path(path).name)}", limit=255, one_line=True))
    media = MEDIA_TYPES.get(Path(path).suffix.lower())
    if media is None:
        allowed = "、".join(MEDIA_TYPES)
        raise UsageError(f"文件 {shorten(name)} 的类型不可上传,只接受 {allowed} (PDF, Word, PNG/JPG only)")
    if not Path(path).is_file():
        raise NotFoundError(f"文件 {shorten(name)} 不存在 (no such file)")
    size = Path(path).stat().st_size
    if size > MAX_BYTES:
        raise UsageError(f"文件 {shorten(name)} 大小 {size / 1024 / 1024:.1f} MB,超过上限 20 MB (file too large)")
    if size == 0:
        raise UsageError(f"文件 {shorten(name)} 是空文件 (empty file)")
    content = Path(path).read_bytes()
    _check_content(name, Path(path).suffix.lower(), content)
    return content, media


def _check_content(name: str, suffix: str, content: bytes) -> None:
    """Refuse a file whose content is not what its name says (a text named .pdf, a web page named .png: it
    would be stored and served as the type it claims)."""
    claimed = ".jpg" if suffix == ".jpeg" else suffix
    if content_kind(content) == claimed:
        return
    zh, en = looks_like(content)
    raise UsageError(
        f"文件 {shorten(name)} 的内容不是 {KIND_NAMES[claimed][0]},看起来是 {zh};只接受内容与扩展名相符的"
        f" PDF、Word .doc/.docx、PNG/JPG 文件 (content is not {KIND_NAMES[claimed][1]}: looks like {en})"
    )


def content_kind(content: bytes) -> str | None:
    """The kind of file (a suffix: .pdf .png .jpg .doc .docx) the content is by its first bytes, or None: a
    Word .docx is a zip holding ``word/document.xml``, a .doc an OLE compound file holding a WordDocument
    stream (other zips and OLE files, an Excel workbook, are not Word documents)."""
    kind = next((k for head, k in SIGNATURES.items() if content.startswith(head)), None)
    if kind == ".docx" and "word/document.xml" not in _zip_names(content):
        return None
    if kind == ".doc" and "WordDocument".encode("utf-16-le") not in content:
        return None
    return kind


def _zip_names(content: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def looks_like(content: bytes) -> tuple[str, str]:
    """What the content looks like, in Chinese and English, for a refusal."""
    kind = content_kind(content)
    if kind is not None:
        return KIND_NAMES[kind]
    head = content[:1024].lstrip().lower()
    for starts, said in (
        (b"pk\x03\x04", ("ZIP 压缩包(不是 Word 文档)", "a zip, not a Word document")),
        (b"\xd0\xcf\x11\xe0", ("其他 Office 文件(不是 Word 文档)", "an Office file, not a Word document")),
        (b"gif8", ("GIF 图片", "GIF")),
        (b"mz", ("Windows 程序", "a Windows program")),
        (b"\x7felf", ("程序", "a program")),
    ):
        if head.startswith(starts):
            return said
    if any(tag in head for tag in (b"<html", b"<!doctype html", b"<script", b"<svg", b"<?xml")):
        return ("网页或 XML(HTML/SVG)", "HTML or XML")
    return ("纯文本", "text") if _is_text(content[:4096]) else ("其他格式", "something else")


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # (the last character may be cut at the end of the head)
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def store_file(conn: Connection, who: Principal, name: str, content: bytes, media: str) -> tuple[int, str, bool]:
    """The stored file's id and SHA-256, storing it unless the same bytes are stored already (then True)."""
    digest = hashlib.sha256(content).hexdigest()
    found = conn.scalar(select(Attachment.id).where(Attachment.sha256 == digest))
    if found is not None:
        return int(found), digest, True
    values = {"sha256": digest, "name": name[:255], "media_type": media, "size": len(content), "content": content,
              "stored_by": who.name, "stored_at": repo.now()}  # fmt: skip
    return int(conn.execute(insert(Attachment).returning(Attachment.id), values).scalar_one()), digest, False


def attach(
    engine: Engine, who: Principal, hearing_id: int, path: Path, kind: str, uscc: str | None = None
) -> AttachmentOut:
    """Attach a file to a hearing: an enterprise's CSR report (``uscc`` required for a collective hearing)
    or the minutes. The bytes are stored once, however often the same file is attached; the same file attached
    again as the same kind (and enterprise) adds nothing and answers the first attachment (``attached_before``)."""
    require_schema(engine)
    kind = kind.strip().lower()
    if kind not in ("csr_report", "minutes"):
        raise UsageError(f"附件类型 {shorten(kind)} 应为 csr_report(社会责任报告)或 minutes(听证记录)(unknown kind)")
    content, media = read_attachment_file(path)
    name = Path(path).name
    with guarded(engine, who, Action.hearing, f"hearing:{hearing_id}") as entry:
        members = _changeable(engine, who, hearing_id)
        code = usccs_of(uscc)[0] if uscc and usccs_of(uscc) else None
        if kind == "csr_report" and code is None and len(members) == 1:
            code = members[0][1]
        if kind == "csr_report" and code is None:
            raise UsageError("集体听证的社会责任报告须用 --uscc 指明企业 (--uscc required)")
        if code is not None and code not in {m[1] for m in members}:
            raise UsageError(f"企业 {shorten(code)} 不是听证 {hearing_id} 的企业 (not heard at this hearing)")
        at = repo.now()
        with repo.writing(engine) as conn:
            file_id, digest, before = store_file(conn, who, name, content, media)
            table = HearingAttachment.__table__
            first = conn.execute(
                select(table.c.name, table.c.added_by, table.c.added_at).where(
                    table.c.hearing_id == hearing_id, table.c.attachment_id == file_id, table.c.kind == kind,
                    table.c.uscc.is_(None) if code is None else table.c.uscc == code,
                ).order_by(table.c.id).limit(1)
            ).first()
            if first is None:
                conn.execute(insert(HearingAttachment), {"hearing_id": hearing_id, "attachment_id": file_id,
                                                         "kind": kind, "uscc": code, "name": name[:255],
                                                         "added_by": who.name, "added_at": at})  # fmt: skip
            entry.detail = (
                f"{kind} {name[:100]} sha256={digest} {'已存' if before else '新存'}"
                f"{',已附过,未重复附上' if first is not None else ''}"
            )
            entry.write(conn)
    if first is not None:  # a repeat: the attachment as it was first made, listed once (it was listed twice)
        return AttachmentOut(id=file_id, kind=kind, uscc=code, name=first.name, media_type=media, size=len(content),
                             sha256=digest, added_by=first.added_by, added_at=china_iso(first.added_at),
                             stored_before=True, attached_before=True)  # fmt: skip
    return AttachmentOut(id=file_id, kind=kind, uscc=code, name=name, media_type=media, size=len(content),
                         sha256=digest, added_by=who.name, added_at=china_iso(at),
                         stored_before=before)  # fmt: skip


def record_outcome(engine: Engine, who: Principal, hearing_id: int, opinions: str, conclusions: str) -> HearingOut:
    """The hearing's outcome: the participants' opinions and the conclusions; the hearing is then held. It is
    recorded once, as a decision on an objection or a repair is: a second one is refused, not written over the
    first (which the public site may already show); a correction or an addendum is attached as minutes, which
    are kept beside it."""
    require_schema(engine)
    said = _text(opinions, "参会人员意见 (opinions)", required=True)
    concluded = _text(conclusions, "听证结论 (conclusions)", required=True)
    with guarded(engine, who, Action.hearing, f"hearing:{hearing_id}") as entry:
        _changeable(engine, who, hearing_id)
        with repo.writing(engine) as conn:
            _outcome_open(conn, hearing_id)
            return _store_outcome(conn, entry, hearing_id, said, concluded)


def _outcome_open(conn: Connection, hearing_id: int) -> None:
    """Refuse an outcome for a hearing still to come, or one whose outcome is recorded (the row is locked until
    the transaction ends: an outcome recorded at the same moment is seen, not overwritten)."""
    query = select(Hearing.held_on, Hearing.status, Hearing.outcome_by, Hearing.outcome_at)
    row = conn.execute(query.where(Hearing.id == hearing_id).with_for_update()).mappings().one()
    if row["held_on"] > today_in_china():
        raise UsageError(f"听证定于 {row['held_on']} 举行,尚未举行,不能登记结果 (the hearing has not taken place)")
    if row["status"] == "held":
        raise ConflictError(
            f"听证 {hearing_id} 的结果已由 {row['outcome_by']} 于 {china_iso(row['outcome_at'])} 记录,不能再次记录;"
            "更正或补充请作为听证记录(minutes)附上 (the outcome is recorded already: attach a correction as minutes)"
        )


def _store_outcome(
    conn: Connection, entry: Entry, hearing_id: int, said: str | None, concluded: str | None
) -> HearingOut:
    who = entry.who
    values = {"opinions": said, "conclusions": concluded, "status": "held", "outcome_by": who.name,
              "outcome_at": repo.now()}  # fmt: skip
    conn.execute(update(Hearing).where(Hearing.id == hearing_id).values(**values))
    entry.detail = f"outcome: {(concluded or '')[:200]}"
    entry.write(conn)
    return _hearing_out(conn, who, hearing_id)

