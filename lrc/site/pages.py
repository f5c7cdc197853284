"""The index of publications and one page per publication: its ranking (searched and filtered in the page
by ``assets/site.js``), its honour and exposure lists, its footnotes and how to check its data file."""

from __future__ import annotations

from lrc.publication.amendments import Amendments
from lrc.publication.content import Entry, ListEntry
from lrc.site.collect import LISTS, Published
from lrc.site.html import EMPTY, SITE_TITLE, WRAP, Cell, definitions, esc, link, number, page, section, table

__all__ = ["data_name", "enterprise_path", "index_page", "publication_page", "publication_path"]


def publication_path(pub_id: int) -> str:
    return f"p/{pub_id}.html"


def enterprise_path(uscc: str) -> str:
    return f"e/{uscc}.html"


def data_name(pub_id: int) -> str:
    """The publication's data file (``canonical_bytes``), in ``data/`` with its ``.sha256`` beside it."""
    return f"{pub_id}.json"


def moment(pub: Published) -> str:
    return pub.published.strftime("%Y-%m-%d %H:%M")


def standing(pub: Published, root: str, by_id: dict[int, Published]) -> str:
    """现行, or which publication superseded it (linked when the site has it)."""
    if pub.superseded_by is None:
        return "现行"
    newer = by_id.get(pub.superseded_by)
    if newer is None:
        return esc(f"已被第 {pub.superseded_by} 号发布取代")
    return f"已被 {link(root + publication_path(newer.id), newer.content.number)} 取代"


def index_page(published: list[Published], *, built_at: str | None) -> str:
    by_id = {p.id: p for p in published}
    rows: list[tuple[str, list[Cell]]] = [
        (
            ' class="superseded"' if pub.superseded_by is not None else "",
            [
                link(publication_path(pub.id), pub.content.number),
                esc(pub.content.title),
                esc(pub.content.period),
                esc(pub.content.scope_zh),
                esc(pub.published.strftime("%Y-%m-%d")),
                f"{len(pub.content.entries):,}",
                standing(pub, "", by_id),
                link(f"data/{data_name(pub.id)}", "JSON"),
            ],
        )
        for pub in published
    ]
    listing = table(
        "历次发布(最新在前)",
        ["文号", "标题", "报告期", "范围", "发布日期", "企业数", "状态", "数据"],
        rows,
        empty="尚无发布。",
        show_caption=True,
    )
    check = (
        "<p>每期发布都附有数据文件 <code>编号.json</code> 和它的 SHA-256 值 <code>编号.json.sha256</code>,"
        "该值与正式公告上印制的内容哈希相同。下载两个文件后,在同一目录运行 "
        "<code>sha256sum -c 编号.json.sha256</code> 即可核验数据未被改动。</p>"
    )
    body = (
        f"<h1>{SITE_TITLE}</h1>\n"
        "<p>各期企业劳动关系信用评价结果的公开发布:排名、红榜、曝光台及各企业的评价情况。</p>\n"
        + section("publications", "发布目录", listing)
        + "\n"
        + section("verify", "如何核验", check)
    )
    return page(title="首页", root="", crumbs=[], body=body, built_at=built_at)


def _options(label: str, name: str, choices: dict[str, str]) -> str:
    options = "".join(f'<option value="{esc(value)}">{esc(text)}</option>' for value, text in choices.items())
    return f'<label>{esc(label)} <select name="{name}"><option value="">全部</option>{options}</select></label>'


def _filters(pub: Published) -> str:
    entries = pub.content.entries
    cities = {e.city_code: e.city for e in sorted(entries, key=lambda e: e.city_code)}
    industries = {e.industry: f"{e.industry} {e.industry_name}" for e in sorted(entries, key=lambda e: e.industry)}
    grades = {g: g for g in sorted({e.grade for e in entries})}
    return (
        '<form class="filters" data-filter data-table="ranking" data-search-columns="1 2" data-empty="ranking-none"'
        ' data-more="ranking-more" role="search" hidden>\n'
        '<label>搜索 <input type="search" name="q" placeholder="企业名称或统一社会信用代码"'
        ' autocomplete="off"></label>\n'
        f"{_options('城市', 'city', cities)}\n{_options('行业', 'industry', industries)}\n"
        f"{_options('等级', 'grade', grades)}\n"
        '<button type="reset">清除</button>\n<output name="count" aria-live="polite"></output>\n</form>\n'
        '<p id="ranking-none" class="empty" hidden>没有符合条件的企业。</p>'
    )


def _ranking(pub: Published, root: str, amendments: Amendments) -> str:
    content = pub.content
    headers = ["排名", "企业名称", "统一社会信用代码", "城市", "区县", "行业", "规模", "总分", "等级"]
    headers += [*content.level1_names.values(), "触及红线", "维权状态", "异议"]
    rows: list[tuple[str, list[Cell]]] = []
    for e in content.entries:
        attrs = f' data-city="{esc(e.city_code)}" data-industry="{esc(e.industry)}" data-grade="{esc(e.grade)}"'
        cells: list[Cell] = [str(e.rank), link(root + enterprise_path(e.uscc), e.name), esc(e.uscc)]
        cells += [esc(e.city), esc(e.district), esc(e.industry_name), esc(e.size), number(e.total), esc(e.grade)]
        cells += [number(e.level1.get(code)) for code in content.level1_names]
        fixed = amendments.correction(pub.id, e.uscc)
        note = (esc(e.objection or EMPTY), WRAP) if fixed is None else (
            f"{esc(e.objection or '')} {link(root + enterprise_path(e.uscc) + '#standing', fixed.text_zh)}", WRAP)
        cells += ["是" if e.red_line else "否", (esc(_rights(e, amendments)), WRAP), note]
        rows.append((attrs, cells))
    ranking = table(
        f"{content.scope_zh}排名({content.period})",
        headers,
        rows,
        table_id="ranking",
        empty="无上榜企业。",
        row_header=1,
        show_caption=True,
    )
    more = '<p><button type="button" id="ranking-more" class="more" hidden>再显示 100 家</button></p>'
    return "\n".join([_filters(pub), ranking, more]) if rows else ranking


def _rights(e: Entry, amendments: Amendments) -> str:
    """The published rights status, without the records that no longer count (they leave the site)."""
    hidden = amendments.hidden(e.uscc)
    if not any(r.ref in hidden for r in e.public_records):
        return e.rights_status
    left = [f"{r.name_zh}(展示至 {r.display_until or '—'})" for r in e.public_records if r.ref not in hidden]
    return ";".join(left) or "正常(已有记录不再公示)"


def list_reason(e: ListEntry, amendments: Amendments) -> str:
    gone = [w for ref, w in amendments.hidden(e.uscc).items() if ref in e.reason]
    return e.reason if not gone else f"(所列记录已{gone[0].cause_zh},不再公示)"


def _list(pub: Published, list_name: str, root: str, amendments: Amendments) -> str:
    rows: list[tuple[str, list[Cell]]] = [
        (
            "",
            [
                link(root + enterprise_path(e.uscc), e.name),
                esc(e.city),
                esc(e.grade),
                number(e.total),
                (esc(list_reason(e, amendments)), WRAP),
            ],
        )
        for e in getattr(pub.content, list_name)
    ]
    return table(LISTS[list_name], ["企业名称", "城市", "等级", "总分", "理由"], rows, empty="本期无。")


def _about(pub: Published, by_id: dict[int, Published]) -> str:
    content = pub.content
    notes = []
    if pub.superseded_by is not None:
        notes.append(f'<p class="notice">本发布{standing(pub, "../", by_id)},请以新版本为准。</p>')
    if content.replaces is not None:
        older = by_id.get(content.replaces)
        text = older.content.number if older else f"第 {content.replaces} 号发布"
        shown = link(f"../{publication_path(content.replaces)}", text) if older else esc(text)
        notes.append(f'<p class="notice">本发布取代 {shown}。</p>')
    facts = definitions(
        [
            ("文号", esc(content.number)),
            ("发布单位", esc(content.issuer)),
            ("报告期", esc(content.period)),
            ("范围", esc(content.scope_zh)),
            ("发布时间", esc(moment(pub))),
            ("上榜企业", f"{len(content.entries):,} 家"),
            ("指标体系版本", esc(content.catalogue_version)),
            ("发布规则版本", esc(content.policy_version)),
        ]
    )
    return "\n".join([*notes, facts])


def _verify(pub: Published) -> str:
    name = data_name(pub.id)
    return (
        f'<p>内容哈希(SHA-256):<code class="hash">{esc(pub.hash)}</code></p>\n'
        f"<p>数据文件:{link(f'../data/{name}', name)},"
        f"校验值:{link(f'../data/{name}.sha256', name + '.sha256')}。"
        f"下载后在同一目录运行 <code>sha256sum -c {esc(name)}.sha256</code>,"
        "应显示校验通过(OK 或“成功”);该值还应与正式公告上印制的内容哈希一致。</p>"
    )


def publication_page(
    pub: Published, by_id: dict[int, Published], *, built_at: str | None, amendments: Amendments | None = None
) -> str:
    content = pub.content
    changed = amendments or Amendments()
    footnotes = "".join(f"<li>{esc(note)}</li>" for note in content.footnotes)
    parts = [
        f"<h1>{esc(content.title)}</h1>",
        _about(pub, by_id),
        section("ranking-heading", "排名", _ranking(pub, "../", changed)),
        section("honour", "红榜", _list(pub, "honour", "../", changed)),
        section("exposure", "曝光台", _list(pub, "exposure", "../", changed)),
    ]
    if footnotes:
        parts.append(section("notes", "说明", f'<ol class="footnotes">{footnotes}</ol>'))
    parts.append(section("verify", "核验", _verify(pub)))
    return page(
        title=content.number, root="../", crumbs=[("index.html", "首页")], body="\n".join(parts), built_at=built_at
    )
