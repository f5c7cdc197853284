"""`lrc exchange export|import` (the provincial credit platform) and `lrc site build` (the public site)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lrc.cli_common import (
    ActAs,
    DbUrl,
    ErrorsFile,
    JsonOrText,
    SheetName,
    TextOrJson,
    check_output,
    out,
    store_and_principal,
)

exchange_app = typer.Typer(help="与公共信用信息平台交换数据 (the credit-platform exchange)", no_args_is_help=True)
site_app = typer.Typer(help="公开网站 (the public disclosure site)", no_args_is_help=True)


@exchange_app.command("export")
def exchange_export(
    publication: Annotated[int, typer.Option("--publication", help="发布编号 (publication id)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="F.jsonl 或 F.csv")],
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """把一份发布导出为信用平台交换文件,每家企业一条,以统一社会信用代码为键 (schema: docs/exchange.md)."""
    from lrc.service.exchange import export_exchange

    check_output(output)
    engine, who = store_and_principal(db, as_)
    count = export_exchange(engine, who, publication, output)
    out.print(f"已导出发布 {publication} 的 {count} 家企业 → {output}")


@exchange_app.command("import")
def exchange_import(
    file: Annotated[Path, typer.Argument(help="信用平台的名单文件:.jsonl、.csv、.xlsx 或 .json")],
    errors: ErrorsFile = None,
    sheet: SheetName = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """导入信用平台的惩戒与名单数据,存为记录(附决定机关与文号);任何一行有错则整个文件不写入."""
    from lrc.cli_records import receive_file
    from lrc.service.exchange import import_feed

    receive_file(file, errors, fmt, db, as_, import_feed, sheet)


@site_app.command("build")
def site_build(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出目录")],
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """生成公开网站(静态,中文,可从 file:// 或任何静态主机打开):发布索引、排名、红榜、曝光台、企业页
    (含已举行听证的改进计划,不含内部说明)."""
    from lrc.service.plans import public_commitments
    from lrc.service.publication_views import amendments
    from lrc.service.publications import all_contents
    from lrc.site.build import build_site

    engine, who = store_and_principal(db, as_)
    contents = all_contents(engine, who)
    summary = build_site(contents, output, commitments=public_commitments(engine, who),
                         amendments=amendments(engine, who, contents))  # fmt: skip
    out.print(f"已生成公开网站 → {output}({summary})")
