"""An improvement-plan action as the public sees it (公开的整改承诺): what the enterprise committed to at a
hearing, by when, and how far it got. Internal notes, evidence files and who changed what are not part of
it and cannot be (``extra="forbid"``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Commitment"]


class Commitment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str
    hearing_title: str
    hearing_date: str  # YYYY-MM-DD
    item_code: str
    item_name_zh: str
    action: str
    due: str  # YYYY-MM-DD
    status_zh: str  # 进行中 / 已完成 / 逾期 / 已放弃
