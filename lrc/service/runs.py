"""Score runs: score a period, store the run immutably, re-score a run to verify it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Engine

import lrc
from indicators import Catalogue, load_catalogue
from lrc.errors import ConflictError, NotFoundError, NotScored
from lrc.frames import in_index
from lrc.ingest.records import record_hashes
from lrc.periods import check_period, period_end, sort_periods
from lrc.reference import city_codes
from lrc.service import comparisons, summaries
from lrc.service.access import Action, Principal
from lrc.service.alerts import BEFORE_COLUMNS, Prior, prior_results, raise_alerts, raise_missing
from lrc.service.audit import check, guarded
from lrc.service.ingesting import content_hashes
from lrc.service.read_ahead import ahead
from lrc.service.stored_catalogue import parse_stored
from lrc.store import facts_codec, make_engine, require_schema
from lrc.store import repository as repo
from lrc.store.match_counts import add_match_counts
from scoring import Scores, score
from scoring.records import live_mask, record_counts

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    period: str
    catalogue_version: str
    input_hash: str
    enterprises: int
    grades: dict[str, int]
    red_lines: int
    same_input_as: int | None


SLICE = 50_000  # result rows built and written together
PART = 100_000  # enterprises a period run reads and scores together


def input_hash(catalogue: Catalogue, period: str, usccs: list[str], content_hashes: list[str]) -> str:
    """What a run scored: the catalogue, the period and each enterprise's submission."""
    digest = hashlib.sha256(f"{catalogue.content_hash}\n{period}\n".encode())
    pairs = sorted(zip(usccs, content_hashes, strict=True))
    for start in range(0, len(pairs), 100_000):  # the same bytes as a line at a time, in fewer calls
        digest.update("".join(f"{uscc}:{content}\n" for uscc, content in pairs[start : start + 100_000]).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Scored:
    """Submissions scored with the records that count at the period's end."""

    facts: pd.DataFrame  # submitted facts and the record-count columns
    result: Scores
    record_ids: list[str]  # per enterprise: comma-separated ids of the records that counted
    digest: str  # the input hash


@dataclass(frozen=True)
class Marks:
    """What a scoring could see, so that it can be repeated: the newest record id and the newest record
    closure id (``records`` None: the catalogue reads no records; ``closures`` None: a run made before
    closures existed)."""

    records: int | None
    closures: int | None = None


def marks_now(conn: Connection, catalogue: Catalogue) -> Marks:
    """The marks of a scoring made now in ``conn``'s transaction."""
    if not catalogue.record_types:
        return Marks(None)
    return Marks(*repo.watermarks(conn))


def run_marks(run: Any) -> Marks:
    """The marks a stored run was made with."""
    return Marks(run.record_watermark, getattr(run, "closure_watermark", None))


@dataclass(frozen=True)
class RecordInputs:
    """The records that count for some enterprises at a period's end (``live`` None: none are read)."""

    live: pd.DataFrame | None
    ids: dict[str, str]  # per USCC: comma-separated ids of its records that count
    hashes: dict[str, str]  # per USCC: their content hashes, comma-separated (recomputed, not read)

    def input_hashes(self, subs: pd.DataFrame) -> list[str]:
        """Each submission's content hash, with its records' hashes after a ``+`` when some count."""
        plain = subs["content_hash"].tolist()
        if not self.hashes:
            return plain
        return [
            f"{h}+{self.hashes[u]}" if u in self.hashes else h
            for h, u in zip(plain, subs.index.tolist(), strict=True)
        ]


def record_inputs(
    conn: Connection, catalogue: Catalogue, period: str, subs: pd.DataFrame, marks: Marks
) -> RecordInputs:
    """The records up to ``marks.records`` that count at the end of ``period`` under ``catalogue`` for the
    enterprises of ``subs`` (indexed by USCC, with ``enterprise_id``) and that no closure up to
    ``marks.closures`` took out of the count. A catalogue without record types reads none."""
    if not (catalogue.record_types and marks.records):
        return RecordInputs(None, {}, {})
    few = len(subs) <= repo.CHUNK  # a whole period reads every record once instead of a huge IN list
    wanted = subs["enterprise_id"].astype(int).tolist() if few else None
    records = repo.records_of(conn, wanted, upto=marks.records, closures=marks.closures)
    records = records if few else records[in_index(records["uscc"], subs.index)]
    live = records[live_mask(catalogue, records, period_end(period))] if len(records) else records
    hashes = record_hashes(live)
    live = live.assign(content_hash=hashes)
    ids: dict[str, list[str]] = {}
    content: dict[str, list[str]] = {}
    for uscc, record_id, digest in zip(live["uscc"].tolist(), live["id"].tolist(), hashes, strict=True):
        ids.setdefault(uscc, []).append(str(record_id))  # oldest id first, as read (a groupby cost ~3 ms)
        content.setdefault(uscc, []).append(digest)
    return RecordInputs(live, {u: ",".join(v) for u, v in ids.items()}, {u: ",".join(v) for u, v in content.items()})


def scored_with(catalogue: Catalogue, period: str, subs: pd.DataFrame, inputs: RecordInputs, digest: str) -> Scored:
    """``subs`` (indexed by USCC, with their stored facts) scored with the records of ``inputs`` (which may
    cover more enterprises: a period run reads the records once and scores a part at a time); ``digest`` is
    the input hash of all that the run scores (``input_hash``), not of this part alone."""
    facts = parse_facts(subs)
    record_ids = [""] * len(subs)
    if inputs.live is not None:
        live = inputs.live
        live = live[in_index(live["uscc"], subs.index)] if len(live) else live
        counts = record_counts(catalogue, live, period_end(period), facts.index).astype(np.float64)
        facts = pd.concat([facts, counts], axis=1)  # the same index: no join needed (a join cost 0.3 ms a row)
        record_ids = [inputs.ids.get(u, "") for u in subs.index]
    return Scored(facts, score(catalogue, facts), record_ids, digest)


@dataclass(frozen=True)
class ScoredPart:
    """A part of a period run's enterprises: their submissions with facts, scored, their result rows (a
    ``SLICE`` at a time) and the overview's figures of them (``summaries.scored_parts``)."""

    subs: pd.DataFrame
    scored: Scored
    slices: Iterable[repo.BoundRows]
    summary: dict[summaries.Key, summaries.Part]


def scored_parts(
    engine: Engine,
    conn: Connection,
    run_id: int,
    catalogue: Catalogue,
    period: str,
    keys: pd.DataFrame,
    inputs: RecordInputs,
    digest: str,
) -> Generator[ScoredPart, None, None]:
    """The enterprises of ``keys`` (``latest_submission_keys``) a ``PART`` at a time: each part with its facts,
    scored (``scored_with``), its result rows for ``run_id`` (``result_slices``) and its summary. With more
    than one part, on a store a second process can open, the parts are worked out there while the ones
    before are written here (``read_ahead``), a ``SLICE`` at a time, the most two processes' memory allows
    (what comes back is scored without its facts, which only the rows needed); else here, through ``conn``.
    The figures of each way are in docs/performance.md."""
    keys = keys.sort_values("submission_id", kind="stable")  # parts read from the store in its own order
    if len(keys) <= PART or not opens_elsewhere(engine):
        for part in _split(keys, PART):
            yield _worked_out(conn, run_id, catalogue, period, part, inputs, digest)
        return
    url = engine.url.render_as_string(hide_password=False)
    sent = RecordInputs(inputs.live, inputs.ids, {})  # (the hashes are in ``digest`` already)
    parts = _split(keys, SLICE)
    with ahead(read_and_score, url, run_id, catalogue, period, parts, sent, digest, waiting=1) as items:
        yield from items


def _split(keys: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [keys.iloc[start : start + size] for start in range(0, len(keys), size)]


def read_and_score(
    url: str,
    run_id: int,
    catalogue: Catalogue,
    period: str,
    parts: list[pd.DataFrame],
    inputs: RecordInputs,
    digest: str,
) -> Iterator[ScoredPart]:
    """The second process's side of ``scored_parts``: each part read through a connection of its own (the
    submissions it reads are never changed) and worked out."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for part in parts:
                yield _worked_out(conn, run_id, catalogue, period, part, inputs, digest, to_send=True)
    finally:
        engine.dispose()


def _worked_out(
    conn: Connection,
    run_id: int,
    catalogue: Catalogue,
    period: str,
    part: pd.DataFrame,
    inputs: RecordInputs,
    digest: str,
    *,
    to_send: bool = False,
) -> ScoredPart:
    """``part`` of a period run's keys read with its facts, scored, its rows (built at once ``to_send`` to the
    other process, and then without the facts, which only the rows needed) and its summary."""
    subs = part.join(repo.submission_facts(conn, part["submission_id"].tolist()), on="submission_id")
    scored = scored_with(catalogue, period, subs, inputs, digest)
    summary = summaries.scored_parts(catalogue, subs, scored.result)
    if not to_send:
        return ScoredPart(subs, scored, result_slices(conn.dialect, run_id, subs, scored), summary)
    slices = list(result_slices(conn.dialect, run_id, subs, scored))
    return ScoredPart(subs, Scored(scored.facts.iloc[:, :0], scored.result, [], digest), slices, summary)


def opens_elsewhere(engine: Engine) -> bool:
    """Whether another process can open the store: a server's database or a SQLite file, not one in memory."""
    if engine.dialect.name != "sqlite":
        return True
    database = engine.url.database or ""
    return database not in ("", ":memory:") and not database.startswith("file:")


def score_submissions(conn: Connection, catalogue: Catalogue, period: str, subs: pd.DataFrame, marks: Marks) -> Scored:
    """Score ``subs`` (indexed by USCC) with every record up to ``marks.records`` that counts at the end of
    ``period`` under ``catalogue`` and that no closure up to ``marks.closures`` took out of the count. A
    catalogue without record types reads no records (its runs verify as before records existed)."""
    inputs = record_inputs(conn, catalogue, period, subs, marks)
    digest = input_hash(catalogue, period, subs.index.tolist(), inputs.input_hashes(subs))
    return scored_with(catalogue, period, subs, inputs, digest)


def missing_required(catalogue: Catalogue, subs: pd.DataFrame | list[str]) -> list[str]:
    """Required fields of ``catalogue`` that no submission of ``subs`` carries (data collected for another
    edition; ``subs`` may be its batches' ``fields`` documents): scoring with it would read them all as
    "not reported"."""
    carried: set[str] = set()
    for fields in subs if isinstance(subs, list) else subs["fields"].unique():
        carried.update(json.loads(fields))
    return [f.name for f in catalogue.fields if f.required and f.name not in carried]


def scored_submissions(conn: Connection, results: pd.DataFrame) -> pd.DataFrame:
    """The submissions behind stored ``results`` (indexed by USCC): what verify re-scores, and what a record
    re-scores (a newer submission waits for the next period run, so a record's change is its own)."""
    subs = repo.submissions_by_id(conn, results["submission_id"].astype(int).tolist())
    keys = results[["uscc", "enterprise_id", "submission_id"]]
    by_id = pd.Index(subs["submission_id"]) if len(subs) else None
    at = by_id.get_indexer(keys["submission_id"]) if by_id is not None and by_id.is_unique else None
    if at is None or (at < 0).any():
        return keys.merge(subs, on="submission_id").set_index("uscc")
    out = subs.iloc[at].reset_index(drop=True)  # as the merge would (a few rows: a merge costs ~2 ms)
    out.insert(0, "enterprise_id", keys["enterprise_id"].to_numpy())
    out.index = pd.Index(keys["uscc"], name="uscc")
    return out


def parse_facts(subs: pd.DataFrame) -> pd.DataFrame:
    """Stored facts of submissions (columns ``facts`` and ``fields``) as a float frame."""
    return facts_codec.decode_frame(subs["facts"], subs["fields"])


def pack(values: np.ndarray) -> list[str]:
    """Rows of an int matrix as comma-separated text: each distinct value formatted once, then a column at a
    time joined by Arrow (2.4 times faster than joining each row in Python, which was three times faster than
    pandas' CSV writer)."""
    if len(values) == 0:
        return []
    if values.size == 0:
        return [""] * len(values)
    low, high = int(values.min()), int(values.max())
    text = pa.array([str(v) for v in range(low, high + 1)])
    at = values.astype(np.int64) - low
    columns = [text.take(pa.array(at[:, k])) for k in range(at.shape[1])]
    return pc.binary_join_element_wise(*columns, ",").to_pylist()


def flags(values: np.ndarray) -> list[str]:
    """Rows of a bool matrix as strings of 0 and 1."""
    if len(values) == 0 or values.shape[1] == 0:
        return [""] * len(values)
    digits = np.ascontiguousarray(values.astype(np.uint8) + ord("0"))
    return digits.view(f"S{values.shape[1]}").ravel().astype(str).tolist()


def unpack(text: str) -> np.ndarray:
    return np.array([int(v) for v in text.split(",")], dtype=np.int64)


def score_period(
    engine: Engine,
    who: Principal,
    period: str,
    *,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Score the newest submission of every enterprise in ``period`` as a new run (a province-wide act).
    Records whose display period has ended by today stop counting in current results first (``expire``)."""
    period = check_period(period)
    require_schema(engine)
    catalogue = catalogue or load_catalogue()
    if catalogue.record_types:  # records whose display period has ended stop counting first, unasked
        from lrc.service.closures import expire_if_due  # (closures re-score through this module)

        expire_if_due(engine, who, catalogue=catalogue)
    with guarded(engine, who, Action.score, f"period:{period}") as entry:
        started = repo.now()
        with engine.connect() as conn:
            keys = repo.latest_submission_keys(conn, period)
            previous = repo.runs(conn, period)
            if keys.empty:
                raise NotFoundError(
                    f"期间 {period} 没有已导入的数据,须先导入 (no data for period {period})",
                    cli_hint=f"导入:`lrc ingest 文件 --period {period}`",
                )
            missing = missing_required(catalogue, repo.batch_fields(conn, keys["batch_id"].unique().tolist()))
            if missing:
                raise ConflictError(
                    f"期间 {period} 的数据缺少指标体系 {catalogue.version} 的必填字段 {'、'.join(missing[:6])}"
                    f"{' 等' if len(missing) > 6 else ''}({len(missing)} 个),按该版本评分会把它们全部当作未报送;"
                    f"请用数据报送时的版本评分,或按 {catalogue.version} 重新报送 (the data lacks required fields)"
                )
            marks = marks_now(conn, catalogue)
            inputs = record_inputs(conn, catalogue, period, keys, marks)
        digest = input_hash(catalogue, period, keys.index.tolist(), inputs.input_hashes(keys))
        same = previous.loc[previous["input_hash"] == digest, "id"] if not previous.empty else pd.Series([])
        base = settled_baseline(engine, period)  # (the comparison kept with it is brought forward from its last)
        with repo.writing(engine) as conn:
            repo.ensure_catalogue(conn, catalogue.version, catalogue.content_hash, catalogue.canonical_json())
            columns = (*BEFORE_COLUMNS, *comparisons.BEFORE_COLUMNS)
            before = repo.results(conn, base, columns) if base is not None else None  # before this run exists
            prior = prior_results(before)
            changes: dict[summaries.Key, comparisons.Change] = {}  # against the baseline (the monitoring page's)
            run_id = add_run_row(
                conn, catalogue, period, digest, len(keys), marks, actor=who.name, kind="period", started=started
            )
            grades: Counter[str] = Counter()
            red_lines = 0
            summary: dict[summaries.Key, summaries.Part] = {}  # the overview pages' figures, summed as parts stream
            with closing(scored_parts(engine, conn, run_id, catalogue, period, keys, inputs, digest)) as parts:
                for part in parts:  # a part of the province at a time: memory stays bounded
                    subs, result = part.subs, part.scored.result
                    write_results(conn, catalogue, period, run_id, subs, part.scored, prior, progress=progress,
                                  built=part.slices)  # fmt: skip
                    grades.update(result.grade.tolist())
                    red_lines += int(result.red_line.sum())
                    summaries.add_parts(summary, part.summary)
                    if before is not None:
                        comparisons.add_compared(changes, comparisons.scored_now(subs, result), before, catalogue)
            add_match_counts(conn, run_id)  # with the results, in their transaction: a ranking's count sums these
            summaries.write(conn, run_id, run_id, summary)
            if base is not None:
                comparisons.write_changes(conn, run_id, base.first, run_id, base.last, changes)
            raise_missing(conn, period, run_id, set(keys["enterprise_id"].astype(int).tolist()))
            entry.target = f"run:{run_id}"
            entry.detail = f"period {period} catalogue {catalogue.version} enterprises {len(keys)} input {digest[:16]}"
            entry.write(conn)
    repo.refresh_statistics(engine, ("score_runs", "score_results", "run_match_counts", "alerts"))
    comparisons.compared_with(engine, run_id, period)  # (the overview's, when the period was scored before)
    return RunSummary(
        run_id=run_id,
        period=period,
        catalogue_version=catalogue.version,
        input_hash=digest,
        enterprises=len(keys),
        grades={g.grade: int(grades.get(g.grade, 0)) for g in catalogue.grades},
        red_lines=red_lines,
        same_input_as=int(same.iloc[-1]) if len(same) else None,
    )


def store_run(
    conn: Connection,
    catalogue: Catalogue,
    period: str,
    subs: pd.DataFrame,
    scored: Scored,
    marks: Marks,
    *,
    actor: str,
    kind: str,
    started: Any,
    causes: list[int | None] | None = None,
    progress: Progress | None = None,
    before: pd.DataFrame | None = None,
    cause_id: int | None = None,
    rows_back: bool = True,
) -> tuple[int, list[dict]]:
    """Write a run of some enterprises (a rescoring of kind ``records``, ``submission``, ``objection``,
    ``repair`` or ``expiry``, the objection or repair being ``cause_id``; a national import) and its
    results in the caller's transaction, and the alerts they raise against ``before`` (each enterprise's
    result just before: ``enterprise_id``, ``total``, ``grade``, ``red_line``); its id and, with
    ``rows_back``, the result rows. A whole period is written by ``score_period``, a part at a time. The
    period run's summary and its stored comparisons are not touched: they bring themselves forward over this
    run when next read (``summaries``, ``comparisons``)."""
    run_id = add_run_row(
        conn, catalogue, period, scored.digest, len(subs), marks, actor=actor, kind=kind, started=started,
        cause_id=cause_id,
    )  # fmt: skip
    repo.keep_statistics(conn, run_id)
    prior = prior_results(before)
    rows = write_results(conn, catalogue, period, run_id, subs, scored, prior, causes, progress, rows_back)
    return run_id, rows


def add_run_row(
    conn: Connection,
    catalogue: Catalogue,
    period: str,
    digest: str,
    enterprises: int,
    marks: Marks,
    *,
    actor: str,
    kind: str,
    started: Any,
    cause_id: int | None = None,
) -> int:
    if kind != "period":  # a one-enterprise run: summaries bring themselves forward over it (settled_runs)
        repo.hold_period(conn, period)
    return repo.add_run(
        conn,
        period=period,
        catalogue_version=catalogue.version,
        catalogue_hash=catalogue.content_hash,
        input_hash=digest,
        enterprise_count=enterprises,
        engine_version=lrc.__version__,
        actor=actor,
        started_at=started,
        finished_at=repo.now(),
        kind=kind,
        record_watermark=marks.records,
        closure_watermark=marks.closures,
        cause_id=cause_id,
    )


def write_results(
    conn: Connection,
    catalogue: Catalogue,
    period: str,
    run_id: int,
    subs: pd.DataFrame,
    scored: Scored,
    prior: Prior,
    causes: list[int | None] | None = None,
    progress: Progress | None = None,
    keep: bool = False,
    built: Iterable[repo.BoundRows] | None = None,
) -> list[dict]:
    """Store the results of ``scored`` under ``run_id`` and the alerts they raise against ``prior``, built
    and written a slice at a time (``built``: the slices, when built already); with ``keep``, the rows (else
    none: a province's rows as dicts would take gigabytes)."""
    kept: list[dict] = []
    if built is None:
        built = result_slices(conn.dialect, run_id, subs, scored, causes)
    for rows in built:
        repo.add_results(conn, rows, progress)
        raise_alerts(conn, catalogue, period, run_id, rows.as_dicts(), prior)
    if keep:  # (the rows as built, not as bound for the driver: a red line is True, not 1)
        kept = _as_rows(result_columns(run_id, subs, scored.facts, scored.result, scored.record_ids, causes))
    return kept


def result_slices(
    dialect: Any, run_id: int, subs: pd.DataFrame, scored: Scored, causes: list[int | None] | None = None
) -> Iterator[repo.BoundRows]:
    """The result rows of ``scored`` (``result_columns``), a ``SLICE`` at a time, bound for ``dialect`` and
    in enterprise id order (``repo.result_values``)."""
    level1 = scored.result.level("level1").to_numpy()
    for start in range(0, len(subs), SLICE):
        part = slice(start, start + SLICE)
        columns = result_columns(run_id, subs, scored.facts, scored.result, scored.record_ids, causes, part, level1)
        yield repo.result_values(dialect, columns)


def baseline_id(conn: Connection, period: str) -> int | None:
    """The run a new period run is compared with: the period's newest run, else the newest run of the newest
    scored period before it (None for the first)."""
    run_id = repo.latest_run_id(conn, period)
    if run_id is None:
        ordered = sort_periods({*repo.scored_periods(conn), period})
        earlier = ordered[: ordered.index(period)]
        run_id = repo.latest_run_id(conn, earlier[-1]) if earlier else None
    return run_id


def baseline_runs(conn: Connection, period: str) -> repo.RunRange | None:
    """The runs holding the current results of the run a new period run is compared with (``baseline_id``)."""
    run_id = baseline_id(conn, period)
    return None if run_id is None else repo.current_runs(conn, get_run(conn, None, run_id))


def settled_baseline(engine: Engine, period: str) -> repo.RunRange | None:
    """``baseline_runs`` once every run of the range is committed (``repo.settled_runs``)."""
    with engine.connect() as conn:
        run_id = baseline_id(conn, period)
        run = None if run_id is None else get_run(conn, None, run_id)
    return None if run is None else repo.settled_runs(engine, run)


def baseline(conn: Connection, period: str) -> pd.DataFrame | None:
    """The current results (``BEFORE_COLUMNS``) of the run a new period run is compared with."""
    runs = baseline_runs(conn, period)
    return None if runs is None else repo.results(conn, runs, BEFORE_COLUMNS)


def result_columns(
    run_id: int,
    subs: pd.DataFrame,
    facts: pd.DataFrame,
    result: Scores,
    record_ids: list[str] | None = None,
    causes: list[int | None] | None = None,
    part: slice = slice(None),
    level1: np.ndarray | None = None,
) -> dict[str, list[Any]]:
    """The ``score_results`` columns of the enterprises at ``part`` of ``subs``, as plain Python values (NULL,
    never NaN, for missing text); ``level1`` is the result's first-level points when already computed."""
    subs, facts = subs.iloc[part], facts.iloc[part]
    level1 = result.level("level1").to_numpy() if level1 is None else level1
    headcount = pd.to_numeric(facts["headcount"], errors="coerce")
    n = len(subs)
    return {  # (each column listed at once: iterating pandas' values costs a call per value)
        "run_id": [run_id] * n,
        "enterprise_id": subs["enterprise_id"].astype("int64").tolist(),
        "submission_id": subs["submission_id"].astype("int64").tolist(),
        "uscc": [str(v) for v in subs.index.tolist()],
        **{c: repo.nullable_text(subs[c]) for c in ("name", "region_code", "industry", "size", "ownership")},
        "city_code": city_codes(subs["region_code"]),
        "headcount": [None if h != h else int(h) for h in headcount.astype("float64").tolist()],  # NaN: none
        "total": result.total[part].tolist(),
        "grade": [str(g) for g in np.asarray(result.grade[part]).tolist()],
        "red_line": result.red_line[part].tolist(),
        "completeness": np.round(result.completeness[part], 6).tolist(),
        "level1": pack(level1[part]),
        "items": pack(result.points[part]),
        "gaps": flags(result.gaps[part]),
        "records": record_ids[part] if record_ids else [""] * n,
        "cause_record_id": causes[part] if causes else [None] * n,
    }


def result_rows(*args: Any, **kwargs: Any) -> list[dict]:
    """The rows of ``result_columns`` (same arguments), each as a dict."""
    return _as_rows(result_columns(*args, **kwargs))


def _as_rows(columns: dict[str, list[Any]]) -> list[dict]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def catalogue_for_run(conn: Connection, run: Any) -> Catalogue:
    """The catalogue a run used, from the copy stored with it (not today's file). A store's copies cannot
    change (append-only), so each is read and checked once per process and store."""
    content_hash = str(run.catalogue_hash)
    if (str(conn.engine.url), content_hash) in _CHECKED:
        return _BY_HASH[content_hash]
    stored = repo.catalogue_document(conn, content_hash)
    if stored is None:
        raise NotFoundError(f"评分批次 {run.id} 的指标体系副本缺失 (catalogue copy missing)")
    catalogue = _BY_HASH[content_hash] = parse_stored(stored[1], content_hash)
    _CHECKED.add((str(conn.engine.url), content_hash))
    return catalogue


_CHECKED: set[tuple[str, str]] = set()  # (store URL, content hash) of the copies read and checked
_BY_HASH: dict[str, Catalogue] = {}  # the catalogue of each content hash checked


def newest_run(conn: Connection, period: str | None) -> tuple[Any, repo.RunRange]:
    """``get_run(conn, period, None)`` and the runs holding its current results (``repo.current_runs``),
    read together; ``period`` None: the newest scored period's (a front door's default, in the same
    connection)."""
    period = period or newest_period(conn)
    found = repo.latest_run_range(conn, period)
    if found is None:
        raise NotScored(period)
    return found


def newest_period(conn: Connection) -> str:
    """The newest period with a period run (a front door's default period)."""
    periods = sort_periods(repo.scored_periods(conn))
    if not periods:
        raise NotScored()
    return periods[-1]


def chosen_run(conn: Connection, period: str | None, run_id: int | None) -> tuple[Any, repo.RunRange | None]:
    """The run ``run_id``, else the newest run of ``period`` (None: the newest scored period) with the runs
    holding its current results, read with it (None for a given run: its caller decides what it reads)."""
    if run_id is None:
        return newest_run(conn, check_period(period) if period else None)
    return get_run(conn, check_period(period) if period else None, run_id), None


def get_run(conn: Connection, period: str | None, run_id: int | None) -> Any:
    """The given run, or the newest run of ``period``."""
    if run_id is None:
        if not period:
            raise NotFoundError("请指定期间或评分批次 (give a period or a run id)")
        run = repo.latest_run(conn, period)
        if run is None:
            raise NotScored(period)
        return run
    run = repo.run_row(conn, run_id)
    if run is None:
        raise NotFoundError(f"评分批次 {run_id} 不存在 (no run {run_id})")
    if period and run.period != period:
        raise NotFoundError(
            f"评分批次 {run_id} 属于期间 {run.period},不是 {period} (run {run_id} is of period {run.period})"
        )
    return run


@dataclass(frozen=True)
class VerifyReport:
    run_id: int
    period: str
    catalogue_version: str
    enterprises: int
    input_hash_matches: bool
    mismatched: list[str]
    identity_mismatched: list[str] = field(default_factory=list)  # result USCC ≠ its submission's

    @property
    def reproduced(self) -> bool:
        return self.input_hash_matches and not self.mismatched and not self.identity_mismatched


VERIFIED = (
    "name", "region_code", "city_code", "industry", "size", "ownership", "headcount",
    "total", "grade", "red_line", "completeness", "level1", "items", "gaps", "records",
)  # fmt: skip


def _comparable(value: Any) -> Any:
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return round(float(value), 6)
    return str(value)


def verify_run(engine: Engine, who: Principal, run_id: int) -> VerifyReport:
    """Re-score a stored run from its stored submissions and catalogue copy: recompute each
    submission's content hash and the run's input hash, and every published column of every
    enterprise (identity, items, gaps, level-1 points, total, grade, red line, completeness)."""
    require_schema(engine)
    check(engine, who, Action.verify, f"run:{run_id}")
    with engine.connect() as conn:
        run = get_run(conn, None, run_id)
        catalogue = catalogue_for_run(conn, run)
        stored = repo.results(conn, run_id, ("uscc", "enterprise_id", "submission_id", *VERIFIED))
        if stored.empty:
            raise ConflictError(
                f"评分批次 {run_id} 记录了 {run.enterprise_count} 家企业,但库中没有它的结果,无法复现 (results missing)"
            )
        subs = scored_submissions(conn, stored)
        # each submission's hash recomputed from what is stored, not read back
        subs["content_hash"] = content_hashes(subs, subs["facts"].tolist())
        scored = score_submissions(conn, catalogue, run.period, subs, run_marks(run))
    identity = (subs.index != subs["submitted_uscc"]) | (subs["enterprise_uscc"] != subs["submitted_uscc"])
    published = {r.uscc: [_comparable(getattr(r, c)) for c in VERIFIED] for r in stored.itertuples(index=False)}
    rows = result_rows(run_id, subs, scored.facts, scored.result, scored.record_ids)
    mismatched = [row["uscc"] for row in rows if published.get(row["uscc"]) != [_comparable(row[c]) for c in VERIFIED]]
    digest = scored.digest
    return VerifyReport(
        run_id=run_id,
        period=run.period,
        catalogue_version=catalogue.version,
        enterprises=len(subs),
        input_hash_matches=digest == run.input_hash and len(subs) == run.enterprise_count,
        mismatched=mismatched,
        identity_mismatched=subs.index[identity.to_numpy(dtype=bool)].tolist(),
    )
