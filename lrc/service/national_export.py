"""A period's facts for the national job: one row per enterprise, the submission its current result scored,
with identity columns and the ``record:TYPE:tier`` counts of the records that counted (``lrc.spark``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import Catalogue
from indicators.record_types import record_column
from lrc.errors import LrcError
from lrc.periods import check_period
from lrc.service.access import Action, Principal
from lrc.service.audit import check, record
from lrc.service.runs import catalogue_for_run, get_run, parse_facts
from lrc.store import repository as repo
from lrc.store import require_schema

IDENTITY = ("uscc", "period", "submission_id", "records", "name", "region_code", "city_code", "industry", "size",
            "ownership")  # fmt: skip
ROW_GROUP = 65_536  # rows: Spark splits a file between tasks at row groups only (one group = one task)
CURRENT = ("uscc", "enterprise_id", "submission_id", "records", "name", "region_code", "city_code", "industry",
           "size", "ownership")  # fmt: skip


@dataclass(frozen=True)
class FactsExport:
    period: str
    run_id: int
    catalogue_version: str
    enterprises: int
    columns: int
    output: str
    through_run_id: int  # the newest later run of the period whose results it holds (else ``run_id``)


def export_facts(engine: Engine, who: Principal, period: str, output: Path) -> FactsExport:
    """Write the facts behind ``period``'s current results inside ``who``'s scope to ``output`` (parquet)."""
    period = check_period(period)
    require_schema(engine)
    check(engine, who, Action.export, f"facts:{period}")
    with engine.connect() as conn:
        run = get_run(conn, period, None)
        catalogue = catalogue_for_run(conn, run)
        scope = None if who.scope.everything else who.scope
        runs = repo.current_runs(conn, run)
        current = repo.results(conn, runs, CURRENT, scope=scope)
        frame = facts_frame(conn, catalogue, period, current)
    named = {"period": period, "run": str(run.id), "through_run": str(runs.last), "catalogue": catalogue.version}
    write_parquet(frame, output, {**named, "catalogue_hash": catalogue.content_hash})
    record(engine, who, Action.export, f"facts:run:{run.id}", "ok", f"{len(frame)} rows parquet")
    return FactsExport(period, int(run.id), catalogue.version, len(frame), len(frame.columns), str(output), runs.last)


def facts_frame(conn: Connection, catalogue: Catalogue, period: str, current: pd.DataFrame) -> pd.DataFrame:
    """Identity, facts (floats, NaN = not reported) and record counts of the ``current`` results, by USCC."""
    current = current.sort_values("uscc").reset_index(drop=True)
    subs = repo.submissions_by_id(conn, current["submission_id"].astype(int).tolist())
    if subs.empty:
        return pd.DataFrame(columns=list(IDENTITY))
    subs = current[["submission_id"]].merge(subs, on="submission_id", how="left")
    facts = parse_facts(subs)
    fields = [f.name for f in catalogue.fields if f.name in facts.columns]
    identity = current.assign(period=period, records=current["records"].fillna(""))[list(IDENTITY)]
    counts = counted_records(conn, catalogue, current)
    return pd.concat([identity, facts[fields].astype(np.float64), counts], axis=1)


def counted_records(conn: Connection, catalogue: Catalogue, current: pd.DataFrame) -> pd.DataFrame:
    """Per result of ``current``: its counted records (ids in ``records``) as the engine's count columns."""
    columns = sorted({c for item in catalogue.items for c, _ in catalogue.record_terms(item)})
    tally = np.zeros((len(current), len(columns)), dtype=np.int64)
    owner = {int(i): row for row, ids in enumerate(current["records"].fillna("")) for i in str(ids).split(",") if i}
    if owner and columns:
        stored = repo.records_of(conn, None, upto=max(owner))
        stored = stored[stored["id"].astype(int).isin(owner)]
        position = {c: k for k, c in enumerate(columns)}
        for rid, kind, tier in zip(stored["id"], stored["type"], stored["tier"], strict=True):
            k = position.get(record_column(str(kind), str(tier)))
            if k is not None:
                tally[owner[int(rid)], k] += 1
    return pd.DataFrame(tally, columns=columns)


def write_parquet(frame: pd.DataFrame, output: Path, about: dict[str, str]) -> None:
    """``frame`` as one parquet file, with ``about`` in its key-value metadata (keys prefixed ``lrc.``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), **{f"lrc.{k}".encode(): v.encode() for k, v in about.items()}}
    try:
        pq.write_table(table.replace_schema_metadata(metadata), output, row_group_size=ROW_GROUP)
    except OSError as exc:
        raise LrcError(f"无法写入 {output}:{exc} (cannot write the file)") from None
