"""`lrc publish`, `lrc publications`, `lrc publication show|export`: freezing rankings as numbered, hashed
publications, listing them, and handing them out as official notices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lrc import render
from lrc.cli_common import (
    ActAs,
    DbUrl,
    JsonOrText,
    Period,
    TextOrJson,
    check_output,
    err,
    out,
    store_and_principal,
    text_or_json,
)

if TYPE_CHECKING:
    from lrc.service.publications import PublicationCheck, PublicationOut

publication_app = typer.Typer(help="查看、导出已发布的排名 (show or export a publication)", no_args_is_help=True)
PublicationId = Annotated[int, typer.Argument(help="发布编号 (publication id)")]


def publish(
    period: Period,
    scope: Annotated[
        str, typer.Option("--scope", help="province(全省)、city:210200(某市)或 industry:C(某行业门类)")
    ] = "province",
    title: Annotated[str | None, typer.Option("--title", help="公告标题,默认按期间和范围生成")] = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """发布:把该期间、该范围的当前排名冻结为一份编号并附 SHA-256 的公告 (publishers and admins).

    发布后永不修改或删除;再次发布同一期间和范围是新的版本,并注明替代哪一份。最后一行是发布编号;
    --format json 输出 {id, hash, period, scope, entries, replaces}。"""
    from lrc.service.publications import publish as publish_ranking

    engine, who = store_and_principal(db, as_)
    made = publish_ranking(engine, who, period, scope=scope, title=title)
    text_or_json(
        fmt,
        lambda: {"id": made.id, "hash": made.hash, "period": made.period, "scope": made.scope,
                 "entries": made.entries, "replaces": made.replaces},  # fmt: skip
        lambda: _published(made),
    )


def _published(made: PublicationOut) -> None:
    replaces = f",替代发布 {made.replaces}" if made.replaces else ""
    out.print(f"已发布 {made.number}「{made.title}」:{made.entries} 家企业{replaces}")
    out.print(f"SHA-256 {made.hash}")
    out.print(str(made.id))


def publications(fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """列出所有发布,最新的在前;被新版本替代的注明 (every publication, newest first)."""
    from lrc.service.publications import list_publications

    engine, who = store_and_principal(db, as_)
    listed = list_publications(engine, who)

    def table() -> None:
        if not listed:
            out.print("还没有任何发布,用 `lrc publish --period P` 发布 (no publications)")
            return
        columns = ("编号", "文号", "期间", "范围", "企业数", "评分批次", "发布人", "状态", "SHA-256")
        render.table(out, f"发布 (publications): {len(listed)} 份", columns, [
            (str(p.id), p.number, p.period, p.scope_zh, str(p.entries), _runs(p), p.publisher,
             f"已被 {p.replaced_by} 替代" if p.replaced_by else "有效", p.hash[:16])
            for p in listed
        ])  # fmt: skip

    text_or_json(fmt, lambda: [p.model_dump(mode="json") for p in listed], table)


def _runs(p: PublicationOut) -> str:
    """The runs whose results a publication lists: 4, or 4–7."""
    return str(p.run_id) if p.through_run_id == p.run_id else f"{p.run_id}–{p.through_run_id}"


@publication_app.command("show")
def show(publication_id: PublicationId, fmt: JsonOrText = TextOrJson.text, db: DbUrl = None, as_: ActAs = None) -> None:
    """显示一份发布:文号、范围、哈希,以及冻结的排名、红榜和曝光台 (a publication as published)."""
    from lrc.service.publications import get_publication
    from lrc.service.run_info import runs_zh

    engine, who = store_and_principal(db, as_)
    meta, content = get_publication(engine, who, publication_id)

    def text() -> None:
        out.print(f"{meta.number}「{content.title}」 {content.issuer} {content.published_at[:10]}")
        later = f";已被发布 {meta.replaced_by} 替代" if meta.replaced_by else ""
        runs = runs_zh(meta.run_id, meta.through_run_id)
        out.print(f"期间 {meta.period},范围 {meta.scope_zh},{meta.entries} 家企业,{runs}{later};SHA-256 {meta.hash}")
        render.table(out, "排名 (ranking)", ("名次", "企业名称", "统一社会信用代码", "所在市", "总分", "等级"),
                     [(str(e.rank), e.name, e.uscc, e.city, f"{e.total:.1f}", e.grade) for e in content.entries[:50]])
        if len(content.entries) > 50:
            out.print(f"另有 {len(content.entries) - 50} 家未列出,用 --format json 或 lrc publication export")
        out.print(f"红榜 {len(content.honour)} 家;曝光台 {len(content.exposure)} 家")

    text_or_json(fmt, lambda: {**meta.model_dump(mode="json"), "content": content.model_dump(mode="json")}, text)


def verify_publication_command(publication_id: int, db: str | None, as_: str | None) -> None:
    """`lrc verify --publication ID`: exit 8 and name the first USCC that differs when it does not hold."""
    from lrc.service.publications import verify_publication

    engine, who = store_and_principal(db, as_)
    check = verify_publication(engine, who, publication_id)
    _checked(check)
    if not check.verified:
        raise typer.Exit(8)


def _checked(check: PublicationCheck) -> None:
    hashed = "一致" if check.hash_matches else "不一致:存档内容已被改动"
    out.print(f"发布 {check.id}({check.number}):{check.entries} 家企业;内容哈希 {hashed}")
    if check.mismatched:
        out.print(
            f"{len(check.mismatched)} 家企业的分数、等级或名次无法由存档数据复现,第一家:{check.mismatched[0]} "
            f"(first that differs)"
        )
    elif check.hash_matches:
        out.print("每家企业的分数、等级和名次均由存档数据复现 (verified)")


@publication_app.command("export")
def export(
    publication_id: PublicationId,
    output: Annotated[Path, typer.Option("--output", "-o", help="F.xlsx、F.csv、F.pdf 或 F.html")],
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """按正式公告的格式导出一份发布 (an official notice: XLSX, CSV, PDF or HTML)."""
    from lrc.publication.notice import export_notice
    from lrc.service.publications import get_publication

    check_output(output)
    engine, who = store_and_principal(db, as_)
    meta, content = get_publication(engine, who, publication_id)
    if output.suffix.lower() == ".pdf":  # a PDF is laid out whole: 10,000 rows take half a minute
        with err.status(f"正在排版 PDF 公告({len(content.entries):,} 家企业)(laying out the PDF)…"):
            export_notice(content, output, meta.id, meta.hash)
    else:
        export_notice(content, output, meta.id, meta.hash)
    out.print(f"已导出 {meta.number} → {output}")


def show_published(period: str, top: int | None, fmt: str | None, db: str | None, as_: str | None) -> None:
    """`lrc rank --published`: the newest province-wide publication of ``period`` as published, inside your
    scope, each entry marked when its current result differs."""
    from lrc.errors import NotFoundError
    from lrc.export import to_records
    from lrc.periods import check_period
    from lrc.service.publication_views import as_published, publication_keys
    from lrc.service.publications import newest_publication_id

    engine, who = store_and_principal(db, as_)
    found = newest_publication_id(engine, who, check_period(period))
    if found is None:
        raise NotFoundError(f"期间 {period} 还没有全省发布,当前结果见 `lrc rank --period {period}` (nothing published)")
    meta, frame = as_published(engine, who, found)
    frame = frame if top is None else frame.head(top)
    columns = ["rank", "uscc", "name", "city", "industry_name", "total", "grade", "current_total", "current_grade",
               "changed"]  # fmt: skip

    def table() -> None:
        out.print(f"正在查看:已发布版本 {meta.number}(发布编号 {meta.id},{meta.published_at:%Y-%m-%d})"
                  f";SHA-256 {meta.hash[:16]}…")  # fmt: skip
        columns = ("名次", "企业名称", "统一社会信用代码", "所在市", "总分", "等级", "发布后变化")
        render.table(out, None, columns, [
            (str(r.rank), r.name, r.uscc, r.city, f"{r.total:.1f}", r.grade,
             f"现为 {r.current_total} {r.current_grade}" if r.changed else "")
            for r in frame.itertuples(index=False)
        ])  # fmt: skip

    keys = publication_keys(meta)  # which publication each entry comes from (a JSON array has no header)
    text_or_json(fmt or "text", lambda: [{**row, **keys} for row in to_records(frame[columns])], table)
