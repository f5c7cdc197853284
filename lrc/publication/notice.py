"""A publication rendered as an official notice (公告): CSV, XLSX, HTML or PDF of its frozen content.

Each format is a pure function of the content (and, where printed, the publication id): the same content
gives the same bytes, so a notice exported again can be compared with the first byte for byte. The layout
(heading, tables, lists, footnotes, the content hash) is declared once in ``notice_layout``; HTML is in
``notice_html`` and PDF in ``notice_pdf``. ``export_notice`` writes the format a file name asks for."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pandas as pd

from lrc.errors import LrcError, UsageError
from lrc.export import Cover, Sheet, csv_bytes, workbook_bytes
from lrc.publication.content import PublicationContent
from lrc.publication.content import content_hash as hash_of
from lrc.publication.notice_html import notice_html
from lrc.publication.notice_layout import (
    LISTED,
    RANKING,
    display_width,
    frame,
    heading,
    identity_lines,
    published_moment,
)
from lrc.publication.notice_pdf import notice_pdf

__all__ = ["NOTICE_SUFFIXES", "export_notice", "notice_csv", "notice_html", "notice_pdf", "notice_xlsx"]

NOTICE_SUFFIXES = (".csv", ".xlsx", ".html", ".pdf")
# Typst lays a PDF out whole, in memory: 10,000 rows took 31 s and 1.9 GB here, 30,000 about 4 min and 3.6 GB,
# and it grows faster than the rows; a notice longer than this is some 500 A4 pages, read as XLSX, CSV or HTML
PDF_ROWS = 20_000
MAX_WIDTH = 60  # the widest column, in characters (a longer text is still whole in its cell)


def notice_csv(content: PublicationContent) -> bytes:
    """The ranking as one table: a header row of Chinese column names, then one row per enterprise.

    Only the table, no title lines above it: Excel users sort, filter and pivot a CSV, and lines above the
    header break all three (and every program that reads it as data). The notice's title, lists and
    footnotes are in the XLSX, HTML and PDF. UTF-8 with a byte-order mark, so Excel on Chinese Windows reads
    it; a text cell that a spreadsheet would evaluate (= + - @ …) is prefixed with a quote (``csv_bytes``)."""
    return csv_bytes(frame(RANKING, content.entries))


def _widths(table: pd.DataFrame) -> list[float]:
    """Column widths (Excel's character units) fitting the header and the widest value, a Chinese character
    counting two."""
    return [
        min(MAX_WIDTH, 2 + max([display_width(str(name)), *(display_width(str(v)) for v in table[name])]))
        for name in table.columns
    ]


def _sheet(name: str, table: pd.DataFrame) -> Sheet:
    return Sheet(name, table, _widths(table), autofilter=True)


def notice_xlsx(content: PublicationContent, *, publication_id: int | None = None) -> bytes:
    """The notice as a workbook: 公告 (title, number, issuer, date, the lead sentence, footnotes and the
    content hash), then 排名, 红榜 and 曝光台 as tables under a frozen header row. Every text cell is a
    string, never a formula; the file's timestamp is the moment of publication, so re-exports are identical."""
    head = heading(content)
    lines = [
        ("文号 (number)", head.number),
        ("发布机关 (issuer)", head.issuer),
        ("发布日期 (date)", head.date_zh),
        ("", head.lead),
        *(("说明 (notes)" if i == 0 else "", note) for i, note in enumerate(content.footnotes)),
        *identity_lines(content, publication_id),
    ]
    created = published_moment(content).astimezone(UTC).replace(tzinfo=None)
    return workbook_bytes(
        [
            _sheet("排名", frame(RANKING, content.entries)),
            _sheet("红榜", frame(LISTED, content.honour)),
            _sheet("曝光台", frame(LISTED, content.exposure)),
        ],
        cover=Cover("公告", head.title, lines),
        created=created,
        title=head.title,
    )


def export_notice(content: PublicationContent, path: Path, publication_id: int, content_hash: str) -> None:
    """Write the notice to ``path`` in the format its suffix names (.csv, .xlsx, .html, .pdf).

    ``content_hash`` is the hash stored with the publication; it is printed on the notice, so a content
    that does not match it is refused rather than printed with a hash it does not have."""
    suffix = path.suffix.lower()
    if suffix not in NOTICE_SUFFIXES:
        raise UsageError(
            f"不支持的公告格式 {suffix or '(无后缀)'!r}({path.name}),可选 {'、'.join(NOTICE_SUFFIXES)} "
            f"(unsupported notice format {suffix or '(no suffix)'!r}; use .csv, .xlsx, .html or .pdf)"
        )
    if suffix == ".pdf" and len(content.entries) > PDF_ROWS:
        n = len(content.entries)
        raise UsageError(
            f"公告 {content.number} 有 {n:,} 家企业,PDF 公告最多排 {PDF_ROWS:,} 家;"
            "请导出 .xlsx、.csv 或 .html,或按市、行业分别发布"
            f" (a PDF notice holds at most {PDF_ROWS:,} entries, this one has {n:,}:"
            " export .xlsx, .csv or .html, or publish by city or industry)"
        )
    _check_hash(content, content_hash)
    data = _render(content, suffix, publication_id)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise LrcError(f"无法写入 {path}:{exc.strerror or exc} (cannot write the notice to {path})") from None


def _check_hash(content: PublicationContent, stored: str) -> None:
    actual = hash_of(content)
    if actual != stored:
        raise LrcError(
            f"公告 {content.number} 的内容与存档的哈希值不符,未导出 "
            f"(content hash {actual[:12]}… does not match the stored {stored[:12]}…; nothing written)"
        )


def _render(content: PublicationContent, suffix: str, publication_id: int) -> bytes:
    if suffix == ".csv":
        return notice_csv(content)
    if suffix == ".xlsx":
        return notice_xlsx(content, publication_id=publication_id)
    if suffix == ".html":
        return notice_html(content, publication_id=publication_id)
    return notice_pdf(content, publication_id=publication_id)
