"""The registry of field makers: one function per catalogue field, by field name.

A maker returns the field's true value for every firm (bools as 0/1) and may ask
for other fields through ``value``, which makes each field once per period.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrc.samples.quality import Context

__all__ = ["MAKERS", "Maker", "maker", "memo", "value"]

Maker = Callable[[Context], np.ndarray]
MAKERS: dict[str, Maker] = {}


def maker(name: str) -> Callable[[Maker], Maker]:
    """Register the decorated function as the maker of field ``name``."""

    def register(fn: Maker) -> Maker:
        if name in MAKERS:
            raise ValueError(f"two makers for field {name}")
        MAKERS[name] = fn
        return fn

    return register


def value(ctx: Context, name: str) -> np.ndarray:
    """The true value of a field this period (made on first use)."""
    if name not in ctx.values:
        ctx.values[name] = MAKERS[name](ctx)
    return ctx.values[name]


def memo(ctx: Context, key: str, make: Callable[[], np.ndarray]) -> np.ndarray:
    """A hidden quantity several makers share (e.g. whether a firm uses dispatch at all)."""
    if key not in ctx.values:
        ctx.values[key] = make()
    return ctx.values[key]
