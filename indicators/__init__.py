"""The indicator model (指标体系) as versioned data: 8 / 20 / 33 / 75."""

from indicators.catalogue_model import Catalogue
from indicators.loader import CATALOGUE_DIR, available_versions, load_catalogue, parse_catalogue
from indicators.models import RULE_TYPES, InputField, Item, to_tenths

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
