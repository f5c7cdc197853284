"""Ingest: real CSV, XLSX and JSON files written to tmp_path and read against the
real catalogue. Good files come back typed; bad files list every problem with the
row and column the user sees."""

from __future__ import annotations

import csv
import doctest
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrc.reference
from indicators import Catalogue, load_catalogue
from lrc.errors import InputValidationError, RowProblem
from lrc.ingest import CheckedRows, read_records, write_problem_report
from lrc.ingest.validate import REQUIRED_FACT_REASON
from lrc.normalise import CONTROL_REASON
from lrc.reference import (
    CITIES,
    INDUSTRIES,
    SIZES,
    city_of,
    industry_letter,
    is_region,
    normalise_ownership,
    normalise_size,
)
from lrc.samples import generate, write_sample
from lrc.uscc import make_uscc, uscc_check_char

PERIOD = "2025"
IDENTITY = ["uscc", "name", "region_code", "industry", "size", "ownership"]
# The reader and the validator do not depend on the edition; these tests spell their files in the fields
# of 2026.1 (still a selectable edition). What 2027.1 adds (consistency checks) is tested at the end.
EDITION = "2026.1"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(EDITION)


def code(i: int, division: str = "210102") -> str:
    return make_uscc(division, f"{i:08d}")


# every required fact filled as "none happened" (0 / 否); the contract count needs a value within headcount
REQUIRED_FACTS = {
    f.name: ("否" if f.type == "bool" else "0")
    for f in load_catalogue(EDITION).fields
    if f.required and f.name != "headcount"
} | {"employees_with_contract": "118"}


def record(i: int = 1, **values: Any) -> dict[str, Any]:
    base = {
        "uscc": code(i),
        "name": f"沈阳第{i}机床有限公司",
        "region_code": "210102",
        "industry": "C",
        "size": "中型",
        "ownership": "私营",
        "headcount": "120",
        **REQUIRED_FACTS,
    }
    return base | values


def write_csv(path: Path, records: Sequence[dict[str, Any]], encoding: str = "utf-8") -> Path:
    headers = list(dict.fromkeys(k for r in records for k in r))
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows([[r.get(h, "") for h in headers] for r in records])
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def problems_of(path: Path, catalogue: Catalogue, **kwargs: Any) -> list[RowProblem]:
    with pytest.raises(InputValidationError) as info:
        read_records(path, catalogue, period=PERIOD, **kwargs)
    assert info.value.file == path.name
    return info.value.problems


def where(problems: list[RowProblem]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems]


# --- good files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_round_trip_in_every_encoding_excel_uses(
    tmp_path: Path, catalogue: Catalogue, encoding: str
) -> None:
    rows = [
        record(1, union_established="是"),
        record(2, name="大连港湾物流股份有限公司", region_code="210203", size="小型"),
    ]
    path = write_csv(tmp_path / "records.csv", rows, encoding)
    batch = read_records(path, catalogue, period=PERIOD)
    assert isinstance(batch, CheckedRows)
    assert batch.file == "records.csv"
    assert batch.frame.index.tolist() == [code(1), code(2)]
    assert batch.frame.loc[code(2), "name"] == "大连港湾物流股份有限公司"
    assert batch.frame.loc[code(1), "name"] == "沈阳第1机床有限公司"
    assert batch.source_rows == [2, 3]
    assert batch.overridden_uscc == []


def test_frame_shape_dtypes_and_column_order(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write_csv(tmp_path / "r.csv", [record(1)])
    frame = read_records(path, catalogue, period=PERIOD).frame
    assert list(frame.columns) == IDENTITY[1:] + [f.name for f in catalogue.fields]
    assert frame.index.name == "uscc" and frame.index.dtype == "string"
    expected = {"bool": "boolean", "int": "Int64", "number": "Float64"}
    for f in catalogue.fields:
        assert frame[f.name].dtype == expected[f.type], f.name
    for name in IDENTITY[1:]:
        assert frame[name].dtype == "string", name


def test_chinese_headers(tmp_path: Path, catalogue: Catalogue) -> None:
    zh = {
        "uscc": "统一社会信用代码",
        "name": "企业名称",
        "region_code": "行政区划代码",
        "industry": "行业门类",
        "size": "企业规模",
        "ownership": "登记注册类型",
    }
    zh |= {f.name: f.name_zh for f in catalogue.fields}
    row = record(1, union_established="有", union_fund_paid_ratio="0.8", employees_with_contract="118")
    path = write_csv(tmp_path / "中文.csv", [{zh[k]: v for k, v in row.items()}], "gbk")
    frame = read_records(path, catalogue, period=PERIOD).frame
    assert frame.loc[code(1), "headcount"] == 120
    assert frame.loc[code(1), "employees_with_contract"] == 118
    assert bool(frame.loc[code(1), "union_established"]) is True
    assert frame.loc[code(1), "union_fund_paid_ratio"] == 0.8


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".TXT"])
def test_excel_unicode_text_is_utf16_and_tab_separated(tmp_path: Path, catalogue: Catalogue, suffix: str) -> None:
    """Excel's "Unicode text" export is saved as .txt: UTF-16 with BOM, tabs, CRLF."""
    rows = [record(1), record(2, name="丹东边贸公司")]
    lines = ["\t".join(rows[0])] + ["\t".join(r.values()) for r in rows]
    path = tmp_path / f"unicode{suffix}"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    batch = read_records(path, catalogue, period=PERIOD)
    assert batch.frame["name"].tolist() == ["沈阳第1机床有限公司", "丹东边贸公司"]
    assert batch.source_rows == [2, 3]


def test_tab_separated_txt_keeps_commas_in_headers(tmp_path: Path, catalogue: Catalogue) -> None:
    row = record(1, **{"备注,说明": "x"})
    path = tmp_path / "unicode.txt"
    path.write_bytes(("\t".join(row) + "\r\n" + "\t".join(row.values()) + "\r\n").encode("utf-16"))
    [problem] = problems_of(path, catalogue)
    assert (problem.row, problem.column) == (1, "备注,说明") and "未知" in problem.reason


def test_headers_ignore_case_and_surrounding_spaces(tmp_path: Path, catalogue: Catalogue) -> None:
    row = {f" {k.upper()} ": v for k, v in record(1).items()}
    assert read_records(write_csv(tmp_path / "r.csv", [row]), catalogue, period=PERIOD).frame.shape[0] == 1


def test_alternative_chinese_headers_for_ownership_and_period(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [{**record(1), "所有制": "国有企业", "报告期": PERIOD}]
    del rows[0]["ownership"]
    frame = read_records(write_csv(tmp_path / "r.csv", rows), catalogue, period=PERIOD).frame
    assert frame.loc[code(1), "ownership"] == "国有"


def test_text_stays_text(tmp_path: Path, catalogue: Catalogue) -> None:
    """No type guessing: leading zeros and long digit strings survive; big numbers stay exact."""
    uscc = make_uscc("210102", "00012345")
    rows = [record(1, name="0012", uscc=uscc, training_spend="123456789012.5", employees_left="0007")]
    frame = read_records(write_csv(tmp_path / "r.csv", rows), catalogue, period=PERIOD).frame
    assert frame.index.tolist() == [uscc] and uscc.startswith("9121010200012345")
    assert frame.iloc[0]["name"] == "0012"
    assert frame.iloc[0]["employees_left"] == 7
    assert frame.iloc[0]["region_code"] == "210102"
    assert frame.iloc[0]["training_spend"] == 123456789012.5


def test_blank_is_not_reported_and_distinct_from_no_and_zero(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [
        record(1, union_established="", union_members=""),
        record(2, union_established="否", union_members="0"),
        record(3, union_established="是", union_members="35"),
    ]
    frame = read_records(write_csv(tmp_path / "r.csv", rows), catalogue, period=PERIOD).frame
    unions, members = frame["union_established"], frame["union_members"]
    assert unions.isna().tolist() == [True, False, False]
    assert unions.tolist()[1:] == [False, True]
    assert members.isna().tolist() == [True, False, False]
    assert members.iloc[1] == 0
    assert frame["ownership"].iloc[0] == "私营"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("是", True), ("否", False), ("有", True), ("无", False), ("Y", True), ("n", False), ("YES", True)]
    + [("No", False), ("true", True), ("FALSE", False), ("1", True), ("0", False), (" 是 ", True)]
    + [("√", True), ("✓", True), ("✔", True), ("×", False), ("✗", False), ("✘", False)],
)
def test_bool_spellings(tmp_path: Path, catalogue: Catalogue, text: str, expected: bool) -> None:
    path = write_csv(tmp_path / "r.csv", [record(1, union_established=text)])
    assert bool(read_records(path, catalogue, period=PERIOD).frame.iloc[0]["union_established"]) is expected


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("headcount", "12.0", 12),
        ("headcount", "1,234", 1234),
        ("headcount", "+7", 7),
        ("training_spend", "1,234.5", 1234.5),
        ("training_spend", "1.5e3", 1500.0),
        ("worker_satisfaction_rate", "95%", 0.95),
        ("worker_satisfaction_rate", ".9", 0.9),
        ("average_wage_growth_rate", "-0.05", -0.05),
    ],
)
def test_number_spellings(
    tmp_path: Path, catalogue: Catalogue, field: str, text: str, expected: float
) -> None:
    # a contract count within the smallest headcount spelled here (7), so only the spelling is tested
    path = write_csv(tmp_path / "r.csv", [record(1, **{"employees_with_contract": "7", field: text})])
    assert read_records(path, catalogue, period=PERIOD).frame.iloc[0][field] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("column", "text", "expected"),
    [
        ("industry", "c", "C"),
        ("industry", "C 制造业", "C"),
        ("industry", "制造业", "C"),
        ("industry", "交通运输、仓储和邮政业", "G"),
        ("industry", "C13", "C"),
        ("size", "large", "大型"),
        ("size", "Micro", "微型"),
        ("size", "小型企业", "小型"),
        ("ownership", "外资", "外商投资"),
        ("ownership", "", None),
        ("region_code", "211400", "211400"),
    ],
)
def test_categories_are_normalised(
    tmp_path: Path, catalogue: Catalogue, column: str, text: str, expected: Any
) -> None:
    path = write_csv(tmp_path / "r.csv", [record(1, **{column: text})])
    value = read_records(path, catalogue, period=PERIOD).frame.iloc[0][column]
    assert pd.isna(value) if expected is None else value == expected


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_data_after_an_instructions_sheet(tmp_path: Path, catalogue: Catalogue) -> None:
    headers = ["企业名称", "统一社会信用代码", "行政区划代码", "行业门类", "企业规模", "职工总数", *REQUIRED_FACTS]
    facts = list(REQUIRED_FACTS.values())
    sheets = {
        "说明": [["填报说明"], ["1. 统一社会信用代码填 18 位"], ["2. 金额单位:元"]],
        "备用": [["名称", "备注"], ["x", "y"]],
        "数据": [
            [],
            headers,
            ["鞍山钢铁配件厂", code(1), "210302", "C", "大型", 1500, *facts],
            ["锦州港", code(2), "210700", "G", "中型", 300, *facts],
        ],
    }
    batch = read_records(_workbook(tmp_path / "r.xlsx", sheets), catalogue, period=PERIOD)
    assert batch.frame["name"].tolist() == ["鞍山钢铁配件厂", "锦州港"]
    assert batch.source_rows == [3, 4]


def test_xlsx_without_a_uscc_sheet_names_the_sheet_it_read(tmp_path: Path, catalogue: Catalogue) -> None:
    one_line = {"说明": [["请在第二个工作表填写"]], "Sheet2": [["企业", "人数"], ["a", 1]]}
    [problem] = problems_of(_workbook(tmp_path / "one.xlsx", one_line), catalogue)
    assert problem.row is None and "工作表「说明」中只有标题行,没有数据" in problem.reason
    notes = {"说明": [["填报说明"], ["第二行"]], "Sheet2": [["企业", "人数"], ["a", 1]]}
    problems = problems_of(_workbook(tmp_path / "notes.xlsx", notes), catalogue)
    assert problems and all(p.row == 1 and p.reason.startswith("工作表「说明」,") for p in problems)
    assert {"填报说明", "统一社会信用代码 (uscc)"} <= {p.column for p in problems}
    blank_first = {"空": [], "数据": [["企业", "人数"], ["a", 1]]}
    problems = problems_of(_workbook(tmp_path / "blank.xlsx", blank_first), catalogue)
    assert all(p.reason.startswith("工作表「数据」,") for p in problems)
    single = write_xlsx(tmp_path / "single.xlsx", ["企业"], [["a"]])
    assert not any("工作表" in p.reason for p in problems_of(single, catalogue))


def test_a_title_typed_above_the_header_is_one_problem_naming_the_rows_to_delete(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """Excel users type a title above the header: one problem saying which rows to delete, not a problem for
    every missing column and every row too long."""
    headers = list(record(1))
    rows = [list(record(i).values()) for i in (1, 2, 3)]
    book = _workbook(tmp_path / "t.xlsx", {"数据": [["2026年第三季度 企业劳动关系数据"], [], ["制表:沈阳市总工会"],
                                                    headers, *rows]})  # fmt: skip
    text = "2026年第三季度 企业劳动关系数据\n" + (write_csv(tmp_path / "plain.csv", [record(i) for i in (1, 2, 3)])
                                               .read_text(encoding="utf-8"))  # fmt: skip
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    for path, header in ((book, 4), (tmp_path / "t.csv", 2)):
        [problem] = problems_of(path, catalogue)
        assert problem.row == 1 and problem.value == "2026年第三季度 企业劳动关系数据"
        assert f"第 {header} 行才是列名,请删除其上方的 {header - 1} 行" in problem.reason
    assert read_records(tmp_path / "plain.csv", catalogue, period=PERIOD).source_rows == [2, 3, 4]
    alone = write_csv(tmp_path / "alone.csv", [{"标题": "x"}])  # one cell, no known column under it
    assert "像是标题" not in " ".join(p.reason for p in problems_of(alone, catalogue))


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_lone_carriage_return_is_one_problem_on_its_line(tmp_path: Path, catalogue: Catalogue, ending: str) -> None:
    """Outside quotes a CR alone breaks the line for every parser: the line is named with the text around it,
    instead of a short-row problem for each half in numbers the user cannot find. Quoted, it is part of a cell;
    a file whose every line ends in CR alone reads as it is."""
    rows = [record(i) for i in (1, 2, 3)]
    lines = write_csv(tmp_path / "plain.csv", rows).read_text(encoding="utf-8").splitlines()
    broken = [*lines[:2], lines[2].replace(",", ",\r", 1), *lines[3:]]
    (tmp_path / "cr.csv").write_bytes((ending.join(broken) + ending).encode("utf-8"))
    [problem] = problems_of(tmp_path / "cr.csv", catalogue)
    assert problem.row == 3 and "单独的回车符" in problem.reason and "␍" in (problem.value or "")
    quoted = [*lines[:2], lines[2].replace("沈阳第2机床有限公司", '"沈阳第2\r机床有限公司"'), *lines[3:]]
    (tmp_path / "quoted.csv").write_bytes((ending.join(quoted) + ending).encode("utf-8"))
    assert not any("单独的回车符" in p.reason for p in problems_of(tmp_path / "quoted.csv", catalogue))
    (tmp_path / "mac.csv").write_bytes(("\r".join(lines) + "\r").encode("utf-8"))
    assert read_records(tmp_path / "mac.csv", catalogue, period=PERIOD).source_rows == [2, 3, 4]
    (tmp_path / "twice.csv").write_bytes(("\r\r\n".join(lines) + "\r\r\n").encode("utf-8"))  # CRLF made twice
    assert len(read_records(tmp_path / "twice.csv", catalogue, period=PERIOD).source_rows) == 3  # not refused


def test_xlsx_cells_become_text_carefully(tmp_path: Path, catalogue: Catalogue) -> None:
    headers = ["统一社会信用代码", "企业名称", "行政区划代码", "行业门类", "企业规模", "职工总数"]
    headers += ["依法建立工会", "职工满意度", "period", *REQUIRED_FACTS]
    facts = list(REQUIRED_FACTS.values())
    rows: list[list[Any]] = [
        [code(1), "鞍山钢铁配件厂", 210302.0, "C", "大型", 1500.0, True, 0.95, 2025, *facts],
        [None] * len(headers),  # an empty row in the middle is skipped, numbering goes on
        [code(2), "锦州港", 210700, "G 交通运输仓储和邮政业", "中型", 300, "否", None, "2025", *facts],
    ]
    batch = read_records(write_xlsx(tmp_path / "r.xlsx", headers, rows), catalogue, period=PERIOD)
    frame = batch.frame
    assert frame["region_code"].tolist() == ["210302", "210700"]
    assert frame["headcount"].tolist() == [1500, 300]
    assert frame["union_established"].tolist() == [True, False]
    assert frame.loc[code(1), "worker_satisfaction_rate"] == 0.95
    assert batch.source_rows == [2, 4]


@pytest.mark.parametrize("wrapped", [False, True])
def test_json_records(tmp_path: Path, catalogue: Catalogue, wrapped: bool) -> None:
    records: list[dict[str, Any]] = [
        record(1, headcount=120, union_established=True, worker_satisfaction_rate=0.9),
        record(2, headcount=45.0, employees_with_contract=40, union_established=None, region_code=210203),
    ]
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"records": records} if wrapped else records, ensure_ascii=False), "utf-8")
    batch = read_records(path, catalogue, period=PERIOD)
    assert batch.source_rows == [1, 2]
    assert batch.frame["headcount"].tolist() == [120, 45]
    assert batch.frame["union_established"].isna().tolist() == [False, True]
    assert batch.frame.loc[code(2), "region_code"] == "210203"


def test_multiline_cells_and_blank_lines_keep_csv_line_numbers(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "r.csv"
    good, bad = record(1, name="第一行\n第二行"), record(2, headcount="x")
    write_csv(path, [good, bad])
    text = path.read_text("utf-8").replace("\r\n", "\n")
    header, rest = text.split("\n", 1)
    path.write_text(header + "\n\n" + rest, "utf-8")  # line 2 blank, record 1 on lines 3-4, record 2 on 5
    # a line break is a control character in a name (refused), and the next record keeps its line
    assert where(problems_of(path, catalogue)) == [(3, "name"), (5, "headcount")]


def test_period_column_must_match(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write_csv(
        tmp_path / "r.csv", [record(1, period=PERIOD), record(2, period="2024"), record(3, period="")]
    )
    [problem] = problems_of(path, catalogue)
    assert (problem.row, problem.column, problem.value) == (3, "period", "2024")
    assert PERIOD in problem.reason


# --- USCC ---------------------------------------------------------------------------------------------


def test_scientific_notation_uscc_in_csv(tmp_path: Path, catalogue: Catalogue) -> None:
    [problem] = problems_of(write_csv(tmp_path / "r.csv", [record(1, uscc="9.14403E+17")]), catalogue)
    assert (problem.row, problem.column, problem.value) == (2, "uscc", "9.14403E+17")
    assert "科学计数法" in problem.reason and "文本" in problem.reason


def test_scientific_notation_uscc_from_a_number_cell_in_excel(tmp_path: Path, catalogue: Catalogue) -> None:
    headers = ["uscc", "name", "region_code", "industry", "size", "headcount", *REQUIRED_FACTS]
    row = [914403001922038216.0, "某公司", "210102", "C", "大型", 120, *REQUIRED_FACTS.values()]
    path = write_xlsx(tmp_path / "r.xlsx", headers, [row])
    [problem] = problems_of(path, catalogue)
    assert problem.row == 2 and "科学计数法" in problem.reason


def test_accept_uscc_overrides_a_failed_check_and_is_recorded(tmp_path: Path, catalogue: Catalogue) -> None:
    first17 = code(1)[:16] + "7"  # organisation-code check broken, GB 32100 check made right
    odd = first17 + uscc_check_char(first17)
    path = write_csv(tmp_path / "r.csv", [record(1, uscc=odd), record(2)])
    [problem] = problems_of(path, catalogue)
    assert "组织机构代码" in problem.reason and "例外" in problem.reason
    batch = read_records(path, catalogue, period=PERIOD, accept_uscc=frozenset({odd.lower(), code(2)}))
    assert batch.overridden_uscc == [odd]
    assert batch.frame.index.tolist() == [odd, code(2)]


def test_accept_uscc_never_overrides_length_or_alphabet(tmp_path: Path, catalogue: Catalogue) -> None:
    short = code(1)[:17]
    path = write_csv(tmp_path / "r.csv", [record(1, uscc=short)])
    [problem] = problems_of(path, catalogue, accept_uscc=frozenset({short}))
    assert "18 位" in problem.reason


def test_duplicate_uscc_is_reported_on_the_later_rows(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [
        record(1),
        record(2),
        record(1, name="重复"),
        record(1, name="又重复", uscc=" " + code(1).lower()),
    ]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    assert where(problems) == [(4, "uscc"), (5, "uscc")]
    assert all("第 2 行" in p.reason for p in problems)


# --- bad cells ----------------------------------------------------------------------------------------

BAD_CELLS = [
    ("uscc", "", "必填"),
    ("uscc", "91350100M000100Y44", "应为 3"),
    ("uscc", "91350100M0001O0Y43", "非法字符 O"),
    ("name", "", "必填"),
    ("region_code", "", "必填"),
    ("region_code", "210000", "省级"),
    ("region_code", "110101", "辽宁"),
    ("region_code", "219900", "辽宁"),
    ("region_code", "21010", "6 位"),
    ("region_code", "210199", "沈阳市(210100)没有代码为 210199 的区县"),
    ("region_code", "211499", "GB/T 2260"),
    ("industry", "Z", "A-T"),
    ("industry", "C 采矿业", "A-T"),
    ("size", "巨型", "大型"),
    ("ownership", "合伙", "国有"),
    ("headcount", "", "必填"),
    ("headcount", "0", "不能小于 1"),
    ("headcount", "1.5", "不能有小数"),
    ("headcount", "12人", "整数"),
    ("union_members", "-1", "不能小于 0"),
    ("union_established", "maybe", "是/否"),
    ("union_established", "2", "是/否"),
    ("worker_satisfaction_rate", "95", "0.95"),
    ("overtime_hours_max_monthly", "401", "不能大于 400"),
    ("training_spend", "abc", "数字"),
    ("training_spend", "1,23", "数字"),
    ("training_spend", "nan", "数字"),
    ("training_spend", "1e999", "过大"),
]


@pytest.mark.parametrize(("column", "text", "fragment"), BAD_CELLS)
def test_every_kind_of_bad_cell(
    tmp_path: Path, catalogue: Catalogue, column: str, text: str, fragment: str
) -> None:
    rows = [record(1), record(2, **{column: text}), record(3)]
    [problem] = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    assert (problem.file, problem.row, problem.column, problem.value) == ("r.csv", 3, column, text)
    assert fragment in problem.reason


def test_all_bad_cells_of_a_file_are_reported_together(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [record(i, **{col: text}) for i, (col, text, _) in enumerate(BAD_CELLS, start=10) if col != "uscc"]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    assert where(problems) == [
        (i + 2, col) for i, (col, _, _) in enumerate(b for b in BAD_CELLS if b[0] != "uscc")
    ]


def test_many_bad_rows_are_all_reported(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [
        record(
            i,
            headcount="x" if i % 2 else "10",
            employees_with_contract="10",
            union_established="?" if i % 3 == 0 else "是",
        )
        for i in range(600)
    ]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    expected = sorted(
        [(i + 2, "headcount") for i in range(600) if i % 2]
        + [(i + 2, "union_established") for i in range(0, 600, 3)]
    )
    order = {"headcount": 0, "union_established": 1}
    assert where(problems) == sorted(expected, key=lambda rc: (rc[0], order[rc[1]]))


def test_json_problems_name_the_record(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps([record(1), "not a record", record(3, headcount=-5)]), "utf-8")
    problems = problems_of(path, catalogue)
    assert where(problems) == [(2, None), (3, "headcount")]
    assert all(p.record for p in problems)
    assert "第 2 条记录" in str(problems[0]) and "第 3 条记录" in str(problems[1])
    assert "行" not in str(problems[1]).split(":")[0]


def test_json_keys_given_twice_and_values_json_lacks_are_refused_by_record(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """Python's parser kept the last of a key given twice (another enterprise's USCC, stored without a word)
    and read NaN, Infinity and 1e999, which JSON does not have (NaN was stored as not reported)."""
    good = json.dumps(record(1), ensure_ascii=False)
    twice = json.dumps(record(2), ensure_ascii=False)[:-1] + ', "uscc": "912114815020221385"}'
    nan = json.dumps(record(3, headcount=7), ensure_ascii=False).replace('"headcount": 7', '"headcount": NaN')
    huge = json.dumps(record(4, headcount=7), ensure_ascii=False).replace('"headcount": 7', '"headcount": 1e999')
    path = tmp_path / "r.json"
    path.write_text(f"[{good}, {twice}, {nan}, {huge}]", "utf-8")
    problems = problems_of(path, catalogue)
    assert where(problems) == [(2, "uscc"), (3, "headcount"), (4, "headcount")]
    assert "两次" in problems[0].reason and problems[0].value == "912114815020221385"
    assert problems[1].value == "NaN" and "null" in problems[1].reason
    assert problems[2].value == "1e999" and "超出范围" in problems[2].reason


def test_json_objects_and_arrays_in_a_record_are_refused_by_record_and_field(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """A name given as an object was stored as its JSON text (``{"zh": "嵌套", …}``), in a small file and a
    large one alike (read cell by cell, or by pandas)."""
    for n in (3, 250):
        records = [record(k) for k in range(1, n + 1)]
        records[1]["name"] = {"zh": "嵌套", "en": "nested"}
        records[2]["headcount"] = [1, 2]
        path = tmp_path / f"r{n}.json"
        path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
        problems = problems_of(path, catalogue)
        assert where(problems) == [(2, "name"), (3, "headcount")], n
        assert all("不能是对象或数组" in p.reason for p in problems)
        assert problems[0].value == '{"zh": "嵌套", "en": "nested"}' and problems[1].value == "[1, 2]"
    records = [record(1, name={"zh": "长" * 500})]  # echoed shortened, with its whole length
    (path := tmp_path / "long.json").write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    [problem] = problems_of(path, catalogue)
    written = json.dumps(records[0]["name"], ensure_ascii=False)
    assert problem.value is not None and f"共 {len(written):,} 个字符" in problem.value


def test_json_key_in_some_records_names_the_first_record_with_it(tmp_path: Path, catalogue: Catalogue) -> None:
    records = [record(1, 附注="a"), record(2), record(3, 备注="x"), record(4, 备注="y", 附注="b")]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    problems = problems_of(path, catalogue)
    assert [(p.row, p.column) for p in problems] == [(None, "附注"), (None, "备注")]
    assert "出现在第 1 条记录" in problems[0].reason
    assert "出现在第 3 条记录" in problems[1].reason and "未知" in problems[1].reason
    every = tmp_path / "every.json"
    every.write_text(json.dumps([record(1, 备注="x"), record(2, 备注="y")], ensure_ascii=False), "utf-8")
    [problem] = problems_of(every, catalogue)
    assert problem.column == "备注" and "出现在" not in problem.reason


def test_duplicate_code_wording(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps([record(1), record(2), record(1)], ensure_ascii=False), "utf-8")
    [problem] = problems_of(path, catalogue)
    assert problem.row == 3 and "统一社会信用代码与第 1 条记录重复" in problem.reason
    [problem] = problems_of(write_csv(tmp_path / "r.csv", [record(1), record(1)]), catalogue)
    assert problem.row == 3 and "统一社会信用代码与第 2 行重复" in problem.reason


# --- bad headers and bad files ------------------------------------------------------------------------


def test_unknown_column_is_a_header_problem_and_cells_are_still_checked(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    rows = [record(1, 备注="x"), record(2, headcount="")]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    assert [(p.row, p.column, p.value) for p in problems] == [(1, "备注", "备注"), (3, "headcount", "")]
    assert "未知" in problems[0].reason


def test_missing_and_duplicate_columns(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "r.csv"
    path.write_text("uscc,统一社会信用代码,name,industry,size\n" + f"{code(1)},{code(1)},a,C,大型\n", "utf-8")
    problems = problems_of(path, catalogue)
    assert all(p.row == 1 for p in problems)
    reasons = {p.column: p.reason for p in problems}
    assert "重复" in reasons["统一社会信用代码"]
    assert "缺少" in reasons["行政区划代码 (region_code)"] and "缺少" in reasons["职工总数 (headcount)"]


@pytest.mark.parametrize("column", ["fatal_accidents", "child_labour_found", "overtime_hours_max_monthly"])
def test_a_blank_required_fact_is_refused(tmp_path: Path, catalogue: Catalogue, column: str) -> None:
    """A blank would read as "not reported" and skip a deduction: "none happened" must be written as 0 / 否."""
    assert catalogue.field_map[column].required
    rows = [record(1), record(2, **{column: ""}), record(3, **{column: " "})]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (3, column, REQUIRED_FACT_REASON),
        (4, column, REQUIRED_FACT_REASON),
    ]
    assert str(problems[0]).startswith(f"r.csv, 第 3 行 (row 3), 列 {column} (column):必填")
    zh = catalogue.field_map[column].name_zh
    chinese = write_csv(tmp_path / "zh.csv", [{(zh if k == column else k): v for k, v in rows[1].items()}])
    [problem] = problems_of(chinese, catalogue)
    assert (problem.row, problem.column, problem.reason) == (2, zh, REQUIRED_FACT_REASON)


@pytest.mark.parametrize("column", sorted(REQUIRED_FACTS))
def test_a_missing_required_fact_column_is_refused_at_the_header(
    tmp_path: Path, catalogue: Catalogue, column: str
) -> None:
    rows = [record(1), record(2)]
    for row in rows:
        del row[column]
    [problem] = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
    zh = catalogue.field_map[column].name_zh
    assert (problem.row, problem.column, problem.value) == (1, f"{zh} ({column})", None)
    assert "缺少必填列" in problem.reason


SHORT_ROW_CASES = ["plain", "crlf, blank tail", "quoted cell", "short row quoted", "multi-line cell", "blank first"]


def _short_row_text(case: str, d: str, header: list[str], rows: list[list[str]], missing: int) -> str:
    """Header, a full row, a row missing its last ``missing`` cells (line 3), a full row."""
    first, short, last = rows[0], rows[1][: len(rows[1]) - missing], rows[2]
    if case == "quoted cell":
        last = [last[0], '"锦州,港"', *last[2:]]
    if case == "short row quoted":
        short = [short[0], '"沈阳,第2"', *short[2:]]
    if case == "multi-line cell":
        last = [last[0], '"锦州\n港"', *last[2:]]
    lines = [d.join(header), d.join(first), d.join(short), d.join(last)]
    if case == "crlf, blank tail":
        return "\r\n".join([*lines, d * 3]) + "\r\n"
    if case == "blank first":
        return "\n" + "\n".join(lines) + "\n"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", SHORT_ROW_CASES)
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_csv_row_with_fewer_cells_than_headers_is_refused(
    tmp_path: Path, catalogue: Catalogue, case: str, delimiter: str
) -> None:
    """Missing cells are not blanks: a short row would silently read as "not reported"."""
    fields = [f.name for f in catalogue.fields if f.name not in record(1)]
    header = [*record(1), *fields]
    rows = [[*record(i).values(), *([""] * len(fields))] for i in (1, 2, 3)]
    path = tmp_path / "r.csv"
    path.write_text(_short_row_text(case, delimiter, header, rows, 2), "utf-8")
    row = 4 if case == "blank first" else 3
    problems = problems_of(path, catalogue)
    # a line break inside a name is refused as a control character, on the line the record starts
    control = [(4, "name", CONTROL_REASON)] if case == "multi-line cell" else []
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (row, None, f"该行只有 {len(header) - 2} 个值,比标题行少 2 个 (fewer cells than headers)"),
        *control,
    ]
    assert str(problems[0]).startswith(f"r.csv, 第 {row} 行")
    path.write_text(_short_row_text(case, delimiter, header, rows, 0), "utf-8")
    if case == "multi-line cell":
        assert [(p.row, p.column) for p in problems_of(path, catalogue)] == [(4, "name")]
    else:
        assert len(read_records(path, catalogue, period=PERIOD).frame) == 3


def test_a_very_short_csv_row_also_reports_its_missing_required_cells(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write_csv(tmp_path / "r.csv", [record(1), record(2)])
    text = path.read_text("utf-8")
    path.write_text(text + ",".join(list(record(3).values())[:3]) + "\n", "utf-8")
    problems = problems_of(path, catalogue)
    missing = len(record(3)) - 3
    assert problems[0].row == 4 and f"该行只有 3 个值,比标题行少 {missing} 个" in problems[0].reason
    required_facts = {f.name for f in catalogue.fields if f.required}
    assert {p.column for p in problems[1:]} == {"industry", "size"} | required_facts


def test_padding_that_is_not_a_short_row(tmp_path: Path, catalogue: Catalogue) -> None:
    """Cells only under blank trailing headers may be left out; xlsx rows and JSON keys may be missing."""
    row = record(1)
    path = tmp_path / "r.csv"
    path.write_text(",".join(row) + ",,\n" + ",".join(row.values()) + "\n", "utf-8")
    assert len(read_records(path, catalogue, period=PERIOD).frame) == 1
    headers = [*row, "union_established"]
    xlsx = write_xlsx(tmp_path / "r.xlsx", headers, [[*row.values(), "是"], list(record(2).values())])
    assert read_records(xlsx, catalogue, period=PERIOD).frame["union_established"].isna().tolist() == [False, True]
    doc = tmp_path / "r.json"
    partial = record(2)
    del partial["ownership"]
    doc.write_text(json.dumps([record(1), partial], ensure_ascii=False), "utf-8")
    assert read_records(doc, catalogue, period=PERIOD).frame["ownership"].isna().tolist() == [False, True]


def test_extra_cells_without_a_header(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write_csv(tmp_path / "r.csv", [record(1)])
    path.write_text(path.read_text("utf-8").rstrip("\r\n") + ",多余\n", "utf-8")
    [problem] = problems_of(path, catalogue)
    assert (problem.row, problem.value) == (2, "多余")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("r.csv", b"", "为空"),
        ("r.csv", b" \r\n\r\n", "为空"),
        ("r.csv", b"uscc,name,region_code,industry,size,headcount\n", "没有数据"),
        ("r.xls", b"whatever", ".xlsx"),
        ("r.docx", b"a,b", ".txt"),
        ("r.txt", b"a,b", "没有数据"),
        ("r.csv", bytes(range(256)) * 8, "编码"),
        ("r.csv", b"PK\x03\x04rest", "xlsx"),
        ("r.xlsx", b"not a zip at all", "Excel"),
        ("r.json", b"{not json", "JSON"),
        ("r.json", b'{"rows": []}', "records"),
        ("r.json", b"[]", "没有记录"),
    ],
)
def test_unreadable_files_give_one_problem(
    tmp_path: Path, catalogue: Catalogue, name: str, content: bytes, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [problem] = problems_of(path, catalogue)
    assert problem.file == name and problem.column is None
    assert fragment in problem.reason


def test_damaged_workbook_gives_one_problem(tmp_path: Path, catalogue: Catalogue) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", ["uscc"], [[code(1)]])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(
                item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet1.xml") else body
            )
    [problem] = problems_of(damaged, catalogue)
    assert problem.row is None and "损坏" in problem.reason


def test_deeply_nested_json_gives_one_problem(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    [problem] = problems_of(path, catalogue)
    assert "JSON" in problem.reason


def test_missing_file(tmp_path: Path, catalogue: Catalogue) -> None:
    [problem] = problems_of(tmp_path / "nowhere.csv", catalogue)
    assert problem.row is None and "无法读取" in problem.reason


# --- problem report -----------------------------------------------------------------------------------


def _bad_file_problems(tmp_path: Path, catalogue: Catalogue) -> list[RowProblem]:
    rows = [record(1, headcount="x", name="某某公司"), record(2, region_code="110101")]
    return problems_of(write_csv(tmp_path / "坏.csv", rows), catalogue)


def test_problem_report_csv_opens_in_excel(tmp_path: Path, catalogue: Catalogue) -> None:
    problems = _bad_file_problems(tmp_path, catalogue)
    out = write_problem_report(problems, tmp_path / "report.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert list(table.columns) == ["文件 file", "行 row", "列 column", "值 value", "原因 reason"]
    assert table["行 row"].tolist() == ["2", "3"]
    assert table["文件 file"].tolist() == ["坏.csv", "坏.csv"]


def test_problem_report_xlsx(tmp_path: Path, catalogue: Catalogue) -> None:
    problems = _bad_file_problems(tmp_path, catalogue) + [RowProblem("坏.csv", None, None, None, "整体问题")]
    out = write_problem_report(problems, tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("文件 file", "行 row", "列 column", "值 value", "原因 reason")
    assert values[1][:4] == ("坏.csv", 2, "headcount", "x")
    assert values[3][1] is None and values[3][4] == "整体问题"


# --- reference data, properties, scale ----------------------------------------------------------------


def test_reference_data() -> None:
    assert len(CITIES) == 14 and CITIES["211400"] == "葫芦岛市"
    assert list(INDUSTRIES) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert SIZES == ("大型", "中型", "小型", "微型")
    assert city_of("210102") == "210100" and city_of("211481") == "211400"
    assert city_of("210000") is None and city_of("219900") is None and city_of("110101") is None
    assert industry_letter("农、林、牧、渔业") == "A" and industry_letter("C 采矿业") is None
    assert normalise_size("SMALL") == "小型" and normalise_size("大") is None
    assert normalise_ownership("港澳台商投资企业") == "港澳台投资"
    assert doctest.testmod(lrc.reference).failed == 0


def test_region_codes_are_checked_against_gb_t_2260() -> None:
    assert all(is_region(c) for c in CITIES)
    assert is_region("210102") and is_region("211481") and is_region(" 210224 ")
    assert is_region("210122")  # 辽中县, abolished in 2016: older registrations keep it
    assert not is_region("210199") and not is_region("211199") and not is_region("210000")
    assert not is_region("110101") and not is_region("2101") and not is_region("21010x")


def test_without_the_division_table_the_city_prefix_is_checked(
    tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stdnum.numdb

    def missing(name: str) -> None:
        raise OSError(f"no {name}")

    monkeypatch.setattr(stdnum.numdb, "get", missing)
    lrc.reference._county_codes.cache_clear()
    try:
        assert is_region("210199") and not is_region("219900")
        rows = [record(1, region_code="210199"), record(2, region_code="219900")]
        [problem] = problems_of(write_csv(tmp_path / "r.csv", rows), catalogue)
        assert (problem.row, problem.column) == (3, "region_code")
    finally:
        lrc.reference._county_codes.cache_clear()
    monkeypatch.undo()
    assert not is_region("210199")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=10**12), st.booleans())
def test_any_whole_number_round_trips(
    tmp_path_factory: pytest.TempPathFactory, number: int, grouped: bool
) -> None:
    catalogue = load_catalogue(EDITION)
    text = f"{number:,}" if grouped else str(number)
    rows = [record(1, headcount=text, employees_with_contract="1")]  # within the smallest headcount
    path = write_csv(tmp_path_factory.mktemp("n") / "r.csv", rows)
    assert read_records(path, catalogue, period=PERIOD).frame.iloc[0]["headcount"] == number


def test_a_100k_row_file_is_read_whole_with_user_row_numbers(tmp_path: Path, catalogue: Catalogue) -> None:
    fields = [f for f in catalogue.fields if f.name != "headcount"]
    sample = {"bool": "是", "int": "3", "number": "0.5"}
    headers = ["uscc", "name", "region_code", "industry", "size", "headcount"] + [f.name for f in fields]
    tail = ",".join(sample[f.type] for f in fields)
    lines = [",".join(headers)]
    cities = list(CITIES)
    lines += [
        f"{code(i, cities[i % 14])},企业{i},{cities[i % 14]},C,小型,{i % 900 + 10},{tail}"
        for i in range(100_000)
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    batch = read_records(path, catalogue, period=PERIOD)  # speed is measured in bench/score.py, not here
    assert batch.frame.shape == (100_000, 5 + len(catalogue.fields))
    assert batch.source_rows[-1] == 100_001


@pytest.mark.parametrize("tail", ["\n\n\n", ",,,,,,\n,,,,,,\n", "\r\n\r\n"])
def test_trailing_blank_lines_are_not_records(tmp_path: Path, catalogue: Catalogue, tail: str) -> None:
    path = tmp_path / "tail.csv"
    write_sample(generate(5, seed=1, period=PERIOD, catalogue=load_catalogue(EDITION)), path)
    path.write_bytes(path.read_bytes() + tail.encode())
    batch = read_records(path, catalogue, period=PERIOD)
    assert len(batch.frame) == 5 and batch.source_rows == [2, 3, 4, 5, 6]


def test_a_people_count_above_its_bound_is_refused(tmp_path: Path, catalogue: Catalogue) -> None:
    frame = generate(6, seed=2, period=PERIOD, catalogue=load_catalogue(EDITION))
    frame.loc[frame.index[2], "employees_with_contract"] = int(frame["headcount"].iloc[2]) + 5
    frame.loc[frame.index[4], "total_workforce"] = 40
    frame.loc[frame.index[4], "dispatched_workers"] = 41
    path = tmp_path / "over.csv"
    write_sample(frame, path)
    with pytest.raises(InputValidationError) as caught:
        read_records(path, catalogue, period=PERIOD)
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [(4, "employees_with_contract"), (6, "dispatched_workers")]
    assert "职工总数" in caught.value.problems[0].reason


def test_facts_that_contradict_each_other_are_refused_with_both_named(tmp_path: Path) -> None:
    """Catalogue 2027.1's consistency checks: no union, yet a union chair elected (and the like)."""
    newest = load_catalogue("2027.1")
    check = next(c for c in newest.checks if c.code == "NO_UNION_NO_CHAIR")
    frame = generate(4, seed=8, period=PERIOD, catalogue=newest)
    frame["union_established"] = pd.array([False, False, True, True], dtype="boolean")
    frame["union_chair_elected"] = pd.array([True, False, True, False], dtype="boolean")
    frame["union_members"] = pd.array([0, 0, 1, 1], dtype="Int64")
    frame["union_safety_supervision"] = pd.array([False, False, True, True], dtype="boolean")
    path = tmp_path / "r.csv"
    write_sample(frame, path)
    [problem] = problems_of(path, newest)
    assert (problem.row, problem.column) == (2, "union_chair_elected")
    other = newest.field_map[check.when.field].name_zh
    assert check.message_zh in problem.reason and f"「{other}」" in problem.reason and check.code in problem.reason
    frame.loc[frame.index[0], "union_chair_elected"] = False
    write_sample(frame, path)
    assert len(read_records(path, newest, period=PERIOD).frame) == 4


def _plain_number(cell: str, is_int: bool) -> tuple[bool, float | None, str | None]:
    """One cell as the number checks define it: (parsed, value, reason when not parsed)."""
    import re

    from lrc.ingest import validate as v

    percent = not is_int and cell.endswith("%")
    text = cell[:-1] if percent else cell
    if re.fullmatch(v.INT_PATTERN if is_int else v.NUMBER_PATTERN, text):
        value = float(text.replace(",", ""))
        return True, value / 100 if percent else value, None
    if not is_int:
        return False, None, v.NUMBER_REASON
    return False, None, v.NOT_WHOLE_REASON if re.fullmatch(v.DECIMAL_PATTERN, cell) else v.WHOLE_REASON


NUMBER_CELLS = st.one_of(
    st.from_regex(r"[+-]?[0-9]{1,20}(\.[0-9]{0,6})?([eE][+-]?[0-9]{1,3})?%?", fullmatch=True),
    st.from_regex(r"[+-]?[0-9]{1,3}(,[0-9]{3}){0,4}(\.0*)?", fullmatch=True),
    st.sampled_from(["", "%", "1,23", "1.2.3", "12 元", "一百", ".5", "+.5e2", "1.", "12%%", "１２"]),
    st.text(max_size=8),
)


@given(st.lists(NUMBER_CELLS, min_size=1, max_size=30), st.booleans())
def test_number_cells_read_in_bulk_as_each_cell_alone(cells: list[str], is_int: bool) -> None:
    from lrc.ingest.validate import _read_numbers

    ok, numbers, wrong = _read_numbers(pd.Series(cells, dtype="str"), is_int)
    for k, cell in enumerate(cells):
        parsed, value, reason = _plain_number(cell, is_int)
        assert bool(ok[k]) is parsed, cell
        if parsed:
            assert numbers[k] == value, cell
        else:
            assert wrong[k] == reason, cell


BOOL_CELLS = st.one_of(
    st.sampled_from(["是", "否", "有", "无", "Y", "n", "YES", "No", "True", "false", "1", "0", "√", "×", "✓", "✘"]),
    st.sampled_from(["", "是的", "2", "yes ", "对", "T"]),
    st.text(max_size=4),
)


@given(st.lists(BOOL_CELLS, min_size=1, max_size=30))
def test_yes_no_cells_read_in_bulk_as_each_cell_alone(cells: list[str]) -> None:
    from lrc.ingest.validate import BOOL_REASON, BOOL_TOKENS, parse_bool

    check = parse_bool(pd.Series(cells, dtype="str"))
    assert str(check.values.dtype) == "boolean"
    for k, cell in enumerate(cells):
        value = BOOL_TOKENS.get(cell.lower()) if cell else None
        assert (None if pd.isna(check.values.iloc[k]) else bool(check.values.iloc[k])) == value, cell
        assert check.reasons.iloc[k] == (BOOL_REASON if cell and value is None else None), cell
