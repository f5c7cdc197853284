"""Objections (异议) and credit-repair requests (信用修复) as people read them: one queue of both with their
deadlines, one case in full (evidence to download, history, the results it made) and the line that says
what was just done. Data values are text: tables show them as cells, everything else through ``plain``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import loaders, tables
from dashboard.i18n import tr
from dashboard.text import plain
from lrc.service.access import Principal
from lrc.service.cases import FileOut, file_content
from lrc.service.objections import STATUS_ZH as OBJECTION_ZH
from lrc.service.objections import ObjectionOut
from lrc.service.repairs import STATUS_ZH as REPAIR_ZH
from lrc.service.repairs import RepairOut
from lrc.service.rescoring import RescoredOut

Case = ObjectionOut | RepairOut
NOTICE_KEY = "case_notice"
OPEN = ("filed", "under_review", "requested")
QUEUE_COLUMNS = ["case", "state", "decide_by", "uscc", "name", "subject", "grounds", "filed_on", "filed_by", "filed_at"]
EVENT_COLUMNS = ["at", "actor", "step", "note"]
RESULT_COLUMNS = ["period", "run_id", "uscc", "name", "result_before", "result_after"]
STEP_ZH = {**OBJECTION_ZH, **REPAIR_ZH, "requested": "已申请", "overdue": "逾期未决定,已预警"}


def key_of(case: Case) -> str:
    return f"objection:{case.id}" if isinstance(case, ObjectionOut) else f"repair:{case.id}"


def title_of(case: Case) -> str:
    return (
        tr(f"异议 {case.id}", f"Objection {case.id}")
        if isinstance(case, ObjectionOut)
        else tr(f"信用修复申请 {case.id}", f"Repair request {case.id}")
    )


def subject_of(case: Case) -> str:
    if isinstance(case, ObjectionOut):
        record = tr(f",记录 #{case.record_id}", f", record #{case.record_id}") if case.record_id else ""
        return f"{case.period} {case.item} {case.item_name}{record}"
    r = case.record
    return tr(f"记录 #{r.record_id} {r.type_name}({r.tier_zh})", f"record #{r.record_id} {r.type} ({r.tier})")


def due_of(case: Case) -> str:
    late = tr(" 已逾期", " overdue") if case.overdue else ""
    return f"{case.due_on}{late}" if case.status in OPEN else f"{case.due_on}"


def filed_of(case: Case) -> str:
    """The day a case was filed as; for an objection filed after the window of the notice that published the
    result, that it was late."""
    late = isinstance(case, ObjectionOut) and case.late
    return case.filed_on + (tr(" 逾期提出", " late") if late else "")


def window_of(case: ObjectionOut) -> str:
    """Where an objection's filing day stands against the newest notice that published the result."""
    day, notice = case.filed_on, case.publication
    if notice is None:
        return tr(f"{day} 提出;该结果未经公开发布,无异议期限", f"Filed {day}; the result was not published")
    where = tr(f"公告 {plain(notice.number)}({notice.published_on} 发布)的异议期限至 {notice.until}",
               f"notice {plain(notice.number)} (published {notice.published_on}) took objections until {notice.until}")
    if case.late:
        return tr(f"{day} 提出,已超过{where};按对当前结果的异议受理", f"Filed {day}, late: {where}; accepted against "
                  "the current result")  # fmt: skip
    return tr(f"{day} 提出,在{where}内", f"Filed {day}, in time: {where}")


def row_of(case: Case) -> dict[str, Any]:
    if isinstance(case, ObjectionOut):
        name, grounds, by, at = case.name, case.reason, case.filed_by, case.filed_at
    else:
        name, grounds, by, at = "", f"{case.record.source} {case.record.ref}", case.requested_by, case.requested_at
    return {
        "case": title_of(case), "key": key_of(case), "uscc": case.uscc, "name": name, "subject": subject_of(case),
        "grounds": grounds, "state": case.status_zh, "decide_by": due_of(case), "open": case.status in OPEN,
        "due_on": case.due_on, "filed_on": filed_of(case), "filed_by": by, "filed_at": at.replace("T", " ")[:16],
    }  # fmt: skip


def queue_frame(cases: list[Case], names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per case: the open ones first, the most urgent deadline first; then the closed, newest first.
    ``names``: USCC → enterprise name, for the cases that do not carry it (repair requests)."""
    frame = pd.DataFrame([row_of(c) for c in cases], columns=[*QUEUE_COLUMNS, "key", "open", "due_on"])
    if frame.empty:
        return frame
    if names:
        frame["name"] = frame["name"].where(frame["name"] != "", frame["uscc"].map(names).fillna(""))
    opened = frame[frame["open"]].sort_values(["due_on", "filed_at"], kind="stable")
    closed = frame[~frame["open"]].sort_values("filed_at", ascending=False, kind="stable")
    return pd.concat([opened, closed], ignore_index=True)


def status_names() -> dict[str, str]:
    """The queue's filter: open cases, all, or one status of either kind."""
    return {
        "open": tr("未决定(全部未结案件)", "Open"), "all": tr("全部", "All"),
        **{f"objection:{s}": tr(f"异议 · {z}", f"Objection · {s}") for s, z in OBJECTION_ZH.items()},
        **{f"repair:{s}": tr(f"信用修复 · {z}", f"Repair · {s}") for s, z in REPAIR_ZH.items()},
    }  # fmt: skip


def chosen_status(cases: list[Case], status: str) -> list[Case]:
    if status == "all":
        return cases
    if status == "open":
        return [c for c in cases if c.status in OPEN]
    kind, _, wanted = status.partition(":")
    return [c for c in cases if key_of(c).startswith(f"{kind}:") and c.status == wanted]


def all_cases(url: str, who: Principal, uscc: str | None = None) -> list[Case]:
    return [*loaders.objections(url, who, uscc), *loaders.repairs(url, who, uscc)]


def queue(url: str, who: Principal, names: dict[str, str] | None = None) -> list[Case]:
    """The status filter and the queue table; the cases shown, in queue order."""
    cases = all_cases(url, who)
    statuses = status_names()
    status = st.selectbox(tr("状态", "Status"), list(statuses), key="case_status", format_func=lambda s: statuses[s])
    shown = chosen_status(cases, str(status))
    frame = queue_frame(shown, names)
    late = sum(c.overdue for c in shown)
    st.caption(
        tr(f"共 {len(frame)} 件,其中逾期未决定 {late} 件", f"{len(frame)} cases, {late} overdue")
        + tr(";期限按工作日计,节假日依国务院安排", "; deadlines in working days")
    )
    if frame.empty:
        st.info(tr("没有符合条件的异议或信用修复申请。", "No objection or repair request matches."))
        return []
    tables.show(frame, QUEUE_COLUMNS, key="case_queue")
    by_key = {key_of(c): c for c in shown}
    return [by_key[k] for k in frame["key"]]


def downloads(who: Principal, case: Case) -> None:
    """A download button for each evidence or pledge file (read, and recorded, only when clicked)."""
    kind = "objection" if isinstance(case, ObjectionOut) else "repair"
    files: list[tuple[str, FileOut | None]] = [(tr("证明材料", "Evidence"), case.evidence)]
    if isinstance(case, RepairOut):
        files.append((tr("信用承诺书", "Pledge"), case.pledge))
    for n, (label, stored) in enumerate(files):
        if stored is None:
            st.caption(tr(f"{label}:未附", f"{label}: none"))
            continue

        def data(file_id: int = stored.id) -> bytes:
            return file_content(loaders.engine(loaders.db_url()), who, kind, case.id, file_id)[2]

        st.download_button(
            tr(f"下载{label}:{plain(stored.name)}({stored.size:,} 字节)", f"Download {label}: {plain(stored.name)}"),
            data, file_name=stored.name, mime=stored.media_type, key=f"case_file_{kind}_{case.id}_{n}",
            on_click="ignore",
        )  # fmt: skip


def history(case: Case) -> None:
    st.markdown(tr("**办理过程**", "**History**"))
    rows = [{"at": e.at.replace("T", " "), "actor": e.actor, "step": STEP_ZH.get(e.status, e.status),
             "note": e.note or ""} for e in case.events]  # fmt: skip
    tables.show(pd.DataFrame(rows, columns=EVENT_COLUMNS), EVENT_COLUMNS, key=f"case_events_{key_of(case)}")


def results_frame(results: list[RescoredOut] | list[dict[str, Any]]) -> pd.DataFrame:
    """The new results a decision made: period, run, enterprise, before → after."""
    rows = []
    for r in results:
        d = r.model_dump() if isinstance(r, RescoredOut) else r
        was = "—" if d["previous_total"] is None else f"{d['previous_total']:.1f} {d['previous_grade']}"
        rows.append({"period": d["period"], "run_id": f"#{d['run_id']}", "uscc": d["uscc"], "name": d["name"],
                     "result_before": was, "result_after": f"{d['total']:.1f} {d['grade']}"})  # fmt: skip
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def remember(text: str, results: list[RescoredOut] | None = None) -> None:
    """What was just done, shown once at the top of the page after it runs again."""
    st.session_state[NOTICE_KEY] = {"text": text, "results": [r.model_dump() for r in results or []]}


def last_notice() -> None:
    notice = st.session_state.pop(NOTICE_KEY, None)
    if not isinstance(notice, dict):
        return
    st.success(notice["text"])
    if notice["results"]:
        st.markdown(tr("**新结果(已取代原结果,原结果保留备查):**", "**New results (the old ones are kept):**"))
        tables.static(results_frame(notice["results"]), RESULT_COLUMNS)


def facts_of(case: Case) -> None:
    """Who, what, when and the deadline of one case, and where its results are."""
    st.subheader(f"{title_of(case)}:{plain(case.uscc)} {plain(getattr(case, 'name', ''))}")
    st.caption(f"{tr('事项', 'Subject')}:{plain(subject_of(case))}")
    due = plain(f"{case.due_on}{case.due_note}")
    late = tr(",已逾期", ", overdue") if case.overdue else ""
    st.caption(tr(f"状态:{plain(case.status_zh)} · 决定期限 {due}{late}", f"Status: {case.status} · due {due}{late}"))
    if isinstance(case, ObjectionOut):
        (st.warning if case.late else st.caption)(window_of(case))
        st.markdown(f"{tr('异议理由', 'Grounds')}:{plain(case.reason)}")
        for to in case.routed_to:
            where = f"{plain(to.source)}({plain(to.authority)}),{plain(to.ref)},{to.decision_date}"
            st.info(tr(f"原决定机关:{where}", f"Decided by another authority: {where}"))
    else:
        r = case.record
        st.caption(tr(f"{plain(r.source)} {plain(r.ref)},决定日期 {r.decision_date};可申请修复自 "
                      f"{r.repair_from or '—'};展示期至 {r.display_until}(不含)",
                      f"{plain(r.source)} {plain(r.ref)}, decided {r.decision_date}; repair from "
                      f"{r.repair_from or '—'}; shown until {r.display_until}"))  # fmt: skip
        st.caption(tr("修复条件:", "Conditions: ") + ";".join(plain(c.text_zh) for c in case.conditions))
    if case.note and case.status not in OPEN:
        st.markdown(f"{tr('决定', 'Decision')}:{plain(case.note)}({plain(case.decided_by)},{case.decided_at})")
    links(case)


def links(case: Case) -> None:
    """The result objected to, and the newer result a decision made."""
    if isinstance(case, ObjectionOut):
        st.page_link("views/enterprise.py", label=tr(f"查看异议所针对的结果(评分批次 #{case.run_id})",
                     f"The result objected to (run #{case.run_id})"), query_params={"uscc": case.uscc,
                     "run": str(case.run_id)})  # fmt: skip
    if case.result_run_id:
        st.page_link("views/enterprise.py", label=tr(f"查看新结果(评分批次 #{case.result_run_id})",
                     f"The new result (run #{case.result_run_id})"), query_params={"uscc": case.uscc})  # fmt: skip
