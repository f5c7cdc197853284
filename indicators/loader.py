"""Load and validate catalogue files (``indicators/catalogue/<version>.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from indicators.catalogue_model import Catalogue
from indicators.editions import CATALOGUE_DIR, available_versions
from lrc.errors import CatalogueError


def edition_path(directory: Path, version: str | None, what_zh: str) -> Path:
    """The file of a shipped edition of versioned data (``<directory>/<version>.yaml``; default: the newest),
    or a clear error listing the editions there are."""
    versions = available_versions(directory)
    if not versions:
        raise CatalogueError(f"目录 {directory} 中没有{what_zh}文件 (no {directory.name} files)")
    version = version or versions[-1]
    if version not in versions:
        raise CatalogueError(f"{what_zh}版本 {version} 不存在;可用版本:{', '.join(versions)}")
    return directory / f"{version}.yaml"


# libyaml's loader when PyYAML was built with it (its wheels are): the same documents, read 8x faster (a
# catalogue took 0.2 s in pure Python, at the start of every command that scores)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """A YAML document's data, as the safe loader reads it (errors are ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python


def read_yaml(path: str | Path, what_zh: str) -> Any:
    try:
        return parse_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: 无法读取{what_zh}文件 (cannot read {Path(path).name}): {exc}") from None


def load_catalogue(version: str | None = None, path: Path | None = None) -> Catalogue:
    """The catalogue at ``path``, or the shipped ``version`` (default: the newest)."""
    if path is None:
        versions = available_versions()
        if not versions:
            raise CatalogueError(f"目录 {CATALOGUE_DIR} 中没有指标体系文件 (no catalogue files)")
        version = version or versions[-1]
        if version not in versions:
            raise CatalogueError(f"指标体系版本 {version} 不存在;可用版本:{', '.join(versions)}")
        return _load_cached(str(CATALOGUE_DIR / f"{version}.yaml"))
    return _load_cached(str(path))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Catalogue:
    try:
        raw = parse_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: 无法读取指标体系文件 (cannot read catalogue): {exc}") from None
    if isinstance(raw, dict) and isinstance(raw.get("record_types"), str):
        raw = {**raw, "record_types": _record_types(raw["record_types"], path)}
    return parse_catalogue(raw, source=path)


def _record_types(edition: str, catalogue_path: str) -> Any:
    """The record types a catalogue file names by edition (``record_types: 2027.1``), read from
    ``record_types/<edition>.yaml`` beside the catalogue folder; stored runs keep them inline."""
    path = Path(catalogue_path).parent.parent / "record_types" / f"{edition}.yaml"
    try:
        document = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: 无法读取记录类型文件 (cannot read record types): {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("record_types"), list):
        raise CatalogueError(f"{path}: 应为 record_types 列表 (expected a record_types list)")
    return document["record_types"]


def parse_catalogue(raw: Any, source: str = "<catalogue>") -> Catalogue:
    """Validate a catalogue document; errors name the item and the field."""
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        lines = [describe_error(err, raw) for err in exc.errors()]
        raise CatalogueError(f"{source}: 指标体系无效 (invalid catalogue):\n  " + "\n  ".join(lines)) from None


def describe_error(err: Any, raw: Any) -> str:
    """One pydantic error as ``list[code].field: message``: an entry of a list named by its code (or name)."""
    loc = list(err.get("loc", ()))
    label = ".".join(str(p) for p in loc)
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(raw, dict):
        entries = raw.get(loc[0]) or []
        if loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            key = entries[loc[1]].get("code") or entries[loc[1]].get("name")
            if key:
                label = f"{loc[0]}[{key}]" + "".join(f".{p}" for p in loc[2:])
    message = str(err.get("msg", "")).removeprefix("Value error, ")
    return f"{label}: {message}" if label else message
