"""A dossier as one standalone web page: UTF-8, ``lang="zh-CN"``, style and charts inline (SVG), nothing
fetched from anywhere (a Content-Security-Policy forbids it), every value escaped with ``html.escape``."""

from __future__ import annotations

import html
from collections.abc import Sequence

from lrc.dossier.content import DossierContent, EnterpriseDossier
from lrc.dossier.layout import (
    CASE_COLUMNS,
    CHART_MARK,
    COMPARISON_COLUMNS,
    KIND_ZH,
    LOST_NOTE,
    NO_CASES,
    NONE,
    PLAN_COLUMNS,
    TREND_MARK,
    basis,
    case_row,
    comparison_row,
    footer,
    item_points,
    plan_row,
    points,
    profile_rows,
    result_rows,
    section_titles,
)
from lrc.html_page import standalone_page

__all__ = ["dossier_html"]

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
STYLE = """
@page { size: A4; margin: 18mm 15mm; }
body { margin: 0 auto; max-width: 62em; padding: 2em 1.5em; color: #111; background: #fff;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; line-height: 1.6; }
h1, h2, h3, th { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  SimHei, sans-serif; }
h1 { font-size: 1.5em; text-align: center; margin: .5em 0; }
h2 { font-size: 1.3em; margin: 2em 0 .5em; border-bottom: 2px solid #c00; }
h3 { font-size: 1.1em; margin: 1.5em 0 .5em; }
.meta { text-align: center; color: #444; }
table { width: 100%; border-collapse: collapse; font-size: .9em; margin: .3em 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: .2em .4em; vertical-align: top; }
th { background: #eee; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
.red { color: #c00; font-weight: bold; }
figure { margin: .5em 0; }
figcaption { font-size: .9em; color: #333; }
.enterprise { break-before: page; }
@media print { body { max-width: none; padding: 0; } th { background: #eee !important; } }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pairs(rows: Sequence[tuple[str, str]]) -> str:
    body = "\n".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    return f"<table>\n{body}\n</table>"


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    if not rows:
        return f"<p>{NONE}</p>"
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = "\n".join(
        "<tr>" + "".join(f'<td class="num">{esc(v)}</td>' if k in numeric else f"<td>{esc(v)}</td>"
                         for k, v in enumerate(row)) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def bar_chart(e: EnterpriseDossier) -> str:
    """First-level scores (dark) beside the industry peers' mean (light), as a share of the add points each
    indicator can reach."""
    width, height, left, bottom = 640, 220, 40, 40
    step = (width - left) / max(len(e.level1), 1)
    bars = []
    for k, line in enumerate(e.level1):
        x = left + k * step
        for j, (value, colour) in enumerate(((line.points, "#c00000"), (line.peer_mean, "#999999"))):
            if value is None:
                continue
            rate = max(0.0, min(1.0, value / line.max_points)) if line.max_points > 0 else 0.0
            h = rate * (height - bottom - 10)
            bars.append(
                f'<rect x="{x + 6 + j * step * 0.4:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.38:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{esc(line.code)} {esc(line.name_zh)} {esc(points(value))}'
                f"</title></rect>"
            )
        bars.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 15}" text-anchor="middle" font-size="11">'
                    f"{esc(line.code)}</text>")  # fmt: skip
    axis = f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#333"/>'
    legend = (
        f'<rect x="{left}" y="{height - 14}" width="10" height="10" fill="#c00000"/>'
        f'<text x="{left + 14}" y="{height - 5}" font-size="11">本企业</text>'
        f'<rect x="{left + 70}" y="{height - 14}" width="10" height="10" fill="#999999"/>'
        f'<text x="{left + 84}" y="{height - 5}" font-size="11">行业平均</text>'
        f'<text x="0" y="14" font-size="11">100%</text><text x="0" y="{height - bottom}" font-size="11">0</text>'
    )
    return (
        f'<svg class="chart" role="img" aria-label="{CHART_MARK}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%">{axis}{"".join(bars)}{legend}</svg>'
    )


def trend_chart(e: EnterpriseDossier) -> str:
    width, height, pad = 640, 180, 30
    if not e.trend:
        return ""
    n = len(e.trend)
    xs = [pad + (width - 2 * pad) * (k / (n - 1) if n > 1 else 0.5) for k in range(n)]
    ys = [height - pad - (height - 2 * pad) * max(0.0, min(100.0, t.total)) / 100 for t in e.trend]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c00000"/>'
        f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="11">'
        f"{esc(points(t.total))} {esc(t.grade)}</text>"
        f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" font-size="11">{esc(t.period)}</text>'
        for x, y, t in zip(xs, ys, e.trend, strict=True)
    )
    return (
        f'<svg class="chart" role="img" aria-label="{TREND_MARK}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#333"/>'
        f'<polyline points="{line}" fill="none" stroke="#c00000" stroke-width="2"/>{dots}</svg>'
    )


def _enterprise(e: EnterpriseDossier, heading: str) -> str:
    t = section_titles(e)
    lost = [
        [i.code, i.name_zh, KIND_ZH.get(i.kind, i.kind), item_points(i), i.reason, basis(i), i.evidence_zh or NONE,
         i.provenance]
        for i in e.lost_items
    ]  # fmt: skip
    level1 = [
        [line.code, line.name_zh, points(line.points), points(line.max_points),
         "—" if line.peer_mean is None else points(line.peer_mean)]
        for line in e.level1
    ]  # fmt: skip
    trend = [[t.period, points(t.total), t.grade, "是" if t.red_line else "否"] for t in e.trend]
    records = [
        [f"#{r.id}", r.type_zh, r.tier_zh, r.date, r.source, r.ref, "—" if r.points is None else points(r.points),
         r.display_until or "—", r.status_zh]
        for r in e.records
    ]  # fmt: skip
    alerts = [[f"#{a.id}", a.period, a.title_zh, a.severity_zh, a.status_zh, a.detail, a.raised_at] for a in e.alerts]
    parts = [
        f'<section class="enterprise" id="e-{esc(e.uscc)}">',
        f"<h2>{esc(heading)}</h2>",
        f"<h3>{t[0]}</h3>\n{_pairs(profile_rows(e))}",
        f"<h3>{t[1]}</h3>\n{_pairs(result_rows(e))}\n<p>{esc(e.ranks_note)}</p>",
        f"<h3>{t[2]}</h3>\n<figure>{bar_chart(e)}<figcaption>{CHART_MARK}(得分占该指标加分满分的比例)"
        f"</figcaption></figure>",
        _table(("代码", "一级指标", "得分", "加分满分", "行业平均"), level1, (2, 3, 4)),
        f"<h3>{t[3]}</h3>\n<p>共 {len(lost)} 项:{LOST_NOTE}</p>",
        _table(("条目", "名称", "类别", "得分", "原因", "法律依据", "所需证据", "数据来源"), lost, (3,)),
        f"<h3>{t[4]}</h3>\n<figure>{trend_chart(e)}<figcaption>{TREND_MARK}</figcaption></figure>",
        _table(("期间", "总分", "等级", "红线"), trend, (1,)),
        f"<h3>{t[5]}</h3>",
        _table(("编号", "类型", "档次", "决定日期", "决定机关", "文号", "分值", "显示至", "状态"), records, (6,)),
        f"<h3>{t[6]}</h3>",
        _table(("编号", "期间", "预警", "级别", "状态", "说明", "产生时间"), alerts),
    ]
    k = 7
    if e.risk is not None:
        risk = [[r.period, f"{r.risk:.1%}"] for r in e.risk]
        parts += [f"<h3>{t[k]}</h3>", _table(("期间", "下一期等级下降的概率"), risk, (1,))]
        k += 1
    plan = [plan_row(p) for p in e.plan]
    shown = _table(PLAN_COLUMNS, plan) if plan else f"<p>{esc(e.plan_note)}</p>"
    parts += [f"<h3>{t[k]}</h3>", shown]
    cases = [case_row(c) for c in e.cases]
    parts += [f"<h3>{t[k + 1]}</h3>", _table(CASE_COLUMNS, cases) if cases else f"<p>{esc(NO_CASES)}</p>"]
    parts.append("</section>")
    return "\n".join(parts)


def dossier_html(content: DossierContent) -> bytes:
    """The dossier as a standalone UTF-8 page (the same content gives the same bytes)."""
    body = []
    if content.collective:
        rows = [comparison_row(e) for e in content.enterprises]
        body.append('<section class="comparison"><h2>参加听证企业对比</h2>')
        body.append(_table(COMPARISON_COLUMNS, rows, (4,)) + "</section>")
        body += [_enterprise(e, f"{k}. {e.name}") for k, e in enumerate(content.enterprises, start=1)]
    else:
        body += [_enterprise(e, e.name) for e in content.enterprises]
    hearing = f",听证 #{content.hearing_id}" if content.hearing_id is not None else ""
    page = f"""<header>
<h1>{esc(content.title)}</h1>
<p class="meta">评价期间 {esc(content.period)}{esc(hearing)},共 {len(content.enterprises)} 家企业</p>
</header>
<main>
{chr(10).join(body)}
</main>
<footer><p class="meta">{esc(footer(content))}</p></footer>"""
    return standalone_page(content.title, STYLE, POLICY, page)
