"""The publication policy as versioned data (``indicators/publication_policy/<edition>.yaml``), validated like
the catalogue: which fields a publication shows (never facts, evidence, notes or personal data), who it
lists, how an open objection is shown, and the rules of the honour list (红榜) and the exposure list (曝光台)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from indicators.alert_rules import known_record_types
from indicators.loader import describe_error, edition_path, read_yaml
from indicators.models import Strict
from lrc.errors import CatalogueError

POLICY_DIR = Path(__file__).parent / "publication_policy"
PublicField = Literal[
    "name", "uscc", "city", "district", "industry", "size", "ownership", "total", "grade", "level1", "red_line",
    "rights_status", "public_records",
]  # fmt: skip
ALWAYS_PUBLIC = ("name", "uscc", "total", "grade")  # a ranking without them is not a ranking


class Listed(Strict):
    mode: Literal["all", "top"]
    top: int | None = Field(default=None, ge=1, le=1_000_000)
    also_grades: list[str] = []

    @model_validator(mode="after")
    def _top(self) -> Listed:
        if self.mode == "top" and self.top is None:
            raise ValueError("listed.mode top 需要 top 名次数 (top needs a number)")
        if self.mode == "all" and (self.top is not None or self.also_grades):
            raise ValueError("listed.mode all 不用 top 和 also_grades (all lists everyone)")
        return self


class Honour(Strict):
    grades: list[str] = Field(min_length=1)
    no_red_line: bool = True
    no_deduction_records: bool = True


class Exposure(Strict):
    red_line: bool = True
    record_types: list[str] = []


class PublicationPolicy(Strict):
    version: str = Field(min_length=1, max_length=32)
    issuer: str = Field(min_length=2, max_length=60)
    number_prefix: str = Field(min_length=1, max_length=20)
    public_fields: list[PublicField] = Field(min_length=len(ALWAYS_PUBLIC))
    listed: Listed
    objection_shown: str = Field(min_length=1, max_length=60)
    objection_days: int = Field(ge=1, le=90)
    valid_months: int = Field(ge=1, le=60)
    public_record_types: list[str] = []
    honour: Honour
    exposure: Exposure

    @model_validator(mode="after")
    def _always(self) -> PublicationPolicy:
        missing = [f for f in ALWAYS_PUBLIC if f not in self.public_fields]
        if missing:
            raise ValueError(f"public_fields 必须包含 {', '.join(missing)} (always public)")
        if self.exposure.record_types and not set(self.exposure.record_types) <= set(self.public_record_types):
            raise ValueError("exposure.record_types 须是 public_record_types 的一部分 (only records the law publishes)")
        return self


def load_policy(version: str | None = None, path: Path | None = None) -> PublicationPolicy:
    """The policy at ``path``, or the shipped ``version`` (default: the newest)."""
    return _load(str(path or edition_path(POLICY_DIR, version, "公开发布规则")))


@lru_cache(maxsize=4)
def _load(path: str) -> PublicationPolicy:
    return parse_policy(read_yaml(path, "公开发布规则"), source=path)


def parse_policy(raw: Any, source: str = "<publication policy>") -> PublicationPolicy:
    """Validate a policy document; each error names the field (and an unknown field or record type)."""
    try:
        policy = PublicationPolicy.model_validate(raw)
    except ValidationError as exc:
        lines = [describe_error(err, raw) for err in exc.errors()]
        heading = f"{source}: 公开发布规则无效 (invalid publication policy):\n  "
        raise CatalogueError(heading + "\n  ".join(lines)) from None
    unknown = sorted(set(policy.public_record_types) - known_record_types())
    if unknown:
        raise CatalogueError(
            f"{source}: 公开发布规则无效 (invalid publication policy):\n  public_record_types: 未知的记录类型 "
            f"{', '.join(unknown)} (unknown record type)"
        )
    return policy
