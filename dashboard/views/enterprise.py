"""企业画像 Enterprise: one enterprise's score, its place among peers, and every point it lost."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import cases, charts, controls, loaders, plans, profile, tables, watchlist
from dashboard.controls import RunChoice
from dashboard.i18n import english, tr
from dashboard.text import plain
from indicators import Catalogue
from lrc.service import Explanation, Filters
from lrc.service import analytics as an
from lrc.service.access import Role

QUERY_KEY = "ent_query"
MAX_MATCHES = 50


def find(run: RunChoice, query: str, period: str) -> str | None:
    """The USCC the query names: an exact code, or a pick among name matches (the best first)."""
    code = query.strip().upper()
    if not loaders.enterprises(run.url, run.who, run.run_id, (code,)).empty:
        return code
    matches = loaders.ranking_page(run.url, run.who, run.run_id, Filters(search=query.strip()), 0, MAX_MATCHES, False)[
        0
    ]
    if matches.empty:
        typed, period = plain(query.strip()), plain(period)
        st.warning(
            tr(
                f"期间 {period} 的评分结果中找不到“{typed}”(名称或统一社会信用代码)。",
                f"No enterprise matching “{typed}” (name or USCC) was scored in {period}.",
            ),
        )
        return None
    labels = dict(zip(matches["uscc"], matches["name"] + "(" + matches["uscc"] + ")", strict=True))
    return st.selectbox(
        tr(f"匹配的企业(前 {len(matches)} 家)", f"Matches (first {len(matches)})"),
        list(labels),
        format_func=lambda c: labels[c],
        key="ent_pick",
    )


def chosen(run: RunChoice) -> str | None:
    if QUERY_KEY not in st.session_state:
        st.session_state[QUERY_KEY] = st.query_params.get("uscc", "")
    query = st.text_input(
        tr("企业名称或统一社会信用代码", "Enterprise name or USCC"),
        key=QUERY_KEY,
        placeholder=tr("未输入时显示全省第一名", "empty: the province's first"),
    )
    if not query.strip():
        first = loaders.ranking_page(run.url, run.who, run.run_id, Filters(), 0, 1, False)[0]
        return str(first["uscc"].iloc[0]) if len(first) else None
    return find(run, query, run.period)


def _rank(column: DeltaGenerator, label: str, ranks: pd.Series, key: str) -> None:
    """Rank among peers as ``r / n``, with the top share below it (only when there are peers)."""
    rank, n = int(ranks[f"{key}_rank"]), int(ranks[f"{key}_n"])
    share = an.top_share(rank, n)
    note = tr(f"仅 {n:,} 家", f"only {n:,}") if share is None else tr(f"前 {share:.1%}", f"top {share:.1%}")
    column.metric(label, f"{rank:,} / {n:,}", note, delta_color="off", delta_arrow="off")


def red_line_names(expl: Explanation, catalogue: Catalogue) -> list[str]:
    """The red-line items hit, each as its code and name (``D3.2.1 使用童工``); the name as
    plain text (a code is checked on load: a letter, digits and dots only)."""
    return [
        f"{code} {plain(catalogue.item(code).name_en if english() else catalogue.item(code).name_zh)}"
        for code in expl.red_line_items
    ]


def identity(expl: Explanation, row: pd.Series) -> None:
    """Name, then code, city, industry, size and ownership: data, shown as plain text."""
    st.subheader(plain(expl.name))
    facts = (expl.uscc, row["city"], row["industry_name"], row["size"], row["ownership"] or "")
    st.caption(" · ".join(plain(value) for value in facts))


def header(expl: Explanation, row: pd.Series, ranks: pd.Series, catalogue: Catalogue) -> None:
    identity(expl, row)
    cols = st.columns(5)
    cols[0].metric(tr("总分", "Total"), f"{float(expl.total):.1f}")
    cols[1].metric(tr("等级", "Grade"), f"{plain(expl.grade)} {plain(expl.grade_label)}")
    _rank(cols[2], tr("全省排名", "Province rank"), ranks, "province")
    _rank(cols[3], tr(f"{plain(row['city'])}排名", "City rank"), ranks, "city")
    _rank(cols[4], tr("行业排名", "Industry rank"), ranks, "industry")
    if expl.red_line:
        hit = red_line_names(expl, catalogue)
        st.error(
            tr(
                f"触及红线:{'、'.join(hit)},等级一律评为最低档。",
                f"Red line hit: {'; '.join(hit)}; graded lowest.",
            ),
        )
    elif expl.grade_note:  # the total would reach a better band, but too many facts were not reported
        note = plain(expl.grade_note)
        st.warning(tr(f"等级说明:{note}", f"Grade held down by missing data: {note}"))
    if expl.cause_record_id is not None:
        st.caption(
            tr(
                f"本结果由记录 #{expl.cause_record_id} 引起,单企业重算批次 #{expl.result_run_id}。",
                f"This result was made by record #{expl.cause_record_id} (rescoring run #{expl.result_run_id}).",
            )
        )
    watchlist.toggle_button(expl.uscc)


def structure(run: RunChoice, expl: Explanation, catalogue: Catalogue) -> None:
    left, right = st.columns(2)
    with left:
        nodes = profile.sunburst_nodes(expl, tr(f"总分 {float(expl.total):g}", f"Total {float(expl.total):g}"))
        title = tr("得分结构 8→20→33→75(面积=分值,颜色=保有率)", "Score tree (area: points at stake; colour: kept)")
        charts.show(charts.sunburst(nodes, title), f"sunburst-{expl.uscc}")
    with right:
        radar(run, expl, catalogue)


def radar(run: RunChoice, expl: Explanation, catalogue: Catalogue) -> None:
    """Each first-level score as a share of the add points it can reach, so that
    indicators with small maxima weigh as much as large ones."""
    points = {n["code"]: n["points"] for n in expl.levels["level1"]}
    series = {tr("本企业", "This enterprise"): an.level1_rates(catalogue, [points[n.code] for n in catalogue.level1])}
    median = loaders.industry_median(run.url, run.who, run.run_id, expl.industry)
    if median:
        series[tr("行业中位数", "Industry median")] = an.level1_rates(catalogue, median)
    axes = [f"{n.code} {n.name_en if english() else n.name_zh}" for n in catalogue.level1]
    hover = {name: [_rate_hover(row) for row in rates.itertuples()] for name, rates in series.items()}
    title = tr(
        "一级指标得分率(得分 ÷ 该指标加分满分)与行业中位数",
        "First-level score rates (points ÷ the indicator's add points) against the industry median",
    )
    shown = {name: rates["shown"].tolist() for name, rates in series.items()}
    charts.show(charts.radar(axes, shown, title, hover=hover), f"radar-{expl.uscc}")


def _rate_hover(row: Any) -> str:
    rate = tr("无加分项", "no add items") if pd.isna(row.rate) else f"{row.rate:.1f}%"
    clipped = tr("(扣分超过得分,按 0 绘制)", " (deductions exceed points: drawn at 0)") if row.rate < 0 else ""
    return tr(
        f"得分率 {rate}{clipped}<br>得分 {row.points:g} / 加分满分 {row.max_points:g}",
        f"rate {rate}{clipped}<br>points {row.points:g} of {row.max_points:g} add points",
    )


def history(run: RunChoice, uscc: str) -> None:
    frame = loaders.trend(run.url, run.who, uscc)
    title = tr("历次期间总分", "Total in every period")
    charts.show(charts.trend(frame, title, tr("总分", "Total")), f"trend-{uscc}")


def risk_over_time(run: RunChoice, uscc: str) -> None:
    """Its risk of falling a grade, in each period that has a risk model (nothing when none has)."""
    frame = loaders.risk_history(run.url, run.who, uscc)
    if frame.empty:
        return
    fig = charts.risk_trend(frame, tr("历次期间的降级风险", "Risk of falling a grade"), tr("风险 %", "Risk %"))
    charts.show(fig, f"risk-{uscc}")


def lost(expl: Explanation) -> None:
    st.subheader(tr("扣分与未得分明细", "Deductions and missed points"))
    items = profile.lost_points(expl)
    if items.empty:
        st.success(tr("没有扣分,所有加分项均得满分。", "No deductions; every add item earned in full."))
        return
    items["kind"] = items["lost_kind"].map(tables.lost_kind_names())
    tables.static(
        items,
        ["code", "name_zh", "kind", "points", "max_points", "lost", "reason", "legal_basis", "evidence_zh"],
    )


def records(expl: Explanation) -> None:
    """The enterprise's records: source, document number, tier, date, how long each counts and what it costs."""
    st.subheader(tr("记录(监察、仲裁、事故、名单、荣誉)", "Records (inspections, awards, accidents, lists, honours)"))
    if not expl.records:
        st.caption(tr("没有登记的记录。", "No records."))
        return
    frame = pd.DataFrame(expl.records)
    frame["declared"] = frame["points"].astype("Float64")
    frame["cost"] = frame["cost"].astype("Float64")
    frame["id"] = frame["id"].map(lambda i: f"#{i}")
    columns = ["id", "type_zh", "tier_zh", "date", "source", "ref", "item", "declared", "cost", "display_until"]
    tables.static(frame, [*columns, "status_zh"])


def provenance(expl: Explanation) -> None:
    """Where every fact that scored came from; self-declared zeros that avoided a deduction are unverified."""
    st.subheader(tr("数据来源", "Where the facts come from"))
    items = pd.DataFrame(expl.items)
    unverified = items[items["unverified"]]
    if not unverified.empty:
        st.warning(
            tr(
                f"{len(unverified)} 个扣分项因企业自报为 0 而未扣分,没有记录佐证,标为“未经核实”。",
                f"{len(unverified)} deductions avoided by self-declared zeros that no record confirms: unverified.",
            )
        )
    items["code"] = items["code"] + np.where(items["unverified"], tr("(未经核实)", " (unverified)"), "")
    tables.static(items, ["code", "name_zh", "points", "provenance"])


def completeness(expl: Explanation) -> None:
    st.subheader(tr("数据完整性", "Data completeness"))
    gaps = profile.gaps(expl)
    st.progress(
        expl.completeness,
        text=tr(f"数据完整率 {expl.completeness:.1%}", f"Completeness {expl.completeness:.1%}"),
    )
    if gaps.empty:
        st.caption(tr("所有指标的数据均已报送。", "Every item's data was reported."))
    else:
        st.caption(tr(f"{len(gaps)} 项缺少数据,按 0 分计:", f"{len(gaps)} items lack data and score 0:"))
        tables.static(gaps, ["code", "name_zh", "reason"])


def improvement(run: RunChoice, uscc: str) -> None:
    """The actions it committed to at hearings, and each item's points before and after."""
    st.subheader(tr("听证改进计划与效果", "Improvement plan and its effect"))
    actions = loaders.plan(run.url, run.who, uscc)
    if not actions:
        st.caption(tr("没有改进计划。", "No improvement plan."))
        return
    plans.show(actions, key=f"ent_plan_{uscc}")


def shown_run(run: RunChoice, uscc: str) -> tuple[int, str] | None:
    """The run (and its period) of an earlier result asked for by the link ``?uscc=…&run=…`` (the result an
    objection disputed, or one a publication froze), while that enterprise is the one shown; else None."""
    asked = str(st.query_params.get("run", ""))
    if not asked.isdigit() or st.query_params.get("uscc", "") != uscc:
        return None
    runs = loaders.every_run(run.url, run.who)
    found = runs[runs["id"] == int(asked)] if not runs.empty else runs
    return (int(asked), str(found["period"].iloc[0])) if len(found) else None


def superseded(expl: Explanation) -> None:
    """Say that the result shown was superseded, why, and where the newer one is."""
    if expl.superseded_by is None:
        return
    cause = plain((expl.superseded or {}).get("text_zh", ""))
    st.warning(
        tr(
            f"此结果(评分批次 #{expl.result_run_id})已被取代:{cause},新结果在评分批次 #{expl.superseded_by}。"
            "原结果保留备查,已发布的排名不变。",
            f"This result (run #{expl.result_run_id}) was superseded: {cause}; the newer one is in run "
            f"#{expl.superseded_by}. Publications stay as published.",
        )
    )
    newest = tr("查看最新结果", "Show the newest result")
    st.page_link("views/enterprise.py", label=newest, query_params={"uscc": expl.uscc})


def open_cases(run: RunChoice, uscc: str) -> None:
    """The enterprise's open objections and repair requests, with their deadlines."""
    st.subheader(tr("异议与信用修复", "Objections and credit repair"))
    mine = [c for c in cases.all_cases(run.url, run.who, uscc) if c.status in cases.OPEN]
    if not mine:
        st.caption(tr("没有未决定的异议或信用修复申请。", "No open objection or repair request."))
    else:
        columns = ["case", "subject", "state", "decide_by", "filed_on", "filed_by"]
        tables.show(cases.queue_frame(mine), columns, key=f"ent_cases_{uscc}")
    if run.who.role is not Role.viewer:
        st.page_link("views/objections.py", label=tr("办理或提出异议、信用修复", "Open the objections page"))


def main() -> None:
    run = controls.run_page("企业画像", "Enterprise")
    if run is None:
        return
    uscc = chosen(run)
    if uscc is None:
        return
    earlier = shown_run(run, uscc)
    if earlier is None:
        expl = loaders.explanation(run.url, run.who, run.run_id, run.period, uscc)
    else:
        expl = loaders.result_in_run(run.url, run.who, earlier[0], earlier[1], uscc)
        st.info(tr(f"正在查看:期间 {plain(earlier[1])} 评分批次 #{earlier[0]} 中的结果",
                   f"Showing the result in run #{earlier[0]} of {plain(earlier[1])}"))  # fmt: skip
    catalogue = loaders.catalogue(run.url, earlier[0] if earlier else run.run_id)
    row = loaders.enterprises(run.url, run.who, run.run_id, (uscc,)).iloc[0]
    header(expl, row, loaders.peer_ranks_of(run.url, run.who, run.run_id, row), catalogue)
    superseded(expl)
    open_cases(run, uscc)
    structure(run, expl, catalogue)
    history(run, uscc)
    risk_over_time(run, uscc)
    lost(expl)
    improvement(run, uscc)
    records(expl)
    provenance(expl)
    completeness(expl)


main()
