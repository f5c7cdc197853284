"""`lrc dossier`: a hearing dossier (听证材料) as PDF or HTML, for one enterprise, a list of them, or a
hearing's enterprises."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lrc.cli_common import ActAs, DbUrl, check_output, out, store_and_principal
from lrc.errors import UsageError


def dossier(
    uscc: Annotated[str | None, typer.Argument(help="统一社会信用代码 (one enterprise)")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件 .pdf 或 .html (output file)")] = Path(
        "dossier.pdf"
    ),
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="期间,默认最新的已评分期间 (default: the newest scored)")
    ] = None,
    hearing: Annotated[
        int | None,
        typer.Option("--hearing", help="听证编号:为参加该听证的企业生成集体听证材料 (a hearing's enterprises)"),
    ] = None,
    enterprises: Annotated[
        str | None,
        typer.Option(
            "--enterprises", help="逗号分隔的多个信用代码:集体听证材料 (several enterprises, comma-separated)"
        ),
    ] = None,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """生成听证材料:企业概况、总分等级与排名、一级指标与行业对比、扣分与未得分条目、历期走势、记录、预警与改进计划
    (a hearing dossier as PDF or HTML; several enterprises: a comparison table and one section each).

    数字与 lrc explain 对同一结果给出的一致;用当前结果 (current results)。输出文件路径打印在最后一行。"""
    from lrc.service import dossiers

    chosen = [x for x in (uscc, hearing, enterprises) if x is not None]
    if len(chosen) != 1:
        raise UsageError(
            "请指定且只指定一个:信用代码、--hearing 或 --enterprises (give one of USCC, --hearing, --enterprises)"
        )
    check_output(output)
    engine, who = store_and_principal(db, as_)
    if hearing is not None:
        written = dossiers.hearing_dossier(engine, who, hearing, period, output)
    elif enterprises is not None:
        written = dossiers.collective_dossier(engine, who, enterprises.replace(",", ",").split(","), period, output)
    else:
        assert uscc is not None
        written = dossiers.dossier(engine, who, uscc, period, output)
    out.print(str(written), soft_wrap=True)
