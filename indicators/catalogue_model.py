"""The whole catalogue and its cross-checks (tree shape, fields, grades)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from functools import cached_property

from pydantic import model_validator

from indicators.models import (
    EXPECTED_COUNTS,
    BandedRule,
    ChangelogEntry,
    ChildNode,
    CountRule,
    FlagRule,
    GradeBand,
    InputField,
    Item,
    Node,
    Strict,
    ThresholdRule,
)


class Catalogue(Strict):
    version: str
    released: date
    title_zh: str
    title_en: str
    grades: list[GradeBand]
    fields: list[InputField]
    level1: list[Node]
    level2: list[ChildNode]
    level3: list[ChildNode]
    items: list[Item]
    changelog: list[ChangelogEntry]

    @model_validator(mode="after")
    def _tree(self) -> Catalogue:
        for name, expected in EXPECTED_COUNTS.items():
            got = len(getattr(self, name))
            if got != expected:
                raise ValueError(f"{name}: expected {expected} entries, found {got}")
        codes = [n.code for n in self._all_nodes()]
        dupes = sorted(c for c, k in Counter(codes).items() if k > 1)
        if dupes:
            raise ValueError(f"duplicate codes: {', '.join(dupes)}")
        parents = [
            (self.level2, {n.code for n in self.level1}, "level1"),
            (self.level3, {n.code for n in self.level2}, "level2"),
        ]
        for children, known, what in parents:
            for child in children:
                if child.parent not in known:
                    raise ValueError(f"{child.code}: parent {child.parent} is not a {what} code")
        level3 = {n.code for n in self.level3}
        for item in self.items:
            if item.level3 not in level3:
                raise ValueError(f"item {item.code}: level3 {item.level3} is not a level3 code")
        checks: list[tuple[list[Node], set[str]]] = [
            (list(self.level1), {n.parent for n in self.level2}),
            (list(self.level2), {n.parent for n in self.level3}),
            (list(self.level3), {i.level3 for i in self.items}),
        ]
        for nodes, with_children in checks:
            empty = [n.code for n in nodes if n.code not in with_children]
            if empty:
                raise ValueError(f"indicators without any item below them: {', '.join(empty)}")
        return self

    @model_validator(mode="after")
    def _fields(self) -> Catalogue:
        names = [f.name for f in self.fields]
        dupes = sorted(n for n, k in Counter(names).items() if k > 1)
        if dupes:
            raise ValueError(f"duplicate fields: {', '.join(dupes)}")
        fields = {f.name: f for f in self.fields}
        for f in self.fields:
            bound = fields.get(f.at_most or "")
            if f.at_most and (bound is None or bound.type == "bool" or f.type == "bool" or bound.name == f.name):
                raise ValueError(f"field {f.name}: at_most {f.at_most} must name another numeric field")
        read: set[str] = set()
        for item in self.items:
            for name in item.reads:
                if name not in fields:
                    raise ValueError(f"item {item.code}: reads unknown field {name}")
            read.update(item.reads)
            _check_rule(item, fields)
        optional = sorted({n for i in self.items if i.kind == "deduct" for n in i.reads if not fields[n].required})
        if optional:
            # a blank would otherwise score 0, i.e. skip the deduction: silence must not pay
            raise ValueError(f"fields read by deduct items must be required: {', '.join(optional)}")
        unread = [n for n in names if n not in read]
        if unread:
            raise ValueError(f"fields no item reads: {', '.join(unread)}")
        return self

    @model_validator(mode="after")
    def _grades(self) -> Catalogue:
        if len(self.grades) < 2:
            raise ValueError("grades: at least two bands are needed")
        *upper, bottom = self.grades
        if bottom.min_total is not None or any(g.min_total is None for g in upper):
            raise ValueError("grades: only the last (lowest) band has min_total null")
        mins = [Decimal(g.min_total or 0) for g in upper]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("grades: min_total must fall strictly from the first band to the last")
        if len({g.grade for g in self.grades}) != len(self.grades):
            raise ValueError("grades: duplicate grade names")
        if not any(e.version == self.version for e in self.changelog):
            raise ValueError(f"changelog: no entry for version {self.version}")
        return self

    def canonical_json(self) -> str:
        """The catalogue as canonical JSON. Defaults are left out, so a later model that gains
        an optional field still reads a stored catalogue back to the same JSON and hash."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: any change to any item changes it."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @cached_property
    def field_map(self) -> dict[str, InputField]:
        return {f.name: f for f in self.fields}

    @cached_property
    def item_codes(self) -> list[str]:
        return [i.code for i in self.items]

    @cached_property
    def node_names(self) -> dict[str, str]:
        """Chinese name of every level-1/2/3 node and item, by code."""
        return {n.code: n.name_zh for n in self._all_nodes()}

    def _all_nodes(self) -> list[Node | Item]:
        return [*self.level1, *self.level2, *self.level3, *self.items]

    @property
    def lowest_grade(self) -> str:
        return self.grades[-1].grade

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def ancestry(self, item: Item) -> tuple[str, str, str]:
        """(level1, level2, level3) codes of an item."""
        l3 = {n.code: n.parent for n in self.level3}
        l2 = {n.code: n.parent for n in self.level2}
        level2 = l3[item.level3]
        return l2[level2], level2, item.level3

    @property
    def max_total(self) -> Decimal:
        return sum((i.points for i in self.items if i.kind == "add"), Decimal(0))


def _check_rule(item: Item, fields: dict[str, InputField]) -> None:
    """Type and range checks between a rule and the fields it reads."""
    where = f"item {item.code}"
    rule = item.rule
    field = fields[rule.field]
    if isinstance(rule, FlagRule):
        if field.type != "bool":
            raise ValueError(f"{where}: a flag rule needs a bool field, {field.name} is {field.type}")
        return
    if field.type == "bool":
        raise ValueError(f"{where}: rule {rule.type} cannot read the yes/no field {field.name}")
    if isinstance(rule, CountRule):
        if field.type != "int" or field.min is None or field.min < 0:
            raise ValueError(f"{where}: per_occurrence needs a non-negative int field, not {field.name}")
        return
    per = getattr(rule, "per", None)
    if per is not None:
        denominator = fields[per]
        if denominator.type == "bool" or denominator.min is None or denominator.min < 1:
            raise ValueError(f"{where}: denominator {per} must be a number with min >= 1")
        low = 0.0 if field.min is not None and field.min >= 0 else float("-inf")
        high = float("inf")
    else:
        low = field.min if field.min is not None else float("-inf")
        high = field.max if field.max is not None else float("inf")
    if isinstance(rule, ThresholdRule):
        _check_threshold(where, rule, low, high)
    elif isinstance(rule, BandedRule):
        for band in rule.bands[1:]:
            if not low < band.min <= high:
                raise ValueError(f"{where}: band minimum {band.min} outside the reachable range {low}..{high}")


def _check_threshold(where: str, rule: ThresholdRule, low: float, high: float) -> None:
    v = rule.value
    impossible = {
        ">=": v > high,
        ">": v >= high,
        "<=": v < low,
        "<": v <= low,
        "==": not low <= v <= high,
    }[rule.op]
    always = {">=": v <= low, ">": False, "<=": v >= high, "<": False, "==": False}[rule.op]
    if impossible or always:
        what = "can never be met" if impossible else "is always met"
        raise ValueError(f"{where}: threshold {rule.op} {v} {what} (range {low}..{high})")
