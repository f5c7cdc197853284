"""One registry entry per rule type, keyed by the rule's ``type``: each entry scores an item for a block of
enterprises (``score``, numpy) and for one (``score_one``), gives the reason for its points (``explain``),
the rule in words (``describe``) and in SQL (``sql``, ``sql_measure``); see ``base.RuleType``. The rule's data
and its checks are its model in ``indicators.models``. A new rule type is a model there and a module here."""

from __future__ import annotations

from typing import Any

from indicators import Item
from indicators.models import rule_type
from scoring.rule_types.banded import BandedType
from scoring.rule_types.base import RuleType
from scoring.rule_types.flag import FlagType
from scoring.rule_types.per_occurrence import PerOccurrenceType
from scoring.rule_types.records import RecordsType
from scoring.rule_types.threshold import ThresholdType

RULE_HANDLERS: dict[str, RuleType[Any]] = {
    rule_type(kind.model): kind
    for kind in (FlagType(), ThresholdType(), BandedType(), PerOccurrenceType(), RecordsType())
}


def handler(item: Item) -> RuleType[Any]:
    """The rule type of ``item``."""
    return RULE_HANDLERS[item.rule.type]


__all__ = ["RULE_HANDLERS", "RuleType", "handler"]
