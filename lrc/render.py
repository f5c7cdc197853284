"""Terminal rendering for the CLI (rich). No logic: shapes service results for people."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from lrc.errors import InputValidationError, UsageError
from lrc.labels import zh
from lrc.times import in_china

if TYPE_CHECKING:  # pandas and the catalogue models load when a command needs them: `lrc --help` stays fast
    import pandas as pd

    from indicators import Catalogue

MAX_PROBLEMS_SHOWN = 50


def when(stamp: Any) -> str:
    """A time as a list's table shows it: Beijing time to the second, ``YYYY-MM-DD HH:MM:SS`` ("" for none); a
    stored time or the ISO text a JSON answer gives."""
    from lrc.times import china_iso

    text = china_iso(stamp) if stamp is not None else ""
    return text[:19].replace("T", " ")


def table(console: Console, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A list command's table: one folding column per name, every value as plain text."""
    grid = Table(title=title)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*row)
    console.print(grid)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int], None]]:
    """A progress line on stderr; yields ``advance(n)``."""
    with Progress(
        SpinnerColumn(),
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def console(*, stderr: bool = False) -> Console:
    """A console that prints every value as plain text: no markup, emoji codes or highlighting
    (a name like ``[/]`` or ``[link=…]`` is data, not a style), and one line per message
    (no wrapping at the terminal width, so a piped problem list greps line by line)."""
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)


def problems(console: Console, exc: InputValidationError) -> None:
    console.print(str(exc), style="bold red")
    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
        console.print(f"  {problem}")
    if len(exc.problems) > MAX_PROBLEMS_SHOWN:
        console.print(f"  …… 另有 {len(exc.problems) - MAX_PROBLEMS_SHOWN} 处错误,用 --errors FILE 导出全部")


def ingest_summary(console: Console, summary: Any) -> None:
    if summary.new_versions == 0:
        console.print(f"{summary.file}: {summary.rows} 行,与已存数据相同,未写入 (unchanged, nothing written)")
    else:
        console.print(
            f"{summary.file}: {summary.rows} 行,新版本 {summary.new_versions},未变化 {summary.unchanged},"
            f"期间 {summary.period},导入批次 {summary.batch_id}"
        )
    if summary.overridden_uscc:
        console.print(f"已按 --accept-uscc 接受的信用代码 (overrides recorded): {', '.join(summary.overridden_uscc)}")
    if summary.scored_run is not None:
        console.print(Text(rescore_note(summary), style="yellow"))
    absent = summary.absent_columns
    if absent:
        shown = "、".join(absent[:ABSENT_SHOWN]) + (f" 等 {len(absent)} 列" if len(absent) > ABSENT_SHOWN else "")
        console.print(
            Text(
                f"注意:文件没有这些可选列,每家企业的这些数据都按未报送计:{shown}"
                " (optional columns absent: counted as not reported for every enterprise)",
                style="yellow",
            )
        )


ABSENT_SHOWN = 8


def rescore_note(summary: Any) -> str:
    """Why new versions of a scored period do not count yet, and who makes them count: the one who ingested,
    when they may score the period (a province-wide act); else a province-wide user, or a submission of each
    enterprise (web form, API), which re-scores it at once."""
    from lrc.service.audit import WHO_SCORES_ZH
    from lrc.service.run_info import runs_zh

    runs = runs_zh(summary.scored_run, summary.scored_through)
    said = f"注意:期间 {summary.period} 的当前结果来自{runs},新版本在重新评分该期间后才计入结果"
    if summary.may_score:
        return f"{said},请运行 `lrc score --period {summary.period}` (scored before: score the period again)"
    return (
        f"{said}。{WHO_SCORES_ZH};也可逐家经在线填报或 POST /api/v1/submissions "
        "报送,立即重算该企业 (scored before: a province-wide user scores the period again)"
    )


def run_summary(console: Console, summary: Any) -> None:
    grades = ",".join(f"{g} {n}" for g, n in summary.grades.items())
    console.print(
        f"评分批次 {summary.run_id}:期间 {summary.period},{summary.enterprises} 家企业,"
        f"指标体系 {summary.catalogue_version};等级 {grades};触及红线 {summary.red_lines} 家"
    )
    console.print(f"输入哈希 (input hash) {summary.input_hash}")
    if summary.same_input_as:
        console.print(f"输入与批次 {summary.same_input_as} 相同 (same input as run {summary.same_input_as})")


RANK_COLUMNS = [
    "rank", "uscc", "name", "city", "city_code", "region_code", "industry", "industry_name", "size", "ownership",
    "total", "grade", "red_line", "completeness", "province_rank",
]  # fmt: skip


def ranking(
    console: Console,
    info: Any,
    frame: pd.DataFrame,
    fmt: str,
    output: Path | None,
    *,
    top: int | None = None,
    matched: int | None = None,
) -> None:
    """The ranking (all enterprises matching the filters, or its first places when ``matched`` tells how
    many matched), of which the first ``top`` are shown."""
    shown = frame[RANK_COLUMNS].head(top) if top else frame[RANK_COLUMNS]
    matched = len(frame) if matched is None else matched
    if fmt == "table":
        _ranking_table(console, info, shown[RANK_TABLE].itertuples(index=False), len(shown), matched)
        return
    from lrc.export import write_frame

    data = shown.rename(columns=zh(list(shown.columns))) if fmt == "xlsx" else shown
    text = write_frame(data, fmt, output, sheet=info.period)
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    elif output:
        console.print(f"已写入 {output} ({len(shown)} 行)")


RANK_TABLE = ["rank", "uscc", "name", "city", "industry_name", "total", "grade", "red_line"]  # the terminal's columns


def top_places(console: Console, found: Any, fmt: str) -> None:
    """The first places of a ranking read through the driver alone (``lrc.service.top_places``): as ``ranking``
    shows the same places, as a table or as JSON."""
    if fmt == "table":
        rows = ([row[c] for c in RANK_TABLE] for row in found.rows)
        _ranking_table(console, found.info, rows, len(found.rows), found.matched)
        return
    from lrc.export import records_json

    records = [{c: _json_value(row[c]) for c in RANK_COLUMNS} for row in found.rows]
    sys.stdout.write(records_json(records) + "\n")


def _json_value(value: Any) -> Any:
    """A value as ``lrc.export.to_records`` gives it (pandas writes floats to 10 decimal places)."""
    return round(value, 10) if isinstance(value, float) else value


def _ranking_table(console: Console, info: Any, rows: Iterable[Sequence[Any]], shown: int, matched: int) -> None:
    later = f",含其后至批次 {info.through} 的重算与导入结果" if info.through else ""
    title = f"{info.period} 企业劳动关系信用排名 (批次 {info.run_id}{later},指标体系 {info.catalogue_version})"
    table = Table(title=title)
    for column in RANK_TABLE:
        justify: Literal["left", "right"] = "right" if column in ("rank", "total") else "left"
        # a narrow terminal (80 columns, or a pipe) wraps the name over lines rather than cut it to two characters
        wrap = {"overflow": "fold", "min_width": 12} if column == "name" else {"min_width": len(column)}
        table.add_column(zh([column])[column], justify=justify, no_wrap=column == "uscc", **wrap)
    for row in rows:
        table.add_row(*[_cell(v) for v in row])
    console.print(table)
    more = f",显示前 {shown} 家" if shown < matched else ""
    console.print(f"符合条件的企业共 {matched} 家{more} ({matched} matched)")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float):
        return f"{value:.1f}"
    pandas = sys.modules.get("pandas")  # a frame's missing value (pandas is loaded when a frame is shown)
    return "" if value is None or (pandas is not None and value is pandas.NA) else str(value)


def explanation(console: Console, e: Any) -> None:
    console.print(
        Text.assemble(
            (e.name, "bold"), f" {e.uscc}  期间 {e.run.period}  批次 {e.run.run_id}  指标体系 {e.run.catalogue_version}"
        )
    )
    red = (f"  触及红线 {', '.join(e.red_line_items)}", "red") if e.red_line else ""
    console.print(
        Text.assemble(f"总分 {e.total:f}  等级 {e.grade} {e.grade_label}  数据完整率 {e.completeness:.0%}", red)
    )
    if e.grade_note:
        console.print(f"等级说明:{e.grade_note}")
    if e.result_run_id and e.result_run_id != e.run.run_id:
        cause = f",由记录 #{e.cause_record_id} 引起" if e.cause_record_id else ""
        console.print(f"本结果来自单企业重算批次 {e.result_run_id}{cause}(期间评分批次 {e.run.run_id} 之后的当前结果)")
    if e.superseded_by:
        why = f",原因:{e.superseded['text_zh']}" if e.superseded else ""
        console.print(f"此结果已被批次 {e.superseded_by} 中的新结果取代{why} (superseded)", style="yellow")
    levels = Table(title="一级指标得分")
    for column in ("代码", "一级指标", "得分"):
        levels.add_column(column)
    for node in e.levels["level1"]:
        levels.add_row(node["code"], node["name_zh"], f"{node['points']:g}")
    console.print(levels)
    items = Table(title="75 项具体内容")
    for column in ("代码", "内容", "满分", "得分", "理由", "来源"):
        items.add_column(column, overflow="fold")
    for item in e.items:
        style = "red" if item["points"] < 0 else ("yellow" if item["gap"] else None)
        reason = item["reason"] + (" [未经核实]" if item.get("unverified") else "")
        items.add_row(
            item["code"], item["name_zh"], f"{item['max_points']:g}", f"{item['points']:g}", reason,
            item.get("provenance", ""), style=style,
        )  # fmt: skip
    console.print(items)
    if e.records:
        records = Table(title="该企业的记录 (records)")
        columns = ("编号", "类型", "程度", "决定日期", "决定机关", "文书编号", "条目", "分值", "实计", "显示至", "说明")
        for column in columns:
            records.add_column(column, overflow="fold")
        for r in e.records:
            points = f"{r['points']:+g}" if r["points"] is not None else ""
            cost = f"{r['cost']:+g}" if r.get("cost") is not None else ""
            records.add_row(
                str(r["id"]), r["type_zh"], r["tier_zh"], r["date"], r["source"], r["ref"], r["item"] or "",
                points, cost, r["display_until"] or "", r["status_zh"],
            )  # fmt: skip
        console.print(records)


def catalogue_dict(cat: Catalogue) -> dict[str, Any]:
    items = []
    for item in cat.items:
        level1, level2, level3 = cat.ancestry(item)
        items.append(
            {
                "code": item.code,
                "name_zh": item.name_zh,
                "name_en": item.name_en,
                "level1": level1,
                "level2": level2,
                "level3": level3,
                "kind": item.kind,
                "points": float(item.points),
                "red_line": item.red_line,
                "rule": item.rule.model_dump(mode="json"),
                "reads": item.reads,
                "legal_basis": item.legal_basis
                if item.legal_basis == "none"
                else [b.model_dump() for b in item.legal_basis],
                "evidence_zh": item.evidence_zh,
            }
        )
    return {
        "version": cat.version,
        "released": cat.released.isoformat(),
        "content_hash": cat.content_hash,
        "grades": [g.model_dump(mode="json") for g in cat.grades],
        "levels": {level: [n.model_dump() for n in getattr(cat, level)] for level in ("level1", "level2", "level3")},
        "items": items,
    }


def catalogue_text(console: Console, cat: Catalogue) -> None:
    heading = f" 版本 {cat.version} ({cat.released})  满分 {cat.max_total:f}"
    console.print(Text.assemble((cat.title_zh, "bold"), heading))
    bands = ";".join(
        f"{g.grade} {g.label_zh} ≥{g.min_total:f}" if g.min_total is not None else f"{g.grade} {g.label_zh}"
        for g in cat.grades
    )
    console.print(f"等级:{bands};触及红线一律为 {cat.lowest_grade}")
    for l1 in cat.level1:
        console.print(Text.assemble("\n", (f"{l1.code} {l1.name_zh}", "bold"), f" {l1.name_en}"))
        for l2 in (n for n in cat.level2 if n.parent == l1.code):
            console.print(f"  {l2.code} {l2.name_zh}")
            for l3 in (n for n in cat.level3 if n.parent == l2.code):
                console.print(f"    {l3.code} {l3.name_zh}")
                for item in (i for i in cat.items if i.level3 == l3.code):
                    red = (" 红线", "red") if item.red_line else ""
                    console.print(Text.assemble(f"      {item.code} {item.name_zh}  {item.points:+f}", red))


def schema_frame(cat: Catalogue) -> pd.DataFrame:
    readers: dict[str, list[str]] = {f.name: [] for f in cat.fields}
    for item in cat.items:
        for name in item.reads:
            readers[name].append(item.code)
    identity = [
        ("uscc", "text", "统一社会信用代码", "", "必填,18 位,GB 32100 校验"),
        ("name", "text", "企业名称", "", "必填,最多 100 个字符,不含换行等控制字符"),
        ("region_code", "text", "行政区划代码", "", "必填,辽宁省 14 市及其区县代码"),
        ("industry", "text", "行业门类", "", "必填,GB/T 4754-2017 门类 A-T"),
        ("size", "text", "企业规模", "", "必填,大型/中型/小型/微型"),
        ("ownership", "text", "所有制", "", "选填"),
    ]
    rows = [
        {"name": n, "type": t, "name_zh": z, "unit": u, "range": "", "read_by": "", "note": note}
        for n, t, z, u, note in identity
    ]
    for f in cat.fields:
        bounds = "" if f.type == "bool" else f"{_num(f.min)}..{_num(f.max)}"
        if f.at_most:
            bounds += f" ≤ {f.at_most}"
        rows.append(
            {
                "name": f.name,
                "type": f.type,
                "name_zh": f.name_zh,
                "unit": f.unit,
                "range": bounds,
                "read_by": " ".join(readers[f.name]),
                "note": f.description_zh,
            }
        )
    import pandas as pd

    return pd.DataFrame(rows)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def schema(console: Console, cat: Catalogue, fmt: str) -> None:
    from lrc.export import write_frame

    frame = schema_frame(cat)
    if fmt == "markdown":
        lines = [
            "| 字段 field | 类型 type | 名称 | 单位 unit | 范围 range | 读取条目 read by | 说明 |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
        sys.stdout.write("\n".join(lines) + "\n")
    elif fmt in ("csv", "json"):
        sys.stdout.write((write_frame(frame, fmt, None) or "") + ("" if fmt == "csv" else "\n"))
    elif fmt != "table":
        raise UsageError(f"不支持的格式 {fmt!r},可选 table、csv、json、markdown (unknown format)")
    else:
        table = Table(title=f"输入字段 (input fields),指标体系 {cat.version}")
        for column in ("字段", "类型", "名称", "单位", "范围", "读取条目"):
            table.add_column(column, overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(row.name, row.type, row.name_zh, row.unit, row.range, row.read_by)
        console.print(table)


def local_time(value: Any) -> str:
    """A stored time as China Standard Time, to the second."""
    return in_china(value).strftime("%Y-%m-%d %H:%M:%S")


RUN_KIND_LABELS = {
    "period": "期间评分", "records": "记录引起的重算", "submission": "单企业报送后的重算",
    "import": "导入的全国结果", "objection": "异议成立后的重算", "repair": "信用修复后的重算",
    "expiry": "记录展示期满后的重算", "removal": "移出名单后的重算",
}  # fmt: skip


def runs(console: Console, frame: pd.DataFrame) -> None:
    if frame.empty:
        console.print("还没有评分批次 (no runs yet)")
        return
    table = Table(title="评分批次 (score runs)")
    for column in ("批次", "期间", "类型", "指标体系", "企业数", "完成时间(北京时间)", "操作人", "输入哈希"):
        table.add_column(column)
    for r in frame.itertuples(index=False):
        table.add_row(
            str(r.id), r.period, RUN_KIND_LABELS.get(r.kind, r.kind), r.catalogue_version, str(r.enterprise_count),
            local_time(r.finished_at), r.actor, r.input_hash[:16],
        )  # fmt: skip
    console.print(table)


def verify(console: Console, report: Any) -> None:
    if report.reproduced:
        console.print(
            f"批次 {report.run_id} 已完全复现:{report.enterprises} 家企业逐项一致,输入哈希一致 "
            f"(reproduced exactly, catalogue {report.catalogue_version})"
        )
        return
    console.print(f"批次 {report.run_id} 无法复现 (NOT reproduced)", style="red")
    if not report.input_hash_matches:
        console.print("  输入哈希不一致 (input hash differs)")
    if report.mismatched:
        console.print(f"  {len(report.mismatched)} 家企业得分不一致:{', '.join(report.mismatched[:10])}")
    if report.identity_mismatched:
        shown = ", ".join(report.identity_mismatched[:10])
        console.print(
            f"  {len(report.identity_mismatched)} 家企业的信用代码与其提交数据不符"
            f" (USCC differs from the submission): {shown}"
        )
