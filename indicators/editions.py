"""Which catalogue editions are shipped, from the file names alone (``catalogue/<version>.yaml``):
cheap enough for ``lrc --version``, which must not parse and validate a catalogue to name it."""

from __future__ import annotations

from pathlib import Path

CATALOGUE_DIR = Path(__file__).parent / "catalogue"


def version_key(version: str) -> tuple[int, ...]:
    """``2027.1`` → ``(2027, 1)``: editions sort by number, not as text."""
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def available_versions(directory: Path = CATALOGUE_DIR) -> list[str]:
    """Catalogue versions shipped, oldest first."""
    return sorted((p.stem for p in directory.glob("*.yaml")), key=version_key)
