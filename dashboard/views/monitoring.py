"""监测预警 Monitoring: what changed with the newest score run; refreshes on its own."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import controls, loaders, session, tables, watchlist
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from dashboard.text import plain
from lrc.risk.features import forecast_periods
from lrc.service import Filters, risk
from lrc.service import analytics as an
from lrc.service.access import Action, Principal, permitted
from lrc.service.alerts import acknowledge, list_alerts
from lrc.service.comparisons import Changes
from lrc.times import CHINA, in_china

REFRESH_SECONDS = 10
ALERT_SECONDS = 3  # new alerts are looked for this often (a record's alert shows within 5 s)
ALERT_COLUMNS = ["alert_id", "severity_zh", "title_zh", "uscc", "name", "period", "detail", "raised"]
CHANGE_COLUMNS = [
    "uscc",
    "name",
    "city",
    "industry_name",
    "total_prev",
    "total",
    "delta",
    "grade_prev",
    "grade",
]
TOP = 50


def alerts(both: Changes) -> None:
    if not both.both:
        controls.nothing_in_common_message()
        return
    fell, red = both.lists["fell"], both.lists["red"]
    falls = both.lists["falls"]
    drops = falls[falls["delta"] < 0].head(TOP)
    cols = st.columns(4)
    cols[0].metric(tr("等级下降", "Grade fell"), f"{both.grade_down:,}")
    cols[1].metric(tr("新触红线", "New red lines"), f"{both.new_red_lines:,}")
    cols[2].metric(tr("分数下降", "Score fell"), f"{both.score_fell:,}")
    cols[3].metric(tr("平均分变化", "Mean change"), f"{both.mean_delta:+.2f}")
    tabs = st.tabs(
        [
            tr(f"等级下降({both.grade_down:,})", f"Grade fell ({both.grade_down:,})"),
            tr(f"新触红线({both.new_red_lines:,})", f"New red lines ({both.new_red_lines:,})"),
            tr(f"降幅最大前 {TOP}", f"Top {TOP} drops"),
        ]
    )
    sizes = (both.grade_down, both.new_red_lines, both.score_fell)
    for tab, frame, size, what in zip(tabs, (fell, red, drops), sizes, ("fell", "red", "drops"), strict=True):
        with tab:
            if frame.empty:
                st.success(tr("没有此类企业。", "None."))
            else:
                extra = ["grade_steps"] if what == "fell" else []
                tables.show(
                    frame.head(TOP),
                    [*CHANGE_COLUMNS, *extra],
                    height=min(38 + 35 * min(size, TOP), 600),
                )


def add_to_watchlist(url: str, who: Principal, run_id: int) -> None:
    with st.form("watch_add", clear_on_submit=True, border=False):
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        query = left.text_input(tr("按名称或统一社会信用代码添加", "Add by name or USCC"), key="watch_query")
        submitted = right.form_submit_button(tr("加入关注", "Watch"))
    if submitted and query.strip():
        code = query.strip().upper()
        hits = loaders.enterprises(url, who, run_id, (code,))
        if hits.empty:
            hits = loaders.ranking_page(url, who, run_id, Filters(search=query.strip()), 0, 1, False)[0]
        if hits.empty:
            typed = plain(query.strip())
            st.warning(tr(f"找不到“{typed}”。", f"Nothing matches “{typed}”."))
        else:
            watchlist.add(str(hits["uscc"].iloc[0]))


def watched(url: str, who: Principal, run_id: int, base: int | None) -> None:
    st.subheader(tr("关注清单", "Watchlist"))
    if not watchlist.may_edit():
        st.caption(
            tr("关注清单供分析员使用;你的角色只能查看。", "The watchlist is for analysts; your role can only view.")
        )
        return
    add_to_watchlist(url, who, run_id)
    codes = watchlist.items()
    if not codes:
        st.caption(
            tr(
                "关注清单为空。可在此添加,或在企业画像页点“加入关注清单”。",
                "The watchlist is empty: add here or from the enterprise page.",
            )
        )
        return
    frame = loaders.enterprises(url, who, run_id, tuple(codes))
    rows = frame[["uscc", "name", "city", "total", "grade", "red_line"]]
    if base is not None:
        grades = [g.grade for g in loaders.catalogue(url, run_id).grades]
        both = an.compare_runs(frame, loaders.enterprises(url, who, base, tuple(codes)), grades)
        rows = rows.merge(both[["uscc", "total_prev", "delta", "grade_prev"]], on="uscc", how="left")
    missing = [c for c in codes if c not in set(rows["uscc"])]
    columns = [
        c
        for c in ("uscc", "name", "city", "total_prev", "total", "delta", "grade_prev", "grade", "red_line")
        if c in rows.columns
    ]
    tables.show(rows, columns)
    if missing:
        absent = [plain(code) for code in missing]
        st.caption(tr(f"最新批次中没有:{'、'.join(absent)}", f"Not in the newest run: {', '.join(absent)}"))
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    drop = left.multiselect(tr("移出关注", "Remove"), codes, key="watch_remove")
    if right.button(tr("移出", "Remove"), key="watch_remove_button") and drop:
        for code in drop:
            watchlist.remove(code)
        st.rerun(scope="fragment")


@st.fragment(run_every=REFRESH_SECONDS)
@shows_errors
def live() -> None:
    url, who = loaders.db_url(), session.principal()
    runs = loaders.runs(url, who)
    if runs.empty:
        controls.empty_store_message(who)
        return
    newest = runs.sort_values("id").iloc[-1]
    run = controls.choice(url, who, runs, newest)
    base = an.baseline_run(runs, run.run_id)
    stamp = datetime.now(CHINA).strftime("%H:%M:%S")  # Beijing time, whatever the server's zone
    st.caption(
        tr(
            f"最新评分批次:{run.caption()} · 对比批次 #{base or '—'} · 每 {REFRESH_SECONDS} 秒自动刷新(更新于 {stamp})",
            f"Newest run: {run.caption()} · compared with #{base or '—'} · refreshes every "
            f"{REFRESH_SECONDS} s (at {stamp})",
        )
    )
    if not base:
        st.info(tr("只有一个评分批次,暂无可对比的结果。", "Only one run so far: nothing to compare."))
    else:
        alerts(loaders.changes(url, who, run.run_id, base))
    watched(url, who, run.run_id, base or None)


@st.fragment(run_every=ALERT_SECONDS)
@shows_errors
def new_alerts() -> None:
    """The new alerts the rules raised for this user's role and scope, newest first, looked for every few
    seconds; those who handle alerts acknowledge them here (or with `lrc alert ack`)."""
    url, who = loaders.db_url(), session.principal()
    listed = list_alerts(loaders.engine(url), who, status="new", limit=500)
    st.subheader(tr(f"新预警({len(listed)})", f"New alerts ({len(listed)})"))
    if not listed:
        st.caption(tr("没有新预警。规则见 indicators/alert_rules,处理记录见 lrc alerts。", "No new alerts."))
        return
    for a in listed[:3]:
        st.caption(plain(f"#{a.id} [{a.severity_zh}] {a.title_zh} · {a.name} {a.uscc} · {a.period} · {a.detail}"))
    rows = [{**a.model_dump(), "alert_id": a.id, "raised": f"{in_china(a.raised_at):%m-%d %H:%M:%S}"} for a in listed]
    tables.show(pd.DataFrame(rows), ALERT_COLUMNS, height=min(38 + 35 * len(rows), 320))
    if not permitted(who.role, Action.alert):
        return
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.multiselect(tr("确认预警(已知悉,正在处理)", "Acknowledge"), [a.id for a in listed], key="alert_ack")
    if right.button(tr("确认", "Acknowledge"), key="alert_ack_button") and chosen:
        for alert_id in chosen:
            acknowledge(loaders.engine(url), who, int(alert_id))
        st.rerun(scope="fragment")


RISK_COLUMNS = ["uscc", "name", "grade", "risk", "reasons"]
TOP_RISKS = 20


@shows_errors
def risks() -> None:
    """The highest risks of the newest scored period (the chance that the grade falls next period) with
    their top reasons, from the stored model whose labels end at that period; an analyst trains it here."""
    url, who = loaders.db_url(), session.principal()
    runs = loaders.runs(url, who)
    if runs.empty:
        return
    period = forecast_periods(runs["period"])[-1]
    st.subheader(tr(f"风险预测:{period} 之后可能降级的企业", f"Risk forecast: who may fall a grade after {period}"))
    model_id = risk.model_id_for(loaders.engine(url), who, period)
    if model_id is None:
        if permitted(who.role, Action.forecast) and who.scope.everything:
            st.caption(tr("尚无标签截至该期间的风险模型。", "No risk model for this period yet."))
            if st.button(tr("训练风险模型", "Train the risk model"), key="risk_train"):
                with st.spinner(tr("正在训练…", "Training…")):
                    risk.train(loaders.engine(url), who, period)
                st.rerun()
        else:
            st.caption(tr("尚无风险模型;请省级分析员训练(lrc risk train)。", "No risk model yet."))
        return
    frame = loaders.risk_forecast(url, who, period, model_id, TOP_RISKS)
    st.caption(
        tr(
            f"模型 {model_id}:只用 {period} 及以前的评分与记录训练;风险为下一期等级下降的概率。",
            f"Model {model_id}, trained only on {period} and before.",
        )
    )
    tables.show(frame, RISK_COLUMNS, height=min(38 + 35 * len(frame), 420))


def main() -> None:
    st.title(tr("监测预警", "Monitoring"))
    new_alerts()
    risks()
    live()


main()
