"""Language of the dashboard: Chinese by default, English when the sidebar toggle is on.

Text sits where it is used as ``tr("中文", "English")``, so no key can go missing."""

from __future__ import annotations

import streamlit as st

from lrc.labels import COLUMN_LABELS

LANG_KEY = "lang_en"

COLUMN_LABELS_EN = {
    "rank": "Rank",
    "province_rank": "Province rank",
    "uscc": "USCC",
    "name": "Enterprise",
    "city": "City",
    "city_code": "City code",
    "region_code": "Region code",
    "industry": "Industry section",
    "industry_name": "Industry",
    "size": "Size",
    "ownership": "Ownership",
    "headcount": "Employees",
    "total": "Total",
    "grade": "Grade",
    "red_line": "Red line",
    "completeness": "Completeness",
}


def english() -> bool:
    return bool(st.session_state.get(LANG_KEY, False))


def tr(zh: str, en: str) -> str:
    """The Chinese text, or the English one when English is chosen."""
    return en if english() else zh


def column_labels(columns: list[str], extra: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """Display names of result columns in the current language."""
    labels = COLUMN_LABELS_EN if english() else COLUMN_LABELS
    out = {c: labels[c] for c in columns if c in labels}
    for column, (zh, en) in (extra or {}).items():
        if column in columns:
            out[column] = tr(zh, en)
    return out
