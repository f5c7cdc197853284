"""The collection workbook (采集表): what `lrc template` writes for enterprises and analysts to fill in.

Sheet 填报说明 explains each column (meaning, type, unit, range, whether required, the items that read
it, their legal basis and the evidence to keep); sheet 企业数据 has the Chinese headers in catalogue
order, a frozen header row, a hint on each header, per-column data validation, and one example row
whose USCC cell starts with ``示例`` (ingest skips it, as it skips empty rows); a hidden sheet 代码表
holds the dropdown lists. A filled workbook ingests unchanged with `lrc ingest`."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions

from indicators import Catalogue, InputField
from lrc.errors import UsageError
from lrc.ingest import EXAMPLE_MARK
from lrc.ingest.template_period import GUIDE_SHEET, guide_title
from lrc.ingest.validate import IDENTITY_ZH, REQUIRED_IDENTITY
from lrc.reference import CITIES, INDUSTRIES, OWNERSHIPS, PROVINCE_NAME, SIZES, district_label, region_codes
from lrc.service.catalogues import legal_text

DATA_SHEET = "企业数据"
LISTS_SHEET = "代码表"
ROWS = 2_000  # rows that carry the validation (more can be pasted; ingest reads every row)
IDENTITY_HELP = {
    "uscc": "18 位统一社会信用代码,见营业执照",
    "name": "营业执照上的企业名称,最多 100 字",
    "region_code": "企业所在市或区县的 6 位行政区划代码(GB/T 2260),见代码表",
    "industry": "国民经济行业门类(GB/T 4754),可选字母或名称",
    "size": "企业规模:大型、中型、小型、微型(按统计上大中小微型企业划分办法)",
    "ownership": "登记注册类型,可不填",
}


def _example(f: InputField) -> Any:
    if f.type == "bool":
        return "是"
    if f.name == "headcount":
        return 120
    low = f.min if f.min is not None else 0
    return int(low) if f.type == "int" else low


def _range(f: InputField) -> str:
    if f.type == "bool":
        return "是 / 否"
    low = "" if f.min is None else f"{f.min:g}"
    high = "" if f.max is None else f"{f.max:g}"
    kind = "整数" if f.type == "int" else "数值"
    return f"{kind} {low}–{high}".strip() if low or high else kind


def write_template(catalogue: Catalogue, period: str, path: Path, region: str | None = None) -> int:
    """Write the workbook; returns the number of data columns."""
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"--output {path.name}:采集表应为 .xlsx 文件 (must be .xlsx)")
    if not path.parent.is_dir():
        raise UsageError(f"--output {path}:目录 {path.parent} 不存在 (folder does not exist)")
    readers: dict[str, list[Any]] = defaultdict(list)
    for item in catalogue.items:
        for name in item.reads:
            readers[name].append(item)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "required": book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "example": book.add_format({"italic": True, "font_color": "#7F7F7F"}),
        "text": book.add_format({"num_format": "@"}),
    }
    data = book.add_worksheet(DATA_SHEET)
    guide = book.add_worksheet(GUIDE_SHEET)
    lists = book.add_worksheet(LISTS_SHEET)
    lists.hide()
    ranges = _lists(lists, region)
    columns = _identity_columns() + [(f.name, f.name_zh, f) for f in catalogue.fields]
    where = (CITIES.get(region, "") or f"{district_label(region)} {region}") if region else PROVINCE_NAME
    for col, (name, zh, f) in enumerate(columns):
        required = name in REQUIRED_IDENTITY or (f is not None and f.required)
        data.write_string(0, col, zh, formats["required" if required else "header"])
        data.set_column(col, col, max(10, min(28, len(zh) * 2 + 2)), formats["text"] if f is None else None)
        hint = IDENTITY_HELP.get(name) if f is None else _field_hint(f)
        data.write_comment(
            0, col, f"{zh}({name}){'必填' if required else '选填'}\n{hint}", {"x_scale": 2, "y_scale": 1.5}
        )
        _validate(data, col, name, f, ranges)
        example = _identity_example(name, region) if f is None else _example(f)
        if isinstance(example, str):
            data.write_string(1, col, example, formats["example"])
        else:
            data.write_number(1, col, example, formats["example"])
    data.freeze_panes(1, 1)
    data.set_row(0, 36)
    _guide(guide, formats, catalogue, columns, readers, period, where)
    data.activate()
    try:
        book.close()
    except (xlsxwriter.exceptions.FileCreateError, OSError) as exc:
        raise UsageError(f"--output {path}:无法写入 ({exc.__class__.__name__}) (cannot write the file)") from None
    return len(columns)


def _identity_columns() -> list[tuple[str, str, InputField | None]]:
    return [(name, zh, None) for name, zh in IDENTITY_ZH.items()]


def _identity_example(name: str, region: str | None) -> str:
    code = region_codes(region)[0] if region else "210102"
    return {
        "uscc": f"{EXAMPLE_MARK}:91210102MA0XXXXXX0(本行为示例,导入时忽略)",
        "name": "示例:沈阳某某机械制造有限公司",
        "region_code": code,
        "industry": "C 制造业",
        "size": "小型",
        "ownership": "私营",
    }[name]


def _field_hint(f: InputField) -> str:
    unit = f";单位:{f.unit}" if f.unit else ""
    text = f"{_range(f)}{unit}"
    return f"{text}\n{f.description_zh}" if f.description_zh else text


def _lists(sheet: Any, region: str | None) -> dict[str, str]:
    """The dropdown lists on the hidden sheet; their ranges by name."""
    values = {
        "bool": ["是", "否"],
        "region_code": region_codes(region),
        "industry": [f"{k} {v}" for k, v in INDUSTRIES.items()],
        "size": list(SIZES),
        "ownership": list(OWNERSHIPS),
    }
    ranges = {}
    for col, (key, items) in enumerate(values.items()):
        sheet.write_string(0, col, key)
        for row, value in enumerate(items, start=1):
            sheet.write_string(row, col, value)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        ranges[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(items) + 1}"
    return ranges


def _validate(sheet: Any, col: int, name: str, f: InputField | None, ranges: dict[str, str]) -> None:
    common = {"error_type": "stop", "ignore_blank": True}
    span = (1, col, ROWS, col)
    if f is None:
        if name == "uscc":
            sheet.data_validation(*span, {"validate": "length", "criteria": "between", "minimum": 18,
                                          "maximum": 40, "input_title": "统一社会信用代码",
                                          "input_message": "18 位,见营业执照", "error_message": "应为 18 位代码",
                                          **common})  # fmt: skip
        elif name == "name":
            sheet.data_validation(*span, {"validate": "length", "criteria": "<=", "value": 100,
                                          "error_message": "最多 100 字", **common})  # fmt: skip
        elif name in ranges:
            sheet.data_validation(*span, {"validate": "list", "source": ranges[name],
                                          "error_message": "请从下拉列表中选择", **common})  # fmt: skip
        return
    if f.type == "bool":
        sheet.data_validation(*span, {"validate": "list", "source": ranges["bool"], "input_title": f.name_zh[:32],
                                      "input_message": "是 或 否", "error_message": "请填 是 或 否",
                                      **common})  # fmt: skip
        return
    kind = "integer" if f.type == "int" else "decimal"
    low = f.min if f.min is not None else -1e15
    high = f.max if f.max is not None else 1e15
    message = f"{_range(f)}{'(' + f.unit + ')' if f.unit else ''}"
    sheet.data_validation(*span, {"validate": kind, "criteria": "between", "minimum": low, "maximum": high,
                                  "input_title": f.name_zh[:32], "input_message": message[:255],
                                  "error_message": f"应为{message}"[:255], **common})  # fmt: skip


def _guide(
    sheet: Any,
    formats: dict[str, Any],
    catalogue: Catalogue,
    columns: list[tuple[str, str, InputField | None]],
    readers: dict[str, list[Any]],
    period: str,
    where: str,
) -> None:
    sheet.write_string(0, 0, guide_title(period, where), formats["title"])  # ingest reads the period back
    notes = [
        f"1. 在「{DATA_SHEET}」工作表每行填写一家企业;第 2 行是示例"
        f"(统一社会信用代码以“{EXAMPLE_MARK}”开头),导入时忽略,可删除。",
        "2. 橙色列名为必填;没有发生的事项请填 0 或 否,不要留空(留空表示未报送,会失分)。",
        "3. 不要修改列名和列的顺序;下拉列表和数值范围已设置,超出范围会被拒绝。",
        f"4. 填好后用 `lrc ingest 文件.xlsx --period {period}` 导入;任何一行有错,整个文件不写入,"
        "错误清单指明工作表、行和列。",
        f"5. 指标体系 {catalogue.version};每一列用于哪些评分条目、其法律依据和需保存的证据见下表。",
    ]
    for row, note in enumerate(notes, start=1):
        sheet.write_string(row, 0, note)
    headers = [
        "列名",
        "字段",
        "必填",
        "类型与范围",
        "单位",
        "说明",
        "用于评分条目",
        "法律依据",
        "需保存的证据(在哪里找)",
    ]
    top = len(notes) + 2
    for col, header in enumerate(headers):
        sheet.write_string(top, col, header, formats["header"])
    for row, (name, zh, f) in enumerate(columns, start=top + 1):
        items = readers.get(name, [])
        required = name in REQUIRED_IDENTITY or (f is not None and f.required)
        values = [
            zh, name, "是" if required else "", _range(f) if f else "文本", (f.unit if f else ""),
            (f.description_zh if f else IDENTITY_HELP.get(name, "")),
            ";".join(f"{i.code} {i.name_zh}" for i in items),
            ";".join(sorted({legal_text(i) for i in items if legal_text(i) != "无"})),
            ";".join(sorted({i.evidence_zh for i in items if i.evidence_zh})),
        ]  # fmt: skip
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value), formats["wrap"])
    for col, width in enumerate([18, 26, 6, 16, 8, 30, 40, 40, 40]):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(top + 1, 0)
