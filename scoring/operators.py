"""The comparison operators of rules and applicability conditions, as Python compares and as SQL writes them
(numpy's are in ``scoring.vectors``). Plain Python: the row-by-row scorer loads without numpy."""

from __future__ import annotations

from collections.abc import Callable

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
SQL_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "==": "=", "!=": "<>"}
