"""`lrc --version` and `lrc --help` start fast because the CLI imports its heavy libraries inside the
commands that need them. Timing is for bench/startup.py; these tests hold the cause: which modules a fresh
process has loaded after importing the CLI, or after answering --help and --version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indicators import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "pydantic", "yaml", "indicators.catalogue_model", "scoring")


def loaded_after(code: str) -> tuple[list[str], str]:
    """The heavy modules a fresh interpreter holds after running ``code``, and what ``code`` printed."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    *printed, modules = done.stdout.strip().splitlines()
    return json.loads(modules), "\n".join(printed)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    modules, _ = loaded_after("import lrc.cli")
    assert modules == [], f"import lrc.cli loaded {modules}: import them inside the commands that use them"


@pytest.mark.parametrize("argument", ["--help", "--version"])
def test_help_and_version_load_no_heavy_library(argument: str) -> None:
    code = f"import sys\nfrom lrc.cli import app\ntry:\n    app([{argument!r}])\nexcept SystemExit:\n    pass"
    modules, printed = loaded_after(code)
    assert modules == [], f"lrc {argument} loaded {modules}"
    assert printed.strip()


def test_version_names_the_newest_catalogue_as_loading_it_would() -> None:
    _, printed = loaded_after("from lrc.cli import app\ntry:\n    app(['--version'])\nexcept SystemExit:\n    pass")
    assert printed.strip() == f"lrc 0.1.0,指标体系 (catalogue) {load_catalogue().version}"


def test_the_indicators_package_still_offers_every_name() -> None:
    import indicators

    for name in indicators.__all__:
        assert getattr(indicators, name) is not None
    with pytest.raises(AttributeError):
        _ = indicators.no_such_name  # type: ignore[attr-defined]
