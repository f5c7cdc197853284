"""The indicator model (指标体系) as versioned data: 8 / 20 / 33 / 75.

Names load on first use (PEP 562): building the pydantic models costs about 0.15 s, which
``lrc --version`` and ``lrc --help`` need not pay (``indicators.editions`` names the editions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrc.lazy import lazy_names

if TYPE_CHECKING:
    from indicators.catalogue_model import Catalogue
    from indicators.editions import CATALOGUE_DIR, available_versions
    from indicators.loader import load_catalogue, parse_catalogue
    from indicators.models import RULE_TYPES, InputField, Item, to_tenths

_HOMES = {
    "CATALOGUE_DIR": "indicators.editions",
    "RULE_TYPES": "indicators.models",
    "Catalogue": "indicators.catalogue_model",
    "InputField": "indicators.models",
    "Item": "indicators.models",
    "available_versions": "indicators.editions",
    "load_catalogue": "indicators.loader",
    "parse_catalogue": "indicators.loader",
    "to_tenths": "indicators.models",
}

__all__ = [
    "CATALOGUE_DIR",
    "RULE_TYPES",
    "Catalogue",
    "InputField",
    "Item",
    "available_versions",
    "load_catalogue",
    "parse_catalogue",
    "to_tenths",
]


__getattr__ = lazy_names(__name__, _HOMES)
