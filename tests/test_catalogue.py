"""The catalogue is data: its shape, its validation and its pinned content."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

from indicators import CATALOGUE_DIR, available_versions, load_catalogue, parse_catalogue
from lrc.errors import CatalogueError

# Any change to a catalogue file changes its hash. Change the content, bump the version
# (new file + changelog entry), then add the new hash here; never edit a released hash.
PINNED = {
    "2026.1": "e3950465ea967dfe21392136f98c18ac773f25b8502e54ac885be49908681bb3",
    "2027.1": "41a8c540632e658038bc946c265a09d1f6f2343eb163ce701675aebff6b5ed5b",
}


def raw(version: str = "2026.1") -> dict[str, Any]:
    return yaml.safe_load((CATALOGUE_DIR / f"{version}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", available_versions())
def test_released_catalogues_are_pinned(version: str) -> None:
    assert load_catalogue(version).content_hash == PINNED.get(version), (
        f"catalogue {version} changed: bump the version instead of editing a released catalogue"
    )


def test_tree_is_8_20_33_75_with_the_seed_items() -> None:
    cat = load_catalogue()
    assert [len(cat.level1), len(cat.level2), len(cat.level3), len(cat.items)] == [8, 20, 33, 75]
    assert [n.name_zh for n in cat.level1] == [
        "企业基本信息", "依法用工", "调解机制", "劳动保障机制", "民主管理", "工会组织", "社会责任", "荣誉及惩戒",
    ]  # fmt: skip
    seeds = {i.name_zh: (i.kind, float(i.points)) for i in cat.items}
    assert seeds["劳动合同签订率达100%"] == ("add", 2.0)
    assert seeds["按时足额发放职工工资"] == ("add", 4.0)
    assert seeds["将连续用工期限分割订立数个短期劳务派遣协议"] == ("deduct", -5.0)
    assert cat.max_total == 100


def test_every_item_is_documented() -> None:
    for item in load_catalogue().items:
        assert item.name_zh and item.name_en and item.evidence_zh, item.code
        assert item.legal_basis == "none" or all(b.law_zh and b.article for b in item.legal_basis), item.code


def test_catalogue_json_lists_every_item() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "from lrc.cli import main; main()", "catalogue", "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert [i["code"] for i in data["items"]] == load_catalogue().item_codes


def broken(mutate) -> str:  # noqa: ANN001
    doc = copy.deepcopy(raw())
    mutate(doc)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(doc)
    return str(caught.value)


def test_an_unknown_field_on_an_item_is_rejected_by_code() -> None:
    message = broken(lambda d: d["items"][4].update(weight=3))
    assert d_code(4) in message and "weight" in message


def d_code(k: int) -> str:
    return raw()["items"][k]["code"]


def test_a_duplicate_code_is_rejected() -> None:
    def dup(d: dict) -> None:
        d["items"][1]["code"] = d["items"][0]["code"]

    assert "duplicate" in broken(dup)


def test_a_tree_that_is_not_8_20_33_75_is_rejected() -> None:
    assert "expected 75" in broken(lambda d: d["items"].pop())


def test_an_impossible_threshold_is_rejected() -> None:
    def impossible(d: dict) -> None:
        item = next(i for i in d["items"] if i["rule"]["type"] == "threshold" and i["rule"].get("per"))
        item["rule"]["value"] = -1.0
        item["rule"]["op"] = "<"

    message = broken(impossible)
    assert "never be met" in message


def test_a_rule_reading_an_unknown_field_is_rejected() -> None:
    def unknown(d: dict) -> None:
        d["items"][0]["rule"]["field"] = "no_such_field"

    assert "no_such_field" in broken(unknown)


def test_points_with_the_wrong_sign_are_rejected() -> None:
    def flip(d: dict) -> None:
        item = next(i for i in d["items"] if i["kind"] == "add" and i["rule"]["type"] == "flag")
        item["points"] = -item["points"]

    assert "positive points" in broken(flip)


def test_a_red_line_must_deduct() -> None:
    def red(d: dict) -> None:
        next(i for i in d["items"] if i["kind"] == "add")["red_line"] = True

    assert "red line" in broken(red)


def test_a_count_without_a_lower_bound_is_rejected() -> None:
    def unbounded(d: dict) -> None:
        item = next(i for i in d["items"] if i["rule"]["type"] == "per_occurrence")
        field = next(f for f in d["fields"] if f["name"] == item["rule"]["field"])
        field.pop("min", None)

    assert "non-negative int field" in broken(unbounded)


def test_a_grade_threshold_must_be_whole_tenths() -> None:
    assert "multiple of 0.1" in broken(lambda d: d["grades"][0].update(min_total=84.95))


def test_the_hash_survives_a_model_that_gains_an_optional_field() -> None:
    cat = load_catalogue()
    stored = json.loads(cat.canonical_json())
    headcount = next(f for f in stored["fields"] if f["name"] == "headcount")
    assert "at_most" not in headcount  # defaults are not part of the stored form
    assert parse_catalogue(stored).content_hash == cat.content_hash
