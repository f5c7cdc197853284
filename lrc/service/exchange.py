"""The exchange with the provincial public credit platform (信用平台数据交换), both ways.

Out: one object per enterprise of a publication, keyed by USCC, in the schema of ``docs/exchange.md``
(``lrc-credit-exchange/1``), as JSON Lines or CSV. In: the platform's sanction and listing feed (wage-arrears
blacklist, published major violations), stored as records with their authority and document number, through
the same checks and the same all-or-nothing rule as every record file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from indicators import Catalogue, load_catalogue
from indicators.publication_policy import load_policy
from lrc.errors import CatalogueError, InputValidationError, LrcError, RowProblem, UsageError
from lrc.export import csv_bytes
from lrc.ingest import strict_json
from lrc.ingest.readers import check_sheet_option, json_text, read_table
from lrc.normalise import ascii_form, document_number
from lrc.service.access import Principal
from lrc.service.publications import get_publication
from lrc.service.records import Progress, RecordsSummary, receive_objects
from lrc.service.removals import check_removals, remove_listings

FORMAT = "lrc-credit-exchange/1"
EXPORT_COLUMNS = (
    "uscc", "subject_name", "period", "result", "grade", "red_line", "evaluation_date", "valid_until",
    "evaluating_body", "source_publication", "publication_id", "publication_hash", "format",
)  # fmt: skip
# the platform's list types → record types (Chinese names as the platform writes them are accepted too)
FEED_TYPES: dict[str, str] = {
    "wage_arrears_blacklist": "WAGE_ARREARS_BLACKLIST", "拖欠农民工工资失信联合惩戒对象名单": "WAGE_ARREARS_BLACKLIST",
    "拖欠工资失信名单": "WAGE_ARREARS_BLACKLIST", "major_violation": "MAJOR_VIOLATION_PUBLISHED",
    "重大劳动保障违法行为": "MAJOR_VIOLATION_PUBLISHED", "重大劳动保障违法行为社会公布": "MAJOR_VIOLATION_PUBLISHED",
}  # fmt: skip
REMOVALS = ("removal", "移出", "移出名单")
FEED_COLUMNS = ("uscc", "subject_name", "list_type", "decision_date", "authority", "document_no", "removes", "note")


def export_exchange(engine: Engine, who: Principal, publication_id: int, output: Path) -> int:
    """Write the exchange file of a publication (``.jsonl`` or ``.csv``); how many enterprises it holds."""
    suffix = output.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        shown = suffix or "(无后缀)"
        raise UsageError(f"交换文件应为 .jsonl 或 .csv,而不是 {shown} (exchange files are .jsonl or .csv)")
    meta, content = get_publication(engine, who, publication_id)
    try:
        policy = load_policy(content.policy_version)
    except CatalogueError:  # a policy given to publish() rather than shipped: the shipped validity applies
        policy = load_policy()
    evaluated = pd.Timestamp(content.published_at[:10])
    until = (evaluated + pd.DateOffset(months=policy.valid_months) - pd.Timedelta(days=1)).date().isoformat()
    rows = [
        {
            "uscc": e.uscc, "subject_name": e.name, "period": content.period, "result": e.total, "grade": e.grade,
            "red_line": e.red_line, "evaluation_date": evaluated.date().isoformat(), "valid_until": until,
            "evaluating_body": content.issuer, "source_publication": content.number, "publication_id": meta.id,
            "publication_hash": meta.hash, "format": FORMAT,
        }  # fmt: skip
        for e in content.entries
    ]
    if suffix == ".jsonl":
        data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode("utf-8")
    else:
        data = csv_bytes(pd.DataFrame(rows, columns=list(EXPORT_COLUMNS)))
    if not output.parent.is_dir():
        raise LrcError(f"目录 {output.parent} 不存在,请先创建 (directory does not exist)")
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise LrcError(f"无法写入 {output}:{exc.strerror or exc} (cannot write the file)") from None
    return len(rows)


def import_feed(
    engine: Engine,
    who: Principal,
    path: Path,
    *,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> RecordsSummary:
    """Store the platform feed at ``path`` (``.jsonl``, ``.csv``, ``.xlsx``, of which worksheet ``sheet`` when
    named, or ``.json``): listings become records, removals (``list_type`` removal) close the listing they
    name, which stops counting from the removal date. Every entry is checked before anything is stored; a
    listing delivered again is answered, not stored twice, and so is a removal."""
    catalogue = catalogue or load_catalogue()
    items = _feed_items(Path(path), sheet)
    objects, removals, problems = [], [], []
    for number, item in items:
        kind = str(item.get("list_type") or "").strip()
        if kind in REMOVALS:
            removals.append((number, item))
            continue
        if kind not in FEED_TYPES:
            known = "、".join(sorted({k for k in FEED_TYPES if k.isascii()} | {"removal"}))
            problems.append(RowProblem(path.name, number, "list_type", kind,
                                       f"未知的名单类型,可用 {known} (unknown list type)", record=True))  # fmt: skip
            continue
        objects.append({
            "uscc": item.get("uscc", ""), "type": FEED_TYPES[kind], "date": item.get("decision_date", ""),
            "source": item.get("authority", ""), "ref": item.get("document_no", ""), "note": item.get("note", ""),
        })  # fmt: skip
    listed_here = {
        (ascii_form(str(o["uscc"])).strip().upper(), document_number(str(o["ref"]))): (str(o["source"]), str(o["date"]))
        for o in objects
    }
    wanted = check_removals(engine, who, path.name, removals, listed_here, problems)
    if problems:
        raise InputValidationError(problems, path.name)
    if objects:
        summary = receive_objects(engine, who, objects, source=path.name, catalogue=catalogue)
    else:
        summary = RecordsSummary(file=path.name, received=0, stored=[], already=[], results=[])
    if wanted:
        done = remove_listings(engine, who, path.name, wanted)
        summary = summary.model_copy(update={
            "received": summary.received + len(removals), "removed": done.closed, "already_removed": done.already,
            "results": [*summary.results, *done.results], "delivery_id": summary.delivery_id or done.delivery,
        })  # fmt: skip
    if progress:
        progress(summary.received)
    return summary


def _feed_items(path: Path, sheet: str | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(number, fields) of each feed entry: a JSON Lines file's entries by the line they are on (blank lines
    counted), or a table's rows (numbered from 1 after the header, as the records they become)."""
    check_sheet_option(path, sheet)
    if path.suffix.lower() == ".jsonl":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LrcError(f"{path.name}:无法读取 ({exc.strerror or exc}) (cannot read the file)") from None
        lines = json_text(data, path.name).replace("\r\n", "\n").split("\n")  # (JSON Lines break at LF only)
        items, problems = [], []
        for number, line in enumerate(lines, start=1):  # numbered by line: a blank line is skipped, not renumbered
            if not line.strip():
                continue
            try:
                value = strict_json.loads(line)
            except json.JSONDecodeError:
                problems.append(RowProblem(path.name, number, None, line, "不是 JSON 对象 (not JSON)"))
                continue
            if not isinstance(value, dict):
                problems.append(RowProblem(path.name, number, None, line, "不是 JSON 对象 (not an object)"))
                continue
            found = [RowProblem(path.name, number, str(k), v, why) for k, v, why in strict_json.problems(value)]
            if found:
                problems += found
                continue
            items.append((number, {k: "" if v is None else str(v) for k, v in value.items()}))
        if problems:
            raise InputValidationError(problems, path.name)
        if not items:
            raise LrcError(f"{path.name}:没有任何记录 (no entries)")
        return items
    table = read_table(path, key_headers={"uscc"}, sheet=sheet)
    if table.problems:
        raise InputValidationError(table.problems, path.name)
    headers = [h.strip().lower() for h in table.headers]
    missing = [c for c in ("uscc", "list_type", "decision_date", "authority", "document_no") if c not in headers]
    if missing:
        raise InputValidationError(
            [RowProblem(path.name, table.header_row, c, None, "缺少必填列 (required column missing)") for c in missing],
            path.name,
        )
    rows = table.cells.to_numpy(dtype=object).tolist()
    return [(k, {h: str(v) for h, v in zip(headers, row, strict=False)}) for k, row in enumerate(rows, start=1)]
