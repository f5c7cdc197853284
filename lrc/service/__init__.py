"""The one service layer behind every front door (CLI, dashboard, later HTTP)."""

from lrc.service import accounts, analytics
from lrc.service.ingesting import IngestSummary, ingest_file
from lrc.service.results import Explanation, Filters, RunInfo, explain, load_results, ranking
from lrc.service.runs import RunSummary, VerifyReport, score_period, verify_run

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
