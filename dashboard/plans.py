"""Improvement plans as the dashboard shows them (the enterprise page and the 听证 page): each action with
its item, due date, progress and evidence, and the item's points before the hearing and in the newest
period after it. Internal notes are not shown here."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import tables
from dashboard.i18n import tr
from lrc.service.plans import ItemPoints, PlanActionOut

COLUMNS = [
    "action_id", "hearing_id", "item_label", "plan_action", "due", "progress", "evidence_name", "before", "after",
    "change",
]  # fmt: skip


def points(found: ItemPoints | None) -> str:
    """``2026Q3 · 3.0``, or a dash when there is no such result."""
    return "—" if found is None else f"{found.period} · {found.points:.1f}"


def change(action: PlanActionOut) -> str:
    if action.before is None or action.after is None:
        return ""
    return f"{action.after.points - action.before.points:+.1f}"


def frame(actions: list[PlanActionOut]) -> pd.DataFrame:
    """One row per action (``COLUMNS``), in the order given."""
    rows = [
        {"action_id": a.id, "hearing_id": a.hearing_id, "item_label": f"{a.item_code} {a.item_name_zh}",
         "plan_action": a.action, "due": a.due.isoformat(), "progress": a.status_zh,
         "evidence_name": a.evidence_name or "", "before": points(a.before), "after": points(a.after),
         "change": change(a)}
        for a in actions
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def progress(actions: list[PlanActionOut]) -> None:
    """How far the plan got: counts by status and the share done."""
    counts = {s: sum(a.status == s for a in actions) for s in ("open", "done", "late", "dropped")}
    cols = st.columns(4)
    cols[0].metric(tr("进行中", "Open"), counts["open"])
    cols[1].metric(tr("已完成", "Done"), counts["done"])
    cols[2].metric(tr("逾期", "Late"), counts["late"])
    cols[3].metric(tr("已放弃", "Dropped"), counts["dropped"])
    share = counts["done"] / len(actions) if actions else 0.0
    done = f"{counts['done']} / {len(actions)}"
    st.progress(share, text=tr(f"已完成 {done} 项", f"{done} done"))


def show(actions: list[PlanActionOut], *, key: str) -> None:
    """The actions as a table, with a note on how before and after are chosen."""
    tables.show(frame(actions), COLUMNS, key=key)
    st.caption(
        tr(
            "听证前得分:听证日期前结束的最近一期的当前结果;其后得分:听证后结束的最新一期(尚无则为 —)。",
            "Before: the newest period that ended by the hearing; after: the newest period ending after it.",
        )
    )
