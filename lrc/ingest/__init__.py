"""Ingest: read an enterprise-records file (CSV or tab-separated TXT, XLSX, JSON), check every cell,
and return a typed batch, or raise InputValidationError listing every problem."""

from __future__ import annotations

from pathlib import Path

from indicators import Catalogue
from lrc.ingest.chunked import EXAMPLE_MARK, RecordChunks, without_examples
from lrc.ingest.readers import SUFFIXES, json_table, read_table
from lrc.ingest.report import write_problem_report
from lrc.ingest.single import quick_object
from lrc.ingest.template_period import check_template_period
from lrc.ingest.validate import (
    IDENTITY_ZH,
    REQUIRED_IDENTITY,
    CheckedRows,
    header_lookup,
    validate_table,
)

__all__ = [
    "EXAMPLE_MARK",
    "IDENTITY_ZH",
    "REQUIRED_IDENTITY",
    "SUFFIXES",
    "CheckedRows",
    "RecordChunks",
    "read_object",
    "read_records",
    "write_problem_report",
]


def read_records(
    path: Path,
    catalogue: Catalogue,
    *,
    period: str,
    accept_uscc: frozenset[str] = frozenset(),
    sheet: str | None = None,
) -> CheckedRows:
    """The records of ``path`` for ``period``, checked against ``catalogue``.

    Headers are a field's ``name`` or Chinese ``name_zh``; codes in ``accept_uscc``
    skip the check-character tests (never the length or alphabet) and are listed in
    ``overridden_uscc``. A workbook is read from worksheet ``sheet``, else from the one with a USCC column
    and data (``readers.data_sheet``). Raises InputValidationError with every problem in the file.
    """
    uscc_headers = {header for header, name in header_lookup(catalogue).items() if name == "uscc"}
    table = read_table(Path(path), key_headers=uscc_headers, sheet=sheet)
    check_template_period(table.file, table.template_period, period)
    return validate_table(without_examples(table, uscc_headers), catalogue, period=period, accept_uscc=accept_uscc)


def read_object(values: dict[str, object], catalogue: Catalogue, *, period: str, source: str) -> CheckedRows:
    """One enterprise's data given as an object (an HTTP request, the web form), checked exactly as a
    file row is; ``source`` names it in messages. An object that passes is checked in plain Python
    (``single``); the file path runs only to word the problems of one that does not."""
    quick = quick_object(values, catalogue, period=period, source=source)
    if quick is not None:
        return quick
    return validate_table(json_table([values], source), catalogue, period=period)
