"""An official notice as PDF, typeset by Typst (the ``typst`` wheel: the compiler itself, no system libraries)
with Noto Serif CJK SC for the text and Noto Sans CJK SC (黑体) for headings, both embedded as subsets.

The values never become Typst markup: the template below is fixed, and the notice's parts reach it as one
JSON document through ``sys.inputs``, where every value is a string shown as it is (an enterprise named
``#panic()`` or ``$x$`` prints those characters). The ranking table's header repeats on every page.

The same content gives the same bytes: the PDF's only timestamp is ``SOURCE_DATE_EPOCH`` when set (the
reproducible-builds convention), else the moment of publication."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import typst

from lrc.errors import LrcError, UsageError
from lrc.publication.content import Entry, ListEntry, PublicationContent
from lrc.publication.notice_layout import (
    LISTED,
    NONE_LISTED,
    RANKING,
    Column,
    cell_text,
    heading,
    notes,
    published_moment,
)

__all__ = ["FONT_DIRS", "notice_pdf", "pdf_timestamp"]

T = TypeVar("T", Entry, ListEntry)
# Debian/Ubuntu fonts-noto-cjk, then Arch and Alpine's noto-fonts-cjk / font-noto-cjk
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"), Path("/usr/share/fonts/noto"))
# relative widths of the columns (0: as wide as its content)
SERIF = "Noto Serif CJK SC"  # 宋体 for the text
SANS = "Noto Sans CJK SC"  # 黑体 for headings
RANKING_WIDTHS = {"name": 2.2, "industry": 1.3, "remarks": 1.0}
LISTED_WIDTHS = {"name": 2.0, "reason": 2.6}

TEMPLATE = r"""
#let d = json(bytes(sys.inputs.notice))
#let serif = sys.inputs.serif
#let sans = sys.inputs.sans
#let red = rgb("#c00000")
#set document(title: d.title, author: d.issuer)
#set page(paper: "a4", margin: (x: 18mm, top: 20mm, bottom: 20mm), footer: context align(center, text(8pt)[
  #d.number #h(2em) 第 #counter(page).display() 页 #h(0.3em) 共 #counter(page).final().first() 页
]))
#set text(font: serif, lang: "zh", region: "cn", size: 10.5pt)
#set par(leading: 0.75em)
#set table(stroke: 0.5pt + luma(60), inset: (x: 3pt, y: 2.5pt))

#let cells(section) = section.rows.map(row => row.enumerate().map(((i, value)) => {
  let column = section.columns.at(i)
  let shown = if column.mark and value == "是" { text(fill: red, weight: "bold", value) } else { value }
  align(if column.align == "right" { right } else if column.align == "center" { center } else { left }, shown)
})).flatten()

#let notice-table(section) = if section.rows.len() == 0 [#d.none_listed] else {
  set text(size: 8pt)
  table(
    columns: section.columns.map(c => if c.fr == 0 { auto } else { c.fr * 1fr }),
    fill: (_, y) => if y == 0 { luma(230) },
    table.header(..section.columns.map(c => align(center, text(font: sans, weight: "bold", c.zh)))),
    ..cells(section),
  )
}

#align(center, text(font: sans, size: 22pt, weight: "bold", fill: red, tracking: 0.1em, d.issuer))
#v(2pt)
#align(center, d.number)
#line(length: 100%, stroke: 1.5pt + red)
#v(6pt)
#align(center, text(font: sans, size: 16pt, weight: "bold", d.title))
#align(center, [#d.issuer #h(1em) #d.date])
#v(4pt)
#par(first-line-indent: (amount: 2em, all: true), d.lead)

#for section in d.sections {
  block(above: 12pt, below: 6pt, text(font: sans, size: 12pt, weight: "bold", section.heading))
  notice-table(section)
}

#block(above: 12pt, below: 6pt, text(font: sans, size: 12pt, weight: "bold", "说明"))
#set text(size: 9pt)
#enum(..d.notes)
#v(16pt)
#align(right, [#d.issuer \ #d.date])
"""


def pdf_timestamp(content: PublicationContent) -> int:
    """The PDF's creation time (Unix seconds): ``SOURCE_DATE_EPOCH`` if set, else the moment of publication."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return int(published_moment(content).timestamp())
    if not (value.isascii() and value.isdigit()):
        raise UsageError(
            f"环境变量 SOURCE_DATE_EPOCH={value[:40]!r} 不是 Unix 秒数 (SOURCE_DATE_EPOCH is not Unix seconds)"
        )
    return int(value)


def _section(title: str, columns: Sequence[Column[T]], rows: Sequence[T], widths: dict[str, float]) -> dict[str, Any]:
    return {
        "heading": title,
        "columns": [
            {"zh": c.zh, "align": c.align, "mark": c.en == "red_line", "fr": widths.get(c.en, 0)} for c in columns
        ],
        "rows": [[cell_text(c, r) for c in columns] for r in rows],
    }


def _document(content: PublicationContent, publication_id: int | None) -> str:
    head = heading(content)
    data = {
        "issuer": head.issuer,
        "number": head.number,
        "title": head.title,
        "date": head.date_zh,
        "lead": head.lead,
        "none_listed": NONE_LISTED,
        "sections": [
            _section("一、评价结果排名", RANKING, content.entries, RANKING_WIDTHS),
            _section("二、红榜", LISTED, content.honour, LISTED_WIDTHS),
            _section("三、曝光台", LISTED, content.exposure, LISTED_WIDTHS),
        ],
        "notes": notes(content, publication_id),
    }
    return json.dumps(data, ensure_ascii=False)


def cjk_fonts() -> typst.Fonts:
    """Noto CJK from the folders above and Typst's own fonts, never whatever else the machine has installed:
    the PDF depends on these fonts alone."""
    folders = [str(d) for d in FONT_DIRS if d.is_dir()]
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=folders)
    missing = sorted({SERIF, SANS} - set(fonts.families()))
    if missing:
        raise LrcError(
            f"找不到中文字体 {'、'.join(missing)},请安装 fonts-noto-cjk "
            f"(CJK fonts not found in {', '.join(folders) or 'any known font folder'}; install fonts-noto-cjk)"
        )
    return fonts


def notice_pdf(content: PublicationContent, *, publication_id: int | None = None) -> bytes:
    """The notice as an A4 PDF with its CJK fonts embedded (same content and timestamp: same bytes)."""
    return typst.compile(
        TEMPLATE.encode("utf-8"),
        font_paths=cjk_fonts(),
        sys_inputs={"notice": _document(content, publication_id), "serif": SERIF, "sans": SANS},
        timestamp=pdf_timestamp(content),
        pdf_tags=False,
    )
