"""Hearing dossiers (听证材料): one enterprise's, or a collective one for several, written as PDF or HTML.

Read permission within scope, as ``explain``: an enterprise outside the reader's scope is refused as not
found (the audit log records the denial); the file written is recorded as an export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from lrc.dossier.content import DossierContent, build_content
from lrc.errors import NotFoundError, NotScored, UsageError
from lrc.normalise import ascii_form
from lrc.periods import check_period, sort_periods
from lrc.service import audit
from lrc.service.access import Action, Principal
from lrc.store import repository as repo
from lrc.store import require_schema

__all__ = [
    "FORMATS",
    "collective_dossier",
    "dossier",
    "dossier_content",
    "hearing_dossier",
    "newest_period",
    "write_dossier",
]

FORMATS = (".pdf", ".html")


def newest_period(engine: Engine) -> str:
    """The newest scored period (run metadata: every role may read it)."""
    require_schema(engine)
    with engine.connect() as conn:
        periods = sort_periods(repo.scored_periods(conn))
    if not periods:
        raise NotScored()  # (its message names no command; the CLI adds one)
    return periods[-1]


def _format(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"输出文件 {output.name} 应为 .pdf 或 .html (dossier output must be .pdf or .html)")
    if not output.parent.is_dir():
        raise UsageError(f"输出目录 {output.parent} 不存在 (folder does not exist)")
    return suffix


def _usccs(usccs: Sequence[str]) -> list[str]:
    codes = list(dict.fromkeys(ascii_form(u).strip().upper() for u in usccs if u.strip()))
    if not codes:
        raise UsageError("请至少指定一家企业 (no enterprise given)")
    return codes


def dossier_content(
    engine: Engine,
    who: Principal,
    usccs: Sequence[str],
    period: str | None = None,
    *,
    hearing_id: int | None = None,
    title: str | None = None,
) -> DossierContent:
    """What the dossier of these enterprises' current results in ``period`` (default: the newest scored)
    holds; one enterprise gives an individual dossier, several a collective one."""
    audit.check(engine, who, Action.read, "dossier")
    chosen = check_period(period) if period else newest_period(engine)
    return build_content(engine, who, _usccs(usccs), chosen, hearing_id=hearing_id, title=title)


def write_dossier(content: DossierContent, output: Path) -> Path:
    """The dossier written to ``output`` (.pdf or .html)."""
    if _format(output) == ".pdf":
        from lrc.dossier.pdf import dossier_pdf

        data = dossier_pdf(content)
    else:
        from lrc.dossier.html import dossier_html

        data = dossier_html(content)
    output.write_bytes(data)
    return output


def _produce(
    engine: Engine,
    who: Principal,
    usccs: Sequence[str],
    period: str | None,
    output: Path,
    *,
    collective: bool,
    hearing_id: int | None = None,
    title: str | None = None,
) -> Path:
    _format(output)  # before any work
    content = dossier_content(engine, who, usccs, period, hearing_id=hearing_id, title=title)
    if collective and not content.collective:
        content = content.model_copy(update={"collective": True})
    what = "dossier:" + ",".join(e.uscc for e in content.enterprises)
    audit.exported(engine, who, what, f"{content.period} {output.name}")
    return write_dossier(content, output)


def dossier(engine: Engine, who: Principal, uscc: str, period: str | None, output: Path) -> Path:
    """One enterprise's dossier (its current result in ``period``, default the newest scored) written to
    ``output`` (.pdf or .html); the path written."""
    return _produce(engine, who, [uscc], period, output, collective=False)


def collective_dossier(
    engine: Engine,
    who: Principal,
    usccs: Sequence[str],
    period: str | None,
    output: Path,
    *,
    hearing_id: int | None = None,
) -> Path:
    """A collective dossier: a comparison table, then one section per enterprise; the path written."""
    return _produce(engine, who, usccs, period, output, collective=True, hearing_id=hearing_id)


def hearing_dossier(engine: Engine, who: Principal, hearing_id: int, period: str | None, output: Path) -> Path:
    """The dossier of a hearing's enterprises (those inside ``who``'s scope), titled with the hearing's own
    title and date: collective for a collective hearing, an individual one's for an individual hearing."""
    from lrc.service.hearings import get_hearing

    _format(output)
    hearing = get_hearing(engine, who, hearing_id)
    usccs = [e.uscc for e in hearing.enterprises]
    if not usccs:
        raise NotFoundError(f"听证 #{hearing_id} 没有你有权查看的企业 (hearing has no enterprise you may read)")
    kind = "集体听证" if hearing.kind == "collective" else "个别听证"
    title = f"{hearing.title}({hearing.date.isoformat()} {kind})听证材料"
    return _produce(
        engine, who, usccs, period, output, collective=hearing.kind == "collective", hearing_id=hearing_id, title=title
    )
