"""The one service layer behind every front door (CLI, dashboard, HTTP API).

Its names are loaded when first used: a command that needs one service (or only the access rules)
does not pay for importing all of them (about a second at every `lrc` start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrc.lazy import lazy_names

if TYPE_CHECKING:
    from lrc.service import accounts, analytics
    from lrc.service.explanation import Explanation
    from lrc.service.filters import Filters
    from lrc.service.ingesting import IngestSummary, ingest_file
    from lrc.service.results import explain, load_results, ranking
    from lrc.service.run_info import RunInfo
    from lrc.service.runs import RunSummary, VerifyReport, score_period, verify_run

_HOME = {
    "accounts": "lrc.service.accounts",
    "analytics": "lrc.service.analytics",
    "IngestSummary": "lrc.service.ingesting",
    "ingest_file": "lrc.service.ingesting",
    "Explanation": "lrc.service.explanation",
    "Filters": "lrc.service.filters",
    "RunInfo": "lrc.service.run_info",
    "explain": "lrc.service.results",
    "load_results": "lrc.service.results",
    "ranking": "lrc.service.results",
    "RunSummary": "lrc.service.runs",
    "VerifyReport": "lrc.service.runs",
    "score_period": "lrc.service.runs",
    "verify_run": "lrc.service.runs",
}


__getattr__ = lazy_names(__name__, _HOME)


__all__ = [
    "Explanation",
    "Filters",
    "IngestSummary",
    "RunInfo",
    "RunSummary",
    "VerifyReport",
    "accounts",
    "analytics",
    "explain",
    "ingest_file",
    "load_results",
    "ranking",
    "score_period",
    "verify_run",
]
