"""A ranking's scope and filters as SQL text on ``score_results``, written once for both ways of reading it:
SQLAlchemy (``repository.ranking_conditions``, through ``text()``) and the driver alone (``lrc.store.driver``).
Each condition is a fragment with ``:name`` parameters, named so that fragments combine without clashing.
A ranking's match count is chosen here too (``match_count_sql``): the same fragments apply to a run's match
counts (``run_match_counts``), whose columns bear the same names."""

from __future__ import annotations

from typing import Any

from lrc.scope import Scope

Conditions = tuple[list[str], dict[str, Any]]  # fragments (ANDed) and their parameters
EQUAL_FILTERS = ("industry", "size", "ownership", "grade")  # the columns a ranking filters on by equal values
LATER_MAX = 20_000  # more one-enterprise results than this after a period run: the caller reads the whole run
FilterValues = tuple[str | None, dict[str, str | None], str | None]  # region, equal values, search (``filter_sql``)
MATCH_GROUPS = ("city_code", "region_code", "industry", "size", "ownership", "grade")  # what a run's counts keep
COUNTS_KEPT = "SELECT 1 FROM run_match_counts WHERE run_id = :first LIMIT 1"  # a row: the run :first has counts


def scope_sql(scope: Scope, table: str = "") -> Conditions:
    """Rows inside ``scope``: as ``repository.scope_conditions`` keeps them (``table``: the name or alias its
    columns are read under, when the query joins another)."""
    column = f"{table}." if table else ""
    fragments: list[str] = []
    params: dict[str, Any] = {}
    if scope.uscc is not None:
        fragments.append(f"{column}uscc = :scope_uscc")
        params["scope_uscc"] = scope.uscc
    prefix = scope.prefix
    if prefix is not None:
        if len(prefix) == 6:
            fragments.append(f"{column}region_code = :scope_region")
            params["scope_region"] = scope.region
        else:
            fragments.append(f"{column}region_code LIKE :scope_prefix")
            params["scope_prefix"] = prefix + "%"
    return fragments, params


def filter_sql(dialect: str, region: str | None, values: dict[str, str | None], search: str | None) -> Conditions:
    """A ranking's filters, as ``lrc.service.results.apply_filters`` keeps rows: region as city or county
    code, equal values (industry, size, ownership, grade), ``search`` in the name (case as given) or
    starting the USCC."""
    fragments: list[str] = []
    params: dict[str, Any] = {}
    if region:
        fragments.append("(city_code = :filter_region OR region_code = :filter_region)")
        params["filter_region"] = region
    for column, value in values.items():
        if column not in EQUAL_FILTERS:  # a column name goes into the text: never one given from outside
            raise ValueError(f"not a ranking filter: {column!r}")
        if value:
            fragments.append(f"{column} = :filter_{column}")
            params[f"filter_{column}"] = value
    if search:
        needle = search.strip()
        found = "instr(name, :filter_name)" if dialect == "sqlite" else "strpos(name, :filter_name)"  # case as given
        prefix = needle.upper()
        fragments.append(f"({found} > 0 OR substr(uscc, 1, {len(prefix)}) = :filter_prefix)")
        params.update(filter_name=needle, filter_prefix=prefix)
    return fragments, params


def where(*parts: Conditions) -> Conditions:
    """Several parts' fragments and parameters together."""
    fragments: list[str] = []
    params: dict[str, Any] = {}
    for more, values in parts:
        fragments += more
        params.update(values)
    return fragments, params


def match_count_sql(dialect: str, scope: Scope, filters: FilterValues, *, counts: bool) -> tuple[str, dict[str, Any]]:
    """SQL giving how many results of the run ``:first`` lie inside ``scope`` and ``filters``. With ``counts``
    (``COUNTS_KEPT`` found a row of the run: whatever the filters, a run whose counts are kept has one per
    group of its results) the sum of its match counts, a few thousand rows where a city's results are a quarter
    of a million; else, or when the counts cannot tell (a search in the name or USCC, one enterprise's scope:
    columns they do not keep), the results counted one by one."""
    region, values, search = filters
    fragments, params = where(scope_sql(scope), filter_sql(dialect, region, values, search))
    if counts and not search and scope.uscc is None:
        total, table = "coalesce(sum(n), 0)", "run_match_counts"
    else:
        total, table = "count(*)", "score_results"
    return f"SELECT {total} FROM {table} WHERE {' AND '.join(['run_id = :first', *fragments])}", params


PK_INDEX = "SELECT name FROM pragma_index_list('score_results') WHERE origin = 'pk'"  # SQLite: the key's index


def first_totals_sql(
    dialect: str, pk_index: str | None, ids: str, conditions: Conditions
) -> tuple[str, dict[str, Any]]:
    """SQL giving the totals (and USCCs) of the run ``:first``'s results of the enterprises in the IN list ``ids``
    that meet ``conditions``. On SQLite through the primary key's index (``pk_index``, read by ``PK_INDEX``):
    its planner took the ranking index, which holds the total too, and walked the whole run (0.2 s at a
    million results, for any number of enterprises) where the key finds each row (3 ms for 300)."""
    indexed = f' INDEXED BY "{pk_index}"' if dialect == "sqlite" and pk_index else ""
    fragments, params = conditions
    where_text = " AND ".join(["run_id = :first", f"enterprise_id IN {ids}", *fragments])
    return f"SELECT total, uscc FROM score_results{indexed} WHERE {where_text}", params
