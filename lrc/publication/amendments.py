"""What changed since a publication, as the public may see it (发布后的更正): a published result superseded by
an objection, a credit repair, an expiry or a removal (with the newer result's total and grade), and public
records that no longer count (repaired, revoked, expired, removed). The publications stay as published;
the site shows these beside them. Nothing internal can be part of it (``extra="forbid"``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Amendments", "Correction", "Withdrawn"]


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    publication_id: int
    uscc: str
    text_zh: str  # 已更正(异议 3)、已修复(修复申请 2)…
    total: float  # the newer result
    grade: str
    run_id: int  # the run holding the newer result


class Withdrawn(BaseModel):
    """A record that stopped counting: the site no longer lists it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str
    ref: str  # its document number, as published
    cause_zh: str
    since: str  # YYYY-MM-DD


class Amendments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    corrections: list[Correction] = Field(default_factory=list)
    withdrawn: list[Withdrawn] = Field(default_factory=list)

    def correction(self, publication_id: int, uscc: str) -> Correction | None:
        return next((c for c in self.corrections if c.publication_id == publication_id and c.uscc == uscc), None)

    def hidden(self, uscc: str) -> dict[str, Withdrawn]:
        """Document number → why, of the enterprise's records the site must not list any more."""
        return {w.ref: w for w in self.withdrawn if w.uscc == uscc}
