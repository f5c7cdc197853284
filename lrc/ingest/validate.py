"""Check a table of text cells against the identity columns and the catalogue
fields, column by column, and build the typed frame of an ingest batch.

Cells are checked with vectorised pandas operations, categories once per
distinct value; Python loops run only over bad cells, to word their problems.
Every problem in the file is collected; the frame exists only when there are none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators import Catalogue, InputField
from indicators.models import Condition, ConsistencyCheck
from lrc import reference
from lrc.errors import InputValidationError, RowProblem
from lrc.ingest.readers import RawTable, title_above_header
from lrc.normalise import CONTROL_REASON, ascii_column, has_control
from lrc.uscc import is_format_valid, uscc_valid_mask, validate_uscc
from scoring.vectors import COMPARISONS

IDENTITY_ZH: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "region_code": "行政区划代码",
    "industry": "行业门类",
    "size": "企业规模",
    "ownership": "登记注册类型",
}
EXTRA_HEADERS: dict[str, str] = {
    "所有制": "ownership",
    "登记注册类型/所有制": "ownership",
    "报告期": "period",
}
REQUIRED_IDENTITY = ("uscc", "name", "region_code", "industry", "size")
FREE_TEXT = ("name",)  # kept as submitted; every other column is read in NFKC form (lrc.normalise)
TEXT_LIMITS: dict[str, int] = {"name": 100}  # characters; a registered enterprise name is far shorter
REQUIRED_FACT_REASON = "必填,不能留空;没有发生请填 0 或 否 (required: write 0 or 否 when there was none)"
BLANK_REASON = "必填项为空 (required)"
BOOL_TOKENS: dict[str, bool] = {
    **dict.fromkeys(("是", "有", "y", "yes", "true", "1", "√", "✓", "✔"), True),
    **dict.fromkeys(("否", "无", "n", "no", "false", "0", "×", "✗", "✘"), False),
}
_GROUPED = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
INT_PATTERN = _GROUPED + r"(?:\.0*)?"
DECIMAL_PATTERN = _GROUPED + r"(?:\.[0-9]*)?"
NUMBER_PATTERN = rf"(?:{DECIMAL_PATTERN}|[+-]?\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
MAX_EXACT = 2.0**53
NOT_WHOLE_REASON = "应为整数,不能有小数 (whole number)"
WHOLE_REASON = "应为整数,不要带单位或文字 (whole number)"
NUMBER_REASON = "应为数字,不要带单位或文字 (number)"
BOOL_REASON = "应为 是/否(或 有/无、Y/N、1/0、√/×) (yes/no)"


@dataclass
class CheckedRows:
    """The valid rows of one file (or of one chunk of a large one): ``frame`` is indexed by USCC, one row per
    enterprise; ``source_rows[i]`` is the row the user sees for ``frame.iloc[i]``."""

    file: str
    frame: pd.DataFrame
    source_rows: list[int]
    overridden_uscc: list[str]
    sha256: str = ""  # of the bytes that were validated
    rows: list[dict[str, Any]] | None = None  # each row's checked values, when checked in plain Python (one object)
    headers: dict[str, str] = field(default_factory=dict)  # column → its header as the file names it

    def column(self, name: str) -> str:
        """How the file names column ``name`` (its header), for a problem found after the cells were checked;
        the Chinese name where the input had no header of its own."""
        return self.headers.get(name) or IDENTITY_ZH.get(name, name)


@dataclass
class CellCheck:
    """A column's parsed values and, per cell, a reason (None when the cell is fine)."""

    values: pd.Series
    reasons: pd.Series


def header_lookup(catalogue: Catalogue) -> dict[str, str]:
    """Accepted header (lower-cased) → canonical column name."""
    lookup = {"period": "period"}
    for name, zh in IDENTITY_ZH.items():
        lookup[name] = name
        lookup[zh.lower()] = name
    for f in catalogue.fields:
        lookup[f.name] = f.name
        lookup[f.name_zh.strip().lower()] = f.name
    lookup.update(EXTRA_HEADERS)
    return lookup


def absent_optional_columns(headers: list[str], catalogue: Catalogue) -> list[str]:
    """The optional columns (identity and facts, not ``period``) that ``headers`` lack, as "中文名 (name)", in
    template order: a whole column left out of a file makes every enterprise's items that read it count as
    not reported, which a user should hear of even though the file is accepted."""
    lookup = header_lookup(catalogue)
    found = {lookup.get(h.strip().lower()) for h in headers}
    required = {*REQUIRED_IDENTITY, *(f.name for f in catalogue.fields if f.required)}
    named = [*IDENTITY_ZH.items(), *((f.name, f.name_zh) for f in catalogue.fields)]
    return [f"{zh} ({name})" for name, zh in named if name not in found and name not in required]


def _no_reasons(index: pd.Index) -> pd.Series:
    return pd.Series(None, index=index, dtype=object)


def _by_value(raw: pd.Series, parse: Callable[[str], tuple[Any, str | None]]) -> CellCheck:
    """Apply a scalar parser once per distinct value (categories repeat a lot)."""
    codes, uniques = pd.factorize(raw)
    parsed = [parse(value) for value in uniques]
    values = np.array([v for v, _ in parsed] + [None], dtype=object)[codes]
    reasons = np.array([r for _, r in parsed] + [None], dtype=object)[codes]
    # object columns as they are: pandas would otherwise look through every cell to infer a type
    index = raw.index
    return CellCheck(pd.Series(values, index=index, dtype=object), pd.Series(reasons, index=index, dtype=object))


def _choice(normalise: Callable[[str], Any], reason: str) -> Callable[[str], tuple[Any, str | None]]:
    def parse(value: str) -> tuple[Any, str | None]:
        if value == "":
            return None, None
        normal = normalise(value)
        return (normal, None) if normal is not None else (None, reason)

    return parse


def _region(value: str) -> tuple[str | None, str | None]:
    if value == "" or reference.is_region(value):
        return (value or None), None
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        return None, "行政区划代码应为 6 位数字,如 210102 (6-digit GB/T 2260 code)"
    if value == reference.PROVINCE_CODE:
        return (
            None,
            "210000 是省级代码,请填写企业所在市或区县的代码 (a city or county code, not the province)",
        )
    if not value.startswith("21"):
        return None, "不是辽宁省的行政区划代码(应以 21 开头) (not a Liaoning code)"
    city = reference.city_of(value)
    if city is None:
        return None, "不是辽宁省 14 个市及其区县的代码 (not a Liaoning city or county)"
    return (
        None,
        f"{reference.CITIES[city]}({city})没有代码为 {value} 的区县,请按 GB/T 2260 核对"
        " (no such county or district in GB/T 2260)",
    )


_INDUSTRY_REASON = "应为行业门类字母 A-T 或其名称,如 C 或 制造业 (GB/T 4754 section)"
_SIZE_REASON = "应为 " + "、".join(reference.SIZES) + " 之一 (large/medium/small/micro)"
_OWNERSHIP_REASON = "应为 " + "、".join(reference.OWNERSHIPS) + " 之一 (ownership)"
CHOICES: dict[str, tuple[Callable[[str], str | None], str]] = {
    "industry": (reference.industry_letter, _INDUSTRY_REASON),
    "size": (reference.normalise_size, _SIZE_REASON),
    "ownership": (reference.normalise_ownership, _OWNERSHIP_REASON),
}


def parse_text(raw: pd.Series, name: str) -> CellCheck:
    """An identity column (not uscc) as pandas string dtype, normalised where it is a category."""
    if name == "region_code":
        check = _by_value(raw, _region)
    elif name in CHOICES:
        check = _by_value(raw, _choice(*CHOICES[name]))
    else:
        check = CellCheck(raw.mask(raw == ""), _no_reasons(raw.index))
    if name in TEXT_LIMITS:
        limit = TEXT_LIMITS[name]
        too_long = f"超过 {limit} 个字符 (longer than {limit} characters)"
        check.reasons = check.reasons.mask(raw.str.len() > limit, too_long)
    check.reasons = check.reasons.mask(has_control(raw), CONTROL_REASON)
    if name in REQUIRED_IDENTITY:
        check.reasons = check.reasons.mask(raw == "", BLANK_REASON)
    check.values = check.values.astype("string")
    return check


def parse_bool(raw: pd.Series) -> CellCheck:
    """是/否, 有/无, Y/N, yes/no, true/false, 1/0 (any case), √/× (and ✓✔/✗✘) → "boolean"; blank → <NA>."""
    codes, uniques = pd.factorize(raw)  # each distinct cell read once; -1 (a missing cell) takes the last entry
    truth = [BOOL_TOKENS.get(v.lower()) if v != "" else None for v in uniques]
    true = np.array([t is True for t in truth] + [False])[codes]
    unknown = np.array([t is None for t in truth] + [True])[codes]
    wrong = np.array([t is None and v != "" for t, v in zip(truth, uniques, strict=True)] + [False])[codes]
    reasons = np.full(len(raw), None, dtype=object)
    reasons[wrong] = BOOL_REASON
    values = pd.arrays.BooleanArray(true, unknown)
    return CellCheck(pd.Series(values, index=raw.index), pd.Series(reasons, index=raw.index, dtype=object))


def _read_numbers(raw: pd.Series, is_int: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parsed, numbers, reason-if-unparsed) for non-blank cells; number cells may end in %."""
    percent = np.zeros(len(raw), dtype=bool) if is_int else raw.str.endswith("%").to_numpy(dtype=bool)
    text = raw.str.removesuffix("%") if percent.any() else raw
    ok = text.str.fullmatch(INT_PATTERN if is_int else NUMBER_PATTERN).to_numpy(dtype=bool)
    cleaned = text.where(ok, "0").str.replace(",", "", regex=False)
    # Arrow's parser rounds exactly as float() does (pandas' astype of Arrow text took 5% of an ingest)
    numbers = np.array(pc.cast(pa.array(cleaned), pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    numbers[percent] /= 100
    wrong = np.full(len(raw), None, dtype=object)  # the reason is worded for the unparsed cells alone
    unparsed = np.flatnonzero(~ok)
    if is_int and len(unparsed):
        decimal = raw.iloc[unparsed].str.fullmatch(DECIMAL_PATTERN).to_numpy(dtype=bool)
        wrong[unparsed] = np.where(decimal, NOT_WHOLE_REASON, WHOLE_REASON).astype(object)
    elif len(unparsed):
        wrong[unparsed] = NUMBER_REASON
    return ok, numbers, wrong


def parse_numbers(raw: pd.Series, f: InputField) -> CellCheck:
    """ "12", "12.0", "1,234" for int (→ "Int64"); also "1,234.5", "1e3", "95%" for number (→ "Float64")."""
    return _number_check(raw, f, *_read_numbers(raw, f.type == "int"))


def _number_check(raw: pd.Series, f: InputField, ok: np.ndarray, numbers: np.ndarray, wrong: np.ndarray) -> CellCheck:
    """``parse_numbers`` from cells already read (``_read_numbers``): blanks, bounds, values."""
    is_int = f.type == "int"
    blank = (raw == "").to_numpy()
    ok = ok & ~blank
    reasons = wrong.astype(object)
    reasons[blank | ok] = None
    if f.min is not None:
        reasons = np.where(ok & (numbers < f.min), f"不能小于 {f.min:g} (must be >= {f.min:g})", reasons)
    if f.max is not None:
        hint = ",比率请填小数或百分数,如 0.95 或 95%" if f.max == 1 else ""
        reasons = np.where(ok & (numbers > f.max), f"不能大于 {f.max:g}{hint} (must be <= {f.max:g})", reasons)
    too_big = ok & (np.abs(numbers) >= MAX_EXACT) & pd.isna(reasons)
    reasons = np.where(too_big, "数值过大 (number too large)", reasons)
    numbers[~ok | pd.notna(reasons)] = np.nan
    values = pd.array(numbers, dtype="Float64")
    series = pd.Series(values.astype("Int64") if is_int else values, index=raw.index)
    return CellCheck(series, pd.Series(reasons, index=raw.index, dtype=object))


def parse_fields(fields: list[InputField], raws: dict[str, pd.Series]) -> dict[str, CellCheck]:
    """``parse_bool`` / ``parse_numbers`` of every fact column, each kind read in one pass over all its
    columns stacked (a column at a time costs more in per-call overhead than in work for short files)."""
    checks: dict[str, CellCheck] = {}
    for kind in ("bool", "int", "number"):
        group = [f for f in fields if f.type == kind]
        if not group:
            continue
        index = raws[group[0].name].index
        n = len(index)
        stacked = pd.concat([raws[f.name] for f in group], ignore_index=True)
        if kind == "bool":
            check = parse_bool(stacked)
            values, reasons = check.values.array, check.reasons.to_numpy()
            for k, f in enumerate(group):
                part = slice(k * n, (k + 1) * n)
                checks[f.name] = CellCheck(
                    pd.Series(values[part], index=index), pd.Series(reasons[part], index=index, dtype=object)
                )
            continue
        ok, numbers, wrong = _read_numbers(stacked, kind == "int")
        for k, f in enumerate(group):
            part = slice(k * n, (k + 1) * n)
            checks[f.name] = _number_check(raws[f.name], f, ok[part], numbers[part].copy(), wrong[part])
    return checks


STACK_ROWS = 1_000  # up to this many rows, columns are cleaned stacked in one pass


class _Checker:
    """One file's validation: header resolution, user-facing row labels, collected problems."""

    def __init__(self, table: RawTable, catalogue: Catalogue) -> None:
        self.table = table
        self.rows = np.asarray(table.rows, dtype=np.int64)
        self.problems: list[RowProblem] = list(table.problems)
        self.found: dict[str, int] = {}
        lookup = header_lookup(catalogue)
        title = title_above_header(table, lambda h: h.lower() in lookup)
        if title is not None:  # nothing else to say until the title is gone
            self.problems = [title]
        else:
            self._resolve_headers(catalogue)
        self.cleaned = self._clean()

    def label(self, row: int) -> str:
        return f"第 {row} 条记录" if self.table.is_json else f"第 {row} 行"

    def add(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        """A problem; in a workbook with several worksheets it names the one read (as Excel shows it)."""
        if self.table.sheet:
            reason = f"工作表「{self.table.sheet}」,{reason}"
        self.problems.append(RowProblem(self.table.file, row, column, value, reason, record=self.table.is_json))

    def add_header(self, pos: int | None, column: str, value: str | None, reason: str) -> None:
        """A problem with the header row (a JSON key); for JSON it names the first record with a key that
        only some records have."""
        first = self.table.first_record_with(pos) if pos is not None else None
        if first is not None:
            reason += f",首次出现在第 {first} 条记录 (first in record {first})"
        self.add(self.table.header_row, column, value, reason)

    def _clean(self) -> dict[str, pd.Series]:
        """Every known column stripped, and all but free text in its NFKC form, in one pass over the
        columns stacked (a column at a time costs more in overhead than in work for a short file)."""
        cells, index = self.table.cells, self.table.cells.index
        cleaned = {name: cells[pos].str.strip() for name, pos in self.found.items() if name in FREE_TEXT}
        coded = [(name, pos) for name, pos in self.found.items() if name not in FREE_TEXT]
        if len(index) > STACK_ROWS:  # a long file: a column at a time (look-alikes are looked up per column)
            cleaned.update({name: ascii_column(cells[pos].str.strip()) for name, pos in coded})
        elif coded:
            n = len(index)
            stacked = ascii_column(pd.concat([cells[pos] for _, pos in coded], ignore_index=True).str.strip())
            for k, (name, _) in enumerate(coded):
                cleaned[name] = pd.Series(stacked.array[k * n : (k + 1) * n], index=index)
        return cleaned

    def raw(self, name: str) -> pd.Series:
        if name not in self.cleaned:
            return pd.Series("", index=self.table.cells.index, dtype="str")
        return self.cleaned[name]

    def header(self, name: str) -> str:
        return self.table.headers[self.found[name]] if name in self.found else name

    def report(self, name: str, raw: pd.Series, reasons: pd.Series) -> None:
        """Cell problems of a column; a missing column was reported once, at the header."""
        if name not in self.found:
            return
        for i in np.flatnonzero(reasons.notna().to_numpy()):
            self.add(int(self.rows[i]), self.header(name), str(raw.iat[i]), str(reasons.iat[i]))

    def _resolve_headers(self, catalogue: Catalogue) -> None:
        lookup = header_lookup(catalogue)
        for pos, header in enumerate(self.table.headers):
            name = lookup.get(header.lower())
            if not header:
                if self.table.cells[pos].str.strip().ne("").any():
                    self.add_header(pos, f"第 {pos + 1} 列", None, "该列有数据但没有列名 (column without a header)")
            elif name is None:
                self.add_header(pos, header, header, "未知的列名,请使用模板中的列名 (unknown column)")
            elif name in self.found:
                first = self.table.headers[self.found[name]]
                self.add_header(pos, header, header, f"与列 {first} 重复,都对应 {name} (duplicate column)")
            else:
                self.found[name] = pos
        required = [*REQUIRED_IDENTITY, *(f.name for f in catalogue.fields if f.required)]
        for name in required:
            if name not in self.found:
                zh = IDENTITY_ZH.get(name) or catalogue.field_map[name].name_zh
                self.add_header(None, f"{zh} ({name})", None, "缺少必填列 (required column missing)")

    def uscc(self, accept: frozenset[str]) -> tuple[pd.Series, list[str]]:
        """Normalised codes, reporting bad, blank and duplicate ones; and the codes accepted by override."""
        raw = self.raw("uscc")
        codes = raw.str.upper()
        overridden: list[str] = []
        if "uscc" not in self.found:
            return codes, overridden
        for i in np.flatnonzero(~uscc_valid_mask(codes.tolist())):
            code, row = codes.iat[i], int(self.rows[i])
            if code in accept and is_format_valid(code):
                overridden.append(code)
                continue
            reason = _uscc_reason(code)
            if reason:
                self.add(row, self.header("uscc"), raw.iat[i], reason)
        self._duplicates(raw, codes)
        return codes, list(dict.fromkeys(overridden))

    def _duplicates(self, raw: pd.Series, codes: pd.Series) -> None:
        later = (codes.duplicated(keep="first") & (codes != "")).to_numpy()
        if not later.any():
            return
        first_row = dict(zip(codes.iloc[::-1], self.rows[::-1], strict=True))
        for i in np.flatnonzero(later):
            reason = f"统一社会信用代码与{self.label(int(first_row[codes.iat[i]]))}重复 (duplicate code)"
            self.add(int(self.rows[i]), self.header("uscc"), raw.iat[i], reason)

    def period(self, period: str) -> None:
        if "period" in self.found:
            raw = self.raw("period")
            wrong = ((raw != "") & (raw.str.upper() != period)).to_numpy()
            reason = f"报告期应为 {period} (period must be {period})"
            reasons = pd.Series(None, index=raw.index, dtype=object).mask(wrong, reason)
            self.report("period", raw, reasons)


def validate_table(
    table: RawTable, catalogue: Catalogue, *, period: str, accept_uscc: frozenset[str] = frozenset()
) -> CheckedRows:
    """Check every cell; a CheckedRows if all are valid, else InputValidationError with every problem."""
    checker = _Checker(table, catalogue)
    checker.period(period)
    codes, overridden = checker.uscc(frozenset(c.strip().upper() for c in accept_uscc))
    columns: dict[str, pd.Series] = {}
    for name in IDENTITY_ZH:
        if name != "uscc":
            raw = checker.raw(name)
            check = parse_text(raw, name)
            checker.report(name, raw, check.reasons)
            columns[name] = check.values
    raws = {f.name: checker.raw(f.name) for f in catalogue.fields}
    checks = parse_fields(list(catalogue.fields), raws)
    for f in catalogue.fields:
        raw, check = raws[f.name], checks[f.name]
        if f.required:
            check.reasons = check.reasons.mask(
                raw == "", BLANK_REASON if f.name == "headcount" else REQUIRED_FACT_REASON
            )
        checker.report(f.name, raw, check.reasons)
        columns[f.name] = check.values
    for f in catalogue.fields:
        if f.at_most:
            _check_at_most(checker, f.name, catalogue.field_map[f.at_most], columns)
    for consistency in catalogue.checks:
        _check_consistency(checker, consistency, catalogue, columns)
    if checker.problems:
        raise InputValidationError(_sorted(checker.problems, table), table.file)
    frame = pd.DataFrame(columns)
    frame.index = pd.Index(codes.to_numpy(), name="uscc", dtype="string")
    headers = {name: table.headers[position] for name, position in checker.found.items()}
    return CheckedRows(table.file, frame, list(table.rows), overridden, table.sha256, headers=headers)


def _check_at_most(checker: _Checker, name: str, bound: InputField, columns: dict[str, pd.Series]) -> None:
    """Cells larger than the field they can never exceed (e.g. insured workers > headcount)."""
    value, limit = columns[name], columns[bound.name]
    over = (value > limit).fillna(False).to_numpy(dtype=bool)
    if over.any():
        reasons = pd.Series(None, index=value.index, dtype=object)
        reasons[over] = [
            f"不能大于「{bound.name_zh}」({limit.iloc[i]}) (exceeds {bound.name})" for i in np.flatnonzero(over)
        ]
        checker.report(name, checker.raw(name), reasons)



def _holds(condition: Condition, columns: dict[str, pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Where ``condition`` holds, and where its field was reported (yes/no compare as 1/0)."""
    values = columns[condition.field].astype("Float64")
    reported = values.notna().to_numpy()
    numbers = values.fillna(0).to_numpy(dtype=np.float64)
    return COMPARISONS[condition.op](numbers, condition.value) & reported, reported


def _check_consistency(
    checker: _Checker, check: ConsistencyCheck, catalogue: Catalogue, columns: dict[str, pd.Series]
) -> None:
    """Facts that cannot both be true (e.g. no union, yet a union chair elected): refused at the
    ``then`` field, naming the ``when`` field and its value."""
    when, when_reported = _holds(check.when, columns)
    then, then_reported = _holds(check.then, columns)
    broken = when & when_reported & then_reported & ~then
    if not broken.any():
        return
    name = check.then.field
    other = catalogue.field_map[check.when.field].name_zh
    reason = f"{check.message_zh}(与「{other}」矛盾,检查 {check.code}) (inconsistent with {check.when.field})"
    reasons = pd.Series(None, index=columns[name].index, dtype=object)
    reasons[broken] = reason
    checker.report(name, checker.raw(name), reasons)


def _uscc_reason(code: str) -> str | None:
    if code == "":
        return BLANK_REASON
    try:
        validate_uscc(code)
    except ValueError as exc:
        return str(exc)
    return None


def _sorted(problems: list[RowProblem], table: RawTable) -> list[RowProblem]:
    """Header problems first, then by row and by the file's column order; one problem per cell,
    the first found (a formula without a value is not also reported as a blank)."""
    order = {h: i for i, h in enumerate(table.headers)}
    seen: set[tuple[int | None, str]] = set()
    unique = []
    for p in problems:
        if p.column is not None and (p.row, p.column) in seen:
            continue
        seen.add((p.row, p.column or ""))
        unique.append(p)
    return sorted(unique, key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
