"""排名 Rankings: filter, sort, search and page through a run; download what is shown. When the period has
a publication, the reader picks the current results or the publication as published, whose entries are
marked where the current result differs, with a link to it."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import controls, loaders, published, tables
from dashboard.controls import RunChoice
from dashboard.i18n import column_labels, tr
from dashboard.text import plain
from lrc.export import csv_bytes, xlsx_bytes
from lrc.reference import CITIES, INDUSTRIES, OWNERSHIPS, SIZES
from lrc.service import Filters
from lrc.service import analytics as an
from lrc.service.audit import exported
from lrc.service.publication_views import since_published
from lrc.service.publications import PublicationOut

PAGE_SIZE = 50
PAGE_KEY = "rank_page"
SORTS = {
    "total_desc": ("总分从高到低", "Total, high to low"),
    "total_asc": ("总分从低到高", "Total, low to high"),
    "name": ("企业名称", "Name"),
    "city": ("城市,再按总分", "City, then total"),
    "completeness": ("数据完整率从低到高", "Completeness, low to high"),
}
PUBLISHED_COLUMNS = ["rank", "name", "uscc", "city", "industry_name", "total", "grade", "changed_to", "corrected"]


def _choice(label: str, options: list[str], key: str, names: dict[str, str] | None = None) -> str | None:
    everything = tr("全部", "All")
    shown = [None, *options]
    return st.selectbox(
        label,
        shown,
        key=key,
        format_func=lambda v: everything if v is None else (f"{v} {names[v]}" if names and v in names else v),
    )


def filters(grades: list[str], industries: list[str], search: str) -> Filters:
    cols = st.columns([1, 1.4, 1, 1, 1])
    with cols[0]:
        city = _choice(tr("城市", "City"), list(CITIES), "rank_city", CITIES)
    with cols[1]:
        industry = _choice(tr("行业", "Industry"), industries, "rank_industry", INDUSTRIES)
    with cols[2]:
        size = _choice(tr("规模", "Size"), list(SIZES), "rank_size")
    with cols[3]:
        ownership = _choice(tr("所有制", "Ownership"), list(OWNERSHIPS), "rank_ownership")
    with cols[4]:
        grade = _choice(tr("等级", "Grade"), grades, "rank_grade")
    return Filters(city, industry, size, ownership, grade, search.strip() or None)


def sorted_view(frame: pd.DataFrame, sort: str) -> pd.DataFrame:
    """The filtered ranking in the chosen order (it arrives best first)."""
    if sort == "total_asc":
        return frame.iloc[::-1].reset_index(drop=True)
    if sort == "name":
        return frame.sort_values(["name", "uscc"], kind="stable", ignore_index=True)
    if sort == "city":
        return frame.sort_values(["city_code", "rank"], kind="stable", ignore_index=True)
    if sort == "completeness":
        return frame.sort_values(["completeness", "rank"], kind="stable", ignore_index=True)
    return frame


def page_start(count: int, signature: tuple) -> int:
    """The page control over ``count`` rows and its caption; the first row of the page chosen. The control is
    keyed by the filters, so it starts again at page 1 whenever they change."""
    pages = max(1, math.ceil(count / PAGE_SIZE))
    key = f"{PAGE_KEY}_{hashlib.sha1(repr(signature).encode()).hexdigest()[:12]}"
    number = st.pagination(pages, key=key, max_visible_pages=9)
    st.caption(
        tr(
            f"共 {count:,} 家企业 · 第 {number} / {pages} 页 · 每页 {PAGE_SIZE} 家",
            f"{count:,} enterprises · page {number} of {pages} · {PAGE_SIZE} a page",
        )
    )
    return (number - 1) * PAGE_SIZE


def page_of(frame: pd.DataFrame, signature: tuple) -> pd.DataFrame:
    """One page of rows of ``frame``, with the page control."""
    start = page_start(len(frame), signature)
    return frame.iloc[start : start + PAGE_SIZE]


def by_total(run: RunChoice, chosen: Filters, sort: str) -> tuple[pd.DataFrame, int]:
    """The page chosen of the ranking by total (high to low, or low to high) and how many match, read by
    indexed SQL: a page, not the run."""
    count = loaders.ranking_page(run.url, run.who, run.run_id, chosen, 0, 0)[1] or 0
    if not count:
        return pd.DataFrame(), 0
    start = page_start(count, (run.run_id, chosen, sort))
    if sort == "total_desc":
        return loaders.ranking_page(run.url, run.who, run.run_id, chosen, start, PAGE_SIZE, False)[0], count
    first = max(0, count - start - PAGE_SIZE)  # low to high: the same places counted from the end
    rows = loaders.ranking_page(run.url, run.who, run.run_id, chosen, first, count - start - first, False)[0]
    return rows.iloc[::-1].reset_index(drop=True), count


def downloads(whole: Callable[[], pd.DataFrame], run: RunChoice) -> None:
    """CSV and XLSX of the whole filtered, sorted set (``whole`` read and built only when clicked)."""
    name = f"lrc-ranking-{run.period}-run{run.run_id}"

    def export() -> pd.DataFrame:
        return whole()[tables.RESULT_COLUMNS].rename(columns=column_labels(tables.RESULT_COLUMNS))

    def recorded(kind: str, build: Callable[[pd.DataFrame], bytes]) -> Callable[[], bytes]:
        """A download carries data out: recorded (by the service) when it is built, on click."""

        def data() -> bytes:
            frame = export()
            exported(loaders.engine(run.url), run.who, f"ranking:run:{run.run_id}", f"{len(frame)} rows {kind}")
            return build(frame)

        return data

    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        tr("下载 CSV", "Download CSV"),
        recorded("csv", csv_bytes),
        f"{name}.csv",
        "text/csv",
        key="rank_csv",
        on_click="ignore",
    )
    right.download_button(
        tr("下载 Excel", "Download XLSX"),
        recorded("xlsx", lambda frame: xlsx_bytes(frame, "排名")),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="rank_xlsx",
        on_click="ignore",
    )


def changed_to(frame: pd.DataFrame) -> pd.Series:
    """The current total and grade of the entries whose result changed since publication, else empty."""
    now = tr("现", "now")
    text = now + " " + frame["current_total"].map(lambda v: f"{v:.1f}") + " · " + frame["current_grade"].astype(str)
    return text.where(frame["changed"], "")


def newer_links(rows: pd.DataFrame) -> None:
    """A link to the enterprise page (its current result) for each changed entry of the page shown."""
    if rows.empty:
        return
    st.markdown(
        tr("**发布后结果有变化或已更正、已修复的企业(本页),打开最新结果:**", "**Changed or corrected (this page):**")
    )
    for row in rows.itertuples(index=False):
        why = f"({plain(row.corrected)})" if row.corrected else ""
        st.page_link(
            "views/enterprise.py",
            label=f"{plain(row.name)}:{row.total:.1f} · {plain(row.grade)} → "
            f"{row.current_total:.1f} · {plain(row.current_grade)}{why}",
            query_params={"uscc": str(row.uscc)},
        )


def published_view(run: RunChoice, publication: PublicationOut) -> None:
    """The publication's frozen entries, each marked with its current result where that differs."""
    frozen = loaders.published_entries(run.url, run.who, publication.id)
    frame = since_published(frozen, loaders.results(run.url, run.who, run.run_id))
    marks = loaders.published_corrections(run.url, run.who, publication.id, loaders.revision(run.url))
    frame = frame.merge(marks[["uscc", "corrected"]], on="uscc", how="left").fillna({"corrected": ""})
    changed = int(frame["changed"].sum())
    only = st.checkbox(
        tr(f"只看发布后结果有变化的企业({changed:,} 家)", f"Only those changed since publication ({changed:,})"),
        key="published_changed_only",
    )
    shown = frame[frame["changed"]] if only else frame
    if shown.empty:
        st.success(tr("发布后没有企业的结果发生变化。", "No result has changed since publication."))
        return
    rows = page_of(shown.assign(changed_to=changed_to(shown)), ("published", publication.id, only))
    tables.show(rows, PUBLISHED_COLUMNS, height=38 + 35 * len(rows), key="published_table")
    newer_links(rows[rows["changed"] | (rows["corrected"] != "")])


def industries(run: RunChoice) -> list[str]:
    """The industries of the run's enterprises inside the scope (from its summary when it has one)."""
    made = loaders.summary(run.url, run.who, run.run_id)
    if made is not None:
        return sorted(k for k, part in made.groups("industry").items() if part.n)
    return sorted(loaders.results(run.url, run.who, run.run_id)["industry"].unique().tolist())


def current_view(run: RunChoice) -> None:
    grades = [g.grade for g in loaders.catalogue(run.url, run.run_id).grades]
    left, right = st.columns([3, 1])
    search = left.text_input(
        tr("搜索企业名称或统一社会信用代码", "Search name or USCC"),
        key="rank_search",
        placeholder=tr("输入名称关键字或信用代码开头", "part of the name, or the code's start"),
    )
    sort = right.selectbox(tr("排序", "Sort"), list(SORTS), key="rank_sort", format_func=lambda s: tr(*SORTS[s]))
    chosen = filters(grades, industries(run), search)

    def whole() -> pd.DataFrame:  # the whole filtered set in the order chosen (read from the whole run)
        return sorted_view(an.ranked(loaders.results(run.url, run.who, run.run_id), chosen), sort)

    if sort in ("total_desc", "total_asc"):  # a page by indexed SQL
        rows, count = by_total(run, chosen, sort)
    else:  # an order the index does not keep: the whole run
        shown = whole()
        count = len(shown)
        rows = page_of(shown, (run.run_id, chosen, sort)) if count else shown
    if not count:
        st.warning(
            tr("没有符合条件的企业,请放宽筛选条件。", "No enterprise matches these filters."),
        )
        return
    columns = (
        tables.RESULT_COLUMNS if chosen != Filters() else [c for c in tables.RESULT_COLUMNS if c != "province_rank"]
    )
    tables.show(rows, columns, height=38 + 35 * len(rows), key="rank_table")
    downloads(whole, run)


def main() -> None:
    run = controls.run_page("排名", "Rankings")
    if run is None:
        return
    publication = published.choose(run)
    if publication is None:
        current_view(run)
    else:
        published_view(run, publication)
    published.publication_list(run.url, run.who, key="rank_publications", folded=True)


main()
