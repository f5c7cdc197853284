"""总览 Overview: one period at a glance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, controls, geo, loaders, tables
from dashboard.controls import RunChoice
from dashboard.i18n import tr
from lrc.reference import CITIES, INDUSTRIES


def _delta(now: float, before: float | None, fmt: str) -> str | None:
    return None if before is None else format(now - before, fmt)


def metrics(run: RunChoice) -> None:
    now = loaders.headline(run.url, run.who, run.run_id)
    before = loaders.headline(run.url, run.who, run.previous_id) if run.previous_id else None
    share = now["red_lines"] / now["enterprises"] if now["enterprises"] else 0.0
    cols = st.columns(5)
    cols[0].metric(
        tr("参评企业", "Enterprises scored"),
        f"{now['enterprises']:,}",
        _delta(now["enterprises"], before and before["enterprises"], "+,"),
    )
    cols[1].metric(
        tr("平均分", "Mean score"), f"{now['mean']:.1f}", _delta(now["mean"], before and before["mean"], "+.1f")
    )
    cols[2].metric(
        tr("中位数", "Median score"), f"{now['median']:.1f}", _delta(now["median"], before and before["median"], "+.1f")
    )
    cols[3].metric(
        tr("触及红线企业", "Red-line enterprises"),
        f"{now['red_lines']:,}",
        _delta(now["red_lines"], before and before["red_lines"], "+,"),
        delta_color="inverse",
    )
    cols[4].metric(tr("红线企业占比", "Red-line share"), f"{share:.1%}")
    if before is None:
        st.caption(tr("没有上一期间的评分结果,无法显示变化。", "No earlier period scored: no changes shown."))


def grade_mix(run: RunChoice, grades: list[str]) -> None:
    counts = pd.DataFrame({run.period: loaders.headline(run.url, run.who, run.run_id)["grades"]})
    title = tr(f"等级分布 {run.period}", f"Grades {run.period}")
    if run.previous_id:
        previous = loaders.runs(run.url, run.who).set_index("id").at[run.previous_id, "period"]
        counts[previous] = pd.Series(loaders.headline(run.url, run.who, run.previous_id)["grades"])
        title = tr(
            f"等级分布:{run.period}(深色)对比 {previous}(浅色)",
            f"Grades: {run.period} (dark) vs {previous} (light)",
        )
    counts = counts.reindex(grades).fillna(0).astype(int)
    charts.show(charts.grade_bars(counts, grades, title), "grade_distribution")


def by_city(run: RunChoice) -> None:
    summary = loaders.group_summary(run.url, run.who, run.run_id, "city_code")
    summary["city"] = summary["city_code"].map(lambda c: CITIES.get(c, c))
    title = tr("各市平均分", "Mean score by city")
    shapes = geo.city_geojson()
    if shapes is None:
        st.caption(tr("无法读取地图边界数据,改用条形图。", "City outlines unavailable: bars instead of a map."))
        charts.show(charts.bars(summary, "mean", "city", title), "city_scores")
    else:
        fig = charts.city_map(summary, shapes, "mean", title, tr("平均分", "Mean"), no_data=tr("无数据", "No data"))
        charts.show(fig, "city_map")
    with st.expander(tr("各市明细", "Cities in detail")):
        tables.show(
            summary.sort_values("mean", ascending=False),
            ["city", "enterprises", "mean", "median", "red_lines"],
        )


def by_industry(run: RunChoice) -> None:
    summary = loaders.group_summary(run.url, run.who, run.run_id, "industry")
    summary["label"] = summary["industry"] + " " + summary["industry"].map(INDUSTRIES)
    title = tr("各行业平均分", "Mean score by industry")
    charts.show(charts.bars(summary, "mean", "label", title, height=460), "industry_scores")


def item_losses(run: RunChoice) -> None:
    losses = loaders.item_losses(run.url, run.who, run.run_id)
    st.subheader(tr("全省失分最多的指标", "Items that cost the most points"))
    st.caption(
        tr(
            "每家企业平均失分:扣分项为所扣分数,加分项为未得到的分数。",
            "Mean points lost per enterprise: deductions taken and add points missed.",
        )
    )
    fig = charts.item_losses(
        losses.head(15),
        tr("失分前 15 项", "Top 15 items by points lost"),
        tables.kind_names(),
        tr("平均失分", "Mean lost"),
    )
    charts.show(fig, "item_losses")
    with st.expander(tr("全部 75 项", "All 75 items")):
        tables.show(
            losses,
            ["code", "name_zh", "level1_name", "max_points", "lost_total", "lost_mean", "losing_share"],
        )


def changes(run: RunChoice) -> None:
    st.subheader(tr("与上一期间相比", "Since the previous period"))
    if not run.previous_id:
        st.info(tr("没有上一期间的评分结果。", "No earlier period has been scored."))
        return
    both = loaders.changes(run.url, run.who, run.run_id, run.previous_id)
    if not both.both:
        controls.nothing_in_common_message()
        return
    cols = st.columns(4)
    cols[0].metric(tr("两期均参评", "In both periods"), f"{both.both:,}")
    cols[1].metric(tr("平均分变化", "Mean change"), f"{both.mean_delta:+.2f}")
    cols[2].metric(tr("等级上升", "Grade up"), f"{both.grade_up:,}")
    cols[3].metric(tr("等级下降", "Grade down"), f"{both.grade_down:,}")
    shown = ["uscc", "name", "city", "industry_name", "total_prev", "total", "delta", "grade_prev", "grade"]
    rises, falls = st.tabs([tr("进步最大前 10", "Top 10 rises"), tr("退步最大前 10", "Top 10 falls")])
    with rises:
        tables.show(both.lists["rises"].head(10), shown)
    with falls:
        tables.show(both.lists["falls"].head(10), shown)


def main() -> None:
    run = controls.run_page("总览", "Overview")
    if run is None:
        return
    grades = [g.grade for g in loaders.catalogue(run.url, run.run_id).grades]
    metrics(run)
    left, right = st.columns([3, 2])
    with left:
        by_city(run)
    with right:
        grade_mix(run, grades)
        by_industry(run)
    item_losses(run)
    changes(run)


main()
