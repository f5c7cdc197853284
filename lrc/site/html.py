"""The pieces every page of the site is made of: escaping, the page shell, tables and definition lists.

Every value that reaches a page goes through ``esc`` (``html.escape`` with quotes), so an enterprise named
``<img src=x onerror=alert(1)>有限公司`` shows as text. Links are relative (``root`` is ``""`` at the site
root and ``"../"`` one folder down), so the site works from ``file://`` and under any path of a host."""

from __future__ import annotations

import html
from collections.abc import Iterable

__all__ = ["EMPTY", "SITE_TITLE", "WRAP", "Cell", "definitions", "esc", "link", "number", "page", "section", "table"]

SITE_TITLE = "企业劳动关系信用评价公示"
EMPTY = "—"
WRAP = ' class="wrap"'  # a cell of running text, wrapped instead of widening its column
# nothing but the site's own files: no inline script, no request to another host, no form posted anywhere
POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"

Cell = str | tuple[str, str]  # already-escaped HTML, or (escaped HTML, extra attributes)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def number(value: float | None) -> str:
    """Points with one decimal, as published."""
    return EMPTY if value is None else f"{value:.1f}"


def link(href: str, text: str) -> str:
    """A link to ``href`` (a relative path built here, escaped again) showing ``text`` (plain text)."""
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def page(*, title: str, root: str, crumbs: list[tuple[str, str]], body: str, built_at: str | None) -> str:
    """A whole page: ``crumbs`` are (relative href, text) from the site root to the parent of this page."""
    trail = "".join(f"<li>{link(root + href, text)}</li>" for href, text in crumbs)
    built = f"<p>本站生成于 {esc(built_at)}。</p>" if built_at else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="lrc">
<title>{esc(title)} - {SITE_TITLE}</title>
<link rel="stylesheet" href="{root}assets/site.css">
<script src="{root}assets/site.js"></script>
</head>
<body>
<header class="site">
<p class="brand"><a href="{root}index.html">{SITE_TITLE}</a></p>
<nav aria-label="位置"><ol class="crumbs">{trail}<li aria-current="page">{esc(title)}</li></ol></nav>
</header>
<main>
{body}
</main>
<footer class="site">
<p>本站为静态公示页面,内容以正式发布的公告为准;每期发布的数据文件及其 SHA-256 值可供核验。</p>
{built}</footer>
</body>
</html>
"""


def section(heading_id: str, heading: str, body: str) -> str:
    return f'<section aria-labelledby="{heading_id}">\n<h2 id="{heading_id}">{esc(heading)}</h2>\n{body}\n</section>'


def definitions(pairs: Iterable[tuple[str, str]]) -> str:
    """A definition list of (plain-text term, escaped HTML value)."""
    items = "".join(f"<div><dt>{esc(term)}</dt><dd>{value}</dd></div>" for term, value in pairs)
    return f'<dl class="info">{items}</dl>'


def _cell(tag: str, cell: Cell, extra: str = "") -> str:
    content, attrs = (cell, "") if isinstance(cell, str) else cell
    return f"<{tag}{extra}{attrs}>{content}</{tag}>"


def table(
    caption: str,
    headers: list[str],
    rows: Iterable[tuple[str, list[Cell]]],
    *,
    table_id: str | None = None,
    empty: str = "无",
    row_header: int = 0,
    show_caption: bool = False,
) -> str:
    """A table in a horizontally scrolling box. Each row is (escaped row attributes, cells); the cell at
    ``row_header`` heads its row (``th scope="row"``). ``empty`` (plain text) stands in for a table without rows.
    The caption is read out but not shown (the section's heading says it) unless ``show_caption``."""
    body = "\n".join(
        f"<tr{attrs}>"
        + "".join(_cell("th", c, ' scope="row"') if i == row_header else _cell("td", c) for i, c in enumerate(cells))
        + "</tr>"
        for attrs, cells in rows
    )
    if not body:
        return f'<p class="empty">{esc(empty)}</p>'
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    ident = f' id="{esc(table_id)}"' if table_id else ""
    hidden = "" if show_caption else ' class="visually-hidden"'
    return (
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{esc(caption)}">\n'
        f"<table{ident}>\n<caption{hidden}>{esc(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>\n</div>"
    )
