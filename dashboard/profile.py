"""One enterprise's explanation (``lrc.service.explain``) shaped for the enterprise page.

Only regrouping: points, reasons and legal bases are the explanation's own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lrc.service import Explanation

LEVELS = ("level1", "level2", "level3")


def _items(expl: Explanation) -> pd.DataFrame:
    items = pd.DataFrame(expl.items)
    items["possible"] = items["max_points"].abs()
    kept = items["points"].where(items["kind"] == "add", items["max_points"].abs() + items["points"])
    items["kept"] = kept
    return items


def sunburst_nodes(expl: Explanation, root_label: str) -> pd.DataFrame:
    """Nodes root → 8 → 20 → 33 → 75. Size: the points at stake (tenths); colour: the
    share kept, -1 (all lost) .. +1 (all kept); hover: points and maximum."""
    items = _items(expl)
    names = {n["code"]: n["name_zh"] for level in LEVELS for n in expl.levels[level]}
    points = {n["code"]: n["points"] for level in LEVELS for n in expl.levels[level]}
    rows = [_node("root", "", root_label, items, float(expl.total))]
    parent_of = {"level1": "root", "level2": "level1", "level3": "level2"}
    for level in LEVELS:
        for code, part in items.groupby(level, sort=False):
            parent = "root" if level == "level1" else str(part[parent_of[level]].iloc[0])
            rows.append(_node(str(code), parent, f"{code} {names[str(code)]}", part, points[str(code)]))
    for item in items.itertuples():
        rows.append(_node(item.code, item.level3, f"{item.code} {item.name_zh}", items.loc[[item.Index]], item.points))
    nodes = pd.DataFrame(rows)
    nodes["text"] = nodes["label"].where(nodes["id"].str.count(r"\.") < 1, "")  # names on the two inner rings
    return nodes


def _node(node_id: str, parent: str, label: str, items: pd.DataFrame, points: float) -> dict[str, object]:
    possible = float(items["possible"].sum())
    share = float(items["kept"].sum()) / possible if possible else 1.0
    maximum = float(items.loc[items["kind"] == "add", "max_points"].sum())
    return {
        "id": node_id,
        "parent": parent,
        "label": label,
        "size": int(round(possible * 10)),
        "colour": 2 * share - 1,
        "hover": f"{label}<br>得分 {points:g} / 加分满分 {maximum:g}<br>保有率 {share:.0%}",
    }


def lost_points(expl: Explanation) -> pd.DataFrame:
    """Every deduction taken and every add item not fully earned, worst first.
    ``lost_kind``: ``deduct``, ``missed`` (an add item that earned nothing) or
    ``partial`` (one that earned part of its points)."""
    items = pd.DataFrame(expl.items)
    deducted = (items["kind"] == "deduct") & (items["points"] != 0)
    missed = (items["kind"] == "add") & (items["points"] < items["max_points"])
    lost = items[deducted | missed].copy()
    lost["lost"] = (lost["max_points"] - lost["points"]).where(lost["kind"] == "add", -lost["points"])
    earned = lost["points"] > 0
    lost["lost_kind"] = np.where(lost["kind"] == "deduct", "deduct", np.where(earned, "partial", "missed"))
    lost["legal_basis"] = lost["legal_basis"].map(lambda b: "无" if b == "none" else ";".join(b))
    return lost.sort_values(["lost", "code"], ascending=[False, True], ignore_index=True)


def gaps(expl: Explanation) -> pd.DataFrame:
    """Items whose inputs were not reported (scored 0, listed as data gaps)."""
    items = pd.DataFrame(expl.items)
    return items.loc[items["gap"], ["code", "name_zh", "reason"]].reset_index(drop=True)
