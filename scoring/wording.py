"""How reasons and rule descriptions word points, outcomes and measured values (plain Python)."""

from __future__ import annotations

from decimal import Decimal

from indicators import InputField, Item


def fmt_points(tenths: int) -> str:
    value = Decimal(tenths) / 10
    return f"{value.normalize():f}"


def outcome(item: Item, tenths: int) -> str:
    """``tenths`` earned by ``item`` in words: 不得分 / 不扣分, 得 … 分, 扣 … 分."""
    if tenths == 0:
        return "不得分" if item.kind == "add" else "不扣分"
    return f"得 {fmt_points(tenths)} 分" if tenths > 0 else f"扣 {fmt_points(-tenths)} 分"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(field: InputField, per: InputField | None, value: float, digits: int = 1) -> str:
    """A measured value for people: ratios of like units and unitless rates as percentages
    (``digits`` decimals), other ratios per unit, plain numbers with their unit."""
    if (per is not None and field.unit == per.unit) or (per is None and field.type == "number" and not field.unit):
        return _trim(f"{value * 100:.{digits}f}") + "%"
    if per is not None:
        return f"{_trim(f'{value:.{digits + 1}f}')} {field.unit}/{per.unit}".rstrip("/")
    return f"{value:g} {field.unit}".strip()
