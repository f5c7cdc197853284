"""One hearing on the 听证 page: its enterprises, its files (attach, get back), its outcome, the improvement
plan committed at it (add actions, record their progress with evidence) and its dossiers (PDF or HTML).

Each part calls the service with the signed-in person and shows a refusal or a mistake as a message of its
own (``shows_errors``), so the other parts stay usable. After a write the hearings are read again and the
page runs again, with a line saying what was done."""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import loaders, plans, tables
from dashboard.errors import shows_errors
from dashboard.i18n import tr
from dashboard.text import plain
from dashboard.uploads import UPLOAD_TYPES, uploaded
from indicators import load_catalogue
from lrc.errors import UsageError
from lrc.service import dossiers
from lrc.service.access import Principal
from lrc.service.hearing_files import stored_file
from lrc.service.hearings import ATTACHMENT_ZH, HearingOut, attach, record_outcome
from lrc.service.plans import FINAL, STATUS_ZH, PlanActionOut, add_action, update_action
from lrc.times import today_in_china

NOTICE_KEY = "hear_notice"
FILE_KEY = "hear_file"
DOSSIER_KEY = "hear_dossier"
MEMBER_COLUMNS = ["uscc", "name", "region_code"]
FILE_COLUMNS = ["file_id", "file_kind", "file_name", "uscc", "bytes", "added_by", "added_at"]
DOSSIER_MEDIA = {".pdf": "application/pdf", ".html": "text/html"}


def written(message: str) -> None:
    """A write went through: read the hearings again and run the page again, saying so."""
    loaders.forget_hearings()
    st.session_state[NOTICE_KEY] = message
    st.rerun()


def last_notice() -> None:
    message = st.session_state.pop(NOTICE_KEY, None)
    if message:
        st.success(message)


def engine() -> Engine:
    return loaders.engine(loaders.db_url())


def show(url: str, who: Principal, hearing: HearingOut, period: str | None) -> None:
    """Everything about one hearing."""
    last_notice()
    st.subheader(plain(f"#{hearing.id} {hearing.title}"))
    facts = [hearing.kind_zh, hearing.date.isoformat(), hearing.status_zh]
    facts += [tr(f"主持人 {hearing.chair}", f"chair {hearing.chair}")] if hearing.chair else []
    st.caption(" · ".join(plain(f) for f in facts))
    if hearing.participants:
        st.caption(tr("参加人员:", "Participants: ") + plain(hearing.participants))
    members = pd.DataFrame([e.model_dump() for e in hearing.enterprises], columns=MEMBER_COLUMNS)
    tables.show(members, MEMBER_COLUMNS, key=f"hear_members_{hearing.id}")
    files(who, hearing)
    outcome(who, hearing)
    plan(url, who, hearing)
    dossier(who, hearing, period)


def labels(hearing: HearingOut) -> dict[str, str]:
    return {e.uscc: f"{e.name}({e.uscc})" for e in hearing.enterprises}


# ---- files ----


def file_frame(hearing: HearingOut) -> pd.DataFrame:
    rows = [
        {"file_id": a.id, "file_kind": a.kind_zh, "file_name": a.name, "uscc": a.uscc or "", "bytes": a.size,
         "added_by": a.added_by, "added_at": str(a.added_at)[:16].replace("T", " ")}
        for a in hearing.attachments
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=FILE_COLUMNS)


@shows_errors
def files(who: Principal, hearing: HearingOut) -> None:
    st.markdown(tr("**附件:履行社会责任报告与听证记录**", "**Files: CSR reports and minutes**"))
    if hearing.attachments:
        tables.show(file_frame(hearing), FILE_COLUMNS, key=f"hear_files_{hearing.id}")
        fetch(who, hearing)
    else:
        st.caption(tr("还没有附件。", "No files yet."))
    names = labels(hearing)
    with st.form(f"hear_attach_{hearing.id}", clear_on_submit=True):
        upload = st.file_uploader(tr("文件(PDF、Word 或图片,不超过 20 MB)", "File (PDF, Word, image)"), UPLOAD_TYPES,
                                  key=f"hear_upload_{hearing.id}")  # fmt: skip
        left, right = st.columns(2)
        kind = left.selectbox(tr("附件类型", "Kind"), ["csr_report", "minutes"], format_func=lambda k: ATTACHMENT_ZH[k],
                              key=f"hear_file_kind_{hearing.id}")  # fmt: skip
        owner = right.selectbox(tr("报告所属企业", "Whose report"), list(names), format_func=lambda u: names[u],
                                key=f"hear_file_owner_{hearing.id}")  # fmt: skip
        sent = st.form_submit_button(tr("上传附件", "Attach"), key=f"hear_attach_go_{hearing.id}")
    if sent:
        if upload is None:
            raise UsageError("请先选择要上传的文件 (choose a file)")
        with uploaded(upload) as path:
            done = attach(engine(), who, hearing.id, path, kind, owner if kind == "csr_report" else None)
        again = tr(",同一文件已存,未重复保存", "; the same file was stored already") if done.stored_before else ""
        if done.attached_before:
            again = tr(",此听证已附过同一文件,未重复附上", "; this hearing had the same file already")
        written(tr(f"已上传 {plain(done.name)}(文件编号 {done.id}){again}", f"Attached {plain(done.name)}{again}"))


def fetch(who: Principal, hearing: HearingOut) -> None:
    """Get an attached file back (the service checks the scope and records the export)."""
    names = {a.id: a.name for a in hearing.attachments}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(tr("取回附件", "Get a file"), list(names), format_func=lambda i: f"#{i} {names[i]}",
                            key=f"hear_fetch_{hearing.id}")  # fmt: skip
    if right.button(tr("取出文件", "Get it"), key=f"hear_fetch_go_{hearing.id}"):
        found = stored_file(engine(), who, int(chosen))
        st.session_state[FILE_KEY] = (hearing.id, found.name, found.media_type, found.content)
    kept = st.session_state.get(FILE_KEY)
    if kept and kept[0] == hearing.id:
        label = tr(f"下载 {plain(kept[1])}", f"Download {plain(kept[1])}")
        st.download_button(label, kept[3], file_name=kept[1], mime=kept[2], key=f"hear_file_dl_{hearing.id}")


# ---- outcome ----


@shows_errors
def outcome(who: Principal, hearing: HearingOut) -> None:
    st.markdown(tr("**听证结果**", "**Outcome**"))
    if hearing.conclusions:  # recorded once (the service refuses a second): a correction is attached as minutes
        st.caption(tr(f"由 {plain(hearing.outcome_by)} 记录于 {plain(str(hearing.outcome_at)[:16])};"
                      "结果只记录一次,更正或补充请作为听证记录附上",
                      "Recorded once; attach a correction as minutes"))  # fmt: skip
        st.text(tr(f"参会人员意见:{hearing.opinions}", f"Opinions: {hearing.opinions}"))
        st.text(tr(f"听证结论:{hearing.conclusions}", f"Conclusions: {hearing.conclusions}"))
        return
    with st.form(f"hear_outcome_{hearing.id}"):
        opinions = st.text_area(tr("参会人员意见", "Opinions of the participants"), key=f"hear_opinions_{hearing.id}")
        conclusions = st.text_area(tr("听证结论", "Conclusions"), key=f"hear_conclusions_{hearing.id}")
        sent = st.form_submit_button(tr("记录听证结果", "Record the outcome"), key=f"hear_outcome_go_{hearing.id}")
    if sent:
        record_outcome(engine(), who, hearing.id, opinions, conclusions)
        written(tr(f"已记录听证 #{hearing.id} 的结果", f"Outcome of hearing #{hearing.id} recorded"))


# ---- improvement plan ----


def actions_of(url: str, who: Principal, hearing: HearingOut) -> list[PlanActionOut]:
    found = [a for e in hearing.enterprises for a in loaders.plan(url, who, e.uscc) if a.hearing_id == hearing.id]
    return sorted(found, key=lambda a: (a.due, a.id))


@shows_errors
def plan(url: str, who: Principal, hearing: HearingOut) -> None:
    st.markdown(tr("**改进计划与进展**", "**Improvement plan and progress**"))
    actions = actions_of(url, who, hearing)
    if actions:
        plans.progress(actions)
        plans.show(actions, key=f"hear_plan_{hearing.id}")
    else:
        st.caption(tr("还没有改进措施。", "No actions yet."))
    new_action(who, hearing)
    changing = [a for a in actions if a.status not in FINAL]
    if changing:
        progress_form(who, hearing, changing)


def new_action(who: Principal, hearing: HearingOut) -> None:
    names = labels(hearing)
    items = {i.code: f"{i.code} {i.name_zh}" for i in load_catalogue().items}
    with st.form(f"hear_action_{hearing.id}", clear_on_submit=True):
        left, right = st.columns(2)
        uscc = left.selectbox(tr("企业", "Enterprise"), list(names), format_func=lambda u: names[u],
                              key=f"hear_plan_uscc_{hearing.id}")  # fmt: skip
        item = right.selectbox(tr("改进的指标", "Item"), list(items), format_func=lambda c: items[c],
                               key=f"hear_plan_item_{hearing.id}")  # fmt: skip
        text = st.text_area(tr("整改措施", "Action"), max_chars=2000, key=f"hear_plan_text_{hearing.id}")
        due = st.date_input(tr("完成期限", "Due"), value=max(hearing.date, today_in_china()) + timedelta(days=90),
                            key=f"hear_plan_due_{hearing.id}")  # fmt: skip
        sent = st.form_submit_button(tr("添加措施", "Add the action"), key=f"hear_action_go_{hearing.id}")
    if sent:
        if not isinstance(due, date):
            raise UsageError("请选择完成期限 (choose a due date)")
        made = add_action(engine(), who, hearing.id, str(uscc), item=str(item), action=text, due=due)
        written(tr(f"已添加改进措施 #{made.id}", f"Action #{made.id} added"))


def progress_form(who: Principal, hearing: HearingOut, actions: list[PlanActionOut]) -> None:
    """A new status for an open or late action, with a note (internal) and optionally a file proving it."""
    shown = {a.id: f"#{a.id} {a.item_code} {a.action[:40]}({a.status_zh})" for a in actions}
    with st.form(f"hear_progress_{hearing.id}", clear_on_submit=True):
        left, right = st.columns(2)
        chosen = left.selectbox(tr("措施", "Action"), list(shown), format_func=lambda i: shown[i],
                                key=f"hear_progress_action_{hearing.id}")  # fmt: skip
        status = right.selectbox(tr("新状态", "New status"), ["done", "late", "dropped"],
                                 format_func=lambda s: STATUS_ZH[s],
                                 key=f"hear_progress_status_{hearing.id}")  # fmt: skip
        note = st.text_area(tr("情况说明(内部,不公开)", "Note (internal)"), max_chars=2000,
                            key=f"hear_progress_note_{hearing.id}")  # fmt: skip
        upload = st.file_uploader(tr("证明文件(可选)", "Evidence (optional)"), UPLOAD_TYPES,
                                  key=f"hear_progress_file_{hearing.id}")  # fmt: skip
        sent = st.form_submit_button(tr("更新进展", "Update"), key=f"hear_progress_go_{hearing.id}")
    if not sent:
        return
    if chosen is None:
        raise UsageError("请选择措施 (choose an action)")
    with uploaded(upload) if upload is not None else nullcontext() as evidence:
        done = update_action(engine(), who, int(chosen), status=str(status), note=note, evidence=evidence)
    written(tr(f"措施 #{done.id} 已更新为{done.status_zh}", f"Action #{done.id}: {done.status}"))


# ---- dossiers ----


def make_dossier(who: Principal, hearing: HearingOut, uscc: str, period: str, suffix: str) -> tuple[str, bytes]:
    """The dossier of one enterprise (``uscc``) or of the whole hearing (``""``): its file name and bytes."""
    name = f"听证材料-{uscc or f'听证{hearing.id}'}-{period}{suffix}"
    with tempfile.TemporaryDirectory(prefix="lrc-dossier-") as folder:
        path = Path(folder) / name
        if uscc:
            dossiers.dossier(engine(), who, uscc, period, path)
        else:
            dossiers.hearing_dossier(engine(), who, hearing.id, period, path)
        return name, path.read_bytes()


@shows_errors
def dossier(who: Principal, hearing: HearingOut, period: str | None) -> None:
    st.markdown(tr("**听证材料**", "**Dossier**"))
    if period is None:
        st.caption(tr("还没有评分结果,无法生成听证材料。", "Nothing scored yet."))
        return
    st.caption(tr(f"用期间 {plain(period)}(在左侧选择)的当前结果生成", f"From the results of {plain(period)}"))
    targets = {e.uscc: f"{e.name}({e.uscc})" for e in hearing.enterprises}
    if hearing.kind == "collective":
        targets = {"": tr("集体听证材料(全部企业)", "The collective dossier"), **targets}
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    target = cols[0].selectbox(tr("材料", "For"), list(targets), format_func=lambda t: targets[t],
                               key=f"hear_ds_{hearing.id}")  # fmt: skip
    suffix = cols[1].radio("格式", list(DOSSIER_MEDIA), format_func=lambda s: s[1:].upper(), horizontal=True,
                           key=f"hear_ds_fmt_{hearing.id}")  # fmt: skip
    if cols[2].button(tr("生成听证材料", "Make the dossier"), key=f"hear_ds_go_{hearing.id}"):
        with st.spinner(tr("正在生成听证材料…", "Making the dossier…")):
            name, data = make_dossier(who, hearing, str(target), period, str(suffix))
        st.session_state[DOSSIER_KEY] = (hearing.id, name, str(suffix), data)
    kept = st.session_state.get(DOSSIER_KEY)
    if kept and kept[0] == hearing.id:
        label = tr(f"下载 {plain(kept[1])}", f"Download {plain(kept[1])}")
        media = DOSSIER_MEDIA[kept[2]]
        st.download_button(label, kept[3], file_name=kept[1], mime=media, key=f"hear_ds_dl_{hearing.id}")
