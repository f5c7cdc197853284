"""Official notices (issue #11): a publication's frozen content as CSV, XLSX, HTML and PDF.

Contents are built here, with realistic Chinese names and hostile ones (a formula, a script, a phone number,
Typst markup); the PDF checks read the file back with poppler's pdffonts and pdftotext."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lrc.errors import LrcError, UsageError
from lrc.publication import notice_pdf as notice_pdf_module
from lrc.publication.content import Entry, ListEntry, PublicationContent, PublicRecord, content_hash
from lrc.publication.notice import export_notice, notice_csv, notice_html, notice_pdf, notice_xlsx
from lrc.uscc import make_uscc

CITIES = [
    ("210100", "沈阳市"),
    ("210200", "大连市"),
    ("210300", "鞍山市"),
    ("210800", "营口市"),
    ("211400", "葫芦岛市"),
]
INDUSTRIES = [
    ("C", "制造业", "机械制造有限公司"),
    ("F", "批发和零售业", "商贸有限公司"),
    ("E", "建筑业", "建设工程有限公司"),
    ("I", "信息传输、软件和信息技术服务业", "软件技术股份有限公司"),
    ("G", "交通运输、仓储和邮政业", "物流有限公司"),
]
BRANDS = ["华晨", "北方重工", "兴隆", "恒信", "金桥", "瑞丰", "海川", "鼎盛", "宏达", "辽河"]
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>有限公司",
    "+86 24 2345 6789 商贸有限公司",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '#panic("排版注入") $x^2$ 有限公司',
]
TITLE = "2026年第三季度全省企业劳动关系信用评价结果公告"
NUMBER = "辽工信评〔2026〕3号"
HEADER = "统一社会信用代码"
PDF_TIMEOUT = 120


def result_id(i: int) -> Any:
    """The key of the shown result, in whichever form ``Entry`` declares (it moved from an integer id to
    "<run>:<enterprise>")."""
    return f"42:{i}" if Entry.model_fields["result_id"].annotation is str else 10_000 + i


def entry(i: int) -> Entry:
    city_code, city = CITIES[i % len(CITIES)]
    letter, industry, suffix = INDUSTRIES[i % len(INDUSTRIES)]
    name = HOSTILE[i] if i < len(HOSTILE) else f"{city[:-1]}{BRANDS[i % len(BRANDS)]}{suffix}第{i}分公司"
    total = round(95.0 - i * 0.07, 1)
    red = i % 97 == 13
    grade = "D" if red else "A" if total >= 85 else "B" if total >= 70 else "C" if total >= 60 else "D"
    return Entry(
        rank=i + 1,
        result_id=result_id(i),
        uscc=make_uscc(city_code, f"{i:08d}"),
        name=name,
        city_code=city_code,
        city=city,
        region_code=city_code,
        district=city,
        industry=letter,
        industry_name=industry,
        size="中型",
        ownership="私营",
        total=total,
        grade=grade,
        level1={"A": 10.0, "B": 20.5},
        red_line=red,
        rights_status="已列入拖欠农民工工资失信联合惩戒对象名单" if red else "正常",
        public_records=[
            PublicRecord(
                type="WAGE_BLACKLIST",
                name_zh="拖欠农民工工资失信联合惩戒对象名单",
                decision_date="2026-05-10",
                source=f"{city}人力资源和社会保障局",
                ref=f"{city[:1]}人社黑〔2026〕{i}号",
            )
        ]
        if red
        else [],
        objection="异议处理中" if i == 7 else None,
    )


def content(n: int) -> PublicationContent:
    entries = [entry(i) for i in range(n)]
    honour = [
        ListEntry(uscc=e.uscc, name=e.name, city=e.city, grade=e.grade, total=e.total, reason="连续三期评为 A 级")
        for e in entries[:3]
    ]
    exposure = [
        ListEntry(
            uscc=e.uscc,
            name=e.name,
            city=e.city,
            grade=e.grade,
            total=e.total,
            reason=f"{e.public_records[0].source}《{e.public_records[0].ref}》列入拖欠农民工工资失信名单",
        )
        for e in entries
        if e.red_line
    ]
    return PublicationContent(
        number=NUMBER,
        title=TITLE,
        issuer="辽宁省总工会",
        period="2026Q3",
        scope="province",
        scope_zh="全省",
        catalogue_version="2027.1",
        catalogue_hash="ab" * 32,
        policy_version="2026.1",
        run_id=42,
        published_at="2026-11-30T10:00:00+08:00",
        publisher="张三",
        level1_names={"A": "企业基本信息", "B": "依法用工"},
        entries=entries,
        honour=honour,
        exposure=exposure,
        footnotes=[
            "评价依据:企业劳动关系信用评价指标 2027.1 版。",
            "对评价结果有异议的,请于 2026年12月30日 前向所在市总工会书面提出。",
            "核验:下载 https://ghxy.example.gov.cn/publications/12.json,核对其 SHA-256 与本公告所印一致。",
        ],
    )


@pytest.fixture(scope="module")
def small() -> PublicationContent:
    return content(30)


@pytest.fixture(scope="module")
def big() -> PublicationContent:
    return content(1000)


# ---- CSV -------------------------------------------------------------------------------------------------


def test_csv_has_bom_chinese_headers_and_every_entry(small: PublicationContent) -> None:
    data = notice_csv(small)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["名次", "企业名称", "统一社会信用代码", "所在市", "行业", "总分", "等级", "红线否决", "备注"]
    assert len(rows) == 1 + len(small.entries)
    assert rows[6][1] == "沈阳瑞丰机械制造有限公司第5分公司"
    assert [r[2] for r in rows[1:]] == [e.uscc for e in small.entries]
    assert rows[14][7] == "是" and "失信" in rows[14][8]  # entry 13: a red line and its published status


def test_csv_never_carries_a_formula(small: PublicationContent) -> None:
    names = [r[1] for r in csv.reader(io.StringIO(notice_csv(small).decode("utf-8-sig")))][1:]
    assert names[0] == "'=cmd|' /C calc'!A0"
    assert names[2].startswith("'+86") and names[3].startswith("'@")
    assert names[1] == "<script>alert(1)</script>有限公司"
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


def test_csv_is_the_same_bytes_again(small: PublicationContent) -> None:
    assert notice_csv(small) == notice_csv(content(30))


# ---- XLSX ------------------------------------------------------------------------------------------------


def test_xlsx_sheets_header_and_strings(small: PublicationContent) -> None:
    book = openpyxl.load_workbook(io.BytesIO(notice_xlsx(small, publication_id=12)))
    assert book.sheetnames == ["公告", "排名", "红榜", "曝光台"]
    ranking = book["排名"]
    assert ranking.freeze_panes == "A2"
    assert [c.value for c in ranking[1]][:3] == ["名次", "企业名称", "统一社会信用代码"]
    hostile = ranking["B2"]
    assert hostile.data_type == "s" and hostile.value == "=cmd|' /C calc'!A0"
    assert ranking["B4"].data_type == "s" and ranking["B4"].value == "+86 24 2345 6789 商贸有限公司"
    assert all(cell.data_type != "f" for row in ranking.iter_rows() for cell in row)
    assert ranking["A2"].value == 1 and ranking["F2"].value == 95.0  # numbers stay numbers
    assert ranking.column_dimensions["E"].width >= 2 * len("信息传输、软件和信息技术服务业")
    assert ranking.max_row == 1 + len(small.entries)


def test_xlsx_lists_and_title_block(small: PublicationContent) -> None:
    book = openpyxl.load_workbook(io.BytesIO(notice_xlsx(small, publication_id=12)))
    honour, exposure = book["红榜"], book["曝光台"]
    assert honour.freeze_panes == "A2" and exposure.freeze_panes == "A2"
    assert [c.value for c in honour[1]] == ["企业名称", "统一社会信用代码", "所在市", "等级", "总分", "列入理由"]
    assert honour.max_row == 1 + len(small.honour) and exposure.max_row == 1 + len(small.exposure)
    assert "失信名单" in exposure["F2"].value
    cover = [str(c.value) for row in book["公告"].iter_rows() for c in row if c.value is not None]
    for text in (TITLE, NUMBER, "辽宁省总工会", "2026年11月30日", content_hash(small), "12", *small.footnotes):
        assert text in cover


def test_xlsx_is_the_same_bytes_again(small: PublicationContent) -> None:
    data = notice_xlsx(small, publication_id=12)
    assert data == notice_xlsx(content(30), publication_id=12)
    # its one timestamp is the moment of publication (10:00 Beijing time), not the moment of export
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.created == datetime(2026, 11, 30, 2, 0)


# ---- HTML ------------------------------------------------------------------------------------------------


def test_html_escapes_every_value(small: PublicationContent) -> None:
    page = notice_html(small, publication_id=12).decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in page
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page  # shown as typed, no quote prefix needed in a page


def test_html_is_a_standalone_chinese_page(small: PublicationContent) -> None:
    page = notice_html(small, publication_id=12).decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">') and '<meta charset="utf-8">' in page
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "url(" not in page and "@import" not in page and "<link" not in page
    assert "default-src 'none'" in page
    assert "thead { display: table-header-group; }" in page
    for text in (TITLE, NUMBER, "2026年11月30日", "曝光台", "红榜", content_hash(small), *small.footnotes):
        assert text in page
    assert page.count("<tr>") == 1 + len(small.entries) + 1 + len(small.honour) + 1 + len(small.exposure)


def test_html_is_the_same_bytes_again(small: PublicationContent) -> None:
    assert notice_html(small, publication_id=12) == notice_html(content(30), publication_id=12)


# ---- PDF -------------------------------------------------------------------------------------------------


def poppler(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, timeout=PDF_TIMEOUT
    ).stdout


@pytest.fixture(scope="module")
def big_pdf(big: PublicationContent, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notice") / "notice.pdf"
    path.write_bytes(notice_pdf(big, publication_id=12))
    return path


def test_pdf_embeds_every_font(big_pdf: Path) -> None:
    rows = poppler("pdffonts", big_pdf).splitlines()[2:]
    assert rows, "no fonts listed"
    assert any("NotoSerifCJK" in r for r in rows) and any("NotoSansCJK" in r for r in rows)
    for row in rows:
        assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), row
        assert row.split()[-5] == "yes", f"font not embedded: {row}"


def squash(text: str) -> str:
    """Text without whitespace: pdftotext puts spaces between Chinese and Latin characters, and breaks lines."""
    return re.sub(r"\s+", "", text)


def page_text(pdf: Path, page: int) -> str:
    return squash(poppler("pdftotext", "-f", str(page), "-l", str(page), pdf, "-"))


def test_pdf_text_is_chinese_and_literal(big: PublicationContent, big_pdf: Path) -> None:
    first = page_text(big_pdf, 1)
    for text in (TITLE, NUMBER, "辽宁省总工会", "2026年11月30日", big.entries[5].name, HOSTILE[1], HOSTILE[4]):
        assert squash(text) in first, text
    whole = squash(poppler("pdftotext", big_pdf, "-"))
    assert content_hash(big) in whole and "曝光台" in whole and squash(big.footnotes[1]) in whole


def test_pdf_paginates_with_the_header_on_every_page(big: PublicationContent, big_pdf: Path) -> None:
    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", big_pdf), re.M).group(1))  # type: ignore[union-attr]
    assert pages > 10
    texts = {k: page_text(big_pdf, k) for k in range(1, pages + 1)}
    with_rows = [k for k, text in texts.items() if any(e.uscc in text for e in big.entries)]
    assert len(with_rows) > 10
    for k in with_rows:
        assert HEADER in texts[k] and "企业名称" in texts[k], f"page {k} has rows but no table header"
        assert f"第{k}页共{pages}页" in texts[k]
    last = big.entries[-1]
    assert any(last.uscc in text and squash(last.name) in text for text in texts.values())


def test_pdf_is_the_same_bytes_with_source_date_epoch(
    small: PublicationContent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = notice_pdf(small, publication_id=12)
    assert first == notice_pdf(content(30), publication_id=12)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225601")
    assert notice_pdf(small, publication_id=12) != first  # the timestamp is in the file: the check can fail


def test_pdf_without_source_date_epoch_is_dated_by_publication(
    small: PublicationContent, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = tmp_path / "n.pdf"
    path.write_bytes(notice_pdf(small))
    assert path.read_bytes() == notice_pdf(content(30))
    assert re.search(r"CreationDate:\s+.*2026", poppler("pdfinfo", "-isodates", path))
    assert "2026-11-30T02:00:00" in poppler("pdfinfo", "-isodates", path)


def test_pdf_refuses_a_malformed_source_date_epoch(small: PublicationContent, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        notice_pdf(small)


def test_pdf_without_cjk_fonts_says_what_to_install(
    small: PublicationContent, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(notice_pdf_module, "FONT_DIRS", (tmp_path,))
    with pytest.raises(LrcError, match="fonts-noto-cjk"):
        notice_pdf(small)


# ---- export_notice ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".html", ".pdf", ".PDF"])
def test_export_picks_the_format_by_suffix(small: PublicationContent, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"公告{suffix}"
    export_notice(small, path, 12, content_hash(small))
    data = path.read_bytes()
    magic = {".csv": b"\xef\xbb\xbf", ".xlsx": b"PK\x03\x04", ".html": b"<!DOCTYPE html>", ".pdf": b"%PDF-"}
    assert data.startswith(magic[suffix.lower()])


@pytest.mark.parametrize("name", ["公告.docx", "公告", "公告.json"])
def test_export_refuses_an_unknown_suffix(small: PublicationContent, tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="不支持的公告格式") as info:
        export_notice(small, tmp_path / name, 12, content_hash(small))
    assert (Path(name).suffix or "无后缀") in str(info.value)
    assert not (tmp_path / name).exists()


def test_export_names_a_path_it_cannot_write(small: PublicationContent, tmp_path: Path) -> None:
    path = tmp_path / "没有这个目录" / "公告.html"
    with pytest.raises(LrcError, match="无法写入") as info:
        export_notice(small, path, 12, content_hash(small))
    assert str(path) in str(info.value)


def test_export_refuses_content_that_does_not_match_its_hash(small: PublicationContent, tmp_path: Path) -> None:
    with pytest.raises(LrcError, match="哈希"):
        export_notice(small, tmp_path / "公告.csv", 12, "0" * 64)
    assert not (tmp_path / "公告.csv").exists()


def test_a_pdf_longer_than_it_can_lay_out_is_refused_for_the_other_formats(
    small: PublicationContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typst lays a PDF out whole: a notice of more entries than ``PDF_ROWS`` is refused at once (at 30,000 it
    took minutes and gigabytes), naming its size and the formats that hold it; those still export it."""
    from lrc.publication import notice

    monkeypatch.setattr(notice, "PDF_ROWS", len(small.entries) - 1)
    with pytest.raises(UsageError, match="PDF 公告最多排") as info:
        export_notice(small, tmp_path / "公告.pdf", 12, content_hash(small))
    assert f"有 {len(small.entries):,} 家企业" in str(info.value) and ".xlsx" in str(info.value)
    assert not (tmp_path / "公告.pdf").exists()
    export_notice(small, tmp_path / "公告.xlsx", 12, content_hash(small))
    monkeypatch.setattr(notice, "PDF_ROWS", len(small.entries))
    export_notice(small, tmp_path / "公告.pdf", 12, content_hash(small))  # at the limit: laid out
    assert (tmp_path / "公告.pdf").read_bytes().startswith(b"%PDF-")
