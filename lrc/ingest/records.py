"""Check records (dated, sourced decisions about one enterprise) cell by cell, from a file or from
the command line, against the catalogue's record types. Every problem names its row and column;
the records exist only when there are none.

Whether the enterprise is known and whether a record was delivered before are questions for the
store (lrc.service.records); everything else is decided here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators import Catalogue
from indicators.record_types import TIER_ZH, RecordType
from lrc.errors import InputValidationError, RowProblem
from lrc.ingest.readers import RawTable, json_table, title_above_header
from lrc.normalise import CONTROL, CONTROL_REASON, ascii_form, authority_name, document_number
from lrc.times import today_in_china
from lrc.uscc import is_format_valid

RECORD_HEADERS: dict[str, str] = {  # column → Chinese header
    "uscc": "统一社会信用代码",
    "type": "记录类型",
    "date": "决定日期",
    "source": "决定机关",
    "ref": "文书编号",
    "severity": "严重程度",
    "workers": "涉及人数",
    "amount": "涉及金额",
    "note": "备注",
}
EXTRA_RECORD_HEADERS = {
    "来源": "source", "发文机关": "source", "文号": "ref", "日期": "date", "严重等级": "severity", "类型": "type",
    "涉及金额(元)": "amount", "金额": "amount", "金额(元)": "amount", "人数": "workers", "涉及职工人数": "workers",
}  # fmt: skip
REQUIRED = ("uscc", "type", "date", "source", "ref")
TEXT_LIMITS = {"source": 100, "ref": 100, "note": 1000}
TIERS_BY_WORD = {**{v: k for k, v in TIER_ZH.items()}, **{k: k for k in TIER_ZH}}
EARLIEST = date(1990, 1, 1)
_DATE = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$")


@dataclass(frozen=True)
class RecordRow:
    """One checked record, ready to store."""

    row: int
    uscc: str
    type: str
    tier: str
    decision_date: date
    source: str
    ref: str
    workers: int | None
    amount: float | None
    note: str | None


def record_types_by_name(catalogue: Catalogue) -> dict[str, RecordType]:
    """A record type by its code (any case) or its Chinese name."""
    lookup = {t.code.lower(): t for t in catalogue.record_types}
    lookup.update({t.name_zh: t for t in catalogue.record_types})
    return lookup


def header_names() -> dict[str, str]:
    lookup = {name: name for name in RECORD_HEADERS}
    lookup.update({zh: name for name, zh in RECORD_HEADERS.items()})
    lookup.update(EXTRA_RECORD_HEADERS)
    return lookup


_MIDNIGHT = re.compile(r"^(.+?)[ T]0{1,2}:00(:00(\.0+)?)?$")  # a date exported from Excel with its time


def parse_date(text: str) -> date | None:
    """2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日 (a time of 00:00 after it, as Excel exports dates, is
    dropped); None if it is not written as a date."""
    match = _DATE.match(_date_part(text))
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def impossible_date(text: str) -> bool:
    """Written as a date, but no such day (2026-02-30)."""
    return _DATE.match(_date_part(text)) is not None and parse_date(text) is None


def _date_part(text: str) -> str:
    """``text`` without the 00:00 time Excel writes after a date."""
    return _MIDNIGHT.sub(r"\1", text.strip())


class _RecordChecker:
    def __init__(self, table: RawTable, catalogue: Catalogue, today: date) -> None:
        self.table, self.catalogue, self.today = table, catalogue, today
        self.types = record_types_by_name(catalogue)
        self.problems: list[RowProblem] = list(table.problems)
        self.said = {(p.row, p.column) for p in table.problems}  # the reader's (a formula without a value)
        self.found: dict[str, int] = {}
        self.columns: dict[str, list[str]] = {}
        self.codes: list[tuple[int, str, str]] = []  # (row, USCC, cell) of each well-formed USCC
        lookup = header_names()
        title = title_above_header(table, lambda h: (lookup.get(ascii_form(h).lower()) or lookup.get(h)) is not None)
        self.titled = title is not None
        if title is not None:  # nothing else to say until the title is gone
            self.problems = [title]
            return
        for pos, header in enumerate(table.headers):
            name = lookup.get(ascii_form(header).lower()) or lookup.get(header.strip())  # （元） is (元)
            if name is None and header:
                self.add(table.header_row, header, header, "未知的列名 (unknown column)")
            elif name is not None and name in self.found:
                twin = table.headers[self.found[name]]
                self.add(table.header_row, header, header, f"与列 {twin} 重复 (duplicate column)")
            elif name is not None:
                self.found[name] = pos
        for name in REQUIRED:
            if name not in self.found:
                column = f"{RECORD_HEADERS[name]} ({name})"
                self.add(table.header_row, column, None, "缺少必填列 (required column missing)")

    def add(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        if row is not None and (row, column) in self.said:  # the cell's problem is said already, once is enough
            return
        self.problems.append(RowProblem(self.table.file, row, column, value, reason, record=self.table.is_json))

    def cell(self, k: int, name: str) -> str:
        if name not in self.found:
            return ""
        if name not in self.columns:  # each column as a list once: a file has tens of thousands of rows
            self.columns[name] = self.table.cells[self.found[name]].tolist()
        return str(self.columns[name][k]).strip()

    def header(self, name: str) -> str:
        return self.table.headers[self.found[name]] if name in self.found else name

    def rows(self) -> list[RecordRow]:
        if self.titled:
            return []
        out = []
        for k, row in enumerate(self.table.rows):
            checked = self.row(k, row)
            if checked is not None:
                out.append(checked)
        return out

    def row(self, k: int, row: int) -> RecordRow | None:
        before = len(self.problems)
        values = {name: self.cell(k, name) for name in RECORD_HEADERS}
        values["source"] = authority_name(values["source"])  # the record's identity: one spelling of each
        values["ref"] = document_number(values["ref"])
        for name in RECORD_HEADERS:  # (a missing required column was said once, at the header)
            if (name in TEXT_LIMITS or name in REQUIRED) and (name in self.found or name not in REQUIRED):
                self.text(row, name, values[name])
        kind = self.record_type(row, values["type"])
        tier = self.tier(row, kind, values["severity"])
        decided = self.decision_date(row, values["date"])
        workers = self.number(row, "workers", values["workers"], integer=True)
        amount = self.number(row, "amount", values["amount"], integer=False)
        code = ascii_form(values["uscc"]).upper()
        if code and not is_format_valid(code):
            self.add(row, self.header("uscc"), values["uscc"], "不是 18 位统一社会信用代码 (not a USCC)")
        elif code:
            self.codes.append((row, code, values["uscc"]))
        if len(self.problems) > before or kind is None or tier is None or decided is None:
            return None
        return RecordRow(
            row, code, kind.code, tier, decided, values["source"], values["ref"],
            None if workers is None else int(workers), amount, values["note"] or None,
        )  # fmt: skip

    def text(self, row: int, name: str, value: str) -> None:
        if name in REQUIRED and value == "":
            self.add(row, self.header(name), None, "必填项为空 (required)")
        elif CONTROL.search(value):
            self.add(row, self.header(name), value, CONTROL_REASON)
        elif len(value) > TEXT_LIMITS.get(name, 10_000):
            self.add(row, self.header(name), value, f"超过 {TEXT_LIMITS[name]} 个字符 (too long)")

    def record_type(self, row: int, value: str) -> RecordType | None:
        kind = self.types.get(ascii_form(value).lower()) or self.types.get(value)
        if kind is None and value:
            types = self.catalogue.record_types
            known = "、".join(t.code for t in types[:6])
            reason = (  # no command named: a message is for every door (the CLI, the API, the dashboard)
                f"未知的记录类型(如 {known} 等 {len(types)} 种,见指标体系 {self.catalogue.version} 的记录类型表)"
                " (unknown record type)"
            )
            self.add(row, self.header("type"), value, reason)
        return kind

    def tier(self, row: int, kind: RecordType | None, value: str) -> str | None:
        if kind is None:
            return None
        if not value:
            if kind.default_tier is None:
                choices = "、".join(TIER_ZH[t] for t in kind.tiers)
                self.add(row, self.header("severity"), None, f"该类记录须注明严重程度:{choices} (severity required)")
            return kind.default_tier
        tier = TIERS_BY_WORD.get(ascii_form(value).lower())
        if tier is None or tier not in kind.tiers:
            choices = "、".join(TIER_ZH[t] for t in kind.tiers)
            self.add(row, self.header("severity"), value, f"严重程度应为 {choices} (severity)")
            return None
        return tier

    def decision_date(self, row: int, value: str) -> date | None:
        if not value:
            return None
        decided = parse_date(ascii_form(value))
        if decided is None and impossible_date(ascii_form(value)):
            self.add(row, self.header("date"), value, "没有这一天,请核对日期 (no such date)")
        elif decided is None:
            self.add(row, self.header("date"), value, "日期应写作 YYYY-MM-DD,如 2026-03-01 (date)")
        elif decided > self.today:
            self.add(row, self.header("date"), value, f"决定日期晚于今天 {self.today.isoformat()} (date in the future)")
        elif decided < EARLIEST:
            self.add(row, self.header("date"), value, f"决定日期早于 {EARLIEST.isoformat()} (date too early)")
        else:
            return decided
        return None

    def number(self, row: int, name: str, value: str, *, integer: bool) -> float | None:
        if not value:
            return None
        text = ascii_form(value).replace(",", "")
        pattern = r"[0-9]+(\.0*)?" if integer else r"[0-9]+(\.[0-9]+)?"
        if not re.fullmatch(pattern, text) or float(text) > 1e12:
            what = "非负整数 (whole number)" if integer else "非负数,单位元,不带文字 (number of yuan)"
            self.add(row, self.header(name), value, f"应为{what}")
            return None
        return float(text)


def check_records(
    table: RawTable,
    catalogue: Catalogue,
    *,
    today: date | None = None,
    absent: Callable[[list[str]], dict[str, str]] | None = None,
) -> list[RecordRow]:
    """Every record of ``table`` checked; InputValidationError with every problem otherwise.
    A (source, ref) delivered twice in one file is refused at the later row. When other problems refuse the
    file, ``absent`` (the store's answer: each USCC no record can be attributed to, with the reason) names
    the unknown enterprises of every row in the same list, so that one round of corrections is enough."""
    checker = _RecordChecker(table, catalogue, today or today_in_china())
    rows = checker.rows()
    first: dict[tuple[str, str], int] = {}
    for record in rows:
        key = (record.source, record.ref)
        if key in first:
            reason = f"决定机关和文书编号与第 {first[key]} 行相同,同一记录只能报送一次 (duplicate record)"
            checker.add(record.row, checker.header("ref"), record.ref, reason)
        first.setdefault(key, record.row)
    if checker.problems:
        if absent is not None and checker.codes:
            reasons = absent(sorted({code for _, code, _ in checker.codes}))
            for row, code, value in checker.codes:
                if code in reasons:
                    checker.add(row, checker.header("uscc"), value, reasons[code])
        problems = sorted(checker.problems, key=lambda p: p.row or 0)
        raise InputValidationError(problems, table.file)
    return rows


def command_line_table(values: dict[str, str]) -> RawTable:
    """One record given as command options, as a one-row table (so it is checked like a file row)."""
    headers = list(RECORD_HEADERS)
    cells = pd.DataFrame({i: pd.Series([values.get(name, "")], dtype="str") for i, name in enumerate(headers)})
    return RawTable("命令行 (command line)", headers, cells, [1], None, is_json=True)


def objects_table(values: list[dict[str, object]], source: str) -> RawTable:
    """Records given as objects (an HTTP request), as a table numbered from 1 (checked like a file)."""
    return json_table(list(values), source)


HASHED = ("uscc", "type", "tier", "decision_date", "source", "ref", "workers", "amount", "note")


def record_hashes(records: pd.DataFrame) -> list[str]:
    """``record_hash`` of each stored record of a frame, read column by column (a frame's ``to_dict`` of
    every column cost a rescoring about a millisecond)."""
    if records.empty:
        return []
    columns = [records[name].tolist() if name in records.columns else [None] * len(records) for name in HASHED]
    return [record_hash(dict(zip(HASHED, values, strict=True))) for values in zip(*columns, strict=True)]


def record_hash(values: dict[str, object]) -> str:
    """SHA-256 of what a record says (not when or by whom it was delivered): a repeat delivery with the
    same (source, ref) and the same hash is the same record; verify recomputes it from the stored row."""
    parts = []
    for name in HASHED:
        value = values.get(name)
        if value is None or (isinstance(value, float) and value != value):
            text = ""
        elif name == "decision_date":
            text = pd.Timestamp(value).date().isoformat()
        elif name in ("workers", "amount"):
            text = f"{float(value):.2f}"  # type: ignore[arg-type]
        else:
            text = str(value)
        parts.append(text)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
