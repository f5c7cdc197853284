"""Catalogue edition 2027.1: records instead of self-declared counters, applicability,
requires links, consistency checks, corrected citations; 2026.1 stays as released."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from indicators import load_catalogue, parse_catalogue
from indicators.models import RecordsRule
from scoring.engine import score

HASH_2026_1 = "e3950465ea967dfe21392136f98c18ac773f25b8502e54ac885be49908681bb3"
HASH_2027_1 = "41a8c540632e658038bc946c265a09d1f6f2343eb163ce701675aebff6b5ed5b"

RED_LINE_TYPES = {
    "FORCED_LABOUR": "B4.1.3",
    "CHILD_LABOUR": "D3.2.1",
    "FATAL_ACCIDENT_RESPONSIBLE": "D2.1.4",
    "MASS_INCIDENT_VIOLATION": "C2.2.1",
    "MAJOR_VIOLATION_PUBLISHED": "H2.2.1",
    "WAGE_ARREARS_BLACKLIST": "H2.2.2",
}
# 2026.1 counters of decided violations and honours: in 2027.1 these events are records
COUNTERS_2026 = {
    "double_wage_cases", "unlawful_termination_cases", "dispatch_term_split", "wage_arrears_cases",
    "forced_labour_found", "labour_disputes_filed", "arbitration_cases_lost", "mass_incident_occurred",
    "collective_disputes", "substantiated_complaints", "social_insurance_arrears_orders", "injury_accidents",
    "fatal_accidents", "occupational_disease_cases", "pregnancy_discrimination_cases", "child_labour_found",
    "union_obstructed", "honours_provincial_national", "honours_municipal", "administrative_penalties",
    "correction_orders", "major_violation_published", "wage_arrears_blacklisted", "integrity_grade_c",
}  # fmt: skip
REQUIRES = {
    "C1.1.2": "C1.1.1",
    "C2.1.3": "C1.1.1",
    "E2.1.2": "E2.1.1",
    "E3.1.2": "E3.1.1",
    "F1.2.1": "F1.1.1",
    "F2.1.1": "F1.1.1",
    "F2.2.1": "F1.1.1",
}
APPLIES = {
    "B1.2.1": ("union_established", "==", 1),
    "B2.1.1": ("dispatched_workers", ">", 0),
    "B2.1.2": ("dispatched_workers", ">", 0),
    "B2.2.1": ("dispatched_workers", ">", 0),
    "C2.1.3": ("mediation_cases_received", ">", 0),
    "D2.1.5": ("union_established", "==", 1),
    "D2.2.1": ("employees_exposed_to_hazards", ">", 0),
    "D2.2.3": ("employees_exposed_to_hazards", ">", 0),
    "D3.1.1": ("female_employees_gave_birth", ">", 0),
    "D3.1.4": ("employees_pregnant_or_nursing", ">", 0),
    "D3.2.2": ("juvenile_workers", ">", 0),
    "F1.1.1": ("headcount", ">=", 25),
    "F1.2.1": ("headcount", ">=", 25),
    "F2.1.1": ("headcount", ">=", 25),
    "F2.2.1": ("headcount", ">=", 25),
}
CHECKS = {
    "NO_UNION_NO_CHAIR": ("union_established", "union_chair_elected"),
    "NO_UNION_NO_MEMBERS": ("union_established", "union_members"),
    "NO_UNION_NO_SAFETY_SUPERVISION": ("union_established", "union_safety_supervision"),
    "NO_COMMITTEE_NO_COMPOSITION": ("mediation_committee_established", "mediation_committee_composition_lawful"),
    "NO_COMMITTEE_NO_CASES": ("mediation_committee_established", "mediation_cases_received"),
    "NO_CONTRACT_NOT_FILED": ("collective_contract_in_force", "collective_contract_filed"),
}
RETIRED = {"C2.1.1", "C2.2.2", "F2.2.2", "G1.1.2", "G2.1.2", "H2.1.2", "H2.2.3"}
NEW = {"C2.1.3", "D2.1.5", "D2.2.3", "D3.1.4", "D3.1.5", "F2.2.3", "G2.2.2"}


@pytest.fixture(scope="module")
def cat():  # noqa: ANN201
    return load_catalogue("2027.1")


def test_2027_1_loads_with_its_pinned_hash(cat) -> None:  # noqa: ANN001
    assert cat.version == "2027.1"
    assert cat.content_hash == HASH_2027_1


def test_2027_1_survives_its_canonical_json(cat) -> None:  # noqa: ANN001
    """Stored runs keep the catalogue as canonical JSON, whose sorted keys put tier general before minor."""
    assert parse_catalogue(json.loads(cat.canonical_json())).content_hash == cat.content_hash


def test_2026_1_is_unchanged() -> None:
    assert load_catalogue("2026.1").content_hash == HASH_2026_1


def test_tree_is_8_20_33_75_with_the_2026_first_level(cat) -> None:  # noqa: ANN001
    assert [len(cat.level1), len(cat.level2), len(cat.level3), len(cat.items)] == [8, 20, 33, 75]
    old = load_catalogue("2026.1")
    assert [(n.code, n.name_zh) for n in cat.level1] == [(n.code, n.name_zh) for n in old.level1]
    assert [n.code for n in cat.level2] == [n.code for n in old.level2]
    assert [n.code for n in cat.level3] == [n.code for n in old.level3]


def test_seed_items_verbatim(cat) -> None:  # noqa: ANN001
    by_name = {i.name_zh: i for i in cat.items}
    contract = by_name["劳动合同签订率达100%"]
    assert (contract.code, contract.kind, contract.points) == ("B1.1.1", "add", Decimal(2))
    wages = by_name["按时足额发放职工工资"]
    assert (wages.code, wages.kind, wages.points) == ("B3.1.1", "add", Decimal(4))
    split = by_name["将连续用工期限分割订立数个短期劳务派遣协议"]
    assert (split.code, split.kind, split.points) == ("B2.1.3", "deduct", Decimal(-5))
    assert isinstance(split.rule, RecordsRule)
    for code in split.rule.types:  # -5 per record, as the seed says
        assert [t.points for t in cat.record_type_map[code].tiers.values()] == [Decimal(-5)]


def test_add_items_total_100(cat) -> None:  # noqa: ANN001
    assert cat.max_total == 100


def test_codes_of_retired_items_are_not_reused(cat) -> None:  # noqa: ANN001
    codes = set(cat.item_codes)
    assert not codes & RETIRED
    assert codes >= NEW
    assert RETIRED <= set(load_catalogue("2026.1").item_codes)


def test_each_record_type_scores_exactly_one_item(cat) -> None:  # noqa: ANN001
    listed = Counter(code for i in cat.items if isinstance(i.rule, RecordsRule) for code in i.rule.types)
    assert set(listed) == set(cat.record_type_map)
    assert all(n == 1 for n in listed.values())
    for item in cat.items:
        if isinstance(item.rule, RecordsRule):
            assert all(cat.record_type_map[code].item == item.code for code in item.rule.types)


def test_violations_come_from_records_not_counters(cat) -> None:  # noqa: ANN001
    fields = set(cat.field_map)
    assert not fields & COUNTERS_2026
    assert all(not i.reads for i in cat.items if isinstance(i.rule, RecordsRule))
    # the only deduct items reading facts measure a rate or hours, not decided events
    field_deducts = {i.code for i in cat.items if i.kind == "deduct" and not isinstance(i.rule, RecordsRule)}
    assert field_deducts == {"B1.1.2", "B4.1.2"}
    record_fields = {f for i in cat.items if isinstance(i.rule, RecordsRule) for f in i.uses}
    assert not record_fields


def test_red_lines_are_exactly_the_six_record_types(cat) -> None:  # noqa: ANN001
    red_types = {t.code: t.item for t in cat.record_types if t.red_line}
    assert red_types == RED_LINE_TYPES
    assert {i.code for i in cat.items if i.red_line} == set(RED_LINE_TYPES.values())
    for code in RED_LINE_TYPES.values():
        item = cat.item(code)
        assert isinstance(item.rule, RecordsRule)
        assert all(cat.record_type_map[t].red_line for t in item.rule.types)


def test_red_lines_are_narrowed(cat) -> None:  # noqa: ANN001
    assert "负有责任" in cat.record_type_map["FATAL_ACCIDENT_RESPONSIBLE"].name_zh
    assert "因劳动保障违法行为引发" in cat.record_type_map["MASS_INCIDENT_VIOLATION"].name_zh
    assert "因劳动保障违法行为引发" in cat.item("C2.2.1").name_zh
    assert "负有责任" in cat.item("D2.1.4").name_zh


def test_display_and_repair_windows_follow_the_credit_rules(cat) -> None:  # noqa: ANN001
    window = {"minor": (1, 3), "general": (3, 12), "serious": (12, 36)}
    for t in cat.record_types:
        for tier, rule in t.tiers.items():
            if t.source_kind == "honour_body":
                assert rule.repair_after_months is None
                continue
            low, high = window[tier]
            assert low <= rule.display_months <= high, (t.code, tier)
    blacklist = cat.record_type_map["WAGE_ARREARS_BLACKLIST"].tiers["serious"]
    assert (blacklist.display_months, blacklist.repair_after_months) == (36, 6)
    not_repairable = {t.code for t in cat.record_types if not t.repairable}
    assert not_repairable == {
        "FATAL_ACCIDENT_RESPONSIBLE",
        "FORCED_LABOUR",
        "HONOUR_PROVINCIAL_NATIONAL",
        "HONOUR_MUNICIPAL",
    }


def test_escalation_is_explicit_where_repeats_cost_more(cat) -> None:  # noqa: ANN001
    for item in cat.items:
        if isinstance(item.rule, RecordsRule) and item.kind == "deduct":
            one = max(abs(cat.record_type_map[c].tiers[t].points) for c in item.rule.types
                      for t in cat.record_type_map[c].tiers)  # fmt: skip
            if one < abs(item.points):  # a second record can still cost something: it must cost more
                assert item.rule.escalation < 0, item.code


def test_requires_links(cat) -> None:  # noqa: ANN001
    assert {i.code: i.requires for i in cat.items if i.requires} == REQUIRES


def test_applicability(cat) -> None:  # noqa: ANN001
    got = {
        i.code: (i.applies_when.field, i.applies_when.op, i.applies_when.value)
        for i in cat.items
        if i.applies_when is not None
    }
    assert got == APPLIES
    for code in APPLIES:
        item = cat.item(code)
        assert item.kind == "add" and item.applies_note_zh, code
    assert "第十一条" in cat.item("F1.1.1").applies_note_zh


def test_consistency_checks(cat) -> None:  # noqa: ANN001
    got = {c.code: (c.when.field, c.then.field) for c in cat.checks}
    assert got == CHECKS
    for check in cat.checks:
        assert check.message_zh
        assert (check.when.op, check.when.value, check.then.op, check.then.value) == ("==", 0, "==", 0)


def test_citations_fixed(cat) -> None:  # noqa: ANN001
    def basis(code: str) -> list[tuple[str, str]]:
        b = cat.item(code).legal_basis
        return [] if b == "none" else [(r.law_zh, r.article) for r in b]

    everything = [r for i in cat.items if i.legal_basis != "none" for r in i.legal_basis]
    everything += [r for t in cat.record_types if t.legal_basis != "none" for r in t.legal_basis]
    assert not [r for r in everything if r.law_zh == "劳动保障守法诚信等级评价办法"]  # the wrong title
    assert ("企业劳动保障守法诚信等级评价办法", "人社部规〔2016〕1号") in basis("C2.2.1")
    assert not [r for r in everything if r.law_zh == "劳动争议调解仲裁法" and r.article == "第五条"]
    assert cat.item("C2.1.2").legal_basis == "none"
    assert basis("C2.2.3")[0] == ("劳动保障监察条例", "第九条")
    social = {a for law, a in basis("D1.1.1") if law == "社会保险法"}
    assert social == {"第十条", "第二十三条", "第三十三条", "第四十四条", "第五十三条"}
    assert ("安全生产法", "第一百一十四条") in basis("D2.1.3")
    assert ("安全生产法", "第一百一十四条") in basis("D2.1.4")
    assert not [r for r in everything if r.law_zh == "劳动法" and r.article == "第七十六条"]
    assert not [r for r in everything if r.law_zh == "工会法" and r.article == "第十四条"]
    assert basis("F2.2.3") == [("工会法", "第五十二条"), ("工会法", "第五十三条")]
    assert basis("D3.1.4") == [("女职工劳动保护特别规定", "第六条"), ("女职工劳动保护特别规定", "第九条")]
    assert basis("D3.1.5") == [("女职工劳动保护特别规定", "第十一条")]
    assert basis("D2.2.3") == [("职业病防治法", "第三十三条")]
    assert basis("D2.1.5") == [("安全生产法", "第七条"), ("安全生产法", "第六十条")]
    assert cat.item("G2.2.2").legal_basis == "none" and "东海" in cat.item("G2.2.2").evidence_zh


def test_contract_rate_leaves_out_the_first_month(cat) -> None:  # noqa: ANN001
    for code in ("B1.1.1", "B1.1.2"):
        rule = cat.item(code).rule
        assert (rule.field, rule.per) == ("employees_past_first_month_with_contract", "employees_past_first_month")


def test_overtime_between_36_and_72_hours_costs_points(cat) -> None:  # noqa: ANN001
    rule = cat.item("B4.1.2").rule
    assert rule.type == "banded" and rule.field == "overtime_hours_max_monthly"
    points = {b.min: b.points for b in rule.bands}
    assert points[0] == 0 and min(m for m in points if m > 0) <= 36.1
    assert points[max(points)] == cat.item("B4.1.2").points


def test_regional_wage_agreement_counts(cat) -> None:  # noqa: ANN001
    item = cat.item("E3.2.1")
    assert item.reads == ["wage_agreement_covered"]
    assert "区域性" in cat.field_map["wage_agreement_covered"].description_zh


def test_every_field_and_item_is_documented(cat) -> None:  # noqa: ANN001
    for f in cat.fields:
        assert f.name_zh and f.name_en and f.description_zh, f.name
        if f.type != "bool":
            assert f.min is not None and f.unit_en is not None, f.name
    for item in cat.items:
        assert item.name_zh and item.name_en and item.evidence_zh, item.code
        assert item.legal_basis == "none" or all(b.law_zh and b.law_en and b.article for b in item.legal_basis)
    for t in cat.record_types:
        assert t.name_zh and t.name_en and t.description_zh, t.code


def test_changelog_covers_every_changed_item(cat) -> None:  # noqa: ANN001
    entry = next(e for e in cat.changelog if e.version == "2027.1")
    assert len(entry.changes_zh) == len(entry.changes_en)
    text = "\n".join(entry.changes_zh)
    assert "推断" in text and "满分" in text
    for code in RETIRED | NEW | set(REQUIRES) | set(APPLIES) | set(RED_LINE_TYPES.values()):
        assert code in text, code
    old = {i.code: i for i in load_catalogue("2026.1").items}
    for item in cat.items:
        before = old.get(item.code)
        if before is None or before.model_dump() != item.model_dump():
            assert item.code in text, f"{item.code} changed but the changelog does not say so"


def _facts(cat, rows: list[dict]) -> pd.DataFrame:  # noqa: ANN001
    frame = pd.DataFrame(rows)
    dtypes = {"bool": "boolean", "int": "Int64", "number": "Float64"}
    for column in frame.columns:
        field = cat.field_map.get(column)
        frame[column] = frame[column].astype(dtypes[field.type] if field else "Int64")
    return frame


def test_micro_firm_without_a_union_is_not_pushed_down(cat) -> None:  # noqa: ANN001
    row = {f.name: (False if f.type == "bool" else 0) for f in cat.fields}
    row.update(headcount=10, total_workforce=10, employees_past_first_month=10)
    result = score(cat, _facts(cat, [row]))
    points = dict(zip(cat.item_codes, result.points[0] / 10, strict=True))
    for code in ("F1.1.1", "F1.2.1", "F2.1.1", "F2.2.1", "B2.1.1", "B1.2.1"):
        assert points[code] == float(cat.item(code).points), code
    assert not result.gaps[0][[cat.item_codes.index(c) for c in APPLIES]].any()


def test_child_item_earns_nothing_without_its_parent(cat) -> None:  # noqa: ANN001
    row = {f.name: (True if f.type == "bool" else 1) for f in cat.fields}
    row.update(headcount=100, total_workforce=100, employees_past_first_month=100, union_members=100,
               union_fund_paid_ratio=1.0, union_established=False)  # fmt: skip
    result = score(cat, _facts(cat, [row]))
    points = dict(zip(cat.item_codes, result.points[0] / 10, strict=True))
    assert points["F1.1.1"] == 0
    assert points["F1.2.1"] == points["F2.1.1"] == points["F2.2.1"] == 0


def test_one_record_is_deducted_once_with_escalation_and_cap(cat) -> None:  # noqa: ANN001
    row = {f.name: (True if f.type == "bool" else 1) for f in cat.fields}
    row.update(headcount=100, total_workforce=100, employees_past_first_month=100)
    row.update(employees_past_first_month_with_contract=100, overtime_hours_max_monthly=20)
    row["record:WAGE_ARREARS_FINDING:general"] = 2
    row["record:FATAL_ACCIDENT_RESPONSIBLE:serious"] = 1
    result = score(cat, _facts(cat, [row]))
    points = dict(zip(cat.item_codes, result.points[0] / 10, strict=True))
    assert points["B3.1.2"] == -10  # -4 -4 and -2 for the second record
    assert points["D2.1.4"] == -10
    touched = [c for c, p in points.items() if p < 0 and cat.item(c).kind == "deduct"]
    assert sorted(touched) == ["B3.1.2", "D2.1.4"]
    assert bool(result.red_line[0]) and result.grade[0] == cat.lowest_grade
    assert np.all(result.points[0] <= 3000)
