"""Controls shared by every page: language, period and run (in the sidebar),
and the run a page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import loaders, session
from dashboard.i18n import LANG_KEY, tr
from dashboard.text import plain
from lrc.service import analytics as an
from lrc.service import audit
from lrc.service.access import Principal
from lrc.service.audit import WHO_SCORES_EN, WHO_SCORES_ZH
from lrc.times import in_china

PERIOD_KEY = "period"
RUN_KEY = "run_id"


@dataclass(frozen=True)
class RunChoice:
    """The run a page shows, and the newest run of the period before it."""

    url: str
    who: Principal  # every read of the page is narrowed to this person's scope
    run_id: int
    period: str
    catalogue_version: str
    enterprises: int
    finished_at: Any
    previous_id: int | None

    def caption(self) -> str:
        """The run in one line of Markdown (its period and catalogue version as plain text)."""
        stamp = in_china(self.finished_at).strftime("%Y-%m-%d %H:%M")  # Beijing time, as everywhere
        period, version = plain(self.period), plain(self.catalogue_version)
        return tr(
            f"期间 {period} · 评分批次 #{self.run_id} · 指标体系 {version} · "
            f"{self.enterprises:,} 家企业 · 评分于 {stamp}",
            f"Period {period} · run #{self.run_id} · catalogue {version} · "
            f"{self.enterprises:,} enterprises · scored {stamp}",
        )


def empty_store_message(who: Principal) -> None:
    """No run in the store: how to fill it, for one who may score; else who may (``audit.may_score``)."""
    if not audit.may_score(who):
        st.info(tr(f"数据库中还没有评分结果。{WHO_SCORES_ZH}。", f"No score runs in the store yet; {WHO_SCORES_EN}."))
        return
    st.info(
        tr(
            "数据库中还没有评分结果。请先导入并评分(`lrc ingest 文件 --period 2026Q3`,"
            "`lrc score --period 2026Q3`),或运行 `lrc demo` 生成样例数据。",
            "No score runs in the store yet. Ingest and score a period (`lrc ingest FILE --period 2026Q3`, "
            "`lrc score --period 2026Q3`) or run `lrc demo` for sample data.",
        ),
    )


def language_toggle() -> None:
    st.sidebar.toggle("English", key=LANG_KEY, help="界面语言 / interface language")


def period_picker() -> None:
    """Period (and, when a period was scored more than once, run) in the sidebar."""
    url, who = loaders.db_url(), session.principal()
    periods = loaders.periods(url)
    if not periods:
        return
    runs = loaders.runs(url, who)
    scored = an.latest_runs(runs)["period"].tolist() if not runs.empty else []
    if st.session_state.get(PERIOD_KEY) not in periods:
        st.session_state[PERIOD_KEY] = scored[-1] if scored else periods[-1]
    period = st.sidebar.selectbox(tr("期间", "Period"), periods, key=PERIOD_KEY)
    ids = runs.loc[runs["period"] == period, "id"].astype(int).tolist()[::-1] if not runs.empty else []
    if len(ids) > 1:
        if st.session_state.get(RUN_KEY) not in ids:
            st.session_state[RUN_KEY] = ids[0]
        st.sidebar.selectbox(
            tr("评分批次", "Score run"),
            ids,
            key=RUN_KEY,
            format_func=lambda i: f"#{i}",
            help=tr("默认为该期间最新一次评分", "The newest run of the period by default"),
        )


def unscored_message(period: str, who: Principal) -> None:
    """A period ingested but not scored: the command for one who may score it, else who may. (A period is
    checked on the way in, ``lrc.periods``: digits and Q/H/M only, so it may sit in a code span, where escapes
    would show.)"""
    shown = plain(period)
    if not audit.may_score(who):
        st.warning(
            tr(
                f"期间 {shown} 已导入数据但还没有评分结果。{WHO_SCORES_ZH}。",
                f"Period {shown} has data but no score run yet; {WHO_SCORES_EN}.",
            ),
        )
        return
    st.warning(
        tr(
            f"期间 {shown} 已导入数据但还没有评分结果,请运行 `lrc score --period {period}`。",
            f"Period {shown} has data but no score run yet: run `lrc score --period {period}`.",
        ),
    )


def nothing_in_common_message() -> None:
    """Two runs to compare that share no enterprise (e.g. two unrelated samples)."""
    st.info(
        tr(
            "两个评分批次没有共同参评的企业,无法比较变化。",
            "The two runs share no enterprise: there are no changes to compare.",
        )
    )


def run_page(title_zh: str, title_en: str) -> RunChoice | None:
    """A page about one run: its title, the run chosen in the sidebar and its caption
    (or the reason there is none, and None)."""
    st.title(tr(title_zh, title_en))
    run = selected_run()
    if run is not None:
        st.caption(run.caption())
    return run


def selected_run() -> RunChoice | None:
    """The run chosen in the sidebar; shows why when there is none."""
    url, who = loaders.db_url(), session.principal()
    runs = loaders.runs(url, who)
    period = st.session_state.get(PERIOD_KEY)
    if runs.empty and not period:
        empty_store_message(who)
        return None
    loaders.refresh_if_rescored(url)
    period = period or an.latest_runs(runs)["period"].iloc[-1]
    of_period = runs[runs["period"] == period] if not runs.empty else runs
    if of_period.empty:
        unscored_message(period, who)
        return None
    wanted = st.session_state.get(RUN_KEY)
    row = of_period[of_period["id"] == wanted] if wanted in set(of_period["id"]) else of_period.tail(1)
    return choice(url, who, runs, row.iloc[0])


def choice(url: str, who: Principal, runs: pd.DataFrame, row: pd.Series) -> RunChoice:
    return RunChoice(
        url=url,
        who=who,
        run_id=int(row["id"]),
        period=str(row["period"]),
        catalogue_version=str(row["catalogue_version"]),
        enterprises=int(row["enterprise_count"]),
        finished_at=row["finished_at"],
        previous_id=an.previous_period_run(runs, str(row["period"])),
    )
