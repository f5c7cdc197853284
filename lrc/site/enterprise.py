"""One page per enterprise: its standing in the newest publication in force that lists it (grade, total,
first-level scores, rights-protection and objection status, public records), its history across every
publication, its places on the honour and exposure lists, and the improvement-plan actions it committed
to at hearings (public fields only: ``Commitment``)."""

from __future__ import annotations

from collections.abc import Sequence

from lrc.publication.amendments import Amendments
from lrc.publication.commitments import Commitment
from lrc.site.collect import LISTS, Appearance, Enterprise, Published
from lrc.site.html import EMPTY, WRAP, Cell, definitions, esc, link, number, page, section, table
from lrc.site.pages import list_reason, publication_path

__all__ = ["enterprise_page"]


def _identity(firm: Enterprise) -> str:
    current = firm.current
    if current is None:
        listed = firm.listings[0].entry
        return definitions([("统一社会信用代码", esc(firm.uscc)), ("城市", esc(listed.city))])
    e = current.entry
    where = e.city if e.district in ("", e.city) else f"{e.city}{e.district}"
    return definitions(
        [
            ("统一社会信用代码", esc(e.uscc)),
            ("所在地", esc(where)),
            ("行业", esc(f"{e.industry} {e.industry_name}")),
            ("规模", esc(e.size)),
            ("所有制", esc(e.ownership)),
        ]
    )


def _source(pub: Published) -> str:
    note = ";该发布已被取代" if pub.superseded_by is not None else ""
    return (
        f'<p class="source">依据 {link("../" + publication_path(pub.id), pub.content.number)}'
        f"({esc(pub.content.period)},{esc(pub.content.scope_zh)}{note})</p>"
    )


def _standing(current: Appearance, amendments: Amendments) -> str:
    e, content = current.entry, current.publication.content
    fixed = amendments.correction(current.publication.id, e.uscc)
    correction = "" if fixed is None else (
        f'<p class="notice">本结果发布后{esc(fixed.text_zh)},现结果:总分 {number(fixed.total)},'
        f"等级 {esc(fixed.grade)}(评分批次 {fixed.run_id});已发布的排名保持原样。</p>"
    )  # fmt: skip
    facts = definitions(
        [
            ("等级", f'<strong class="grade">{esc(e.grade)}</strong>'),
            ("总分", number(e.total)),
            ("排名", f"第 {e.rank} 名 / 共 {len(content.entries):,} 家({esc(content.scope_zh)})"),
            ("触及红线", "是" if e.red_line else "否"),
            ("维权状态", esc(e.rights_status)),
            ("异议状态", esc(e.objection or "无正在处理的异议")),
        ]
    )
    rows: list[tuple[str, list[Cell]]] = [
        ("", [esc(f"{code} {name}"), number(e.level1.get(code))]) for code, name in content.level1_names.items()
    ]
    scores = table("一级指标得分", ["一级指标", "得分"], rows, show_caption=True)
    return "\n".join([_source(current.publication), correction, facts, scores])


def _records(current: Appearance, amendments: Amendments) -> str:
    hidden = amendments.hidden(current.entry.uscc)
    rows: list[tuple[str, list[Cell]]] = [
        ("", [esc(r.name_zh), esc(r.decision_date), esc(r.source), esc(r.ref), esc(r.display_until or EMPTY)])
        for r in current.entry.public_records
        if r.ref not in hidden
    ]
    shown = table("公开记录", ["类型", "决定日期", "决定机关", "文书编号", "公示截止"], rows, empty="无公开记录。")
    gone = [hidden[r.ref] for r in current.entry.public_records if r.ref in hidden]
    causes = esc("、".join(sorted({w.cause_zh for w in gone})))
    note = f'<p class="notice">另有 {len(gone)} 条记录已不再公示({causes})。</p>'
    return shown + ("\n" + note if gone else "")


def _history(firm: Enterprise) -> str:
    rows: list[tuple[str, list[Cell]]] = []
    for a in firm.appearances:
        pub, e = a.publication, a.entry
        state = "已被取代" if pub.superseded_by is not None else "现行"
        cells: list[Cell] = [esc(pub.content.period), link("../" + publication_path(pub.id), pub.content.number)]
        cells += [esc(pub.content.scope_zh), f"{e.rank} / {len(pub.content.entries):,}", number(e.total)]
        cells += [esc(e.grade), state]
        rows.append(("", cells))
    headers = ["报告期", "文号", "范围", "排名", "总分", "等级", "状态"]
    return table("历次发布(最新在前)", headers, rows, empty="未列入任何排名。")


def _lists(firm: Enterprise, amendments: Amendments) -> str:
    rows: list[tuple[str, list[Cell]]] = [
        (
            "",
            [
                esc(item.publication.content.period),
                link("../" + publication_path(item.publication.id), item.publication.content.number),
                LISTS[item.list_name],
                (esc(list_reason(item.entry, amendments)), WRAP),
            ],
        )
        for item in firm.listings
    ]
    return table("红榜与曝光台", ["报告期", "文号", "榜单", "理由"], rows, empty="未列入红榜或曝光台。")


def _plan(commitments: Sequence[Commitment]) -> str:
    rows: list[tuple[str, list[Cell]]] = [
        (
            "",
            [
                (esc(c.hearing_title), WRAP), esc(c.hearing_date), esc(f"{c.item_code} {c.item_name_zh}"),
                (esc(c.action), WRAP), esc(c.due), esc(c.status_zh),
            ],
        )
        for c in commitments
    ]  # fmt: skip
    headers = ["听证", "听证日期", "改进指标", "整改措施", "完成期限", "进展"]
    return table("听证后的改进计划", headers, rows, empty="无改进计划。")


def enterprise_page(
    firm: Enterprise,
    *,
    built_at: str | None,
    commitments: Sequence[Commitment] = (),
    amendments: Amendments | None = None,
) -> str:
    current = firm.current
    amendments = amendments or Amendments()
    parts = [f"<h1>{esc(firm.name)}</h1>", _identity(firm)]
    if current is not None:
        parts.append(section("standing", "最新评价", _standing(current, amendments)))
        parts.append(section("records", "公开记录", _records(current, amendments)))
    parts.append(section("history", "历次发布", _history(firm)))
    parts.append(section("lists", "红榜与曝光台", _lists(firm, amendments)))
    if commitments:
        parts.append(section("plan", "改进计划", _plan(commitments)))
    return page(title=firm.name, root="../", crumbs=[("index.html", "首页")], body="\n".join(parts), built_at=built_at)
