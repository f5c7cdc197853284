"""An official notice as one standalone web page (单页公告): UTF-8, ``lang="zh-CN"``, its style inline, nothing
fetched from anywhere (a Content-Security-Policy forbids it), every value escaped with ``html.escape`` (an
enterprise named ``<script>alert(1)</script>有限公司`` shows as text). Printed, it is an A4 notice whose table
header repeats on every page (``thead { display: table-header-group }``)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TypeVar

from lrc.html_page import standalone_page
from lrc.publication.content import Entry, ListEntry, PublicationContent
from lrc.publication.notice_layout import LISTED, NONE_LISTED, RANKING, Column, cell_text, heading, notes

__all__ = ["notice_html"]

T = TypeVar("T", Entry, ListEntry)

POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
STYLE = """
@page { size: A4; margin: 20mm 16mm; }
body { margin: 0 auto; max-width: 60em; padding: 2em 1.5em; color: #111; background: #fff;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; line-height: 1.6; }
h1, h2, th, .issuer { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  SimHei, sans-serif; }
.issuer { color: #c00; font-size: 2em; font-weight: bold; text-align: center; letter-spacing: .15em; margin: 0; }
.number { text-align: center; margin: .5em 0; }
hr.red { border: 0; border-top: 2px solid #c00; margin: .5em 0 1.5em; }
h1 { font-size: 1.5em; text-align: center; margin: .5em 0 1em; }
h2 { font-size: 1.15em; margin: 1.5em 0 .5em; }
.date { text-align: center; }
table { width: 100%; border-collapse: collapse; font-size: .9em; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: .2em .4em; vertical-align: top; }
th { background: #eee; white-space: nowrap; }
td.right { text-align: right; white-space: nowrap; }
td.center { text-align: center; white-space: nowrap; }
td.code { white-space: nowrap; }
td.red { color: #c00; font-weight: bold; }
.notes { font-size: .9em; }
.notes li { overflow-wrap: anywhere; }
.sign { text-align: right; margin-top: 2em; }
@media print { body { max-width: none; padding: 0; } th { background: #eee !important; } }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cell(column: Column[T], row: T) -> str:
    text = cell_text(column, row)
    classes: list[str] = [column.align] if column.align != "left" else []
    classes += ["code"] if column.en == "uscc" else ["red"] if column.en == "red_line" and text == "是" else []
    cls = " ".join(classes)
    return f'<td class="{cls}">{esc(text)}</td>' if cls else f"<td>{esc(text)}</td>"


def _table(columns: Sequence[Column[T]], rows: Sequence[T]) -> str:
    if not rows:
        return f"<p>{NONE_LISTED}</p>"
    head = "".join(f'<th scope="col">{esc(c.zh)}</th>' for c in columns)
    body = "\n".join("<tr>" + "".join(_cell(c, r) for c in columns) + "</tr>" for r in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def notice_html(content: PublicationContent, *, publication_id: int | None = None) -> bytes:
    """The notice as a standalone UTF-8 page (the same content gives the same bytes)."""
    head = heading(content)
    footnotes = "\n".join(f"<li>{esc(line)}</li>" for line in notes(content, publication_id))
    body = f"""<header>
<p class="issuer">{esc(head.issuer)}</p>
<p class="number">{esc(head.number)}</p>
<hr class="red">
<h1>{esc(head.title)}</h1>
<p class="date">{esc(head.issuer)} {esc(head.date_zh)}</p>
</header>
<main>
<p>{esc(head.lead)}</p>
<section><h2>一、评价结果排名</h2>
{_table(RANKING, content.entries)}
</section>
<section><h2>二、红榜</h2>
{_table(LISTED, content.honour)}
</section>
<section><h2>三、曝光台</h2>
{_table(LISTED, content.exposure)}
</section>
<section class="notes"><h2>说明</h2>
<ol>
{footnotes}
</ol>
</section>
<p class="sign">{esc(head.issuer)}<br>{esc(head.date_zh)}</p>
</main>"""
    return standalone_page(head.title, STYLE, POLICY, body)
