"""One enterprise's submission through the service, and the form's drafts, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from lrc.errors import InputValidationError, PermissionDenied
from lrc.service import Filters, accounts, explain, load_results, ranking, results, verify_run
from lrc.service.forms import gains, layout, open_form, problems, save_draft, submit_form
from lrc.service.recent import Recent
from lrc.service.records import receive_objects
from lrc.service.submitting import submit
from tests.conftest import ADMIN, StoreBuild, module_store_build, scored_sample

PERIOD = "2026Q3"
OPEN = "2026Q4"  # still open for enterprise accounts


def _scored(engine: Engine, directory: Path) -> pd.DataFrame:
    """30 sample enterprises scored for two periods and an admin; returns the later period's sample."""
    for period in (PERIOD, OPEN):
        sample = scored_sample(engine, directory, 30, 5, period)
    accounts.add_user(engine, ADMIN, "boss", "admin", "boss-password")
    return sample


store_build = module_store_build(_scored, "scored")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, pd.DataFrame]:
    """A copy of the store of 30 sample enterprises scored for two periods, with an admin."""
    return engine, store_build.value(engine)


def values_of(sample: pd.DataFrame, k: int) -> dict:
    return {key: v for key, v in sample.iloc[k].to_dict().items() if not pd.isna(v)}


def test_a_submission_run_verifies_and_is_the_current_result(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    row = {**values_of(sample, 2), "employees_left": int(sample.iloc[2]["headcount"])}
    result = submit(engine, ADMIN, row, period=OPEN)
    assert result.changed and result.result_run_id is not None and result.version == 2
    assert verify_run(engine, ADMIN, result.result_run_id).reproduced
    assert float(explain(engine, ADMIN, result.uscc, OPEN, current=True).total) == result.total


def test_an_enterprise_account_is_bound_to_its_code_and_the_deadline(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    own = sample["uscc"].iloc[4]
    accounts.add_user(engine, accounts.acting(engine, "boss"), "firm", "enterprise", "firm-password", uscc=own)
    firm = accounts.acting(engine, "firm")
    assert submit(engine, firm, values_of(sample, 4), period=OPEN).uscc == own
    with pytest.raises(PermissionDenied, match="截止日期"):
        submit(engine, firm, values_of(sample, 4), period=PERIOD)
    with pytest.raises(InputValidationError) as outside:
        submit(engine, firm, values_of(sample, 5), period=OPEN)
    assert "权限范围" in outside.value.problems[0].reason
    with pytest.raises(InputValidationError) as late_and_outside:  # another's data: said as such, not as late
        submit(engine, firm, values_of(sample, 5), period=PERIOD)
    assert "权限范围" in late_and_outside.value.problems[0].reason


def test_drafts_are_kept_resumed_and_dropped_on_submit(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    boss = accounts.acting(engine, "boss")
    uscc = sample["uscc"].iloc[6]
    opened = open_form(engine, boss, uscc, OPEN)
    assert opened.source == "submission" and opened.values["headcount"] == int(sample.iloc[6]["headcount"])
    draft = {**opened.values, "headcount": 77}
    save_draft(engine, boss, OPEN, draft)
    again = open_form(engine, boss, uscc, OPEN)
    assert again.source == "draft" and again.values["headcount"] == 77
    result = submit_form(engine, boss, OPEN, again.values)
    assert result.changed and open_form(engine, boss, uscc, OPEN).source == "submission"


def test_problems_name_the_field_and_layout_covers_every_field(store: tuple[Engine, pd.DataFrame]) -> None:
    engine, sample = store
    values = {**values_of(sample, 1), "employees_tenure_3y_plus": 10**6}
    found = problems(values, OPEN)
    assert list(found) == ["employees_tenure_3y_plus"] and "不能大于" in found["employees_tenure_3y_plus"][0]
    from indicators import load_catalogue

    catalogue = load_catalogue()
    groups = layout(catalogue)
    names = [f.name for g in groups for f in g.fields]
    assert sorted(names) == sorted([*["uscc", "name", "region_code", "industry", "size", "ownership"],
                                    *[f.name for f in catalogue.fields]])  # fmt: skip
    assert [g.name for g in groups][0] == "基本信息"
    assert {g.code for g in groups[1:]} <= {n.code for n in catalogue.level1}  # areas with fields, in order


def test_gains_are_what_reporting_a_gap_could_bring() -> None:
    items = [
        {"code": "A", "name_zh": "a", "gap": True, "kind": "add", "max_points": 2.0, "points": 0.0, "reads": []},
        {"code": "B", "name_zh": "b", "gap": True, "kind": "deduct", "max_points": -3.0, "points": -3.0, "reads": []},
        {"code": "C", "name_zh": "c", "gap": False, "kind": "add", "max_points": 5.0, "points": 0.0, "reads": []},
    ]
    assert [(g["code"], g["gain"]) for g in gains(items)] == [("B", 3.0), ("A", 2.0)]


def test_the_answered_rank_is_the_ranking_after_every_kind_of_change(store: tuple[Engine, pd.DataFrame]) -> None:
    """The rank a submission answers is read incrementally (the runs since the last call only); it must
    equal the published ranking however submissions and records move other enterprises past it."""
    engine, sample = store
    _, frame = ranking(engine, ADMIN, OPEN, Filters())
    by_code = {u: k for k, u in enumerate(sample["uscc"])}
    top, second, third = (by_code[u] for u in frame["uscc"].iloc[[0, 1, 2]])
    worse = {"wages_paid_on_time_in_full": False, "social_insurance_paid_on_time": False, "wage_ledger_kept": False}
    steps = [(third, {}), (top, worse), (third, {"employees_left": 0}), (second, None), (third, {})]
    ranks = []
    for k, change in steps:
        if change is None:  # the second best falls behind by a record, not a submission
            accident = {"uscc": sample["uscc"].iloc[k], "type": "FATAL_ACCIDENT_RESPONSIBLE", "workers": 1,
                        "date": "2026-10-02", "source": "沈阳市应急管理局", "ref": "沈应急罚〔2026〕1号",
                        "severity": "严重"}  # fmt: skip
            receive_objects(engine, ADMIN, [accident])
            continue
        answered = submit(engine, ADMIN, {**values_of(sample, k), **change}, period=OPEN)
        _, frame = ranking(engine, ADMIN, OPEN, Filters())
        published = frame.set_index("uscc").loc[answered.uscc]
        assert (answered.province_rank, answered.enterprises) == (int(published["province_rank"]), len(frame))
        assert answered.total == float(published["total"])
        if k == third:
            ranks.append(answered.province_rank)
    assert ranks[0] > ranks[-1]  # the others did move past it


@pytest.mark.parametrize("user", ["boss", "dl"])
def test_a_kept_ranking_updated_run_by_run_equals_one_read_afresh(
    store: tuple[Engine, pd.DataFrame], monkeypatch: pytest.MonkeyPatch, user: str
) -> None:
    engine, sample = store
    boss = accounts.acting(engine, "boss")
    accounts.add_user(engine, boss, "dl", "analyst", "dalian-pass", region="210200")
    who = accounts.acting(engine, user)
    load_results(engine, who, OPEN)  # kept from here on
    dalian = [k for k, r in enumerate(sample["region_code"]) if str(r).startswith("2102")][:1] or [0]
    for step, k in enumerate([*dalian, 5, *dalian]):
        submit(engine, boss, {**values_of(sample, k), "employees_left": step}, period=OPEN)
    receive_objects(engine, boss, [{"uscc": sample["uscc"].iloc[5], "type": "FATAL_ACCIDENT_RESPONSIBLE",
                                    "workers": 1, "date": "2026-10-03", "source": "沈阳市应急管理局",
                                    "ref": "沈应急罚〔2026〕9号", "severity": "严重"}])  # fmt: skip
    _, kept = load_results(engine, who, OPEN)
    monkeypatch.setattr(results, "_LOADED", Recent())
    _, fresh = load_results(engine, who, OPEN)
    pd.testing.assert_frame_equal(kept, fresh)
    assert len(fresh) and (user == "boss" or set(fresh["city_code"]) == {"210200"})
