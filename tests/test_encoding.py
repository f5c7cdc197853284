"""A text file's encoding: GBK files (as Excel saves CSV on Chinese Windows) read as they are, and a cell
typed in UTF-8 inside one is refused by row and column, never stored as mojibake (张三 read as 寮犱笁)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from indicators import load_catalogue
from lrc import reference
from lrc.errors import InputValidationError, RowProblem
from lrc.ingest import read_records
from lrc.ingest.cjk_encodings import _reads_as_shift_jis, big5_problems, shift_jis_problems
from lrc.ingest.encoding import GB18030, MIXED_GBK_REASON, MIXED_UTF8_REASON, decode, utf8_reading
from lrc.ingest.readers import csv_text_table, read_table
from lrc.ingest.validate import EXTRA_HEADERS, IDENTITY_ZH
from lrc.samples import generate, tables, write_sample
from lrc.samples.identity import firms
from lrc.store import make_engine
from tests.test_cli import lrc

CATALOGUE = load_catalogue()
PERIOD = "2026Q3"
HEADER = ["统一社会信用代码", "企业名称", "行政区划代码"]
MIXED = "mixed encodings"

# realistic enterprise names, from the parts the sample generator names its firms with
PREFIXES = [name.removesuffix("市") for name in reference.CITIES.values()] + ["辽宁"]
BRAND_CHARS = tables.BRAND_FIRST + tables.BRAND_SECOND
WORDS = [word for words in tables.INDUSTRY_WORDS.values() for word in words]
BRANCHES = ["", "分公司", "第一分厂", "（沈阳）分公司", "(大连)分公司"]
NAMES = st.builds(
    lambda prefix, brand, word, form, branch: prefix + brand + word + form + branch,
    st.sampled_from(PREFIXES),
    st.text(alphabet=BRAND_CHARS, min_size=2, max_size=4),
    st.sampled_from(WORDS),
    st.sampled_from(tables.LEGAL_FORMS),
    st.sampled_from(BRANCHES),
)


def _gbk_decoded(rows: list[list[str]], utf8_row: int | None = None) -> str:
    """A table written as GBK (row ``utf8_row`` of ``rows`` in UTF-8), as the reader decodes it."""
    lines = []
    for k, row in enumerate([HEADER, *rows]):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(row)
        lines.append(buffer.getvalue().encode("utf-8" if k == utf8_row else "gbk"))
    return b"".join(lines).decode(GB18030)


def _row(name: str, k: int = 1) -> list[str]:
    return [f"91210102MA0Q{k:05d}X", name, "210102"]


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=20))
def test_genuine_gbk_names_never_look_like_utf8(names: list[str]) -> None:
    table = csv_text_table(_gbk_decoded([_row(n, k) for k, n in enumerate(names)]), "g.csv", encoding=GB18030)
    assert table.cells[1].tolist() == names


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMES, min_size=2, max_size=8), st.data())
def test_a_utf8_name_in_a_gbk_file_is_refused_at_its_row_and_column(names: list[str], data: st.DataObject) -> None:
    """Whether its UTF-8 bytes decode as GB18030 (mojibake) or not (an odd number of bytes, a byte 80)."""
    utf8 = data.draw(st.integers(min_value=0, max_value=len(names) - 1))
    lines = [",".join(HEADER), *(",".join(_row(n, k)) for k, n in enumerate(names))]
    [problem] = _problems(_gbk_file(lines, utf8 + 1, 1, names[utf8]), "m.csv")
    assert (problem.file, problem.row, problem.column, problem.value) == ("m.csv", utf8 + 2, "企业名称", names[utf8])
    assert MIXED in problem.reason


def _problems(data: bytes, file: str) -> list[RowProblem]:
    """The problems of a text file's bytes, read as `lrc ingest` reads a CSV."""
    with pytest.raises(InputValidationError) as info:
        text, encoding = decode(data, file)
        csv_text_table(text, file, encoding=encoding)
    return info.value.problems


def test_no_gbk_character_header_category_or_sample_name_looks_like_utf8_or_big5() -> None:
    """Every GB2312 character alone (about one in seven is a two-byte UTF-8 character: 隆 is ¡, 楼 is ¥), every
    header, category and item name of the catalogues, and 100,000 sample names, read from GBK."""
    gb2312 = [bytes([lead, trail]) for lead in range(0xB0, 0xF8) for trail in range(0xA1, 0xFF)]
    characters = [b.decode("gb2312") for b in gb2312 if _decodes(b)]
    assert len(characters) == 6763 and utf8_reading("隆") is None and "隆".encode("gbk").decode() == "¡"
    words = [*IDENTITY_ZH.values(), *EXTRA_HEADERS, *reference.CITIES.values(), *reference.INDUSTRIES.values()]
    words += [*reference.SIZES, *reference.OWNERSHIPS, "是", "否", "有", "无"]
    for edition in ("2026.1", None):
        catalogue = load_catalogue(edition)
        words += [f.name_zh for f in catalogue.fields] + [i.name_zh for i in catalogue.items]
        words += [t.name_zh for t in catalogue.record_types]
    words += firms(100_000, 11).frame["name"].tolist()
    assert [w for w in characters + words if utf8_reading(w.encode("gbk").decode(GB18030))] == []
    assert [w for w in characters + words if big5_problems(w.encode("gbk").decode(GB18030), "w", None)] == []
    everything = "\n".join(words).encode("gbk").decode(GB18030)  # (Shift-JIS is told from 8 characters on)
    assert shift_jis_problems(everything, "w", None) == []
    assert [w for w in words if _reads_as_shift_jis(w.encode("gbk"))] == []


def _decodes(data: bytes, encoding: str = "gb2312") -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _gb18030(data: bytes) -> bool:
    return _decodes(data, GB18030)


def _gbk_file(lines: list[str], row: int, column: int, value: str, end: str = "\r\n") -> bytes:
    """``lines`` in GBK, but cell ``column`` of line ``row`` (from 0) replaced by ``value`` typed in UTF-8."""
    data = b""
    for k, line in enumerate(lines):
        if k != row:
            data += (line + end).encode("gbk")
            continue
        cells = line.split(",")
        data += (",".join(cells[:column]) + ",").encode("gbk") + value.encode("utf-8")
        data += ("," + ",".join(cells[column + 1 :]) + end).encode("gbk")
    return data


def test_the_samples_read_the_same_from_gbk(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    write_sample(generate(300, seed=3, period=PERIOD), path)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(path.read_text(encoding="utf-8-sig").encode("gbk"))
    assert read_records(gbk, CATALOGUE, period=PERIOD).frame.equals(read_records(path, CATALOGUE, period=PERIOD).frame)


def test_a_utf8_cell_in_a_gbk_file_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    """End to end: `lrc ingest` of a GBK file whose one name was typed in UTF-8 (张三 reads as 寮犱笁)."""
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "20", "--seed", "5", "--period", PERIOD, "--output", "s.csv")
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    row = lines[5].split(",")
    data = _gbk_file(lines, 5, lines[0].split(",").index("name"), "张三")
    assert data.decode(GB18030).count("寮犱笁") == 1  # what the file stored before
    (tmp_path / "mixed.csv").write_bytes(data)
    done = lrc(tmp_path, "ingest", "mixed.csv", "--period", PERIOD, "--errors", "problems.csv", ok=False)
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "第 6 行" in done.stderr and "name" in done.stderr and "张三" in done.stderr and MIXED in done.stderr
    report = (tmp_path / "problems.csv").read_text(encoding="utf-8-sig")
    assert "mixed.csv,6,name,张三," in report and MIXED_UTF8_REASON in report
    assert _stored(tmp_path) == (0, 0)
    records = [
        "统一社会信用代码,记录类型,决定日期,决定机关,文书编号",
        f"{row[0]},DOUBLE_WAGE_AWARD,2026-03-01,,沈人社〔2026〕1号",
    ]
    (tmp_path / "records.csv").write_bytes(_gbk_file(records, 1, 3, "沈阳市人力资源社会保障局"))
    done = lrc(tmp_path, "record", "ingest", "records.csv", ok=False)  # `lrc record ingest` reads files alike
    assert done.returncode == 4 and "第 2 行" in done.stderr and "决定机关" in done.stderr and MIXED in done.stderr
    (tmp_path / "gbk.csv").write_bytes("".join(line + "\r\n" for line in lines).encode("gbk"))
    lrc(tmp_path, "ingest", "gbk.csv", "--period", PERIOD)  # the same file all in GBK goes in
    assert _stored(tmp_path) == (1, 20)


def _stored(cwd: Path) -> tuple[int, int]:
    """(ingest batches, submissions) in the store of ``cwd``."""
    engine = make_engine(f"sqlite:///{cwd / 'lrc.db'}")
    with engine.connect() as conn:
        batches = conn.execute(text("SELECT count(*) FROM ingest_batches")).scalar_one()
        submissions = conn.execute(text("SELECT count(*) FROM submissions")).scalar_one()
    engine.dispose()
    return batches, submissions


def test_a_utf8_cell_in_a_later_chunk_names_the_files_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.csv"
    write_sample(generate(1_000, seed=31, period=PERIOD), path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    data = _gbk_file(lines, 900, lines[0].split(",").index("name"), "大连华信科技有限公司", "\n")
    assert _gb18030(data)  # read as GB18030 without error, the name garbled
    (tmp_path / "big.csv").write_bytes(data)
    monkeypatch.setenv("LRC_INGEST_CHUNK_CHARS", "25000")
    from lrc.ingest import RecordChunks

    records = RecordChunks(tmp_path / "big.csv", CATALOGUE, period=PERIOD)
    list(records)
    assert records.streamed
    [problem] = records.problems
    assert (problem.row, problem.column, problem.value) == (901, "name", "大连华信科技有限公司")


def test_a_utf8_value_in_a_gbk_json_file_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes('[{"企业名称": "沈阳宏达有限公司"},\n {"企业名称": "'.encode("gbk") + "张三".encode() + b'"}]')
    with pytest.raises(InputValidationError) as info:
        read_records(path, CATALOGUE, period=PERIOD)
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, None, "张三") and MIXED in problem.reason


GBK_LINES = ["统一社会信用代码,企业名称,行政区划代码", "91210102MA0Q00001X,沈阳宏达机械有限公司,210102"]
TRIED = "已按 UTF-8、GB18030/GBK 尝试"


@pytest.mark.parametrize(
    ("data", "column", "value", "reason"),
    [
        pytest.param(  # a stray byte in a GBK file: the guesser read the whole file as Cyrillic
            "\n".join(GBK_LINES).encode("gbk") + b"\n91210102MA0Q00002X,\xff,210102\n",
            "企业名称", "\\xff", "这一行第 20 个字节 0xFF 无法解码", id="stray-byte-in-gbk",
        ),
        pytest.param(  # a Latin-1 cell in a UTF-8 file
            "\n".join(GBK_LINES).encode() + "\n91210102MA0Q00002X,Café,210102\n".encode("latin-1"),
            "企业名称", "Caf\\xe9", "这一行第 23 个字节 0xE9 无法解码", id="latin1-in-utf8",
        ),
        pytest.param(  # a GBK cell in a UTF-8 file
            "\n".join(GBK_LINES).encode() + b"\n91210102MA0Q00002X," + "张三丰".encode("gbk") + b",210102\n",
            "企业名称", "张三丰", MIXED_GBK_REASON, id="gbk-in-utf8",
        ),
        pytest.param(  # a UTF-8 cell of an odd number of bytes in a GBK file, which GB18030 does not decode
            "\n".join(GBK_LINES).encode("gbk") + b"\n91210102MA0Q00002X," + "张三丰".encode() + b",210102\n",
            "企业名称", "张三丰", MIXED_UTF8_REASON, id="odd-utf8-in-gbk",
        ),
    ],
)  # fmt: skip
def test_a_cell_that_does_not_decode_is_named_by_row_column_and_byte(
    data: bytes, column: str, value: str, reason: str
) -> None:
    [problem] = _problems(data, "bad.csv")
    assert (problem.file, problem.row, problem.column, problem.value) == ("bad.csv", 3, column, value)
    assert reason in problem.reason
    if "无法解码" in reason:
        assert TRIED in problem.reason and "tried UTF-8, GB18030/GBK" in problem.reason


def test_utf8_text_that_gb18030_pairs_with_a_letter_after_it_is_found_too() -> None:
    """张三丰 is nine bytes in UTF-8: GB18030 reads its last byte with the letter after it (B0 41) as one
    character, and the rest as four, without error."""
    data = "\n".join(GBK_LINES).encode("gbk") + b"\n91210102MA0Q00002X," + "张三丰".encode() + b"A,210102\n"
    assert _gb18030(data)
    [problem] = _problems(data, "a.csv")
    assert (problem.row, problem.column, problem.value) == (3, "企业名称", "张三丰") and MIXED in problem.reason


def test_a_stray_byte_is_never_guessed_past(tmp_path: Path) -> None:
    """A GBK file with one stray byte was read as charset-normalizer guessed it: ISO-8859-5, every name Cyrillic
    (ъДяЛњаЕ…), and stored so."""
    rows = "".join(f"91210102MA0Q{i:05d}X,沈阳宏达机械有限公司{i},210102\n" for i in range(200))
    path = tmp_path / "guess.csv"
    path.write_bytes(("\n".join(GBK_LINES[:1]) + "\n" + rows).encode("gbk") + b"9121,\xff,210102\n")
    with pytest.raises(InputValidationError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (202, "企业名称", "\\xff") and "0xFF" in problem.reason


def test_a_file_in_neither_encoding_is_one_problem_at_its_first_line_that_does_not_decode() -> None:
    data = b"uscc,name\n" + b"".join(f"9121{i:014d},Caf".encode() + b"\xe9\n" for i in range(30))
    [problem] = _problems(data, "latin1.csv")
    assert (problem.row, problem.column) == (2, None)
    assert "有 30 行无法按 UTF-8、GB18030/GBK 解码,第一处是这一行第 23 个字节 0xE9" in problem.reason


def test_a_tab_separated_row_and_a_json_line_are_named_too() -> None:
    data = "企业名称\t统一社会信用代码\n沈阳\t9121\n".encode("gbk") + b"\xff\t9122\n"
    [problem] = _problems(data, "t.txt")
    assert (problem.row, problem.column, problem.value) == (3, "企业名称", "\\xff")
    with pytest.raises(InputValidationError) as info:
        decode('[{"企业名称": "沈阳"},\n {"企业名称": "'.encode() + b'\xff"}]', "r.json", table=False)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (2, None) and "第 20 个字节 0xFF" in problem.reason


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_the_samples_read_the_same_from_utf32_with_its_mark(tmp_path: Path, encoding: str) -> None:
    """UTF-32's little-endian mark begins with UTF-16's: read as UTF-16, every column name was unknown."""
    path = tmp_path / "s.csv"
    write_sample(generate(40, seed=3, period=PERIOD), path)
    wide = tmp_path / "u32.csv"
    wide.write_bytes("\ufeff".encode(encoding) + path.read_text(encoding="utf-8-sig").encode(encoding))
    assert read_records(wide, CATALOGUE, period=PERIOD).frame.equals(read_records(path, CATALOGUE, period=PERIOD).frame)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_still_reads(encoding: str) -> None:
    text, used = decode("\n".join(GBK_LINES).encode(encoding), "u.csv")
    assert text.splitlines() == GBK_LINES and used == "utf-16"


def test_a_stray_byte_in_a_gbk_file_is_refused_end_to_end_and_nothing_is_stored(tmp_path: Path) -> None:
    """`lrc ingest` of a sample saved as GBK with one stray byte: it said only "cannot decode the file",
    nowhere; `lrc record ingest` alike."""
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "20", "--seed", "5", "--period", PERIOD, "--output", "s.csv")
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [(line + "\r\n").encode("gbk") for line in lines]
    at = rows[8].index(b",", rows[8].index(b",") + 1)  # the end of the name: a stray 0xFF typed after it
    rows[8] = rows[8][:at] + b"\xff" + rows[8][at:]
    (tmp_path / "stray.csv").write_bytes(b"".join(rows))
    done = lrc(tmp_path, "ingest", "stray.csv", "--period", PERIOD, ok=False)
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert f"第 9 行 (row 9), 列 name (column):这一行第 {at + 1} 个字节 0xFF 无法解码" in done.stderr
    assert "tried UTF-8, GB18030/GBK" in done.stderr
    assert _stored(tmp_path) == (0, 0)
    records = ["uscc,type,date,source,ref", "91210102MA0Q00001X,DOUBLE_WAGE_AWARD,2026-03-01,沈阳市人社局,沈人社1号"]
    (tmp_path / "records.csv").write_bytes("\n".join(records).encode("gbk") + b"\xff\n")
    done = lrc(tmp_path, "record", "ingest", "records.csv", ok=False)
    assert done.returncode == 4 and "第 2 行 (row 2), 列 ref (column)" in done.stderr and "0xFF" in done.stderr


@pytest.mark.parametrize("bad", [b"\xff", "张三".encode(), "张三丰".encode()], ids=["stray-byte", "utf8", "odd-utf8"])
def test_a_bad_cell_after_a_multi_line_cell_is_named_by_its_row_and_column(tmp_path: Path, bad: bytes) -> None:
    """Excel writes a cell typed with Alt+Enter in quotes, over several lines. A row is numbered by the line it
    starts on, as the reader numbers it for every other problem, and its cells are counted across the breaks:
    the bad address below is row 4 (lines 4-5), column 地址. It was named by its physical line, row 5, and its
    cells counted from there, the quote that closes 华信 taken for one that opens: column 统一社会信用代码."""
    head = (
        "统一社会信用代码,企业名称,地址,行政区划代码\r\n"
        '91210102MA0Q00001X,"沈阳宏达\r\n(集团)有限公司",沈阳市和平区,210102\r\n'
        '91210102MA0Q00002X,"大连\r\n华信有限公司",'
    ).encode("gbk")
    path = tmp_path / "alt-enter.csv"
    path.write_bytes(head + "大连市".encode("gbk") + b",210202\r\n")
    assert read_table(path).rows == [2, 4]
    path.write_bytes(head + bad + b",210202\r\n")
    with pytest.raises(InputValidationError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (4, "地址")


@pytest.mark.parametrize("bad", [b"\xff", "张三".encode()], ids=["stray-byte", "utf8"])
def test_a_quote_inside_a_cell_does_not_join_the_rows_after_it(tmp_path: Path, bad: bytes) -> None:
    """A double quote opens a quoted cell only at the cell's start, as pandas and the csv module read it: 显示器
    12" is a name with an inch in it, and the next line is the next row. Counted as an opening quote, it joined
    every line after it into row 2, and a bad address in row 4 was named at row 2, column 企业名称."""
    head = (
        "统一社会信用代码,企业名称,地址,行政区划代码\r\n"
        '91210102MA0Q00001X,沈阳显示器12"有限公司,沈阳市和平区,210102\r\n'
        "91210102MA0Q00002X,大连华信有限公司,大连市,210202\r\n"
        "91210102MA0Q00003X,大连宏达有限公司,"
    ).encode("gbk")
    path = tmp_path / "inch.csv"
    path.write_bytes(head + "大连市".encode("gbk") + b",210202\r\n")
    assert read_table(path).rows == [2, 3, 4]
    path.write_bytes(head + bad + b",210202\r\n")
    with pytest.raises(InputValidationError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (4, "地址")


def test_a_bad_cell_after_a_quote_inside_a_cell_of_its_row_is_named_by_its_column() -> None:
    """In the row itself the quote inside 显示器12" opens nothing either: the stray byte is in 地址, not in the
    cell the quote was taken to open (企业名称), nor is a quoted cell with "" in it split at its comma."""
    head = "统一社会信用代码,企业名称,地址\r\n".encode("gbk")
    inch = '91210102MA0Q00001X,沈阳显示器12"有限公司,'.encode("gbk")
    doubled = '\r\n1,"华信,""一""",沈阳'.encode("gbk")
    for bad, row in ((head + inch + b"\xff" + doubled, 2), (head + inch + "沈阳".encode("gbk") + doubled + b"\xff", 3)):
        with pytest.raises(InputValidationError) as info:
            decode(bad, "inch.csv")
        [problem] = info.value.problems
        assert (problem.row, problem.column) == (row, "地址")


# traditional names as Taiwan and Hong Kong write them, from parts like the sample generator's
TRADITIONAL_BRANDS = "宏華金恆鑫盛泰興永瑞祥德信誠遠海東新中天正福嘉博潤鼎凱錦鴻佳明安和立益騰匯聯眾廣長隆"
TRADITIONAL_NAMES = st.builds(
    lambda prefix, brand, word, form, branch: prefix + brand + word + form + branch,
    st.sampled_from("台北 新北 桃園 臺中 臺南 高雄 新竹 基隆 嘉義 彰化 屏東 香港 九龍 新界 澳門".split()),
    st.text(alphabet=TRADITIONAL_BRANDS, min_size=2, max_size=4),
    st.sampled_from("電子科技 機械製造 精密鑄造 塑膠製品 半導體 光電 貿易 物流 資訊 營造 餐飲 醫藥 紡織 食品".split()),
    st.sampled_from("有限公司 股份有限公司 實業有限公司 集團有限公司 企業社".split()),
    st.sampled_from(["", "分公司", "營業所", "第一工廠", "（台中）分公司"]),
)
RARE_GBK = [  # hanzi of GBK outside GB2312, as rare given names and brands use them (喆, 堃, 镕)
    c for c in map(chr, range(0x4E00, 0x9FA6)) if _gb18030(c.encode(GB18030)) and not _decodes(c.encode("gbk"))
]
BIG5_REASON_EN = "the file looks Big5-encoded"


@st.composite
def _gbk_names_with_rare_characters(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(name)))
        name = name[:at] + draw(st.sampled_from(RARE_GBK)) + name[at:]
    return name


@settings(max_examples=200, deadline=None)
@given(st.lists(_gbk_names_with_rare_characters() | TRADITIONAL_NAMES, min_size=1, max_size=20))
def test_gbk_names_with_rare_or_traditional_characters_never_read_as_big5(names: list[str]) -> None:
    """GB18030 reads every Big5 byte pair, so a Big5 file is told by its text: Big5 is refused only when its
    text reads much better as Big5 than as GBK. Genuine GBK never does, even with characters outside GB2312:
    rare ones in the sample names, or whole names typed in traditional characters on a mainland computer."""
    table = csv_text_table(_gbk_decoded([_row(n, k) for k, n in enumerate(names)]), "g.csv", encoding=GB18030)
    assert table.cells[1].tolist() == names


@settings(max_examples=100, deadline=None)
@given(st.lists(TRADITIONAL_NAMES, min_size=1, max_size=10), st.booleans())
def test_a_big5_file_is_refused_at_its_first_name(names: list[str], chinese_headers: bool) -> None:
    """Excel on Traditional Chinese Windows saves CSV in Big5 (cp950): read as GBK, without an error, 台北市信義區
    was stored as two private-use characters and カ獺竡跋."""
    header = ["統一社會信用代碼", "企業名稱", "行政區劃代碼"] if chinese_headers else ["uscc", "name", "region_code"]
    lines = [header, *(_row(n, k) for k, n in enumerate(names))]
    data = "".join(",".join(line) + "\r\n" for line in lines).encode("cp950")
    assert _gb18030(data)
    [problem] = _problems(data, "big5.csv")
    assert (problem.file, problem.row, problem.column, problem.value) == ("big5.csv", 2, header[1], names[0])
    assert "Big5" in problem.reason and BIG5_REASON_EN in problem.reason and "save it as UTF-8" in problem.reason


def test_a_big5_file_is_refused_end_to_end_and_nothing_is_stored(tmp_path: Path) -> None:
    """`lrc ingest` (whole and a chunk at a time), `lrc record ingest` and `lrc exchange import` of files saved in
    Big5: each names the file, row and column, and nothing is stored."""
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "20", "--seed", "5", "--period", PERIOD, "--output", "s.csv")
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    at = lines[0].split(",").index("name")
    names = ["台北市信義區鼎泰豐股份有限公司", "香港九龍灣企業有限公司"]
    names += [f"新竹科學園區光電{i}有限公司" for i in range(18)]
    rows = [line.translate(str.maketrans("国营资体", "國營資體")).split(",") for line in lines]  # (ownership)
    for row, name in zip(rows[1:], names, strict=True):
        row[at] = name
    (tmp_path / "big5.csv").write_bytes("".join(",".join(row) + "\r\n" for row in rows).encode("cp950"))
    said = "big5.csv, 第 2 行 (row 2), 列 name (column):文件像是繁体中文的 Big5 编码"
    for env in ({}, {"LRC_INGEST_CHUNK_CHARS": "2000"}):  # read whole, and a chunk at a time
        done = lrc(tmp_path, "ingest", "big5.csv", "--period", PERIOD, ok=False, env=env)
        assert done.returncode == 4 and said in done.stderr and "台北市信義區鼎泰豐股份有限公司" in done.stderr
    assert _stored(tmp_path) == (0, 0)
    records = ["統一社會信用代碼,記錄類型,決定日期,決定機關,文書編號"]
    records.append(f"{rows[1][0]},DOUBLE_WAGE_AWARD,2026-03-01,臺北市勞動局,北市勞字1號")
    (tmp_path / "records.csv").write_bytes("\r\n".join(records).encode("cp950"))
    done = lrc(tmp_path, "record", "ingest", "records.csv", ok=False)
    assert done.returncode == 4 and "第 2 行 (row 2), 列 決定機關 (column)" in done.stderr and "Big5" in done.stderr
    feed = ["uscc,list_type,decision_date,authority,document_no"]
    feed.append(f"{rows[1][0]},wage_arrears_blacklist,2026-03-01,臺北市勞動局,北市勞字2號")
    (tmp_path / "feed.csv").write_bytes("\r\n".join(feed).encode("cp950"))
    done = lrc(tmp_path, "exchange", "import", "feed.csv", ok=False)
    assert done.returncode == 4 and "第 2 行 (row 2), 列 authority (column)" in done.stderr and "Big5" in done.stderr
    assert json.loads(lrc(tmp_path, "records", "--format", "json").stdout) == []


def test_a_big5_json_file_is_refused_at_its_line(tmp_path: Path) -> None:
    path, name = tmp_path / "r.json", "台北市信義區鼎泰豐股份有限公司"
    path.write_bytes(f'[{{"uscc": "91210102MA0Q00001X",\n  "企業名稱": "{name}"}}]'.encode("cp950"))
    with pytest.raises(InputValidationError) as info:
        read_records(path, CATALOGUE, period=PERIOD)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (2, None) and BIG5_REASON_EN in problem.reason
    assert problem.value == f'  "企業名稱": "{name}"}}]'


def test_a_damaged_unicode_text_file_names_the_row_of_a_multi_line_cell() -> None:
    """Excel's "Unicode text" (UTF-16 with a mark, tab-separated) with an unpaired surrogate (a damaged file) in
    a cell typed with Alt+Enter: row 2, on lines 2-3, was named as line 3."""
    head = '企业名称\t地址\r\n沈阳宏达\t"沈阳市\r\n和平'.encode("utf-16")
    data = head + b"\x00\xd8" + '区"\r\n大连华信\t大连市\r\n'.encode("utf-16-le")
    with pytest.raises(InputValidationError) as info:
        decode(data, "u.txt", prefer_tab=True)
    [problem] = info.value.problems
    assert problem.row == 2 and "UTF-16" in problem.reason


JAPANESE_NAMES = st.builds(
    lambda place, word, form: place + word + form,
    st.sampled_from("東京都 大阪府 横浜市 名古屋市 札幌市 福岡市 神戸市 京都市 さいたま市".split()),
    st.sampled_from("電機 自動車 ソフトウェア開発 食品 さくら物流 トヨタ販売 精密機械 化学工業 建設".split()),
    st.sampled_from(["株式会社", "有限会社", "工業株式会社", "ホールディングス"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(JAPANESE_NAMES, min_size=1, max_size=10))
def test_a_shift_jis_file_is_refused_at_its_first_name(names: list[str]) -> None:
    """Excel on Japanese Windows saves CSV in Shift-JIS (cp932): read as GBK, without an error, 東京都労働局 was
    stored as 搶嫗搒楯摥嬊. It is refused at its first name, as written."""
    lines = [["uscc", "name", "region_code"], *(_row(n, k) for k, n in enumerate(names))]
    data = "".join(",".join(line) + "\r\n" for line in lines).encode("cp932")
    assert _gb18030(data)
    [problem] = _problems(data, "sjis.csv")
    assert (problem.file, problem.row, problem.column, problem.value) == ("sjis.csv", 2, "name", names[0])
    assert "Shift-JIS" in problem.reason and "save it as UTF-8" in problem.reason


def test_a_shift_jis_records_file_is_refused_end_to_end_and_nothing_is_stored(tmp_path: Path) -> None:
    lrc(tmp_path, "init")
    records = ["uscc,type,date,source,ref", "91210102MA0Q00001X,LABOUR_PENALTY,2026-03-01,東京都労働局,東労第1号"]
    (tmp_path / "records.csv").write_bytes("\r\n".join(records).encode("cp932"))
    done = lrc(tmp_path, "record", "ingest", "records.csv", ok=False)
    assert done.returncode == 4 and "第 2 行 (row 2), 列 source (column)" in done.stderr and "Shift-JIS" in done.stderr
    assert "東京都労働局" in done.stderr and json.loads(lrc(tmp_path, "records", "--format", "json").stdout) == []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='a中,"\n\r', min_size=1, max_size=40))
def test_the_fast_csv_reader_leaves_exactly_the_records_that_span_lines(text: str) -> None:
    """pandas' parser reads a CSV only when every record is one line (so a row's number is its line); a text
    where a quoted cell holds a line break goes to the csv module. Told by the rows against the lines, the
    rule must leave exactly the texts where some cell holds a line break."""
    from lrc.ingest.readers import _read_csv_fast

    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError):
        return
    spans = any(frame[c].str.contains("[\r\n]", regex=True).any() for c in frame.columns)
    try:
        fast = _read_csv_fast(text, "t.csv", ",")
    except InputValidationError:  # an empty file, said as such: the parser read it
        fast = "read"
    assert (fast is None) == spans or (fast is None and '"' not in text)
