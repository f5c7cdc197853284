"""Records: each costs exactly what its type declares, is stored once, re-scores its enterprise at
once (and only it), counts while its display window is open, and verifies; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from indicators import load_catalogue
from indicators.record_types import record_column
from lrc.errors import InputValidationError
from lrc.samples import generate, write_sample
from lrc.service import explain, ingest_file, ranking, score_period, verify_run
from lrc.service.record_views import list_records, record_type_table
from lrc.service.records import add_record, ingest_records
from lrc.times import today_in_china
from lrc.uscc import make_uscc
from scoring import score
from scoring.naive import score_rows
from scoring.records import display_until, live_rows, live_vector
from tests.conftest import ADMIN, StoreBuild, module_store_build
from tests.facts_strategies import enterprise_facts, frame

CAT = load_catalogue("2027.1")
TERMS = [(kind, tier, rule) for kind in CAT.record_types for tier, rule in kind.tiers.items()]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COUNT_COLUMNS = sorted({c for item in CAT.items for c, _ in CAT.record_terms(item)})
PERIOD = "2026Q3"
TODAY = today_in_china()


# ---- the engine ----------------------------------------------------------------------------


@SETTINGS
@given(enterprise_facts(CAT), st.sampled_from(TERMS))
def test_a_single_record_costs_exactly_what_its_type_declares(facts: dict, term: tuple) -> None:
    kind, tier, rule = term
    base = frame([facts], CAT)
    with_record = base.assign(**{record_column(kind.code, tier): 1})
    before, after = score(CAT, base), score(CAT, with_record)
    assert int(after.total[0] - before.total[0]) == rule.points_tenths
    changed = np.flatnonzero(after.points[0] != before.points[0])
    assert [CAT.items[j].code for j in changed] == [kind.item]  # one item only: never deducted twice
    assert bool(after.red_line[0]) == (bool(before.red_line[0]) or kind.red_line)


counts = st.fixed_dictionaries({c: st.integers(0, 3) for c in COUNT_COLUMNS})


@SETTINGS
@given(st.lists(st.tuples(enterprise_facts(CAT), counts), min_size=1, max_size=8))
def test_engine_and_row_by_row_agree_with_records(rows: list[tuple[dict, dict]]) -> None:
    """The SQL (DuckDB, PostgreSQL, Spark) is held to the engine with record counts in test_differential."""
    merged = [{**facts, **tally} for facts, tally in rows]
    data = frame([f for f, _ in rows], CAT).assign(**{c: [t[c] for _, t in rows] for c in COUNT_COLUMNS})
    result = score(CAT, data)
    naive = score_rows(CAT, merged)
    assert [t for t, _, _ in naive] == result.total.tolist()
    assert [g for _, _, g in naive] == result.grade.tolist()
    assert [r for _, r, _ in naive] == result.red_line.tolist()


def test_escalation_and_cap_are_explicit() -> None:
    item = next(i for i in CAT.items if i.rule.type == "records" and i.rule.escalation)
    column, each = CAT.record_terms(item)[0]
    for n in range(6):
        facts = frame([{"headcount": 10}], CAT).assign(**{column: n})
        expected = max(item.points_tenths, n * each + max(n - 1, 0) * int(item.rule.escalation * 10))
        assert int(score(CAT, facts).points[0, CAT.item_codes.index(item.code)]) == expected


def test_non_applicable_items_earn_full_marks_and_are_no_gap() -> None:
    item = next(i for i in CAT.items if i.applies_when is not None and i.kind == "add")
    condition = item.applies_when
    assert condition is not None
    outside = condition.value - 1 if condition.op in (">=", ">") else condition.value + 1
    facts = frame([{"headcount": 30, condition.field: max(outside, 0)}], CAT)
    result = score(CAT, facts)
    j = CAT.item_codes.index(item.code)
    assert result.not_applicable is not None and result.not_applicable[0, j]
    assert int(result.points[0, j]) == item.points_tenths and not result.gaps[0, j]


def test_a_child_earns_nothing_without_its_parent() -> None:
    child = next(i for i in CAT.items if i.requires)
    parent = CAT.item(child.requires or "")
    facts = {f.name: None for f in CAT.fields} | {"headcount": 100}
    for name in child.reads:
        field = CAT.field_map[name]
        facts[name] = True if field.type == "bool" else (field.max or 100)
    result = score(CAT, frame([facts], CAT))
    assert result.gaps[0, CAT.item_codes.index(parent.code)]  # parent not reported: the child is a gap too
    assert result.gaps[0, CAT.item_codes.index(child.code)]
    assert int(result.points[0, CAT.item_codes.index(child.code)]) == 0


def test_record_types_json_shape() -> None:
    table = [t.model_dump(mode="json") for t in record_type_table(CAT)]
    fatal = next(t for t in table if t["code"] == "FATAL_ACCIDENT_RESPONSIBLE")
    assert fatal["red_line"] is True and fatal["items"] == ["D2.1.4"]
    for entry in table:
        assert set(entry) >= {"code", "name_zh", "source_kind", "tiers", "items", "points", "display_years",
                              "repairable", "red_line"}  # fmt: skip
        assert all(p != 0 for p in entry["points"].values())


# ---- the store ------------------------------------------------------------------------------


def _scored(engine: Engine, directory: Path) -> list[str]:
    """30 sample enterprises for 2026Q2 and 2026Q3, scored with 2027.1; returns their codes."""
    usccs: list[str] = []
    for period in ("2026Q2", PERIOD):
        sample = generate(30, seed=21, period=period, catalogue=CAT)
        path = directory / f"{period}.csv"
        write_sample(sample, path)
        ingest_file(engine, ADMIN, path, period, catalogue=CAT)
        score_period(engine, ADMIN, period, catalogue=CAT)
        usccs = sample["uscc"].tolist()
    return usccs


store_build = module_store_build(_scored, "scored")


@pytest.fixture
def scored(engine: Engine, store_build: StoreBuild) -> tuple[Engine, list[str]]:
    """A copy of the scored store: 30 sample enterprises for 2026Q2 and 2026Q3, scored with 2027.1."""
    return engine, store_build.value(engine)


def fatal(uscc: str, ref: str = "辽应急罚〔2026〕7号", when: date | None = None) -> dict[str, str]:
    decided = when or (TODAY - timedelta(days=30))
    return {"uscc": uscc, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": decided.isoformat(),
            "source": "沈阳市应急管理局", "ref": ref, "severity": "严重", "workers": "1"}  # fmt: skip


def test_a_fatal_accident_makes_grade_d_at_once_and_verifies(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    target = usccs[0]
    _, before = ranking(engine, ADMIN, PERIOD)
    summary = add_record(engine, ADMIN, fatal(target, when=date(2026, 9, 1)), catalogue=CAT)
    assert summary.id is not None and summary.stored == [summary.id]
    assert [(r.uscc, r.period, r.grade, r.red_line) for r in summary.results] == [(target, PERIOD, "D", True)]
    _, ranked = ranking(engine, ADMIN, PERIOD)
    row = ranked.loc[ranked["uscc"] == target].iloc[0]
    assert row["grade"] == "D" and bool(row["red_line"])
    others = ranked[ranked["uscc"] != target].set_index("uscc")[["total", "grade"]]
    unchanged = before[before["uscc"] != target].set_index("uscc")[["total", "grade"]]
    pd.testing.assert_frame_equal(others.sort_index(), unchanged.sort_index())  # nobody else moved or left
    e = explain(engine, ADMIN, target, PERIOD)
    assert e.red_line and "D2.1.4" in e.red_line_items and e.cause_record_id == summary.id
    record = next(r for r in e.records if r["id"] == summary.id)
    assert record["counted"] and record["display_until"] == "2029-09-01" and record["ref"] == "辽应急罚〔2026〕7号"
    item = next(i for i in e.items if i["code"] == "D2.1.4")
    assert item["records"] == [summary.id] and "辽应急罚〔2026〕7号" in item["provenance"]
    assert all(verify_run(engine, ADMIN, r.run_id).reproduced for r in summary.results)


def test_a_record_counts_for_every_period_ending_in_its_window(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    summary = add_record(engine, ADMIN, fatal(usccs[1], when=date(2026, 5, 10)), catalogue=CAT)
    assert sorted(r.period for r in summary.results) == ["2026Q2", PERIOD]
    assert all(r.grade == "D" and r.red_line for r in summary.results)
    assert all(verify_run(engine, ADMIN, r.run_id).reproduced for r in summary.results)
    full = score_period(engine, ADMIN, PERIOD, catalogue=CAT)  # a new full run keeps counting it
    assert verify_run(engine, ADMIN, full.run_id).reproduced
    assert explain(engine, ADMIN, usccs[1], PERIOD).grade == "D"


def test_a_second_delivery_is_a_no_op_and_a_changed_one_is_refused(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    first = add_record(engine, ADMIN, fatal(usccs[2]), catalogue=CAT)
    again = add_record(engine, ADMIN, fatal(usccs[2]), catalogue=CAT)
    assert again.stored == [] and again.already == first.stored and again.results == []
    changed = fatal(usccs[2]) | {"workers": "3"}
    with pytest.raises(InputValidationError) as same:
        add_record(engine, ADMIN, changed, catalogue=CAT)
    assert f"已存记录 #{first.stored[0]} 相同但内容不同" in same.value.problems[0].reason
    with pytest.raises(InputValidationError) as other:  # another enterprise's record: not numbered nor described
        add_record(engine, ADMIN, fatal(usccs[3]), catalogue=CAT)
    assert "已用于另一家企业的记录" in other.value.problems[0].reason and "#" not in other.value.problems[0].reason
    assert len(list_records(engine, ADMIN, uscc=usccs[2], catalogue=CAT)) == 1


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"uscc": "91210100MA0000001X"}, "uscc"),
        ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"type": "NO_SUCH_TYPE"}, "type"),
        ({"severity": "轻微"}, "severity"),
        ({"source": ""}, "source"),
        ({"ref": "文号\x00"}, "ref"),
    ],
)
def test_bad_records_are_refused_with_their_column(
    scored: tuple[Engine, list[str]], change: dict[str, str], column: str
) -> None:
    engine, usccs = scored
    with pytest.raises(InputValidationError) as caught:
        add_record(engine, ADMIN, fatal(usccs[3]) | change, catalogue=CAT)
    assert [p.column for p in caught.value.problems] == [column]
    assert list_records(engine, ADMIN, catalogue=CAT) == []


def test_an_expired_record_is_stored_but_scores_nothing(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    old = {"uscc": usccs[4], "type": "LABOUR_PENALTY", "date": "2019-03-01", "source": "沈阳市人社局",
           "ref": "沈人社罚〔2019〕1号", "severity": "一般"}  # fmt: skip
    summary = add_record(engine, ADMIN, old, catalogue=CAT)
    assert summary.stored and summary.results == []
    [listed] = list_records(engine, ADMIN, uscc=usccs[4], catalogue=CAT)
    assert not listed.live and "已过显示期" in listed.status_zh
    e = explain(engine, ADMIN, usccs[4], PERIOD)
    assert any(r["id"] == listed.id and not r["counted"] and "已过显示期" in r["status_zh"] for r in e.records)


def test_a_record_file_is_all_or_nothing(scored: tuple[Engine, list[str]], tmp_path: Path) -> None:
    engine, usccs = scored
    rows = [
        {"统一社会信用代码": usccs[5], "记录类型": "劳动保障行政处罚", "决定日期": "2026-07-01",
         "决定机关": "大连市人社局", "文书编号": f"大人社罚〔2026〕{k}号", "严重程度": "一般"}
        for k in range(3)
    ]  # fmt: skip
    kind = next(t for t in CAT.record_types if t.code == "LABOUR_PENALTY")
    for row in rows:
        row["记录类型"] = kind.name_zh
    bad = [*rows, {**rows[0], "文书编号": "x", "决定日期": "明天"}]
    path = tmp_path / "records.csv"
    pd.DataFrame(bad).to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(InputValidationError) as caught:
        ingest_records(engine, ADMIN, path, catalogue=CAT)
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "决定日期")]
    assert list_records(engine, ADMIN, catalogue=CAT) == []
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    summary = ingest_records(engine, ADMIN, path, catalogue=CAT)
    assert len(summary.stored) == 3 and {r.uscc for r in summary.results} == {usccs[5]}
    assert ingest_records(engine, ADMIN, path, catalogue=CAT).stored == []


def test_a_refused_record_file_names_its_unknown_enterprises_with_its_other_problems(
    scored: tuple[Engine, list[str]], tmp_path: Path
) -> None:
    """One round of corrections: a file refused for a bad date also names the rows whose enterprise the store
    does not hold (before, those came only once every other problem was mended)."""
    engine, usccs = scored
    stranger = "91210100MA0XXXXX1" + "0"  # well formed, not in the store
    kind = next(t for t in CAT.record_types if t.code == "LABOUR_PENALTY")
    row = {"统一社会信用代码": usccs[5], "记录类型": kind.name_zh, "决定日期": "2026-07-01",
           "决定机关": "大连市人社局", "文书编号": "大人社罚〔2026〕1号", "严重程度": "一般"}  # fmt: skip
    rows = [row, {**row, "文书编号": "2号", "决定日期": "明天"},
            {**row, "文书编号": "3号", "统一社会信用代码": stranger},
            {**row, "文书编号": "4号", "统一社会信用代码": stranger.lower(), "决定日期": "2026-13-01"}]  # fmt: skip
    path = tmp_path / "records.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(InputValidationError) as caught:
        ingest_records(engine, ADMIN, path, catalogue=CAT)
    found = [(p.row, p.column, p.value) for p in caught.value.problems]
    assert found == [(3, "决定日期", "明天"), (4, "统一社会信用代码", stranger), (5, "决定日期", "2026-13-01"),
                     (5, "统一社会信用代码", stranger.lower())]  # fmt: skip
    assert "库中没有该企业" in caught.value.problems[1].reason
    with pytest.raises(InputValidationError) as alone:  # the store is asked only of a refused file
        add_record(engine, ADMIN, fatal(stranger), catalogue=CAT)
    assert [p.column for p in alone.value.problems] == ["uscc"]
    mistyped = usccs[5][:-1] + ("0" if usccs[5][-1] != "0" else "1")  # a known code, its check character wrong
    with pytest.raises(InputValidationError) as typo:  # said first: the likelier cause than an unknown firm
        add_record(engine, ADMIN, fatal(mistyped), catalogue=CAT)
    said = typo.value.problems[0].reason
    assert said.startswith("校验码(第 18 位)错误") and "库中没有该企业" in said
    assert list_records(engine, ADMIN, catalogue=CAT) == []


def test_a_records_file_with_a_title_above_its_header_is_one_problem(
    scored: tuple[Engine, list[str]], tmp_path: Path
) -> None:
    engine, usccs = scored
    kind = next(t for t in CAT.record_types if t.code == "LABOUR_PENALTY")
    row = {"统一社会信用代码": usccs[5], "记录类型": kind.name_zh, "决定日期": "2026-07-01",
           "决定机关": "大连市人社局", "文书编号": "大人社罚〔2026〕9号", "严重程度": "一般"}  # fmt: skip
    path = tmp_path / "records.csv"
    path.write_text("2026 年劳动保障监察记录\n" + pd.DataFrame([row]).to_csv(index=False), encoding="utf-8")
    with pytest.raises(InputValidationError) as caught:
        ingest_records(engine, ADMIN, path, catalogue=CAT)
    [problem] = caught.value.problems
    assert problem.row == 1 and "第 2 行才是列名,请删除其上方的 1 行" in problem.reason
    assert list_records(engine, ADMIN, catalogue=CAT) == []


def test_records_are_append_only(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    add_record(engine, ADMIN, fatal(usccs[6]), catalogue=CAT)
    for statement in (
        "UPDATE records SET tier = 'minor'", "DELETE FROM records", "UPDATE records SET delivery_id = NULL",
        "UPDATE record_deliveries SET stored = 0", "DELETE FROM record_deliveries",
    ):  # fmt: skip
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_two_records_at_the_same_moment_are_both_applied(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    target = usccs[7]
    when = date(2026, 8, 1)
    records = [
        {"uscc": target, "type": "LABOUR_PENALTY", "date": when.isoformat(), "source": f"机关{k}",
         "ref": f"罚〔2026〕{k}号", "severity": "一般"}
        for k in range(2)
    ]  # fmt: skip
    barrier, errors = threading.Barrier(2), []

    def deliver(values: dict[str, str]) -> None:
        try:
            barrier.wait()
            add_record(engine, ADMIN, values, catalogue=CAT)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(r,)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    e = explain(engine, ADMIN, target, PERIOD)
    counted = {r["ref"] for r in e.records if r["counted"]}
    assert counted == {"罚〔2026〕0号", "罚〔2026〕1号"}


def test_list_records_json_round_trips(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    add_record(engine, ADMIN, fatal(usccs[8]), catalogue=CAT)
    listed = [r.model_dump(mode="json") for r in list_records(engine, ADMIN, uscc=usccs[8], catalogue=CAT)]
    assert json.loads(json.dumps(listed, ensure_ascii=False))[0]["type"] == "FATAL_ACCIDENT_RESPONSIBLE"


def test_each_record_shows_what_it_really_cost(scored: tuple[Engine, list[str]]) -> None:
    engine, usccs = scored
    for k in range(5):
        values = {"uscc": usccs[9], "type": "WAGE_ARREARS_FINDING", "date": f"2026-08-0{k + 1}",
                  "source": "营口市人社局", "ref": f"营人社监〔2026〕{k}号", "severity": "一般"}  # fmt: skip
        add_record(engine, ADMIN, values, catalogue=CAT)
    e = explain(engine, ADMIN, usccs[9], PERIOD)
    item = next(i for i in e.items if i["code"] == "B3.1.2")
    costs = [r["cost"] for r in e.records if r["counted"]]
    assert sum(costs) == item["points"] == float(CAT.item("B3.1.2").points)  # the cap
    assert costs[0] == -4 and costs[-1] == 0 and "已达上限" in e.records[-1]["status_zh"]


def test_a_record_re_scores_what_was_scored_not_a_newer_submission(
    scored: tuple[Engine, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lrc.service.records as records_service

    monkeypatch.setattr(records_service, "today_in_china", lambda: date(2026, 10, 1))  # delivered while shown
    engine, usccs = scored
    target = usccs[10]
    sample = generate(30, seed=21, period=PERIOD, catalogue=CAT)
    sample.loc[sample["uscc"] == target, "employee_roster_kept"] = pd.array([False], dtype="boolean")
    path = tmp_path / "resubmitted.csv"
    write_sample(sample, path)
    ingest_file(engine, ADMIN, path, PERIOD, catalogue=CAT)  # a new version, not yet scored
    before = explain(engine, ADMIN, target, PERIOD)
    values = {"uscc": target, "type": "CORRECTION_ORDER", "date": "2026-08-10", "source": "盘锦市人社局",
              "ref": "盘人社监〔2026〕1号"}  # fmt: skip
    [result] = add_record(engine, ADMIN, values, catalogue=CAT).results
    declared = float(CAT.record_type_map["CORRECTION_ORDER"].tiers["minor"].points)
    assert round(result.total - float(before.total), 1) == declared  # the record's cost alone


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([*[(k.code, t) for k, t, _ in TERMS], ("UNKNOWN_TYPE", "general")]),
                  st.dates(date(2018, 1, 1), date(2028, 12, 31))),  # fmt: skip
        min_size=1,
        max_size=30,
    ),
    as_of=st.dates(date(2019, 1, 1), date(2028, 12, 31)),
)
def test_windowing_one_by_one_agrees_with_the_vector_path(rows: list, as_of: date) -> None:
    records = pd.DataFrame(
        {"type": [k for (k, _), _ in rows], "tier": [t for (_, t), _ in rows], "decision_date": [d for _, d in rows]}
    )
    assert live_rows(CAT, records, as_of).tolist() == live_vector(CAT, records, as_of).tolist()


@settings(max_examples=300, deadline=None)
@given(decided=st.dates(date(1990, 1, 1), date(2090, 12, 31)), months=st.integers(0, 240))
def test_a_display_window_ends_as_pandas_adds_months(decided: date, months: int) -> None:
    """The one-by-one path's month arithmetic (clamped to the month's end, 31 Jan + 1 month = 28/29 Feb) is
    pandas' ``DateOffset``, which the vector path uses."""
    assert display_until(decided, months) == (pd.Timestamp(decided) + pd.DateOffset(months=months)).date()


def test_results_do_not_depend_on_the_order_periods_are_scored_in(tmp_path: Path) -> None:
    """History loaded in order (four quarters, records up to today) and only the last two quarters scored give
    the same results for those two: an old quarter scored late is history, so it keeps the records of its own
    window and starts no expiry (its expiry closures wiped live records from it and from every later quarter)."""
    from lrc.periods import period_range
    from lrc.samples.panel import generate_panel
    from lrc.samples.records import write_records
    from lrc.store import make_engine, upgrade

    last = f"{(TODAY - timedelta(days=92)).year}Q{((TODAY - timedelta(days=92)).month - 1) // 3 + 1}"
    first = f"{int(last[:4]) - 1}Q{last[5]}"
    periods = period_range(f"{first}..{last}")[1:]  # four quarters: the two oldest are history today
    panel = generate_panel(80, seed=77, periods=periods, today=TODAY, catalogue=CAT)
    for period, sample in panel.frames.items():
        write_sample(sample, tmp_path / f"{period}.csv")
    write_records(panel.records, tmp_path / "records.csv")
    ranks = {}
    for name, scored_periods in (("all", periods), ("last-two", periods[-2:])):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        for period in periods:
            ingest_file(engine, ADMIN, tmp_path / f"{period}.csv", period, catalogue=CAT)
        ingest_records(engine, ADMIN, tmp_path / "records.csv", catalogue=CAT)
        for period in scored_periods:
            score_period(engine, ADMIN, period, catalogue=CAT)
        ranks[name] = {p: ranking(engine, ADMIN, p)[1].set_index("uscc")["total"].to_dict() for p in periods[-2:]}
        if name == "all":
            with engine.connect() as conn:
                kinds = conn.execute(text("SELECT period, kind FROM score_runs ORDER BY id")).all()
            assert [k for p, k in kinds if p in periods[:2]] == ["period"] * 2  # history: nothing closed there
        engine.dispose()
    assert ranks["all"] == ranks["last-two"]


def test_periods_loaded_at_once_give_the_same_results_in_any_scoring_order(tmp_path: Path) -> None:
    """Five quarters up to today's, loaded at once with their records, scored oldest first, newest first and
    in a mixed order, or with the records delivered after every quarter was scored: once the expiry has run
    (each period run starts with it, the housekeeping runs it every hour), the same results in every quarter.
    Scored in any order, or with the records delivered last, an expiry afterwards changes no result: a quarter
    scored before any other, or a delivery's rescoring, once counted records whose display had ended already,
    until the next expiry run, and a publication made in between froze them.
    Before, a quarter that was the newest scored for a while had records expired by today closed from its
    first day, and kept that when later quarters came (20 of 243 enterprises differed, 4 in grade)."""
    from lrc.periods import period_range
    from lrc.samples.panel import generate_panel
    from lrc.samples.records import write_records
    from lrc.service.closures import expire
    from lrc.store import make_engine, upgrade

    now = f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"
    periods = period_range(f"{int(now[:4]) - 1}Q{now[5]}..{now}")
    panel = generate_panel(150, seed=99, periods=periods, today=TODAY, catalogue=CAT)
    for period, sample in panel.frames.items():
        write_sample(sample, tmp_path / f"{period}.csv")
    write_records(panel.records, tmp_path / "records.csv")
    orders = {"oldest": periods, "newest": periods[::-1], "mixed": [periods[i] for i in (2, 0, 4, 1, 3)]}
    totals = {}
    for name, order in [*orders.items(), ("records-last", periods)]:
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        for period in periods:
            ingest_file(engine, ADMIN, tmp_path / f"{period}.csv", period, catalogue=CAT)
        if name != "records-last":
            ingest_records(engine, ADMIN, tmp_path / "records.csv", catalogue=CAT)
        for period in order:
            score_period(engine, ADMIN, period, catalogue=CAT)
        if name == "records-last":
            ingest_records(engine, ADMIN, tmp_path / "records.csv", catalogue=CAT)
        else:  # each period run closed what had expired before it scored, whether or not a result counted it yet
            before = {p: ranking(engine, ADMIN, p)[1].set_index("uscc")[["total", "grade"]].to_dict("index")
                      for p in periods}  # fmt: skip
        rescored = expire(engine, ADMIN, catalogue=CAT).results
        assert not rescored, (name, rescored[:3])
        totals[name] = {
            p: ranking(engine, ADMIN, p)[1].set_index("uscc")[["total", "grade"]].to_dict("index") for p in periods
        }
        assert name == "records-last" or totals[name] == before, name
        engine.dispose()
    for name in ("newest", "mixed", "records-last"):
        for period in periods:
            assert totals[name][period] == totals["oldest"][period], (name, period)


def test_decision_dates_as_excel_exports_them_and_days_that_do_not_exist() -> None:
    from lrc.ingest.records import impossible_date, parse_date

    for written in ("2026-08-06", "2026/8/6", "2026年8月6日", "2026-08-06 00:00:00", "2026-08-06T00:00",
                    "2026-08-06 0:00"):  # fmt: skip
        assert parse_date(written) == date(2026, 8, 6), written
    assert parse_date("2026-08-06 13:45:00") is None  # a time of day is not a decision date
    assert parse_date("2026-02-30") is None and impossible_date("2026-02-30")
    assert not impossible_date("明天") and not impossible_date("2026-08-06")


def test_record_headers_as_people_write_them_and_a_missing_column_said_once(tmp_path: Path) -> None:
    from lrc.ingest.readers import read_table
    from lrc.ingest.records import check_records

    uscc = make_uscc("210102", "MA0ABCDE")
    kind = next(t for t in CAT.record_types if t.code == "LABOUR_PENALTY")
    rows = [{"统一社会信用代码": uscc, "类型": kind.name_zh, "决定日期": "2026-07-01", "决定机关": "大连市人社局",
             "文书编号": f"大人社罚〔2026〕{k}号", "严重程度": "一般", "涉及金额（元）": "1,200"}
            for k in (1, 2)]  # fmt: skip
    path = tmp_path / "r.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    read = check_records(read_table(path), CAT)
    assert [(r.type, r.amount) for r in read] == [("LABOUR_PENALTY", 1200.0)] * 2
    pd.DataFrame(rows).drop(columns=["类型"]).to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(InputValidationError) as caught:
        check_records(read_table(path), CAT)
    assert [p.reason for p in caught.value.problems] == ["缺少必填列 (required column missing)"]


def test_a_record_stored_as_typed_by_an_earlier_version_is_found_under_its_one_spelling(
    scored: tuple[Engine, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before document numbers were read in one spelling, [2026]b7 was kept as typed: delivered again now it
    is the same record (it was stored, and deducted, a second time)."""
    import lrc.ingest.records as reading
    from lrc.normalise import ascii_form

    engine, usccs = scored
    typed = fatal(usccs[6], ref="辽应急罚[2026]b7号")
    with monkeypatch.context() as earlier:
        earlier.setattr(reading, "document_number", ascii_form)  # as the earlier version kept it
        first = add_record(engine, ADMIN, typed, catalogue=CAT)
    [stored] = list_records(engine, ADMIN, uscc=usccs[6], catalogue=CAT)
    assert stored.ref == "辽应急罚[2026]b7号"
    for again in (typed, fatal(usccs[6], ref="辽应急罚〔2026〕B7号")):
        summary = add_record(engine, ADMIN, again, catalogue=CAT)
        assert summary.stored == [] and summary.already == first.stored and summary.results == []
    assert len(list_records(engine, ADMIN, uscc=usccs[6], catalogue=CAT)) == 1


def test_spaces_typed_in_the_authority_or_the_number_do_not_make_another_record(
    scored: tuple[Engine, list[str]],
) -> None:
    """The same decision typed with spaces (葫芦岛市 人力资源和社会保障局, 〔2026〕 7 号) is the record already
    stored: before, each spelling was stored and deducted again."""
    engine, usccs = scored
    first = add_record(engine, ADMIN, fatal(usccs[7], ref="辽应急罚〔2026〕17号"), catalogue=CAT)
    spaced = {**fatal(usccs[7], ref="辽应急罚〔2026〕 1 7 号"), "source": "沈阳市 应急管理局 "}
    summary = add_record(engine, ADMIN, spaced, catalogue=CAT)
    assert summary.stored == [] and summary.already == first.stored and summary.results == []
    [stored] = list_records(engine, ADMIN, uscc=usccs[7], catalogue=CAT)
    assert (stored.source, stored.ref) == ("沈阳市应急管理局", "辽应急罚〔2026〕17号")


def test_a_formula_without_a_value_in_a_required_cell_is_said_once(tmp_path: Path) -> None:
    """A records workbook written by a script (a formula never calculated) in a required column: one problem
    for the cell, the formula's (it was said twice, the second time as an empty required cell)."""
    import openpyxl

    from lrc.ingest.readers import read_table
    from lrc.ingest.records import check_records

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["统一社会信用代码", "类型", "决定日期", "决定机关", "文书编号", "严重程度"])
    kind = next(t for t in CAT.record_types if t.code == "LABOUR_PENALTY").name_zh
    sheet.append([make_uscc("210102", "MA0ABCDE"), kind, "2026-07-01", "=B2", "大人社罚〔2026〕1号", "一般"])
    book.save(tmp_path / "r.xlsx")
    with pytest.raises(InputValidationError) as caught:
        check_records(read_table(tmp_path / "r.xlsx"), CAT)
    said = [(p.row, p.column) for p in caught.value.problems]
    assert said == [(2, "决定机关")] and "公式没有计算结果" in caught.value.problems[0].reason
