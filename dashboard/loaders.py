"""Cached loaders: the only way pages reach the store.

The database URL is read at run time (``LRC_DATABASE_URL``), never at import.
A score run is immutable, so everything derived from one is cached under
(database URL, run id); only the list of runs, which grows when a new run is
scored, expires after a few seconds, and the current results of a run, which a
record can change (one-enterprise rescoring), are dropped when that happens.

Large per-run frames and matrices are cached as shared resources (no copy per
rerun); callers treat them as read-only. Small summaries use ``st.cache_data``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from indicators import Catalogue, available_versions, load_catalogue
from lrc.dashboard_server import absolute_url
from lrc.errors import StoreError
from lrc.publication.content import PublicationContent
from lrc.service import Explanation, Filters, catalogues, explain, load_results, publication_views, risk
from lrc.service import analytics as an
from lrc.service import comparisons as cm
from lrc.service import summaries as sm
from lrc.service.access import Principal
from lrc.service.hearings import HearingOut, list_hearings
from lrc.service.objections import ObjectionOut, list_objections
from lrc.service.plans import PlanActionOut, plan_of
from lrc.service.publications import PublicationOut, get_publication, list_publications
from lrc.service.repairs import RepairOut, RepairRecordOut, list_repairs, repairable_records
from lrc.service.results import ranking_page as results_page
from lrc.store import database_url, make_engine

RUNS_TTL = 3  # seconds: how soon a newly scored run shows up
PREVIEW_TTL = 30  # seconds a publication preview (a read of the whole scope) is kept while it is checked
# what a cached read depends on of the person asking: who (for the audit of a refusal), role and scope


def _who_key(who: Any) -> tuple[Any, ...]:
    return (who.name, who.role.value, who.scope.region, who.scope.uscc, who.single_user)


WHO: dict[str | type[Any], Callable[[Any], Any]] = {Principal: _who_key}


def db_url() -> str:
    """The configured store, read now (tests and `lrc dashboard` set the environment)."""
    return absolute_url(database_url())


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine(url: str) -> Engine:
    """The engine of ``url``; a SQLite file that does not exist is an error, not a new empty file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url and not Path(url.removeprefix(prefix)).exists():
        raise StoreError(
            f"数据库文件不存在:{url.removeprefix(prefix)}。请先运行 `lrc init` 或 `lrc demo` (database file not found)"
        )
    return _engine(url)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def runs(url: str, who: Principal) -> pd.DataFrame:
    """Every score run, oldest first."""
    return an.runs_table(engine(url), who)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def every_run(url: str, who: Principal) -> pd.DataFrame:
    """Every run, the one-enterprise rescorings (records, objections, repairs, expiry) too, oldest first."""
    return an.runs_table(engine(url), who, every_kind=True)


_SEEN_REVISION: dict[str, int] = {}


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def revision(url: str) -> int:
    return an.results_revision(engine(url))


def refresh_if_rescored(url: str) -> None:
    """A record re-scores enterprises without a new period run: when that happened since the caches
    were filled, drop what was derived from the current results (at most ``RUNS_TTL`` seconds late)."""
    current = revision(url)
    if _SEEN_REVISION.setdefault(url, current) != current:
        _SEEN_REVISION[url] = current
        for loader in (results, packed, summary, headline, group_summary, item_losses, comparison, peer_ranks, changes):
            loader.clear()
        for loader_data in (industry_median, explanation, trend, enterprises, ranking_page):
            loader_data.clear()


@st.cache_data(ttl=RUNS_TTL, show_spinner=False)
def periods(url: str) -> list[str]:
    return an.known_periods(engine(url))


@st.cache_resource(show_spinner=False, max_entries=6, hash_funcs=WHO)
def results(url: str, who: Principal, run_id: int) -> pd.DataFrame:
    """All enterprises of a run as ``load_results`` gives them (best first). Read-only."""
    return load_results(engine(url), who, "", run_id)[1]


@st.cache_resource(show_spinner=False, max_entries=8)
def catalogue(url: str, run_id: int) -> Catalogue:
    return an.run_catalogue(engine(url), run_id)


@st.cache_resource(show_spinner=False, max_entries=6, hash_funcs=WHO)
def packed(url: str, who: Principal, run_id: int, column: an.Packed) -> np.ndarray:
    """The run's packed ``items`` or ``level1`` column as an int32 matrix of tenths,
    rows in the order of ``results(url, who, run_id)``. Read-only."""
    usccs, matrix = an.packed_matrix(engine(url), who, run_id, column)
    order = usccs.get_indexer(results(url, who, run_id)["uscc"])
    return matrix[order]


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=WHO)
def summary(url: str, who: Principal, run_id: int) -> sm.Summary | None:
    """The run's summary inside ``who``'s scope (a few hundred rows, not the run), or None for a district or
    an enterprise, whose pages read their own results. Read-only."""
    return sm.summary(engine(url), who, run_id)


def _grades(url: str, run_id: int) -> list[str]:
    return [g.grade for g in catalogue(url, run_id).grades]


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=WHO)
def headline(url: str, who: Principal, run_id: int) -> an.Headline:
    made = summary(url, who, run_id)
    if made is not None:
        return cast(an.Headline, sm.headline(made.total(), _grades(url, run_id)))
    return an.headline(results(url, who, run_id), _grades(url, run_id))


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=WHO)
def group_summary(url: str, who: Principal, run_id: int, by: str) -> pd.DataFrame:
    made = summary(url, who, run_id)
    if made is not None:
        return sm.group_summary(made, by, _grades(url, run_id))
    return an.group_summary(results(url, who, run_id), by, _grades(url, run_id))


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=WHO)
def item_losses(url: str, who: Principal, run_id: int) -> pd.DataFrame:
    made = summary(url, who, run_id)
    if made is not None:
        part = made.total()
        return an.item_losses_of(catalogue(url, run_id), part.n, part.item_sums, part.item_losing)
    return an.item_losses(catalogue(url, run_id), packed(url, who, run_id, "items"))


@st.cache_resource(show_spinner=False, max_entries=6, hash_funcs=WHO)
def comparison(url: str, who: Principal, run_id: int, previous_id: int) -> pd.DataFrame:
    """Enterprises in both runs with their change (see ``analytics.compare_runs``). Read-only."""
    grades = [g.grade for g in catalogue(url, run_id).grades]
    return an.compare_runs(results(url, who, run_id), results(url, who, previous_id), grades)


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs=WHO)
def changes(url: str, who: Principal, run_id: int, previous_id: int) -> cm.Changes:
    """How the run changed against ``previous_id`` inside ``who``'s scope: counts and the top of each list
    (``comparisons.changes``: stored per city, not the two runs read). Read-only."""
    return cm.changes(engine(url), who, run_id, previous_id, _grades(url, run_id))


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, max_entries=64, hash_funcs=WHO)
def enterprises(url: str, who: Principal, run_id: int, usccs: tuple[str, ...]) -> pd.DataFrame:
    """Some enterprises' current results in a run inside ``who``'s scope (``analytics.enterprises_in_run``)."""
    return an.enterprises_in_run(engine(url), who, run_id, list(usccs))


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, max_entries=64, hash_funcs=WHO)
def ranking_page(
    url: str, who: Principal, run_id: int, filters: Filters, offset: int, limit: int, count: bool = True
) -> tuple[pd.DataFrame, int | None]:
    """Places ``offset + 1`` to ``offset + limit`` of the run's ranking under ``filters`` and how many match,
    read by indexed SQL (``results.ranking_page``), not the whole run."""
    _, frame, matched = results_page(
        engine(url), who, "", filters, limit=limit, offset=offset, run_id=run_id, count=count
    )
    return frame, matched


@st.cache_resource(show_spinner=False, max_entries=6, hash_funcs=WHO)
def peer_ranks(url: str, who: Principal, run_id: int) -> pd.DataFrame:
    return an.peer_ranks(results(url, who, run_id))


def peer_ranks_of(url: str, who: Principal, run_id: int, row: pd.Series) -> pd.Series:
    """One result's rank and group size in the province (the scope), its city and its industry."""
    made = summary(url, who, run_id)
    if made is not None:
        total = int(round(float(row["total"]) * 10))
        return pd.Series(sm.peer_ranks(made, str(row["city_code"]), str(row["industry"]), total))
    return peer_ranks(url, who, run_id).loc[row["uscc"]]


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=WHO)
def industry_median(url: str, who: Principal, run_id: int, industry: str) -> list[float]:
    """Median first-level scores (points) of an industry in a run."""
    made = summary(url, who, run_id)
    if made is not None:
        return sm.level1_medians(made.groups("industry").get(industry, sm.Part()))
    mask = (results(url, who, run_id)["industry"] == industry).to_numpy()
    level1 = packed(url, who, run_id, "level1")[mask]
    return (np.median(level1, axis=0) / 10).tolist() if len(level1) else []


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=WHO)
def explanation(url: str, who: Principal, run_id: int, period: str, uscc: str) -> Explanation:
    """Every point of one enterprise's current result since a run, with reasons (``lrc.service.explain``)."""
    return explain(engine(url), who, uscc, period, run_id=run_id, current=True)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, max_entries=64, hash_funcs=WHO)
def trend(url: str, who: Principal, uscc: str) -> pd.DataFrame:
    return an.enterprise_trend(engine(url), who, uscc)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def risk_forecast(url: str, who: Principal, period: str, model_id: int, top: int) -> pd.DataFrame:
    """The ``top`` highest risks of ``period`` inside ``who``'s scope (``model_id`` keys the cache: a newly
    trained model is read at once), with their reasons as one text."""
    made = risk.forecast(engine(url), who, period, limit=top)
    rows = [
        {"uscc": i.uscc, "name": i.name, "grade": i.grade, "risk": round(100 * i.risk, 1),
         "reasons": ";".join(r.text_zh for r in i.reasons)}
        for i in made.items
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["uscc", "name", "grade", "risk", "reasons"])


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def risk_history(url: str, who: Principal, uscc: str) -> pd.DataFrame:
    """The enterprise's risk (percent) in every period that has a stored model."""
    rows = risk.history(engine(url), who, uscc)
    return pd.DataFrame(rows, columns=["period", "risk", "model_id"]).assign(risk=lambda f: 100 * f["risk"])


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def publications(url: str, who: Principal) -> list[PublicationOut]:
    """Every publication, newest first (a new one shows within ``RUNS_TTL`` seconds)."""
    return list_publications(engine(url), who)


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs=WHO)
def published_entries(url: str, who: Principal, publication_id: int) -> pd.DataFrame:
    """A publication's frozen entries (``publication_views.entries_frame``); never changes. Read-only."""
    return publication_views.entries_frame(get_publication(engine(url), who, publication_id)[1])


@st.cache_data(ttl=PREVIEW_TTL, show_spinner=False, max_entries=16, hash_funcs=WHO)
def publication_preview(url: str, who: Principal, period: str, scope: str, title: str) -> PublicationContent:
    """What publishing ``period`` in ``scope`` would freeze now (publishers and admins). Kept for
    ``PREVIEW_TTL`` seconds; the publish page says when what was published differs from it."""
    return publication_views.preview(engine(url), who, period, scope, title)


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=WHO)
def published_corrections(url: str, who: Principal, publication_id: int, revision: int) -> pd.DataFrame:
    """The entries of a publication an objection, a repair, an expiry or a removal superseded since; read
    again when a rescoring happened (``revision``: ``revision(url)``)."""
    return publication_views.corrections(engine(url), who, publication_id)


def forget_publications() -> None:
    """A publication was made here: read the list and the preview (its number) again at once."""
    publications.clear()
    publication_preview.clear()


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def hearings(url: str, who: Principal) -> list[HearingOut]:
    """Every hearing ``who`` may see, newest date first."""
    return list_hearings(engine(url), who)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, max_entries=64, hash_funcs=WHO)
def plan(url: str, who: Principal, uscc: str) -> list[PlanActionOut]:
    """An enterprise's improvement-plan actions with each item's points before and after the hearing."""
    return plan_of(engine(url), who, uscc)


def forget_hearings() -> None:
    """A hearing, a file, an outcome or a plan action was written here: read them again at once."""
    hearings.clear()
    plan.clear()


@st.cache_resource(show_spinner=False)
def shipped_catalogues() -> dict[str, Catalogue]:
    """Every catalogue version shipped with lrc, oldest first."""
    return {v: load_catalogue(v) for v in available_versions()}


@st.cache_data(show_spinner=False)
def catalogue_items(version: str) -> pd.DataFrame:
    return catalogues.catalogue_items(shipped_catalogues()[version])


@st.cache_data(show_spinner=False)
def catalogue_diff(old: str, new: str) -> pd.DataFrame:
    shipped = shipped_catalogues()
    return catalogues.catalogue_diff(shipped[old], shipped[new])


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def objections(url: str, who: Principal, uscc: str | None = None) -> list[ObjectionOut]:
    """The objections inside ``who``'s scope (of one enterprise), newest first."""
    return list_objections(engine(url), who, uscc=uscc)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def repairs(url: str, who: Principal, uscc: str | None = None) -> list[RepairOut]:
    """The credit-repair requests inside ``who``'s scope (of one enterprise), newest first."""
    return list_repairs(engine(url), who, uscc=uscc)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, hash_funcs=WHO)
def repairable(url: str, who: Principal, uscc: str) -> list[RepairRecordOut]:
    """The enterprise's records a repair may be asked for, with the first day it may be."""
    return repairable_records(engine(url), who, uscc)


@st.cache_data(ttl=RUNS_TTL, show_spinner=False, max_entries=64, hash_funcs=WHO)
def result_in_run(url: str, who: Principal, run_id: int, period: str, uscc: str) -> Explanation:
    """One enterprise's result in one run as it was (with what superseded it, if anything did)."""
    return explain(engine(url), who, uscc, period, run_id=run_id)


def forget_cases(url: str) -> None:
    """An objection or a repair was filed or decided here: read the cases, and any new result, at once."""
    for loader in (objections, repairs, repairable, result_in_run, published_corrections, revision):
        loader.clear()
    refresh_if_rescored(url)
