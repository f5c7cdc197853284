"""The catalogue as sunburst nodes: root → 8 → 20 → 33 → 75."""

from __future__ import annotations

import pandas as pd

from indicators import Catalogue

PARENT_LEVEL = {"level1": None, "level2": "level1", "level3": "level2"}


def _balance(points: pd.Series) -> float:
    """-1 all deductions .. +1 all add points, by points at stake."""
    stake = float(points.abs().sum())
    return float(points.sum()) / stake if stake else 0.0


def catalogue_nodes(items: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Nodes sized by the points at stake (tenths) and coloured by the balance of add
    items (green) and deductions (red). ``items``: ``analytics.catalogue_items``."""
    names = catalogue.node_names
    rows = [_row("root", "", catalogue.title_zh, items["points"], f"{len(items)} 项")]
    for level, parent in PARENT_LEVEL.items():
        for code, part in items.groupby(level, sort=False):
            up = "root" if parent is None else str(part[parent].iloc[0])
            rows.append(_row(str(code), up, f"{code} {names[str(code)]}", part["points"], f"{len(part)} 项"))
    for item in items.itertuples():
        detail = f"{item.points:+g} 分<br>{item.rule}"
        rows.append(_row(item.code, item.level3, f"{item.code} {item.name_zh}", pd.Series([item.points]), detail))
    nodes = pd.DataFrame(rows)
    nodes["text"] = nodes["label"].where(nodes["id"].str.count(r"\.") < 1, "")  # names on the two inner rings
    return nodes


def _row(node_id: str, parent: str, label: str, points: pd.Series, detail: str) -> dict[str, object]:
    return {
        "id": node_id,
        "parent": parent,
        "label": label,
        "size": int(round(float(points.abs().sum()) * 10)),
        "colour": _balance(points),
        "hover": f"{label}<br>{detail}",
    }
