"""指标体系 Methodology: the catalogue tree, grade bands and red lines, versions and changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, loaders, tables, trees
from dashboard.i18n import english, tr
from dashboard.text import plain
from indicators import Catalogue
from lrc.service.record_views import record_type_table

ITEM_COLUMNS = [
    "code",
    "level2_name",
    "level3_name",
    "name_zh",
    "stake",
    "rule",
    "legal_basis",
    "evidence_zh",
]


def tree_chart(items: pd.DataFrame, catalogue: Catalogue) -> None:
    """Sunburst of the catalogue: area = points at stake, green add items, red deductions."""
    nodes = trees.catalogue_nodes(items, catalogue)
    title = tr("指标树(面积=分值;绿=加分项,红=扣分项)", "Catalogue tree (area: points; green add, red deduct)")
    charts.show(charts.sunburst(nodes, title), f"catalogue-{catalogue.version}")


def tree(catalogue: Catalogue) -> None:
    """The sunburst, then the items of one first-level indicator at a time."""
    items = loaders.catalogue_items(catalogue.version)
    tree_chart(items, catalogue)
    names = {n.code: plain(f"{n.code} {n.name_en if english() else n.name_zh}") for n in catalogue.level1}
    code = st.pills(
        tr("一级指标", "First-level indicator"),
        list(names),
        format_func=lambda c: names[c],
        default=catalogue.level1[0].code,
        key=f"method_level1_{catalogue.version}",
    )
    part = items[items["level1"] == (code or catalogue.level1[0].code)]
    adds = part.loc[part["points"] > 0, "points"].sum()
    deducts = part.loc[part["points"] < 0, "points"].sum()
    st.caption(
        tr(
            f"{len(part)} 项 · 加分合计 {adds:g} · 扣分上限合计 {deducts:g}",
            f"{len(part)} items · add points {adds:g} · deductions up to {deducts:g}",
        )
    )
    tables.static(part.assign(stake=part["points"]), ITEM_COLUMNS)


def grades(catalogue: Catalogue) -> None:
    bands = pd.DataFrame(
        {
            tr("等级", "Grade"): [g.grade for g in catalogue.grades],
            tr("名称", "Name"): [g.label_en if english() else g.label_zh for g in catalogue.grades],
            tr("最低总分", "Lowest total"): [
                f"≥ {g.min_total:g}" if g.min_total is not None else tr("其余", "below") for g in catalogue.grades
            ],
        }
    )
    st.dataframe(bands, hide_index=True)
    st.markdown(
        tr(
            f"**红线一票否决:** 触及下列任一红线项的企业,无论总分多少,等级一律为最低档 "
            f"**{plain(catalogue.lowest_grade)}**。加分项满分合计 {catalogue.max_total:g} 分。",
            f"**Red-line veto:** an enterprise hitting any item below is graded **{plain(catalogue.lowest_grade)}** "
            f"whatever its total. Add items total {catalogue.max_total:g} points.",
        )
    )
    items = loaders.catalogue_items(catalogue.version)
    tables.static(
        items[items["red_line"]].assign(stake=items["points"]), ["code", "name_zh", "stake", "rule", "legal_basis"]
    )


def versions(shipped: dict[str, Catalogue], current: Catalogue) -> None:
    rows = [
        {"version": c.version, "released": str(c.released), "title": c.title_zh, "max": f"{c.max_total:g}"}
        for c in shipped.values()
    ]
    st.dataframe(
        pd.DataFrame(rows).rename(
            columns={
                "version": tr("版本", "Version"),
                "released": tr("发布日期", "Released"),
                "title": tr("名称", "Title"),
                "max": tr("加分满分", "Add points"),
            }
        ),
        hide_index=True,
    )
    version = plain(current.version)
    st.markdown(tr(f"**{version} 版变更记录**", f"**Changelog of {version}**"))
    for entry in current.changelog:
        changes = entry.changes_en if english() and entry.changes_en else entry.changes_zh
        st.markdown(f"*{plain(entry.version)}({plain(entry.date)})*\n" + "\n".join(f"- {plain(c)}" for c in changes))
    if len(shipped) < 2:
        st.info(
            tr(
                f"目前只发布了一个版本({version}),暂无可比较的版本。",
                f"Only one version ({version}) is shipped: there is nothing to compare yet.",
            )
        )
        return
    diff_between(list(shipped))


def diff_between(names: list[str]) -> None:
    st.markdown(tr("**版本比较**", "**Compare versions**"))
    left, right = st.columns(2)
    old = left.selectbox(tr("旧版本", "Older"), names, index=len(names) - 2, key="diff_old")
    new = right.selectbox(tr("新版本", "Newer"), names, index=len(names) - 1, key="diff_new")
    diff = loaders.catalogue_diff(old, new)
    if diff.empty:
        st.success(tr("两个版本的条目完全相同。", "The two versions have the same items."))
        return
    labels = {
        "code": tr("编码", "Code"),
        "change": tr("变化", "Change"),
        "field": tr("内容", "What"),
        "old": tr("旧", "Old"),
        "new": tr("新", "New"),
    }
    st.dataframe(diff.rename(columns=labels), hide_index=True, width="stretch")


def record_types(catalogue: Catalogue) -> None:
    """How each kind of record scores: the one item it affects, points and display period per tier,
    when it may be repaired, and whether it is a red line."""
    if not catalogue.record_types:
        st.info(
            tr(
                f"指标体系 {plain(catalogue.version)} 不计记录:违法和事故由企业按期间自报。",
                f"Catalogue {plain(catalogue.version)} scores no records: violations are self-declared per period.",
            )
        )
        return
    st.markdown(
        tr(
            "每条记录自决定日期起、在其严重程度的显示期内计分一次,只计入一个条目;过期自动不再计分。",
            "Each record counts once, in one item, from its decision date for its tier's display period.",
        )
    )
    rows = [
        {
            "code": t.code,
            "name_zh": t.name_zh,
            "source": t.source_kind_zh,
            "item": ",".join(t.items),
            "tiers": ";".join(
                f"{x.tier_zh} {x.points:+g} · {x.display_months} 个月"
                + ("" if x.repair_after_months is None else f" · {x.repair_after_months} 个月后可修复")
                for x in t.tiers
            ),
            "red_line": t.red_line,
        }
        for t in record_type_table(catalogue)
    ]
    labels = {
        "code": tr("代码", "Code"), "name_zh": tr("记录类型", "Record type"), "source": tr("来源", "Source"),
        "item": tr("计分条目", "Item"), "tiers": tr("每条分值 · 显示期 · 修复", "Points · shown · repair"),
        "red_line": tr("红线", "Red line"),
    }  # fmt: skip
    st.dataframe(pd.DataFrame(rows).rename(columns=labels), hide_index=True, width="stretch")


def about(catalogue: Catalogue) -> str:
    """Title, version and release date of a catalogue, as plain text."""
    title = plain(catalogue.title_en if english() else catalogue.title_zh)
    version, released = plain(catalogue.version), plain(catalogue.released)
    return tr(
        f"{title} · 版本 {version} · 发布于 {released} · 8 项一级指标、20 项二级指标、33 项三级指标、75 项具体内容",
        f"{title} · version {version} · released {released} · 8 first-level, 20 second-level, "
        "33 third-level indicators, 75 items",
    )


def main() -> None:
    st.title(tr("指标体系", "Methodology"))
    shipped = loaders.shipped_catalogues()
    names = list(shipped)
    if not names:
        st.error(tr("没有找到任何指标体系文件。", "No catalogue files are shipped."))
        return
    version = st.selectbox(tr("指标体系版本", "Catalogue version"), names, index=len(names) - 1, key="method_version")
    catalogue = shipped[version]
    st.caption(about(catalogue))
    tab_tree, tab_grades, tab_records, tab_versions = st.tabs(
        [
            tr("指标树", "Tree"),
            tr("等级与红线", "Grades and red lines"),
            tr("记录类型", "Record types"),
            tr("版本与变更", "Versions and changes"),
        ]
    )
    with tab_tree:
        tree(catalogue)
    with tab_grades:
        grades(catalogue)
    with tab_records:
        record_types(catalogue)
    with tab_versions:
        versions(shipped, catalogue)


main()
