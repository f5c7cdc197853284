"""What a ranking or an explanation says of the run it shows (light: read before pandas or SQLAlchemy load)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    period: str
    catalogue_version: str
    input_hash: str
    finished_at: Any
    through: int | None = None  # the newest one-enterprise run whose results are shown with the period run's

    @property
    def through_run_id(self) -> int:
        """The newest run whose results are shown: ``through``, or the period run alone."""
        return self.through or self.run_id

    def runs_zh(self) -> str:
        """评分批次 4, or 评分批次 4 至 7 (``runs_zh``)."""
        return runs_zh(self.run_id, self.through)


def runs_zh(first: int, last: int | None = None) -> str:
    """Runs named in a message: ``评分批次 4``, or ``评分批次 4 至 7`` for a period run and the later runs of the
    period whose results are current with it (``repo.current_runs``: what ``lrc verify`` would check)."""
    return f"评分批次 {first}" if last is None or last <= first else f"评分批次 {first} 至 {last}"
