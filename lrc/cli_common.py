"""What every `lrc` command shares: the consoles, the common options, JSON-or-text output."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.text import Text

from lrc import render
from lrc.errors import InputValidationError, LrcError

out = render.console()
err = render.console(stderr=True)
log = logging.getLogger("lrc")

Period = Annotated[str, typer.Option("--period", "-p", help="期间,如 2026Q3 (period)")]
DbUrl = Annotated[
    str | None, typer.Option("--db", envvar="LRC_DATABASE_URL", help="数据库地址 (default sqlite:///lrc.db)")
]
Fmt = Annotated[
    str | None, typer.Option("--format", "-f", help="输出格式 table|csv|json|xlsx (默认按 --output 后缀,否则 table)")
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="写入文件 (write to FILE)")]


def text_or_json(fmt: str, data: Callable[[], Any], text: Callable[[], None]) -> None:
    """Plain JSON on stdout (no terminal markup), or the rich text view."""
    if fmt == "json":
        sys.stdout.write(json.dumps(data(), ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "text":
        text()
    else:
        raise LrcError(f"不支持的格式 {fmt!r},可选 text、json (unknown format)")


def engine_for(db: str | None):  # noqa: ANN202 - sqlalchemy Engine
    from lrc.store import make_engine

    return make_engine(db)


ErrorsFile = Annotated[
    Path | None, typer.Option("--errors", help="把错误清单写入 CSV/XLSX (write the problems to FILE)")
]


def refuse_with_report(exc: InputValidationError, report: Path | None) -> NoReturn:
    """A refused file: its problems on stderr, optionally as a table the user opens in Excel, then the
    refusal's exit code (a report that cannot be written is said, and does not change it)."""
    from lrc.ingest.report import write_problem_report

    render.problems(err, exc)
    if report is not None:
        try:
            write_problem_report(exc.problems, report)
        except LrcError as report_error:
            err.print(Text.assemble(("错误 (error):", "bold red"), f" {report_error}"))
        else:
            err.print(f"错误清单已写入 (problem report written): {report}")
    raise typer.Exit(exc.exit_code)
