"""A CSR hearing end to end through the commands, on SQLite and PostgreSQL: propose → hearing add → dossier →
plan add → ingest and score the next period → plan show and the dossier report each committed item's points
before the hearing and after it, equal to `lrc explain` of the two periods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.test_cli import lrc
from tests.test_dossier import poppler, squash

Q3, Q4 = "2026Q3", "2026Q4"
HEARD = "2026-10-15"  # after 2026Q3 ended, before 2026Q4 ends


def run(cwd: Path, db: str, *args: str) -> str:
    return str(lrc(cwd, *args, "--db", db).stdout)


def as_json(cwd: Path, db: str, *args: str) -> Any:
    return json.loads(run(cwd, db, *args, "--format", "json"))


def scored(cwd: Path, db: str, period: str) -> None:
    """The same 40 sample enterprises (seed 11), their facts of ``period``, ingested and scored."""
    lrc(cwd, "sample", "--n", "40", "--seed", "11", "--period", period, "--output", f"{period}.csv")
    run(cwd, db, "ingest", f"{period}.csv", "--period", period)
    run(cwd, db, "score", "--period", period)


def points(cwd: Path, db: str, uscc: str, period: str) -> dict[str, float]:
    return {i["code"]: i["points"] for i in as_json(cwd, db, "explain", uscc, "--period", period)["items"]}


def lost_items(cwd: Path, db: str, uscc: str, period: str) -> list[str]:
    """The items on which the enterprise lost points in ``period``: what a plan would commit to improve."""
    items = as_json(cwd, db, "explain", uscc, "--period", period)["items"]
    return [i["code"] for i in items if i["points"] < 0 or (i["kind"] == "add" and i["points"] < i["max_points"])]


def test_propose_hear_plan_and_see_the_next_periods_effect(db_url: str, tmp_path: Path) -> None:
    run(tmp_path, db_url, "init")
    scored(tmp_path, db_url, Q3)
    candidates = as_json(tmp_path, db_url, "hearing", "propose", "--period", Q3)
    assert candidates and all(c["reasons"] for c in candidates)
    uscc = min(candidates, key=lambda c: c["total"])["uscc"]
    hearing = as_json(tmp_path, db_url, "hearing", "add", "--kind", "individual", "--date", HEARD, "--title",
                      "个别听证", "--enterprises", uscc)["id"]  # fmt: skip
    run(tmp_path, db_url, "dossier", "--hearing", str(hearing), "--period", Q3, "--output", "before.html")
    assert "尚无改进计划" in (tmp_path / "before.html").read_text(encoding="utf-8")
    committed = lost_items(tmp_path, db_url, uscc, Q3)  # one action for every point it lost
    for code in committed:
        run(tmp_path, db_url, "plan", "add", str(hearing), uscc, "--item", code, "--action", f"整改 {code}", "--due",
            "2026-12-31")  # fmt: skip
    plan = as_json(tmp_path, db_url, "plan", "show", uscc)
    assert [a["item_code"] for a in plan] == committed and all(a["after"] is None for a in plan)
    before = points(tmp_path, db_url, uscc, Q3)
    assert [a["before"] for a in plan] == [{"period": Q3, "points": before[c]} for c in committed]

    scored(tmp_path, db_url, Q4)  # the next period
    after = points(tmp_path, db_url, uscc, Q4)
    plan = as_json(tmp_path, db_url, "plan", "show", uscc)
    assert [(a["before"], a["after"]) for a in plan] == [
        ({"period": Q3, "points": before[c]}, {"period": Q4, "points": after[c]}) for c in committed
    ]
    changed = [c for c in committed if before[c] != after[c]]
    assert changed, "no committed item changed: the check proves little"
    shown = run(tmp_path, db_url, "plan", "show", uscc)
    assert all(f"得分 {before[c]:.1f}({Q3}) → {after[c]:.1f}({Q4})" in shown for c in committed)
    run(tmp_path, db_url, "dossier", uscc, "--period", Q4, "--output", "after.html")
    page = (tmp_path / "after.html").read_text(encoding="utf-8")
    assert all(f"{Q3} {before[c]:.1f}" in page and f"{Q4} {after[c]:.1f}" in page for c in committed)
    run(tmp_path, db_url, "dossier", "--hearing", str(hearing), "--output", "after.pdf")  # the newest period
    text = squash(poppler("pdftotext", "-raw", tmp_path / "after.pdf", "-"))
    row = squash(f"{Q3} {before[changed[0]]:.1f} {Q4} {after[changed[0]]:.1f}")
    assert squash(f"整改 {changed[0]}") in text and row in text
