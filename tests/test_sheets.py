"""Which worksheet of a workbook is read: the one holding data. A workbook with several is refused, naming
them, until `--sheet NAME` chooses one (`lrc ingest`, `lrc record ingest`, `lrc exchange import`); notes, code
lists, a header alone and the collection template's unfilled example do not count, so a filled template
still goes in as it is."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from indicators import load_catalogue
from lrc.errors import InputValidationError, UsageError
from lrc.ingest import read_records
from lrc.samples import generate, write_sample
from lrc.template import DATA_SHEET, GUIDE_SHEET, LISTS_SHEET, write_template
from tests.test_cli import lrc
from tests.test_template import fill

PERIOD = "2026Q3"
CAT = load_catalogue()
SEVERAL = "several worksheets hold data"


def _sample(n: int, seed: int, tmp_path: Path) -> tuple[list[str], list[list[str]]]:
    """A sample's header and rows as text, as a user would paste them into a sheet."""
    path = tmp_path / f"sample-{n}-{seed}.csv"
    write_sample(generate(n, seed=seed, period=PERIOD), path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    return header, rows


def _workbook(path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook of two sheets of enterprises, 沈阳 (5) and 大连 (3), after a sheet of notes."""
    folder = tmp_path_factory.mktemp("sheets")
    header, rows = _sample(8, 21, folder)
    path = folder / "两市.xlsx"
    notes = [["填报说明"], ["统一社会信用代码填 18 位"]]
    return _workbook(path, {"说明": notes, "沈阳": [header, *rows[:5]], "大连": [header, *rows[5:]]})


def test_several_sheets_with_data_are_refused_naming_them(two_cities: Path) -> None:
    with pytest.raises(InputValidationError) as info:
        read_records(two_cities, CAT, period=PERIOD)
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("两市.xlsx", None, None)
    assert "有 2 个工作表都有数据:「沈阳」、「大连」" in problem.reason and "--sheet 沈阳" in problem.reason
    assert "说明" not in problem.reason and SEVERAL in problem.reason


def test_sheet_chooses_one_by_its_name(two_cities: Path) -> None:
    assert len(read_records(two_cities, CAT, period=PERIOD, sheet="大连").frame) == 3
    assert read_records(two_cities, CAT, period=PERIOD, sheet=" 沈阳 ").source_rows == [2, 3, 4, 5, 6]
    with pytest.raises(UsageError) as info:
        read_records(two_cities, CAT, period=PERIOD, sheet="鞍山")
    assert "没有这个工作表;工作表有 「说明」、「沈阳」、「大连」" in str(info.value)


def test_a_hidden_sheet_with_data_counts_and_is_said_to_be_hidden(tmp_path: Path) -> None:
    header, rows = _sample(4, 5, tmp_path)
    path = _workbook(tmp_path / "h.xlsx", {"数据": [header, *rows[:2]], "旧数据": [header, *rows[2:]]}, ("旧数据",))
    with pytest.raises(InputValidationError) as info:
        read_records(path, CAT, period=PERIOD)
    assert "「数据」、「旧数据」(隐藏 hidden)" in info.value.problems[0].reason
    assert len(read_records(path, CAT, period=PERIOD, sheet="旧数据").frame) == 2


@pytest.mark.parametrize(
    "other",
    [
        pytest.param([], id="empty"),
        pytest.param("header", id="header-alone"),
        pytest.param("example", id="template-example-alone"),
        pytest.param([["名称", "备注"], ["x", "y"]], id="no-uscc-column"),
    ],
)
def test_sheets_without_data_do_not_count(tmp_path: Path, other: Any) -> None:
    header, rows = _sample(3, 9, tmp_path)
    example = ["示例:91210102MA0XXXXXX0(本行为示例,导入时忽略)", *rows[0][1:]]
    second = {"header": [header], "example": [header, example]}.get(other, other) if isinstance(other, str) else other
    path = _workbook(tmp_path / "w.xlsx", {"其他": second, "数据": [header, *rows]})
    assert len(read_records(path, CAT, period=PERIOD).frame) == 3


def test_a_filled_template_goes_in_without_choosing_a_sheet(tmp_path: Path) -> None:
    """Its guide and hidden code list hold text, not data; a copy of its sheet left unfilled is not data either."""
    template, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_template(CAT, PERIOD, template)
    fill(template, generate(6, seed=2, period=PERIOD), filled)
    book = openpyxl.load_workbook(filled)
    assert book.sheetnames == [DATA_SHEET, GUIDE_SHEET, LISTS_SHEET]
    copy = book.create_sheet("空白")
    for row in openpyxl.load_workbook(template)[DATA_SHEET].iter_rows(max_row=2, values_only=True):
        copy.append(row)  # the template's header and example row, nothing filled
    book.save(filled)
    assert len(read_records(filled, CAT, period=PERIOD).frame) == 6


def test_sheet_is_refused_for_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    write_sample(generate(2, seed=1, period=PERIOD), path)
    with pytest.raises(UsageError, match="--sheet 数据:只有 Excel"):
        read_records(path, CAT, period=PERIOD, sheet="数据")


def test_lrc_ingest_and_record_ingest_refuse_several_sheets_until_one_is_chosen(tmp_path: Path) -> None:
    header, rows = _sample(6, 33, tmp_path)
    _workbook(tmp_path / "w.xlsx", {"沈阳": [header, *rows[:4]], "大连": [header, *rows[4:]]})
    lrc(tmp_path, "init")
    refused = lrc(tmp_path, "ingest", "w.xlsx", "--period", PERIOD, ok=False)
    assert refused.returncode == 4 and "「沈阳」、「大连」" in refused.stderr and "--sheet" in refused.stderr
    assert json.loads(lrc(tmp_path, "batches", "--format", "json").stdout) == []
    done = lrc(tmp_path, "ingest", "w.xlsx", "--period", PERIOD, "--sheet", "大连", "--format", "json")
    assert json.loads(done.stdout)["rows"] == 2
    wrong = lrc(tmp_path, "ingest", "w.xlsx", "--period", PERIOD, "--sheet", "鞍山", ok=False)
    assert wrong.returncode == 2 and "没有这个工作表" in wrong.stderr and "Traceback" not in wrong.stderr
    write_sample(generate(2, seed=1, period=PERIOD), tmp_path / "s.csv")
    csv = lrc(tmp_path, "ingest", "s.csv", "--period", PERIOD, "--sheet", "大连", ok=False)
    assert csv.returncode == 2 and "只有 Excel (.xlsx) 文件才有工作表" in csv.stderr

    uscc = rows[4][0]
    record = [uscc, "DOUBLE_WAGE_AWARD", "2026-03-01", "沈阳市劳动人事争议仲裁委员会", "沈劳人仲字〔2026〕1号"]
    heads = ["统一社会信用代码", "记录类型", "决定日期", "决定机关", "文书编号"]
    _workbook(tmp_path / "r.xlsx", {"一月": [heads, record], "二月": [heads, [*record[:4], "沈劳人仲字〔2026〕2号"]]})
    refused = lrc(tmp_path, "record", "ingest", "r.xlsx", ok=False)
    assert refused.returncode == 4 and "「一月」、「二月」" in refused.stderr
    done = lrc(tmp_path, "record", "ingest", "r.xlsx", "--sheet", "二月", "--format", "json")
    assert json.loads(done.stdout)["received"] == 1
