"""A dossier as PDF, typeset by Typst with the publication's fonts (Noto Serif CJK SC for text, Noto Sans
CJK SC for headings, embedded as subsets; ``lrc.publication.notice_pdf``).

As for notices, values never become markup: the template is fixed and the dossier reaches it as one JSON
document through ``sys.inputs`` (an enterprise named ``#panic()`` prints those characters). The charts are
drawn by the template with Typst's own rectangles and lines from numbers in the same document. The PDF's
only timestamp is ``SOURCE_DATE_EPOCH`` when set, else the moment the dossier was generated."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import typst

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
from lrc.errors import UsageError
from lrc.publication.notice_pdf import SANS, SERIF, cjk_fonts
from lrc.times import CHINA

__all__ = ["dossier_pdf"]

TEMPLATE = r"""
#let d = json(bytes(sys.inputs.dossier))
#let serif = sys.inputs.serif
#let sans = sys.inputs.sans
#let red = rgb("#c00000")
#set document(title: d.title, author: d.author)
#set page(paper: "a4", margin: (x: 16mm, top: 18mm, bottom: 18mm), footer: context align(center, text(8pt)[
  #d.title #h(2em) 第 #counter(page).display() 页 #h(0.3em) 共 #counter(page).final().first() 页
]))
#set text(font: serif, lang: "zh", region: "cn", size: 10pt)
#set par(leading: 0.7em)
#set table(stroke: 0.5pt + luma(60), inset: (x: 3pt, y: 2.5pt))

#let heading2(t) = block(above: 14pt, below: 6pt, text(font: sans, size: 14pt, weight: "bold", fill: red, t))
#let heading3(t) = block(above: 10pt, below: 5pt, text(font: sans, size: 11pt, weight: "bold", t))

#let grid-table(t) = if t.rows.len() == 0 [#d.none] else {
  set text(size: 8pt)
  table(
    columns: t.fr.map(f => if f == 0 { auto } else { f * 1fr }),
    fill: (_, y) => if y == 0 { luma(230) },
    table.header(..t.columns.map(c => text(font: sans, weight: "bold", c))),
    ..t.rows.flatten(),
  )
}

#let pairs(rows) = table(
  columns: (7em, 1fr),
  ..rows.map(r => (text(font: sans, r.at(0)), r.at(1))).flatten(),
)

#let bars(c) = {
  let w = 160mm
  let ht = 45mm
  let step = w / c.bars.len()
  block(width: w, height: ht + 14pt, {
    place(top + left, dy: ht, line(length: w, stroke: 0.6pt))
    for (k, b) in c.bars.enumerate() {
      let x = k * step
      place(top + left, dx: x + step * 0.1, dy: ht - b.rate * ht,
        rect(width: step * 0.38, height: b.rate * ht, fill: red))
      if b.peer != none {
        place(top + left, dx: x + step * 0.5, dy: ht - b.peer * ht,
          rect(width: step * 0.38, height: b.peer * ht, fill: luma(160)))
      }
      place(top + left, dx: x + step * 0.35, dy: ht + 2pt, text(size: 8pt, b.code))
    }
  })
  text(size: 8pt)[#box(rect(width: 6pt, height: 6pt, fill: red)) 本企业 #h(1em)
    #box(rect(width: 6pt, height: 6pt, fill: luma(160))) 行业平均 #h(1em) #c.caption]
}

#let trend(c) = if c.points.len() > 0 {
  let w = 160mm
  let ht = 35mm
  let n = c.points.len()
  let xs = range(n).map(k => if n == 1 { w / 2 } else { w * 0.05 + w * 0.9 * k / (n - 1) })
  let ys = c.points.map(p => ht - ht * p.share)
  block(width: w, height: ht + 14pt, {
    place(top + left, dy: ht, line(length: w, stroke: 0.6pt))
    for k in range(n) {
      if k > 0 {
        place(top + left, line(start: (xs.at(k - 1), ys.at(k - 1)), end: (xs.at(k), ys.at(k)), stroke: 1.2pt + red))
      }
      place(top + left, dx: xs.at(k) - 2pt, dy: ys.at(k) - 2pt, circle(radius: 2pt, fill: red))
      place(top + left, dx: xs.at(k) - 8pt, dy: calc.max(ys.at(k) - 11pt, 0pt), text(size: 7pt, c.points.at(k).label))
      place(top + left, dx: xs.at(k) - 12pt, dy: ht + 2pt, text(size: 7pt, c.points.at(k).period))
    }
  })
  text(size: 8pt, c.caption)
}

#align(center, text(font: sans, size: 18pt, weight: "bold", d.title))
#align(center, d.subtitle)
#line(length: 100%, stroke: 1.2pt + red)

#if d.comparison != none {
  heading2(d.comparison.heading)
  grid-table(d.comparison.table)
}

#for (k, e) in d.enterprises.enumerate() {
  if k > 0 or d.comparison != none { pagebreak(weak: true) }
  heading2(e.heading)
  for s in e.sections {
    heading3(s.title)
    for part in s.parts {
      if part.kind == "pairs" { pairs(part.rows) }
      else if part.kind == "table" { grid-table(part) }
      else if part.kind == "bars" { bars(part) }
      else if part.kind == "trend" { trend(part) }
      else { par(part.text) }
    }
  }
}

#v(10pt)
#text(size: 8pt, d.footer)
"""


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> dict[str, Any]:
    return {"kind": "table", "columns": list(columns), "rows": [list(r) for r in rows], "fr": list(widths)}


def _text(text: str) -> dict[str, Any]:
    return {"kind": "text", "text": text}


def _breakable(text: str) -> str:
    """A space after each ASCII colon, so that a file name after ``(submitted):`` can wrap in a narrow cell."""
    return text.replace(":", ": ")


def _rate(value: float | None, maximum: float) -> float | None:
    if value is None:
        return None
    return max(0.0, min(1.0, value / maximum)) if maximum > 0 else 0.0


def _enterprise(e: EnterpriseDossier, heading: str) -> dict[str, Any]:
    t = section_titles(e)
    lost = [
        [i.code, i.name_zh, KIND_ZH.get(i.kind, i.kind), item_points(i), i.reason, basis(i), i.evidence_zh or NONE,
         _breakable(i.provenance)]
        for i in e.lost_items
    ]  # fmt: skip
    level1 = [
        [n.code, n.name_zh, points(n.points), points(n.max_points), "—" if n.peer_mean is None else points(n.peer_mean)]
        for n in e.level1
    ]
    bars = {
        "kind": "bars",
        "caption": CHART_MARK + "(得分占该指标加分满分的比例)",
        "bars": [
            {"code": n.code, "rate": _rate(n.points, n.max_points), "peer": _rate(n.peer_mean, n.max_points)}
            for n in e.level1
        ],
    }
    trend = {
        "kind": "trend",
        "caption": TREND_MARK,
        "points": [
            {"period": p.period, "label": f"{points(p.total)} {p.grade}", "share": max(0.0, min(1.0, p.total / 100))}
            for p in e.trend
        ],
    }
    records = [
        [f"#{r.id}", r.type_zh, r.tier_zh, r.date, r.source, r.ref, "—" if r.points is None else points(r.points),
         r.display_until or "—", r.status_zh]
        for r in e.records
    ]  # fmt: skip
    alerts = [[f"#{a.id}", a.period, a.title_zh, a.severity_zh, a.status_zh, a.detail, a.raised_at] for a in e.alerts]
    sections = [
        {"title": t[0], "parts": [{"kind": "pairs", "rows": profile_rows(e)}]},
        {"title": t[1], "parts": [{"kind": "pairs", "rows": result_rows(e)}, _text(e.ranks_note)]},
        {
            "title": t[2],
            "parts": [bars, _table(("代码", "一级指标", "得分", "加分满分", "行业平均"), level1, (0, 1, 0, 0, 0))],
        },
        {
            "title": t[3],
            "parts": [
                _text(f"共 {len(lost)} 项:{LOST_NOTE}"),
                _table(
                    ("条目", "名称", "类别", "得分", "原因", "法律依据", "所需证据", "数据来源"),
                    lost,
                    (0, 1.2, 0, 0, 1.6, 1.2, 1.6, 1.4),
                ),
            ],
        },
        {
            "title": t[4],
            "parts": [
                trend,
                _table(
                    ("期间", "总分", "等级", "红线"),
                    [[p.period, points(p.total), p.grade, "是" if p.red_line else "否"] for p in e.trend],
                    (1, 1, 1, 1),
                ),
            ],
        },  # fmt: skip
        {
            "title": t[5],
            "parts": [
                _table(
                    ("编号", "类型", "档次", "决定日期", "决定机关", "文号", "分值", "显示至", "状态"),
                    records,
                    (0, 1, 0, 0, 1, 1, 0, 0, 1.5),
                )
            ],
        },
        {
            "title": t[6],
            "parts": [
                _table(("编号", "期间", "预警", "级别", "状态", "说明", "产生时间"), alerts, (0, 0, 1, 0, 0, 2, 0))
            ],
        },  # fmt: skip
    ]
    k = 7
    if e.risk is not None:
        risk = [[r.period, f"{r.risk:.1%}"] for r in e.risk]
        sections.append({"title": t[k], "parts": [_table(("期间", "下一期等级下降的概率"), risk, (1, 1))]})
        k += 1
    plan = [plan_row(p) for p in e.plan]
    shown = _table(PLAN_COLUMNS, plan, (0, 1.2, 2, 0, 0, 1, 0, 0)) if plan else _text(e.plan_note)
    sections.append({"title": t[k], "parts": [shown]})
    cases = [case_row(c) for c in e.cases]
    listed = _table(CASE_COLUMNS, cases, (0, 0, 1.2, 1.6, 0, 0, 0, 1.4)) if cases else _text(NO_CASES)
    sections.append({"title": t[k + 1], "parts": [listed]})
    return {"heading": heading, "sections": sections}


def _document(content: DossierContent) -> str:
    hearing = f",听证 #{content.hearing_id}" if content.hearing_id is not None else ""
    comparison = None
    if content.collective:
        rows = [comparison_row(e) for e in content.enterprises]
        comparison = {
            "heading": "参加听证企业对比",
            "table": _table(COMPARISON_COLUMNS, rows, (2, 0, 0, 1, 0, 0, 0, 0)),
        }
    named = [(e, f"{k}. {e.name}" if content.collective else e.name) for k, e in enumerate(content.enterprises, 1)]
    data = {
        "title": content.title,
        "author": content.generated_by,
        "subtitle": f"评价期间 {content.period}{hearing},共 {len(content.enterprises)} 家企业",
        "none": NONE,
        "comparison": comparison,
        "enterprises": [_enterprise(e, h) for e, h in named],
        "footer": footer(content),
    }
    return json.dumps(data, ensure_ascii=False)


def _timestamp(content: DossierContent) -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        moment = datetime.strptime(content.generated_at, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)
        return int(moment.timestamp())
    if not (value.isascii() and value.isdigit()):
        raise UsageError(
            f"环境变量 SOURCE_DATE_EPOCH={value[:40]!r} 不是 Unix 秒数 (SOURCE_DATE_EPOCH is not Unix seconds)"
        )
    return int(value)


def dossier_source(content: DossierContent) -> tuple[str, str]:
    """The fixed template and the JSON document it is given (what the PDF is made of)."""
    return TEMPLATE, _document(content)


def dossier_pdf(content: DossierContent) -> bytes:
    """The dossier as an A4 PDF with its CJK fonts embedded (same content and timestamp: same bytes)."""
    return typst.compile(
        TEMPLATE.encode("utf-8"),
        font_paths=cjk_fonts(),
        sys_inputs={"dossier": _document(content), "serif": SERIF, "sans": SANS},
        timestamp=_timestamp(content),
        pdf_tags=False,
    )
