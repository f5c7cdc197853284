"""Where a person may look: the province, one city, one district, or one enterprise.

A scope is a value the store understands (``lrc.store.repository`` narrows queries by it), so that
what is outside it is never read, rather than read and hidden.

>>> Scope("210200").prefix, Scope("210203").prefix, Scope().everything
('2102', '210203', True)
>>> Scope("210200").contains("210203", "x"), Scope("210200").contains("210102", "x")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrc.reference import CITIES, district_label

if TYPE_CHECKING:  # the CLI reads scopes before any frame exists: numpy loads when first needed
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Scope:
    region: str | None = None  # a city (21xx00) or district code; None: the whole province
    uscc: str | None = None  # one enterprise (the role ``enterprise``)

    @property
    def everything(self) -> bool:
        return self.region is None and self.uscc is None

    @property
    def prefix(self) -> str | None:
        """The region codes inside: a city's four-digit prefix, a district's own code."""
        if self.region is None:
            return None
        return self.region[:4] if self.region in CITIES else self.region

    def contains(self, region_code: str | None, uscc: str | None) -> bool:
        if self.uscc is not None and uscc != self.uscc:
            return False
        prefix = self.prefix
        return prefix is None or (region_code is not None and str(region_code).startswith(prefix))

    def mask(self, region_codes: pd.Series, usccs: pd.Series) -> np.ndarray:
        """``contains`` for whole columns."""
        import numpy as np

        keep = np.ones(len(region_codes), dtype=bool)
        if self.uscc is not None:
            keep &= (usccs == self.uscc).to_numpy()
        if self.prefix is not None:
            keep &= region_codes.astype("string").str.startswith(self.prefix).fillna(False).to_numpy(dtype=bool)
        return keep

    def label(self) -> str:
        """In words, for messages: 全省, 大连市 (210200), 企业 912101…"""
        if self.uscc is not None:
            return f"企业 {self.uscc}"
        if self.region is None:
            return "全省 (province)"
        return f"{district_label(self.region)} ({self.region})"


PROVINCE = Scope()
