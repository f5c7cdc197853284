"""The collection workbook: written by `lrc template`, filled as a user would (openpyxl), ingested
unchanged, scoring exactly as the same data does through a CSV."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from indicators import load_catalogue
from lrc.errors import InputValidationError
from lrc.ingest.validate import IDENTITY_ZH
from lrc.samples import generate, write_sample
from lrc.service import ingest_file, load_results, score_period
from lrc.store import make_engine, upgrade
from lrc.template import DATA_SHEET, GUIDE_SHEET, write_template
from tests.conftest import ADMIN
from tests.test_cli import lrc

PERIOD = "2026Q3"
CAT = load_catalogue()


def fill(template: Path, sample: pd.DataFrame, target: Path) -> None:
    """Type the sample into the data sheet below the example row, numbers as numbers, 是/否 as text."""
    book = openpyxl.load_workbook(template)
    sheet = book[DATA_SHEET]
    by_header = {**{zh: name for name, zh in IDENTITY_ZH.items()}, **{f.name_zh: f.name for f in CAT.fields}}
    names = [by_header[cell.value] for cell in sheet[1]]
    for r, record in enumerate(sample.to_dict("records"), start=3):
        for c, name in enumerate(names, start=1):
            value = record.get(name)
            if value is None or pd.isna(value):
                continue
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif name in ("uscc", "region_code", "name", "industry", "size", "ownership"):
                value = str(value)
            elif hasattr(value, "item"):
                value = value.item()
            sheet.cell(row=r, column=c, value=value)
    book.save(target)


def test_the_workbook_explains_validates_and_shows_an_example(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    columns = write_template(CAT, PERIOD, path, region="210200")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == [DATA_SHEET, "填报说明"] and book["代码表"].sheet_state == "hidden"
    data = book[DATA_SHEET]
    headers = [c.value for c in data[1]]
    assert len(headers) == columns == len(IDENTITY_ZH) + len(CAT.fields)
    assert headers[: len(IDENTITY_ZH)] == list(IDENTITY_ZH.values())
    assert headers[len(IDENTITY_ZH) :] == [f.name_zh for f in CAT.fields]
    assert data.freeze_panes == "B2"
    assert all(cell.comment is not None and cell.comment.text for cell in data[1])
    assert str(data.cell(row=2, column=1).value).startswith("示例")
    kinds = {v.type for v in data.data_validations.dataValidation}
    assert {"list", "whole", "decimal", "textLength"} <= kinds
    regions = book["代码表"]
    region_column = [c.value for c in regions["B"]][1:]
    assert region_column and all(str(code).startswith("2102") for code in region_column if code)
    guide = book["填报说明"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "法律依据" in text and "劳动合同法" in text and PERIOD in text


def test_a_filled_template_scores_as_the_csv_does(tmp_path: Path) -> None:
    sample = generate(40, seed=17, period=PERIOD)
    csv_path, template, filled = tmp_path / "s.csv", tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_sample(sample, csv_path)
    write_template(CAT, PERIOD, template)
    fill(template, sample, filled)
    totals = []
    for name, path in (("csv", csv_path), ("xlsx", filled)):
        engine: Engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        summary = ingest_file(engine, ADMIN, path, PERIOD)
        assert summary.new_versions == 40 and summary.absent_columns == []  # every column, none to warn of
        score_period(engine, ADMIN, PERIOD)
        totals.append(load_results(engine, ADMIN, PERIOD)[1].set_index("uscc")[["total", "grade"]].sort_index())
    pd.testing.assert_frame_equal(totals[0], totals[1])


def test_errors_in_a_template_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    sample = generate(5, seed=3, period=PERIOD)
    template, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_template(CAT, PERIOD, template)
    fill(template, sample, filled)
    book = openpyxl.load_workbook(filled)
    sheet = book[DATA_SHEET]
    headcount = [c.value for c in sheet[1]].index(CAT.field_map["headcount"].name_zh) + 1
    sheet.cell(row=5, column=headcount, value="三十人")
    book.save(filled)
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    with pytest.raises(InputValidationError) as refused:
        ingest_file(engine, ADMIN, filled, PERIOD)
    [problem] = refused.value.problems
    assert (problem.row, problem.column, problem.value) == (5, CAT.field_map["headcount"].name_zh, "三十人")
    assert f"工作表「{DATA_SHEET}」" in problem.reason


def test_lrc_template_command(tmp_path: Path) -> None:
    done = lrc(tmp_path, "template", "--period", "2026Q3", "--output", "采集表.xlsx", "--region", "210100")
    assert (tmp_path / "采集表.xlsx").exists() and "采集表" in done.stdout
    bad = lrc(tmp_path, "template", "--period", "2026Q3", "--output", "x.csv", ok=False)
    assert bad.returncode == 2 and ".xlsx" in bad.stderr
    region = lrc(tmp_path, "template", "--period", "2026Q3", "--output", "y.xlsx", "--region", "999999", ok=False)
    assert region.returncode == 2 and "区县代码" in region.stderr
    (tmp_path / "taken.xlsx").mkdir()  # a folder where the file should go
    taken = lrc(tmp_path, "template", "--period", "2026Q3", "--output", "taken.xlsx", ok=False)
    assert taken.returncode == 2 and "是文件夹" in taken.stderr and "Traceback" not in taken.stderr
    lrc(tmp_path, "init")
    unfilled = lrc(tmp_path, "ingest", "采集表.xlsx", "--period", "2026Q3", ok=False)  # forgot to fill it in
    assert unfilled.returncode == 4 and "只有示例行,还没有填写企业数据" in unfilled.stderr


def test_a_template_made_for_another_period_is_refused_naming_both(tmp_path: Path) -> None:
    sample = generate(5, seed=4, period=PERIOD)
    lrc(tmp_path, "init")
    lrc(tmp_path, "template", "--period", "2026Q2", "--output", "q2.xlsx")
    fill(tmp_path / "q2.xlsx", sample, tmp_path / "填好的.xlsx")
    done = lrc(tmp_path, "ingest", "填好的.xlsx", "--period", PERIOD, "--format", "json", ok=False)
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["error"]["errors"][0]["reason"] in done.stderr  # the same problem, as JSON too
    [problem] = [line for line in done.stderr.splitlines() if "2026Q2" in line]
    assert "填好的.xlsx" in problem and f"--period {PERIOD}" in problem and "报告期 2026Q2 的采集表" in problem
    assert json.loads(lrc(tmp_path, "batches", "--format", "json").stdout) == []  # nothing stored
    made = json.loads(lrc(tmp_path, "ingest", "填好的.xlsx", "--period", "2026q2", "--format", "json").stdout)
    assert made["period"] == "2026Q2" and made["new_versions"] == 5


@pytest.mark.parametrize("guide", ["renamed", "untitled"])
def test_a_template_naming_no_period_ingests_for_any(tmp_path: Path, guide: str) -> None:
    """An older or edited workbook whose guide sheet names no period is not checked."""
    template, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_template(CAT, "2026Q2", template)
    fill(template, generate(3, seed=5, period=PERIOD), filled)
    book = openpyxl.load_workbook(filled)
    if guide == "renamed":
        book[GUIDE_SHEET].title = "说明"
    else:
        book[GUIDE_SHEET]["A1"] = "企业劳动关系信用评价 采集表"
    book.save(filled)
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    assert ingest_file(engine, ADMIN, filled, PERIOD).new_versions == 3
