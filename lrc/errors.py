"""The errors users see. Each is turned into one message at the front door
(the CLI prints it and exits non-zero, or with ``--format json`` prints it as JSON too; the dashboard shows
``st.error``; the API answers a problem detail).

Each class says once, for every door, what kind of error it is: ``exit_code`` (CLI), ``status`` (HTTP), a
stable ``code`` and a Chinese ``title``; each error gives what it holds besides its message as data
(``details``). The codes are a published contract (the API's, the CLI's JSON): never rename one.

A message is worded for every door: it names no command. What to run at the command line is the error's
``cli_hint``, which the CLI alone adds."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lrc.normalise import CONTROL


class LrcError(Exception):
    """Base of every error that is the user's to fix, not a bug. An error of no named kind below is answered
    as a request that cannot be used (as the API always answered it)."""

    exit_code = 1
    status = 422
    code = "invalid_request"
    title = "请求参数无效"

    def __init__(self, *args: object, cli_hint: str | None = None) -> None:
        super().__init__(*args)
        self.cli_hint = cli_hint  # what to run at the command line (``lrc score …``): only the CLI says it

    def details(self) -> dict[str, Any]:
        """What the error holds besides its message, as JSON-ready data (each door renders it its own way)."""
        return {}


class UsageError(LrcError):
    """A command given a value it cannot use (a format, a file suffix, a date): nothing was done."""

    exit_code = 2
    status = 422
    code = "invalid_request"
    title = "请求参数无效"


class CatalogueError(LrcError):
    """The indicator catalogue is not valid."""

    exit_code = 3
    status = 500
    code = "catalogue_error"
    title = "指标体系有误"


ECHO_CHARS = 60
COLUMN_CHARS = 120  # a column is named whole: the longest of lrc's own, 中文名 (english_name), is 64 characters


def visible(text: str) -> str:
    """``text`` with its control and invisible characters written out (``\\u202e``): an echoed value can
    neither break a line nor turn the text around it (a direction override reverses what follows)."""
    return CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def shorten(text: str | None, limit: int = ECHO_CHARS) -> str | None:
    """``text`` cut to ``limit`` characters for echoing, saying how long it was, its invisible characters
    written out (``visible``)."""
    if text is None:
        return text
    if len(text) <= limit:
        return visible(text)
    return f"{visible(text[:limit])}…(共 {len(text):,} 个字符 / {len(text):,} chars)"


@dataclass(frozen=True)
class RowProblem:
    """One bad cell (or row) in an input file. ``row`` counts as the user sees it:
    line number in a CSV (header is line 1), row number in Excel, index+1 in JSON."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    record: bool = False  # JSON: ``row`` counts records, not lines

    def __post_init__(self) -> None:
        # a hostile cell or header may be megabytes long: messages and reports echo only its start (of a column,
        # enough for every name lrc gives one)
        object.__setattr__(self, "value", shorten(self.value))
        object.__setattr__(self, "column", shorten(self.column, COLUMN_CHARS))

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None and self.record:
            where.append(f"第 {self.row} 条记录 (record {self.row})")
        elif self.row is not None:
            where.append(f"第 {self.row} 行 (row {self.row})")
        if self.column:
            where.append(f"列 {self.column} (column)")
        # quoted as it is, not repr'd: its invisible characters are written out once (\u0007), not twice (\\u0007)
        shown = f" 值 '{self.value}'" if self.value not in (None, "") else ""
        return f"{', '.join(where)}:{self.reason}{shown}"

    def as_dict(self) -> dict[str, Any]:
        """``file``, ``row``, ``column``, ``value`` (cut for echoing), ``reason``, ``record``."""
        return asdict(self)


class InputValidationError(LrcError):
    """An input file has bad rows; nothing from it was stored."""

    exit_code = 4
    status = 422
    code = "invalid_input"
    title = "数据未通过校验"

    def __init__(self, problems: list[RowProblem], file: str) -> None:
        self.problems = problems
        self.file = file
        super().__init__(
            f"{file} 有 {len(problems)} 处错误,未写入任何数据 ({len(problems)} problems, nothing stored)"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # rebuilt from its problems (a file read in a second process)
        return type(self), (self.problems, self.file), self.__dict__

    def details(self) -> dict[str, Any]:
        return {"file": self.file, "errors": [problem.as_dict() for problem in self.problems]}


class NotFoundError(LrcError):
    """A period, run, enterprise or version that does not exist."""

    exit_code = 5
    status = 404
    code = "not_found"
    title = "未找到或无权查看"


class NotScored(NotFoundError):
    """A period with no period run yet (or, ``period`` None, no scored period at all): there is no result to
    read. A submission's score until then is provisional: answered, not stored."""

    def __init__(self, period: str | None = None) -> None:
        if period is None:
            message, hint = "还没有任何评分结果:尚无整期评分过的期间 (no period scored yet)", "lrc score --period P"
        else:
            message = (
                f"期间 {period} 尚未整期评分,还没有评分结果;此前报送所得的分数是暂定的,不作为结果保存"
                f" (period {period} not scored yet: no result)"
            )
            hint = f"lrc score --period {period}"
        super().__init__(message, cli_hint=f"整期评分由全省范围的用户运行 `{hint}`")
        self.period = period

    def details(self) -> dict[str, Any]:
        return {"period": self.period}


class Hidden(NotFoundError):
    """Something that exists outside the principal's scope: answered exactly as if it did not exist (its
    existence is not told), and recorded in the audit log as a refusal (``denied``), not as an error."""


class ConflictError(LrcError):
    """The request contradicts what is stored (e.g. an immutable run)."""

    exit_code = 6
    status = 409
    code = "conflict"
    title = "与已存储的数据冲突"


class StoreError(LrcError):
    """The database cannot be reached or is not initialised."""

    exit_code = 7
    status = 503
    code = "store_unavailable"
    title = "数据库暂时不可用"


class PermissionDenied(LrcError):
    """The acting user may not do this (role, scope, an unknown or disabled account, a bad password).
    Recorded in the audit log before it is raised."""

    exit_code = 9
    status = 403
    code = "forbidden"
    title = "无权操作"


# a bug, not the user's to fix: no class, but a code and title like theirs (the API's 500, the CLI's exit 70)
INTERNAL_CODE, INTERNAL_TITLE = "internal_error", "内部错误"
