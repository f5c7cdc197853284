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
    ChangelogEntry,
    ChildNode,
    ConsistencyCheck,
    GradeBand,
    InputField,
    Item,
    Node,
    RecordsRule,
    Strict,
)
from indicators.record_types import RecordType, record_column


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
    record_types: list[RecordType] = []
    checks: list[ConsistencyCheck] = []

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
            for name in item.uses:
                if name not in fields:
                    raise ValueError(f"item {item.code}: reads unknown field {name}")
            read.update(item.uses)
            item.rule.check(f"item {item.code}", fields)
        for check in self.checks:
            for condition in (check.when, check.then):
                if condition.field not in fields:
                    raise ValueError(f"check {check.code}: unknown field {condition.field}")
        optional = sorted({n for i in self.items if i.kind == "deduct" for n in i.reads if not fields[n].required})
        if optional:
            # a blank would otherwise score 0, i.e. skip the deduction: silence must not pay
            raise ValueError(f"fields read by deduct items must be required: {', '.join(optional)}")
        unread = [n for n in names if n not in read]
        if unread:
            raise ValueError(f"fields no item reads: {', '.join(unread)}")
        return self

    @model_validator(mode="after")
    def _links(self) -> Catalogue:
        """``requires`` names an earlier item; records rules and record types name each other."""
        position = {item.code: k for k, item in enumerate(self.items)}
        for k, item in enumerate(self.items):
            if item.requires is not None and position.get(item.requires, k) >= k:
                raise ValueError(f"item {item.code}: requires {item.requires}, which is not an earlier item")
            records = isinstance(item.rule, RecordsRule)
            if records and (item.applies_when is not None or item.requires is not None):
                # an authority's decision shows the duty applied: a record always costs what its type declares
                raise ValueError(f"item {item.code}: a records item has no applies_when or requires")
            if item.requires is not None and isinstance(self.items[position[item.requires]].rule, RecordsRule):
                raise ValueError(f"item {item.code}: requires {item.requires}, a records item")
        _check_record_types(self)
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
        return self._item_map[code]  # (KeyError for an unknown code)

    @cached_property
    def _item_map(self) -> dict[str, Item]:
        return {i.code: i for i in self.items}

    def ancestry(self, item: Item) -> tuple[str, str, str]:
        """(level1, level2, level3) codes of an item."""
        return self._ancestries[item.level3]

    @cached_property
    def _ancestries(self) -> dict[str, tuple[str, str, str]]:
        """(level1, level2, level3) codes by level-3 code (asked for once per item of every explanation)."""
        l2 = {n.code: n.parent for n in self.level2}
        return {n.code: (l2[n.parent], n.parent, n.code) for n in self.level3}

    @cached_property
    def record_type_map(self) -> dict[str, RecordType]:
        return {t.code: t for t in self.record_types}

    def record_terms(self, item: Item) -> list[tuple[str, int]]:
        """(engine column, tenths per record) for every type and tier a records item counts."""
        return list(self._record_terms.get(item.code, ()))

    @cached_property
    def _record_terms(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """``record_terms`` of every records item (asked for many times by every scoring and explanation)."""
        out = {}
        for item in self.items:
            if isinstance(item.rule, RecordsRule):
                types = [self.record_type_map[code] for code in item.rule.types]
                out[item.code] = tuple(
                    (record_column(t.code, tier), rule.points_tenths) for t in types for tier, rule in t.tiers.items()
                )
        return out

    @property
    def max_total(self) -> Decimal:
        return sum((i.points for i in self.items if i.kind == "add"), Decimal(0))


def _check_record_types(cat: Catalogue) -> None:
    """Each record type scores exactly the one item that lists it (so one event is never deducted
    twice), with points of the item's sign that one record can never exceed, and a red line
    exactly where the item is one."""
    codes = [t.code for t in cat.record_types]
    dupes = sorted(c for c, k in Counter(codes).items() if k > 1)
    if dupes:
        raise ValueError(f"duplicate record types: {', '.join(dupes)}")
    types = {t.code: t for t in cat.record_types}
    listed: dict[str, str] = {}
    for item in cat.items:
        if not isinstance(item.rule, RecordsRule):
            continue
        for code in item.rule.types:
            if code not in types:
                raise ValueError(f"item {item.code}: unknown record type {code}")
            if code in listed:
                raise ValueError(f"record type {code}: scored by both {listed[code]} and {item.code}")
            listed[code] = item.code
            _check_type_against_item(types[code], item)
    for code in codes:
        if code not in listed or types[code].item != listed[code]:
            where = listed.get(code, "no records item")
            raise ValueError(f"record type {code}: item {types[code].item} does not list it ({where} does)")


def _check_type_against_item(record_type: RecordType, item: Item) -> None:
    where = f"record type {record_type.code}"
    for tier, rule in record_type.tiers.items():
        if (rule.points > 0) != (item.points > 0) or abs(rule.points) > abs(item.points):
            raise ValueError(f"{where}: tier {tier} points {rule.points} must fit within {item.code} ({item.points})")
    if record_type.red_line != item.red_line:
        raise ValueError(f"{where}: red_line must equal that of item {item.code}")
