"""Hypothesis strategies for enterprise facts that respect the catalogue's field ranges."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import strategies as st

from indicators import Catalogue, InputField


def field_value(field: InputField, *, allow_missing: bool = True) -> st.SearchStrategy[Any]:
    if field.type == "bool":
        value: st.SearchStrategy[Any] = st.booleans()
    elif field.type == "int":
        low = int(field.min) if field.min is not None else 0
        high = int(field.max) if field.max is not None else low + 5_000
        value = st.integers(min_value=low, max_value=min(high, low + 5_000))
    else:
        low = field.min if field.min is not None else 0.0
        high = field.max if field.max is not None else low + 1e6
        value = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    return st.one_of(st.none(), value) if allow_missing and field.name != "headcount" else value


def enterprise_facts(
    catalogue: Catalogue, *, allow_missing: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {f.name: field_value(f, allow_missing=allow_missing) for f in catalogue.fields}
    ).map(_consistent)


def _consistent(facts: dict[str, Any]) -> dict[str, Any]:
    """Counts of people cannot exceed the headcount in real data; the engine does not rely on it,
    so only ``headcount`` itself is forced to be at least 1."""
    facts["headcount"] = max(1, facts.get("headcount") or 1)
    return facts


def frame(rows: list[dict[str, Any]], catalogue: Catalogue) -> pd.DataFrame:
    data = pd.DataFrame(rows, columns=[f.name for f in catalogue.fields])
    data.index = pd.Index([f"E{k:05d}" for k in range(len(rows))], name="uscc")
    return data
