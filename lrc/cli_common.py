"""What every `lrc` command shares: the consoles, the common options, JSON-or-text output."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.text import Text

from lrc import render
from lrc.errors import InputValidationError, LrcError, UsageError, shorten
from lrc.normalise import INVISIBLE, ascii_form

out = render.console()
err = render.console(stderr=True)
log = logging.getLogger("lrc")

Period = Annotated[str, typer.Option("--period", "-p", help="期间,如 2026Q3 (period)")]
DbUrl = Annotated[
    str | None, typer.Option("--db", envvar="LRC_DATABASE_URL", help="数据库地址 (default sqlite:///lrc.db)")
]
_errors_as_json = False  # the running command was given ``--format json``: an error is said as JSON too


def remember_format(value: Any) -> Any:
    """The callback of every ``--format`` option (run as the command line is read): a command asked for
    ``json`` says its error as JSON on stdout too (``say_error``). ``value`` is returned as given."""
    global _errors_as_json
    _errors_as_json = str(getattr(value, "value", value) or "").lower() == "json"
    return value


def forget_format() -> None:
    """Before a command line is read (the entry point may run more than once in a process)."""
    global _errors_as_json
    _errors_as_json = False


Fmt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        callback=remember_format,
        help="输出格式 table|csv|json|xlsx (默认按 --output 后缀,否则 table)",
    ),
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="写入文件 (write to FILE)")]


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


# checked by the command line before the command runs, so a bad value never follows a write
JsonOrText = Annotated[
    TextOrJson,
    typer.Option(
        "--format", "-f", case_sensitive=False, callback=remember_format, help="输出格式 text 或 json (output format)"
    ),
]


UNSEEN = re.compile(f"[\x7f-\x9f{INVISIBLE}]")  # what JSON leaves as is but a terminal acts on


def write_json(data: Any) -> None:
    """``data`` as JSON on stdout, readable Chinese; escaped (``\\u…``) where a terminal would act on a
    character (a direction override) and when stdout cannot take one (a file name's byte that is not UTF-8,
    a console's code page): the JSON is valid, and means the same, whatever it holds."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = UNSEEN.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=2, default=str)
    sys.stdout.write(text + "\n")


def text_or_json(fmt: TextOrJson | str, data: Callable[[], Any], text: Callable[[], None]) -> None:
    """Plain JSON on stdout (no terminal markup), or the rich text view."""
    value = fmt.value if isinstance(fmt, TextOrJson) else fmt
    if value == "json":
        write_json(data())
    elif value == "text":
        text()
    else:
        raise UsageError(f"不支持的格式 {fmt!r},可选 text、json (unknown format)")


def engine_for(db: str | None):  # noqa: ANN202 - sqlalchemy Engine
    from lrc.store import make_engine

    return make_engine(db)


ActAs = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="LRC_USER",
        help="以此用户身份执行;尚无用户时不需要 (act as this user, default $LRC_USER)",
    ),
]


def store_and_principal(db: str | None, name: str | None) -> tuple[Any, Any]:
    """The engine of ``--db`` and who acts on it: single-user mode while there is no account, else the
    named user (``lrc.service.accounts.acting``)."""
    from lrc.service.accounts import acting

    engine = engine_for(db)
    return engine, acting(engine, name, "cli")


ErrorsFile = Annotated[
    Path | None, typer.Option("--errors", help="把错误清单写入 CSV/XLSX (write the problems to FILE)")
]


SheetName = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="Excel 工作簿中要导入的工作表;不止一个工作表有数据时须指定 (the worksheet to read, for a workbook)",
    ),
]


def check_sheet(sheet: str | None, source: Path) -> None:
    """Before any work: ``--sheet`` names a worksheet, so it is for an .xlsx file only."""
    from lrc.ingest.readers import check_sheet_option

    check_sheet_option(source, sheet)


Edition = Annotated[
    str | None, typer.Option("--catalogue", help="指标体系版本,默认最新 (catalogue edition, default newest)")
]
REPORT_SUFFIXES = (".csv", ".xlsx")


def check_report_path(report: Path | None, source: Path | None = None) -> None:
    """Before any work: a problem report needs a .csv or .xlsx name in a folder that exists, and is not the
    file being read (``source``: the report would replace the user's data)."""
    if report is None:
        return
    if source is not None and report.resolve() == source.resolve():
        reason = "错误清单不能写入正在导入的文件本身 (the report would overwrite the input)"
        raise UsageError(f"--errors {report.name}:{reason}")
    if report.suffix.lower() not in REPORT_SUFFIXES:
        reason = "错误清单应为 .csv 或 .xlsx 文件 (problem report must be .csv or .xlsx)"
        raise UsageError(f"--errors {report.name}:{reason}")
    if not report.parent.is_dir():
        raise UsageError(f"--errors {report}:目录 {report.parent} 不存在 (folder does not exist)")
    check_output(report)


# the largest count an option takes (rows to show, enterprises to make): far above any province, and far
# below what a database's 64-bit integers or a day's work can hold (2**63 overflowed SQLite, 2**62 ran for hours)
MAX_COUNT = 100_000_000
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def check_output(output: Path) -> None:
    """Before any work: ``--output`` names a file (not a folder) in a folder that exists, and not an SQLite
    database: an export named like the store (``--output lrc.db``) replaced it, history and audit log and all."""
    if not output.parent.is_dir():
        raise UsageError(f"输出目录 {shorten(str(output.parent))} 不存在 (folder does not exist)")
    if output.is_dir():
        raise UsageError(f"{shorten(str(output))} 是文件夹,请给出文件名 (--output must name a file)")
    try:
        with output.open("rb") as existing:
            head = existing.read(len(SQLITE_HEADER))
    except OSError:  # none yet, or unreadable: the write says why it cannot
        return
    if head == SQLITE_HEADER:
        raise UsageError(
            f"{shorten(str(output))} 是一个 SQLite 数据库(可能是 lrc 的数据库),不会被覆盖,请换一个文件名"
            " (an SQLite database, perhaps the store: not overwritten)"
        )


def write_output(output: Path, content: bytes) -> None:
    """``content`` written to ``output`` (checked again: the folder may have gone meanwhile); a write the
    system refuses (permissions, a full disk) is said, not a traceback."""
    check_output(output)
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise UsageError(f"无法写入 {shorten(str(output))}:{exc.strerror} (cannot write the file)") from None


def error_json(exc: LrcError, exit_code: int | None = None) -> dict[str, Any]:
    """``exc`` as the CLI's JSON says it: its kind (``code``, ``title``), the same ``message`` as the text, the
    ``exit_code``, what it holds (``details``: a refused file's ``errors``…) and the CLI's ``hint`` (or null)."""
    said = {"code": exc.code, "title": exc.title, "message": str(exc)}
    code = exc.exit_code if exit_code is None else exit_code
    return {"error": {**said, "exit_code": code, **exc.details(), "hint": exc.cli_hint}}


def say_error(exc: LrcError) -> None:
    """The one way the CLI says an error: its message (a refused file's problems) on stderr, as always, and
    when the command was given ``--format json`` the same error as one JSON object on stdout."""
    if isinstance(exc, InputValidationError):
        render.problems(err, exc)
    else:
        hint = f";{exc.cli_hint}" if exc.cli_hint else ""  # the message names no command: the CLI's own hint
        err.print(Text.assemble(("错误 (error):", "bold red"), f" {exc}{hint}"))
    if _errors_as_json:
        write_json(error_json(exc))


def errors_as_json() -> bool:
    """Whether the running command was given ``--format json``."""
    return _errors_as_json


def refuse_with_report(exc: InputValidationError, report: Path | None) -> NoReturn:
    """A refused file: its problems on stderr (and as JSON with ``--format json``), optionally as a table the
    user opens in Excel, then the refusal's exit code (a report that cannot be written is said, and does not
    change it)."""
    from lrc.ingest.report import write_problem_report

    say_error(exc)
    if report is not None:
        try:
            write_problem_report(exc.problems, report)
        except LrcError as report_error:
            err.print(Text.assemble(("错误 (error):", "bold red"), f" {report_error}"))
        else:
            err.print(f"错误清单已写入 (problem report written): {report}")
    raise typer.Exit(exc.exit_code)


USAGE_WORDS = (  # the command-line framework's messages, with the Chinese in front
    (re.compile(r"^Missing option (.+)$"), r"缺少选项 \1 (missing option)"),
    (re.compile(r"^Missing argument (.+)$"), r"缺少参数 \1 (missing argument)"),
    (re.compile(r"^No such option: (.+)$"), r"没有选项 \1 (no such option)"),
    (re.compile(r"^No such command (.+?)\. Did you mean (.+)\?$"), r"没有命令 \1,是否要用 \2?(no such command)"),
    (re.compile(r"^No such command (.+)$"), r"没有命令 \1 (no such command)"),
    (re.compile(r"^Invalid value for (.+?): (.*)$"), r"\1 的值无效 (invalid value): \2"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), r"多余的参数 \1 (unexpected extra argument)"),
    (re.compile(r"^Got unexpected extra argument\(s\) \((.+)\)$"), r"多余的参数 \1 (unexpected extra argument)"),
    (re.compile(r"^Option (.+) requires an argument$"), r"选项 \1 需要一个值 (requires a value)"),
    (re.compile(r"^Option (.+) requires (\d+) arguments$"), r"选项 \1 需要 \2 个值 (requires values)"),
)
VALUE_WORDS = (  # why a value is invalid, as the framework says it
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), r"应不小于 \1 (at least \1)"),
    (re.compile(r"^Input should be less than or equal to (\S+)$"), r"应不大于 \1 (at most \1)"),
    (re.compile(r"^Input should be greater than (\S+)$"), r"应大于 \1 (more than \1)"),
    (re.compile(r"^Input should be less than (\S+)$"), r"应小于 \1 (less than \1)"),
    (re.compile(r"^Input should be a valid integer.*$"), "应为整数 (a whole number)"),
    (re.compile(r"^Input should be a valid number.*$"), "应为数字 (a number)"),
    (re.compile(r"^Input should be a valid date.*$"), "应为日期 YYYY-MM-DD (a date)"),
    (re.compile(r"^(.+) is not one of (.+)$"), r"\1 应为 \2 之一 (not one of the choices)"),
    (re.compile(r"^.+ is not a valid int(eger)?( range)?$"), "应为整数 (a whole number)"),
    (re.compile(r"^.+ is not a valid float( range)?$"), "应为数字 (a number)"),
    # the same bounds as Typer before 0.29 (click) says them
    (re.compile(r"^.+ is not in the range x>=(\S+)$"), r"应不小于 \1 (at least \1)"),
    (re.compile(r"^.+ is not in the range x<=(\S+)$"), r"应不大于 \1 (at most \1)"),
    (re.compile(r"^.+ is not in the range x>(\S+)$"), r"应大于 \1 (more than \1)"),
    (re.compile(r"^.+ is not in the range x<(\S+)$"), r"应小于 \1 (less than \1)"),
    (re.compile(r"^.+ is not in the range (\S+?)<=x<=(\S+)$"), r"应在 \1 到 \2 之间 (from \1 to \2)"),
    (re.compile(r"^(.+) is not in the range (.+)$"), r"\1 不在范围 \2 内 (out of range)"),
)
NUMERIC = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


def in_chinese(message: str) -> str:
    """A usage message of the framework, led by its Chinese meaning."""
    text = message.strip().rstrip(".")
    for pattern, words in USAGE_WORDS:
        if pattern.match(text):
            said = pattern.sub(words, text)
            head, colon, why = said.partition(" 的值无效 (invalid value): ")
            if colon:  # the reason too
                reason = why.strip().rstrip(".")
                for value_pattern, value_words in VALUE_WORDS:
                    if value_pattern.match(reason):
                        return f"{head} 的值无效:{value_pattern.sub(value_words, reason)}"
            return said
    return text


def numeric_form(argument: str) -> str:
    """A command-line argument that is a number in full-width digits (３, ２０２６) in its ASCII form, as
    numbers in files are read; any other argument (names, search text) is left as typed."""
    normal = ascii_form(argument)
    return normal if normal != argument and NUMERIC.match(normal) else argument
