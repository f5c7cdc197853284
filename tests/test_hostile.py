"""What a hostile or unlucky user tried against the spine, class by class, on SQLite and PostgreSQL.

Each test failed before the hardening it names: formulas in exports, markup in terminal output,
absurd file shapes, swapped identities, look-alike digits, formula cells without values, control
characters, wrapped or missing problem reports and integer overflow."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from lrc.errors import ECHO_CHARS, InputValidationError
from lrc.export import csv_bytes, neutralise, xlsx_bytes
from lrc.ingest import read_records
from lrc.ingest.readers import MAX_CELL_CHARS, MAX_COLUMNS, MAX_LINE_CHARS
from lrc.normalise import CONTROL_REASON
from lrc.periods import check_period
from lrc.samples import generate, write_sample
from lrc.service import ingest_file, score_period, verify_run
from tests.conftest import ADMIN, StoreBuild, module_store_build
from tests.test_cli import lrc

PERIOD = "2026Q3"
FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "@SUM(A1)", "+1+2", "-2+3", "\t=1", "  =2+2"]
MARKUP = ["[/]", "[link=http://example.invalid]点我[/link]", "[bold red]x", ":smile:", "![](http://example.invalid/p.png)"]


def hostile_csv(path: Path, names: list[str], n: int = 20, seed: int = 11) -> list[str]:
    """A sample file whose first enterprises carry ``names``; returns every USCC in file order."""
    frame = generate(n, seed=seed, period=PERIOD)
    frame.loc[frame.index[: len(names)], "name"] = names
    write_sample(frame, path)
    return frame["uscc"].tolist()


def _initialised(engine: Engine, directory: Path) -> None:
    lrc(directory, "init", "--db", engine.url.render_as_string(hide_password=False))


store_build = module_store_build(_initialised, "initialised")


@pytest.fixture
def store(db_url: str, tmp_path: Path, store_build: StoreBuild) -> tuple[str, Path]:
    """A copy of a store initialised by `lrc init` on each backend, and a working directory for the CLI."""
    return db_url, tmp_path


# ---- formulas ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_trigger_is_neutralised_and_leading_spaces_kept(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("沈阳=重工") == "沈阳=重工" and neutralise("3M 中国") == "3M 中国"


def test_rank_exports_write_names_as_text(store: tuple[str, Path]) -> None:
    db, cwd = store
    names = [n.strip("\t ") for n in FORMULAS]  # ingest strips outer blanks; the triggers stay first
    hostile_csv(cwd / "f.csv", names)
    lrc(cwd, "ingest", "f.csv", "--period", PERIOD, "--db", db)
    lrc(cwd, "score", "--period", PERIOD, "--db", db)
    lrc(cwd, "rank", "--period", PERIOD, "--output", "r.csv", "--db", db)
    lrc(cwd, "rank", "--period", PERIOD, "--output", "r.xlsx", "--db", db)
    with open(cwd / "r.csv", encoding="utf-8-sig", newline="") as handle:
        cells = {row["name"] for row in csv.DictReader(handle)}
    assert {"'" + n for n in names} <= cells
    stdout = lrc(cwd, "rank", "--period", PERIOD, "--format", "csv", "--db", db).stdout
    assert not any(line.split(",")[2].startswith(("=", "+", "-", "@")) for line in stdout.splitlines()[1:])
    sheet = openpyxl.load_workbook(cwd / "r.xlsx").active
    written = {c.value: c.data_type for c in sheet["C"][1:]}
    assert all(written[n] == "s" for n in names)  # strings, never formulas ("f")


def test_problem_reports_write_values_as_text(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    hostile_csv(path, ["好企业"])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "headcount"] = "=1+1"
    frame.loc[1, "headcount"] = '=HYPERLINK("http://x","y")'
    frame.to_csv(path, index=False)
    for report in ("p.csv", "p.xlsx"):
        done = lrc(tmp_path, "init", ok=True) and lrc(
            tmp_path, "ingest", "f.csv", "--period", PERIOD, "--errors", report, ok=False
        )
        assert done.returncode == 4
    with open(tmp_path / "p.csv", encoding="utf-8-sig", newline="") as handle:
        values = [row[3] for row in csv.reader(handle)][1:]
    assert "'=1+1" in values
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx").active
    assert {c.data_type for c in sheet["D"][1:] if c.value} == {"s"}


def test_dashboard_downloads_use_the_one_export_path() -> None:
    frame = pd.DataFrame({"企业名称": FORMULAS, "总分": [-2.5] * len(FORMULAS)})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", keep_default_na=False)
    assert back["企业名称"].tolist() == ["'" + n for n in FORMULAS] and back["总分"].tolist() == [-2.5] * len(FORMULAS)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, "排名")))
    assert [c.data_type for c in book.active["A"][1:]] == ["s"] * len(FORMULAS)
    assert [c.value for c in book.active["B"][1:]] == [-2.5] * len(FORMULAS)


# ---- markup ------------------------------------------------------------------------------


def test_names_with_markup_print_as_text(store: tuple[str, Path]) -> None:
    db, cwd = store
    (cwd / "[bold]").mkdir()
    usccs = hostile_csv(cwd / "[bold]" / "x[link=y].csv", MARKUP)
    done = lrc(cwd, "ingest", "[bold]/x[link=y].csv", "--period", PERIOD, "--db", db)
    assert "[bold]/x[link=y].csv" in done.stdout
    lrc(cwd, "score", "--period", PERIOD, "--db", db)
    table = lrc(cwd, "rank", "--period", PERIOD, "--db", db, env={"COLUMNS": "400"}).stdout
    for name in MARKUP:
        assert name in table
    for uscc, name in zip(usccs, MARKUP, strict=False):
        assert name in lrc(cwd, "explain", uscc, "--period", PERIOD, "--db", db).stdout


@pytest.mark.parametrize(
    ("args", "echoed"),
    [
        (("rank", "--period", "[/]"), "[/]"),
        (("rank", "--period", PERIOD, "--region", "[link=http://x]y[/link]"), "[link=http://x]y[/link]"),
        (("explain", "[/][bold]", "--period", PERIOD), "[/][BOLD]"),
        (("rank", "--period", PERIOD, "--search", "[/]", "--format", "json"), None),
    ],
)
def test_markup_in_arguments_is_plain_text(store: tuple[str, Path], args: tuple[str, ...], echoed: str | None) -> None:
    db, cwd = store
    hostile_csv(cwd / "f.csv", MARKUP)
    lrc(cwd, "ingest", "f.csv", "--period", PERIOD, "--db", db)
    lrc(cwd, "score", "--period", PERIOD, "--db", db)
    done = lrc(cwd, *args, "--db", db, ok=echoed is None)
    if echoed is None:  # searching for "[/]" finds the enterprise of that name
        assert [r["name"] for r in json.loads(done.stdout)] == ["[/]"]
        return
    assert done.returncode in (1, 2, 5) and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and echoed in done.stderr


# ---- shapes and sizes --------------------------------------------------------------------


def test_a_one_line_file_of_empty_columns_is_refused_early(tmp_path: Path, catalogue) -> None:  # noqa: ANN001
    path = tmp_path / "wide.csv"
    path.write_text("uscc" + "," * 2_000_000 + "\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputValidationError) as caught:
        read_records(path, catalogue, period=PERIOD)
    assert f"超过上限 {MAX_COLUMNS} 列" in str(caught.value.problems[0])
    assert time.perf_counter() - started < 30  # a guard against hanging, not a speed target


@pytest.mark.parametrize("where", ["cell", "header", "line"])
def test_huge_cells_and_headers_are_refused_and_echoed_short(tmp_path: Path, catalogue, where: str) -> None:  # noqa: ANN001
    path = tmp_path / "big.csv"
    hostile_csv(path, ["好企业"])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    huge = "x" * 5_000_000
    if where == "header":
        frame[huge] = ""
    elif where == "cell":
        frame.loc[3, "headcount"] = "9" * (MAX_CELL_CHARS + 1)
    else:
        frame.loc[3, "headcount"] = huge
    frame.to_csv(path, index=False)
    with pytest.raises(InputValidationError) as caught:
        read_records(path, catalogue, period=PERIOD)
    message = "\n".join(map(str, caught.value.problems))
    assert len(message) < 400, message[:400]
    expected = {
        "cell": f"超过上限 {MAX_CELL_CHARS:,}",
        "header": f"超过上限 {MAX_LINE_CHARS:,}",
        "line": "line too long",
    }
    assert expected[where] in message


def test_a_name_longer_than_the_limit_is_refused_with_row_and_column(tmp_path: Path, catalogue) -> None:  # noqa: ANN001
    path = tmp_path / "long.csv"
    hostile_csv(path, ["好" * 101, "好" * 100])
    with pytest.raises(InputValidationError) as caught:
        read_records(path, catalogue, period=PERIOD)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "name")]
    assert "超过 100 个字符" in caught.value.problems[0].reason
    assert len(caught.value.problems[0].value or "") <= ECHO_CHARS + 40


# ---- identity ----------------------------------------------------------------------------


def test_enterprise_identity_is_append_only_and_verify_checks_it(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    hostile_csv(path, [])
    ingest_file(engine, ADMIN, path, PERIOD)
    rename = "UPDATE enterprises SET uscc = '91210100MA0000000X' WHERE id = 1"
    for statement in (rename, "DELETE FROM enterprises WHERE id = 1"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:  # behind the triggers: swap the codes of enterprises 1 and 2
        for action in ("update",):
            conn.execute(
                text(f"ALTER TABLE enterprises DISABLE TRIGGER enterprises_no_{action}")
                if pg
                else text(f"DROP TRIGGER enterprises_no_{action}")
            )
        one, two = (conn.execute(text(f"SELECT uscc FROM enterprises WHERE id = {i}")).scalar() for i in (1, 2))
        conn.execute(text("UPDATE enterprises SET uscc = 'TMP' WHERE id = 1"))
        conn.execute(text("UPDATE enterprises SET uscc = :u WHERE id = 2"), {"u": one})
        conn.execute(text("UPDATE enterprises SET uscc = :u WHERE id = 1"), {"u": two})
    run = score_period(engine, ADMIN, PERIOD).run_id
    with engine.connect() as conn:  # the run still publishes each score under the code it was submitted with
        published = {r[0]: r[1] for r in conn.execute(text("SELECT enterprise_id, uscc FROM score_results"))}
    assert published[1] == one and published[2] == two
    report = verify_run(engine, ADMIN, run)
    assert not report.reproduced and sorted(report.identity_mismatched) == sorted([one, two])


# ---- look-alikes -------------------------------------------------------------------------


def test_full_width_periods_are_the_same_period_everywhere(store: tuple[str, Path]) -> None:
    db, cwd = store
    assert check_period("２０２６ｑ３") == check_period(" 2026q3 ") == PERIOD
    hostile_csv(cwd / "f.csv", [])
    frame = pd.read_csv(cwd / "f.csv", dtype=str, keep_default_na=False)
    frame.insert(0, "period", ["2026q3", "２０２６Ｑ３"] * (len(frame) // 2))
    frame.to_csv(cwd / "f.csv", index=False)
    lrc(cwd, "ingest", "f.csv", "--period", "２０２６Ｑ３", "--db", db)
    lrc(cwd, "score", "--period", "2026q3", "--db", db)
    runs = lrc(cwd, "runs", "--db", db).stdout
    assert PERIOD in runs and "２０２６" not in runs


def test_full_width_counts_are_read_and_other_digits_refused(tmp_path: Path, catalogue) -> None:  # noqa: ANN001
    path = tmp_path / "f.csv"
    hostile_csv(path, [])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "headcount"] = "１２０"
    frame.loc[1, "headcount"] = "١٢٠"  # Arabic-Indic digits: not a number here
    frame.to_csv(path, index=False)
    with pytest.raises(InputValidationError) as caught:
        read_records(path, catalogue, period=PERIOD)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "headcount")]


def _xlsx_with_uncached_formula(path: Path, source: Path) -> None:
    """The sample as XLSX, then the headcount of the first data row replaced by a formula without a value."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.to_excel(path, index=False, sheet_name="企业")
    column = openpyxl.utils.get_column_letter(frame.columns.get_loc("headcount") + 1)
    book = openpyxl.load_workbook(path)
    book.active[f"{column}2"] = "=10*12"  # openpyxl writes the formula and no cached value
    book.save(path)


def test_a_formula_without_a_cached_value_is_refused(tmp_path: Path, catalogue) -> None:  # noqa: ANN001
    source = tmp_path / "f.csv"
    hostile_csv(source, [])
    path = tmp_path / "f.xlsx"
    _xlsx_with_uncached_formula(path, source)
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" in archive.read("xl/worksheets/sheet1.xml")
    with pytest.raises(InputValidationError) as caught:
        read_records(path, catalogue, period=PERIOD)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "headcount") and "公式没有计算结果" in problem.reason


@pytest.mark.parametrize("bad", ["\x00", "\u202e", "\x07", "a\nb", "\u2028", "\u200b", "\u200f", "\ufeff"])
def test_control_characters_are_refused_on_every_backend(engine: Engine, tmp_path: Path, bad: str) -> None:
    frame = generate(3, seed=2, period=PERIOD)
    frame.loc[frame.index[1], "name"] = f"沈阳{bad}重工"
    path = tmp_path / "f.json"
    path.write_text(json.dumps(frame.astype(object).where(frame.notna(), None).to_dict("records")), "utf-8")
    with pytest.raises(InputValidationError) as caught:
        ingest_file(engine, ADMIN, path, PERIOD)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.reason) == (2, "name", CONTROL_REASON)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submissions")).scalar() == 0


# ---- messages ----------------------------------------------------------------------------


def test_problems_are_one_line_each_when_piped(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    hostile_csv(path, [])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[:5, "headcount"] = "一百二十人左右,具体见附件说明" * 3
    frame.to_csv(path, index=False)
    lrc(tmp_path, "init")
    done = lrc(tmp_path, "ingest", "f.csv", "--period", PERIOD, ok=False, env={"COLUMNS": "60"})
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 + 6 and all("(whole number)" in line for line in lines[1:])


def test_errors_into_a_missing_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    hostile_csv(path, ["=1+1"] * 1 + ["好" * 101])
    lrc(tmp_path, "init")
    done = lrc(tmp_path, "ingest", "f.csv", "--period", PERIOD, "--errors", "no/such/dir/p.csv", ok=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "不存在" in done.stderr
    done = lrc(tmp_path, "ingest", "f.csv", "--period", PERIOD, "--errors", "p.txt", ok=False)
    assert done.returncode == 2 and ".csv 或 .xlsx" in done.stderr
    (tmp_path / "locked").mkdir(mode=0o500)  # a folder that exists but cannot be written: the refusal stands
    done = lrc(tmp_path, "ingest", "f.csv", "--period", PERIOD, "--errors", "locked/p.csv", ok=False)
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "无法写入错误清单" in done.stderr or (tmp_path / "locked" / "p.csv").exists()  # root may write anyway


@pytest.mark.parametrize(
    "args", [("verify", "99999999999999999999"), ("rank", "--period", PERIOD, "--run", "99999999999999999999")]
)
def test_huge_ids_are_not_found(store: tuple[str, Path], args: tuple[str, ...]) -> None:
    db, cwd = store
    done = lrc(cwd, *args, "--db", db, ok=False)
    assert done.returncode == 5 and "不存在" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args", [("rank",), ("verify", "[/]x"), ("rank", "--period", PERIOD, "--top", "0"), ("nosuch",)]
)
def test_usage_errors_are_one_chinese_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = lrc(tmp_path, *args, ok=False)
    assert done.returncode == 2 and done.stderr.startswith("用法错误 (usage error):")
    assert len(done.stderr.strip().splitlines()) == 1 and "╭" not in done.stderr


def test_joiners_that_scripts_and_emoji_need_are_kept() -> None:
    from lrc.normalise import CONTROL

    assert not CONTROL.search("沈阳👨\u200d👩\u200d👧重工") and not CONTROL.search("می\u200cخواهم")


def test_a_person_s_text_keeps_line_breaks_and_refuses_what_misleads() -> None:
    """One rule for reasons, notes and titles (objections, repairs, hearings, plans, alerts)."""
    from lrc.errors import UsageError
    from lrc.normalise import free_text

    assert free_text("  第一行\r\n第二行\r第三行\t完 ", "说明 (note)", limit=20) == "第一行\n第二行\n第三行\t完"
    assert free_text("   ", "说明 (note)", limit=20) is None
    for given, says in (("", "不能为空"), ("a\x00b", "控制字符"), ("a\u202eb", "控制字符"), ("a\u2028b", "控制字符"),
                       ("字" * 21, "有 21 个字,超过 20 字")):  # fmt: skip
        with pytest.raises(UsageError, match=says) as caught:
            free_text(given, "说明 (note)", limit=20, required=True)
        assert str(caught.value).startswith("说明 (note) ")
    with pytest.raises(UsageError, match="应为一行"):
        free_text("标题\n第二行", "发布标题 (title)", limit=200, one_line=True)


def test_an_echoed_value_shows_its_invisible_characters_written_out() -> None:
    """Every message that echoes a value (``shorten``) writes out control and direction characters, so an
    echo can neither break the line nor turn the text after it around."""
    from lrc.errors import shorten

    assert shorten("a\u202eb\nc") == "a\\u202eb\\u000ac"
    assert shorten("企业‮名称" + "x" * 80, 4) == "企业\\u202e名…(共 85 个字符 / 85 chars)"
    assert shorten(None) is None and shorten("普通名称") == "普通名称"


def test_a_notice_s_title_and_a_file_s_name_are_checked_as_a_person_s_text(tmp_path: Path) -> None:
    """A publication's title (printed at the head of the official notice) and an attachment's name (shown in
    hearing files and the audit log) go through the same rule: before, ``evil\\u202efdp.exe.pdf`` was stored
    and shown as "evil…exe.pdf", and a title with a direction character or a line break was published."""
    from lrc.errors import UsageError
    from lrc.service.hearings import read_attachment_file

    spoofed = tmp_path / "evil\u202efdp.exe.pdf"
    spoofed.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(UsageError, match="控制字符") as caught:
        read_attachment_file(spoofed)
    assert "\u202e" not in str(caught.value)  # the name is told with the character written out
    plain = tmp_path / "社会责任报告.pdf"
    plain.write_bytes(b"%PDF-1.4\n")
    assert read_attachment_file(plain) == (b"%PDF-1.4\n", "application/pdf")
    lrc(tmp_path, "init")
    for title, says in (("a\u202eb", "控制字符"), ("第一行\n第二行", "应为一行"), ("字" * 201, "超过 200 字")):
        done = lrc(tmp_path, "publish", "--period", "2026Q3", "--title", title, ok=False)
        assert done.returncode == 2 and says in done.stderr, done.stderr


def _without_dimension(data: bytes) -> bytes:
    """The workbook with its sheets' ``<dimension>`` taken out (the extent then comes from the cells)."""
    import re

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(("row", "column", "says"), [(1_048_576, 16_384, "XFD"), (1_048_576, 66, "1048576 行")])
def test_a_stray_cell_far_from_the_data_is_refused_before_the_sheet_is_read(
    tmp_path: Path, row: int, column: int, says: str
) -> None:
    """A space left at XFD1048576 made calamine ask for 512 GB and abort the process (a Rust backtrace, exit
    134); one at row 1,048,576 took 20 s and 3.7 GB for five rows. Both are refused at once, saying how to
    mend the sheet, with its <dimension> or without."""
    from lrc.ingest.readers import read_table

    sample = generate(5, seed=3, period="2026Q3")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(sample.columns))
    for values in sample.astype(str).itertuples(index=False):
        sheet.append(list(values))
    sheet.cell(row=row, column=column).value = " "
    buffer = io.BytesIO()
    book.save(buffer)
    for name, data in (("stray.xlsx", buffer.getvalue()), ("bare.xlsx", _without_dimension(buffer.getvalue()))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputValidationError) as caught:
            read_table(tmp_path / name)
        [problem] = caught.value.problems
        assert problem.file == name and says in problem.reason and "删除" in problem.reason


def test_a_missing_column_is_named_whole_and_a_hostile_header_still_short(tmp_path: Path) -> None:
    """A problem names its column whole: the longest of lrc's own names (64 characters) was cut at 60, so `lrc
    ingest` and the API named "employees_past_first_month_with_contr…" as the column missing. A header
    thousands of characters long is still echoed short."""
    lrc(tmp_path, "sample", "--n", "3", "--seed", "5", "--period", PERIOD, "--output", "s.csv")
    frame = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.drop(columns=["employees_past_first_month_with_contract"])
    frame["头" * 3000] = ""
    frame.to_csv(tmp_path / "s.csv", index=False)
    lrc(tmp_path, "init")
    refused = lrc(tmp_path, "ingest", "s.csv", "--period", PERIOD, ok=False)
    assert refused.returncode == 4
    whole = "入职满一个月且已签订书面劳动合同的职工人数 (employees_past_first_month_with_contract)"
    assert f"列 {whole} (column):缺少必填列" in refused.stderr, refused.stderr
    assert "头" * 121 not in refused.stderr and len(refused.stderr) < 2_000
