"""The national job's results stored as a run of kind ``import`` for their period, all or nothing.

Each row must name an enterprise with a current result in the period (the facts it was scored on are the
ones `lrc export --format parquet` wrote); its points must be valid for the catalogue (within each item's
bounds, the total their sum, the red line and the grade as the catalogue gives them). The run links every
result to the submission and the records its current result scored, so ``lrc verify`` re-scores an imported
run with the pandas engine like any other. Being a later run of the period, it becomes the current result
of its enterprises until the next period run (as a rescoring would), and raises alerts the same way. The
same results imported again while their import run still holds the current results (same input, catalogue
and points) are refused, naming that run: a second run would change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import Catalogue, load_catalogue
from lrc.errors import ConflictError
from lrc.ingest.records import record_hash
from lrc.periods import check_period
from lrc.service.access import Action, Principal
from lrc.service.audit import guarded
from lrc.service.national_checks import check_results, read_results
from lrc.service.runs import Marks, Scored, baseline, flags, get_run, input_hash, pack, scored_submissions, store_run
from lrc.store import repository as repo
from lrc.store import require_schema
from lrc.store.match_counts import add_match_counts
from scoring import Scores

KIND = "import"
CURRENT = ("uscc", "enterprise_id", "submission_id", "records", "headcount", "gaps", "completeness", "run_id")


@dataclass(frozen=True)
class ImportSummary:
    run_id: int  # a score run (``lrc runs``), of kind ``import``: not an ingest batch
    period: str
    catalogue_version: str
    enterprises: int
    grades: dict[str, int]
    red_lines: int
    file: str
    kind: str = KIND


def import_results(
    engine: Engine, who: Principal, path: Path, *, catalogue: Catalogue | None = None, period: str | None = None
) -> ImportSummary:
    """Check every row of the results file at ``path`` and store them as one run, or store nothing."""
    catalogue = catalogue or load_catalogue()
    require_schema(engine)
    file = read_results(path, catalogue, period)
    with guarded(engine, who, Action.score, f"period:{file.period}") as entry:
        started = repo.now()
        with repo.writing(engine) as conn:
            run = get_run(conn, check_period(file.period), None)
            current = repo.results(conn, repo.current_runs(conn, run), CURRENT)
            same_catalogue = run.catalogue_hash == catalogue.content_hash
            imported = check_results(file, catalogue, current.set_index("uscc", drop=False), same_catalogue)
            current = current.set_index("uscc").loc[imported.index]
            subs = _submissions(conn, current.reset_index())
            marks = _marks(conn, repo.current_runs(conn, run))
            scored = _scored(conn, catalogue, file.period, subs, imported)
            _refuse_if_held(conn, current["run_id"], catalogue, scored, path.name)
            repo.ensure_catalogue(conn, catalogue.version, catalogue.content_hash, catalogue.canonical_json())
            run_id, _ = store_run(
                conn, catalogue, file.period, subs, scored, marks, actor=who.name, kind=KIND, started=started,
                before=baseline(conn, file.period), rows_back=False,
            )  # fmt: skip
            add_match_counts(conn, run_id)  # a ranking of this run (``--run``) sums them
            entry.target = f"run:{run_id}"
            entry.detail = f"import {path.name} period {file.period} catalogue {catalogue.version} rows {len(subs)}"
            entry.write(conn)
    grades = pd.Series(imported.grade).value_counts()
    return ImportSummary(
        run_id=run_id,
        period=file.period,
        catalogue_version=catalogue.version,
        enterprises=len(subs),
        grades={g.grade: int(grades.get(g.grade, 0)) for g in catalogue.grades},
        red_lines=int(imported.red_line.sum()),
        file=str(path),
    )


def _refuse_if_held(conn: Connection, holders: pd.Series, catalogue: Catalogue, scored: Scored, file: str) -> None:
    """Refuse results that one import run already holds as the current results of the same enterprises
    (``holders``: the run holding each one's): the same input hash (catalogue, period, and the submissions and
    records of the same enterprises) and, enterprise by enterprise, the same item points and gaps (from which
    total, red line and grade follow). A second run would change nothing. Once something else holds them (a
    newer period run, another import), they import as a new run again."""
    if holders.nunique() != 1:
        return
    run = repo.run_row(conn, int(holders.iloc[0]))
    if (run.kind, run.input_hash, run.catalogue_hash) != (KIND, scored.digest, catalogue.content_hash):
        return
    result = scored.result
    mine = dict(zip(result.index, zip(pack(result.points), flags(result.gaps), strict=True), strict=True))
    held = repo.results(conn, run.id, ("uscc", "items", "gaps"))
    if dict(zip(held["uscc"], zip(held["items"], held["gaps"], strict=True), strict=True)) == mine:
        raise ConflictError(
            f"{file} 的结果已导入为评分批次 {run.id}(导入 import),它仍是这些企业的当前结果(期间 {run.period},"
            f"指标体系 {catalogue.version},所评数据相同),未再次导入 (already imported as run {run.id})"
        )


def _submissions(conn: Connection, current: pd.DataFrame) -> pd.DataFrame:
    """The submissions behind ``current`` results (by USCC, in their order) with the ids of the records they
    counted and their headcount."""
    subs = scored_submissions(conn, current)
    return subs.join(current.set_index("uscc")[["records", "headcount"]])


def _marks(conn: Connection, runs: repo.RunRange) -> Marks:
    """The newest record and record closure the current results could see: an imported run claims no record
    or closure they did not (``lrc verify`` re-scores it with these)."""
    frame = repo.runs(conn, runs.period, kind=None)
    inside = frame[(frame["id"] >= runs.first) & (frame["id"] <= runs.last)]

    def newest(column: str) -> int | None:
        seen = inside[column].dropna() if column in inside else []
        return int(max(seen)) if len(seen) else None

    return Marks(newest("record_watermark"), newest("closure_watermark"))


def _scored(conn: Connection, catalogue: Catalogue, period: str, subs: pd.DataFrame, imported: Scores) -> Scored:
    """The imported results with what they scored: the submissions' headcount, the counted records and the
    input hash a re-score computes (each submission's content hash, then its counted records' hashes)."""
    counted = zip(subs.index, subs["records"].fillna(""), strict=True)
    ids = {int(i): u for u, text in counted for i in str(text).split(",") if i}
    hashes = subs["content_hash"].tolist()
    if ids:
        stored = repo.records_of(conn, None, upto=max(ids))
        stored = stored[stored["id"].astype(int).isin(ids)]
        by_uscc: dict[str, list[str]] = {}
        for row in stored.to_dict("records"):
            by_uscc.setdefault(ids[int(row["id"])], []).append(record_hash(row))
        hashes = [f"{h}+{','.join(by_uscc[u])}" if u in by_uscc else h for h, u in zip(hashes, subs.index, strict=True)]
    facts = pd.DataFrame({"headcount": subs["headcount"].astype("Float64")}, index=subs.index)
    record_ids = [str(v) if isinstance(v, str) else "" for v in subs["records"]]
    digest = input_hash(catalogue, period, subs.index.tolist(), hashes)
    return Scored(facts, imported, record_ids, digest)

