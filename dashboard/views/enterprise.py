"""企业画像 Enterprise: one enterprise's score, its place among peers, and every point it lost."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import charts, controls, loaders, profile, tables, watchlist
from dashboard.controls import RunChoice
from dashboard.i18n import tr
from lrc.service import Explanation, Filters
from lrc.service import analytics as an

QUERY_KEY = "ent_query"
MAX_MATCHES = 50


def find(frame: pd.DataFrame, query: str, period: str) -> str | None:
    """The USCC the query names: an exact code, or a pick among name matches."""
    code = query.strip().upper()
    if (frame["uscc"] == code).any():
        return code
    matches = an.ranked(frame, Filters(search=query.strip())).head(MAX_MATCHES)
    if matches.empty:
        st.warning(
            tr(
                f"期间 {period} 的评分结果中找不到“{query.strip()}”(名称或统一社会信用代码)。",
                f"No enterprise matching “{query.strip()}” (name or USCC) was scored in {period}.",
            ),
            icon=":material/warning:",
        )
        return None
    labels = dict(zip(matches["uscc"], matches["name"] + "(" + matches["uscc"] + ")", strict=True))
    return st.selectbox(
        tr(f"匹配的企业(前 {len(matches)} 家)", f"Matches (first {len(matches)})"),
        list(labels),
        format_func=lambda c: labels[c],
        key="ent_pick",
    )


def chosen(frame: pd.DataFrame, run: RunChoice) -> str | None:
    if QUERY_KEY not in st.session_state:
        st.session_state[QUERY_KEY] = st.query_params.get("uscc", "")
    query = st.text_input(
        tr("企业名称或统一社会信用代码", "Enterprise name or USCC"),
        key=QUERY_KEY,
        placeholder=tr("未输入时显示全省第一名", "empty: the province's first"),
    )
    if not query.strip():
        return str(frame["uscc"].iloc[0])
    return find(frame, query, run.period)


def _rank(column: DeltaGenerator, label: str, ranks: pd.Series, key: str) -> None:
    """Rank among peers as ``r / n``, with the top share below it."""
    rank, n = int(ranks[f"{key}_rank"]), int(ranks[f"{key}_n"])
    column.metric(
        label,
        f"{rank:,} / {n:,}",
        tr(f"前 {rank / n:.1%}", f"top {rank / n:.1%}"),
        delta_color="off",
        delta_arrow="off",
    )


def header(expl: Explanation, row: pd.Series, ranks: pd.Series) -> None:
    st.subheader(f"{expl.name}")
    st.caption(f"{expl.uscc} · {row['city']} · {row['industry_name']} · {row['size']} · {row['ownership'] or ''}")
    cols = st.columns(5)
    cols[0].metric(tr("总分", "Total"), f"{float(expl.total):.1f}")
    cols[1].metric(tr("等级", "Grade"), f"{expl.grade} {expl.grade_label}")
    _rank(cols[2], tr("全省排名", "Province rank"), ranks, "province")
    _rank(cols[3], tr(f"{row['city']}排名", "City rank"), ranks, "city")
    _rank(cols[4], tr("行业排名", "Industry rank"), ranks, "industry")
    if expl.red_line:
        st.error(
            tr(
                f"触及红线:{'、'.join(expl.red_line_items)},等级一律评为最低档。",
                f"Red line hit: {', '.join(expl.red_line_items)}; graded lowest.",
            ),
            icon=":material/block:",
        )
    watchlist.toggle_button(expl.uscc)


def structure(run: RunChoice, expl: Explanation) -> None:
    left, right = st.columns(2)
    with left:
        nodes = profile.sunburst_nodes(expl, tr(f"总分 {float(expl.total):g}", f"Total {float(expl.total):g}"))
        title = tr("得分结构 8→20→33→75(面积=分值,颜色=保有率)", "Score tree (area: points at stake; colour: kept)")
        charts.show(charts.sunburst(nodes, title), f"sunburst-{expl.uscc}")
    with right:
        level1 = expl.levels["level1"]
        median = loaders.industry_median(run.url, run.run_id, expl.industry)
        series = {tr("本企业", "This enterprise"): [n["points"] for n in level1]}
        if median:
            series[tr("行业中位数", "Industry median")] = median
        title = tr("一级指标得分与行业中位数", "First-level scores against the industry median")
        charts.show(charts.radar([n["name_zh"] for n in level1], series, title), f"radar-{expl.uscc}")


def history(run: RunChoice, uscc: str) -> None:
    frame = loaders.trend(run.url, uscc)
    title = tr("历次期间总分", "Total in every period")
    charts.show(charts.trend(frame, title, tr("总分", "Total")), f"trend-{uscc}")


def lost(expl: Explanation) -> None:
    st.subheader(tr("扣分与未得分明细", "Deductions and missed points"))
    items = profile.lost_points(expl)
    if items.empty:
        st.success(tr("没有扣分,所有加分项均得满分。", "No deductions; every add item earned in full."))
        return
    items["kind"] = items["kind"].map(tables.kind_names())
    tables.static(
        items,
        ["code", "name_zh", "kind", "points", "max_points", "lost", "reason", "legal_basis", "evidence_zh"],
    )


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


def main() -> None:
    st.title(tr("企业画像", "Enterprise"))
    run = controls.selected_run()
    if run is None:
        return
    st.caption(run.caption())
    frame = loaders.results(run.url, run.run_id)
    uscc = chosen(frame, run)
    if uscc is None:
        return
    expl = loaders.explanation(run.url, run.run_id, run.period, uscc)
    row = frame.loc[frame["uscc"] == uscc].iloc[0]
    header(expl, row, loaders.peer_ranks(run.url, run.run_id).loc[uscc])
    structure(run, expl)
    history(run, uscc)
    lost(expl)
    completeness(expl)


main()
