"""Names a package offers that load on first use (PEP 562): a command that needs one name of a package must
not pay for importing all of them (pandas, SQLAlchemy, the pydantic models). One helper for every package
that does this (``indicators``, ``scoring``, ``lrc.service``, ``lrc.store``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's ``__getattr__``: each name of ``homes`` from the module named there (the module itself
    when its name ends with the name's), kept in the package once loaded."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = import_module(home)
        value = module if home.endswith(f".{name}") else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
