"""`lrc --version` and `lrc --help` start fast because the CLI imports its heavy libraries inside the
commands that need them. Timing is for bench/startup.py; these tests hold the cause: which modules a fresh
process has loaded after importing the CLI, or after answering --help and --version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from indicators import load_catalogue
from tests.conftest import scored_sample

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


def _described(command: object) -> object:
    """What a user sees of a click command: its help, parameters (names, options, defaults, help) and, for a
    group, the same for each subcommand."""
    params = [
        (p.name, tuple(p.opts), tuple(p.secondary_opts), repr(p.default), getattr(p, "help", None), p.required)
        for p in command.params  # type: ignore[attr-defined]
    ]
    subcommands = getattr(command, "commands", {})
    return (command.help, params, {n: _described(c) for n, c in sorted(subcommands.items())})  # type: ignore[attr-defined]


def test_running_one_command_builds_it_as_the_whole_app_does() -> None:
    """`main` builds only the command it runs (``only``): each command and group so built is the one the
    whole app holds, under the same name; an unknown name or an option first gets the whole app."""
    from typer.main import get_command

    from lrc.cli import app, only

    whole = get_command(app)
    names = sorted(whole.commands)  # type: ignore[attr-defined]
    assert {"rank", "explain", "record", "ingest", "objection"} <= set(names)
    for name in names:
        narrowed = get_command(only(name))
        assert list(narrowed.commands) == [name]  # type: ignore[attr-defined]
        assert _described(narrowed.commands[name]) == _described(whole.commands[name])  # type: ignore[attr-defined]
        assert _described(narrowed)[1] == _described(whole)[1]  # the same options before the command (--version)
    assert only("rnk") is app and only("--version") is app and only("") is app


def test_a_narrowed_command_answers_as_the_whole_app() -> None:
    """Through the entry point: usage errors name the command path, unknown commands suggest a name."""
    cases = {
        ("rank", "--bogus"): "没有选项 --bogus",
        ("rnk",): "没有命令 'rnk',是否要用 'rank'?",
        ("record", "ad"): "`lrc record --help`",
    }
    for args, expected in cases.items():
        entry = [sys.executable, "-c", "from lrc.cli import main; main()"]
        done = subprocess.run([*entry, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, (args, done.stderr)
        assert expected in done.stderr, (args, done.stderr)


def test_rank_and_explain_read_through_the_driver_alone(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """`lrc rank --top N` and `lrc explain` (table or text, and JSON) load neither pandas nor SQLAlchemy (0.4 s of
    every such command before; a ranking not even the catalogue's models) and print what the SQLAlchemy path
    prints (``LRC_DRIVER_READS=0``)."""
    sample = scored_sample(engine, tmp_path, 60, seed=5, period="2026Q3")
    url = engine.url.render_as_string(hide_password=False)
    unloaded = ["pandas", "numpy", "sqlalchemy", "alembic", "scoring.engine"]
    cases = [
        ["rank", "--top", "7"], ["rank", "--top", "7", "-f", "json"],
        ["rank", "--top", "3", "--region", "210200", "--grade", "b"],
        ["explain", str(sample["uscc"].iloc[3])], ["explain", str(sample["uscc"].iloc[4]), "-f", "json"],
    ]  # fmt: skip
    for args in cases:
        # a ranking loads not even the catalogue's models, nor pydantic (Typer 0.29 coerced every option through it)
        heavy = [*unloaded, *(["yaml", "indicators.catalogue_model", "pydantic"] if args[0] == "rank" else [])]
        argv = ["lrc", *args, "-p", "2026Q3", "--db", url]
        run = (
            f"import sys\nsys.argv = {argv!r}\nfrom lrc.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
        )
        probe = f"{run}\nimport sys, json\nprint(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
        runs = {}
        for driver in ("1", "0"):
            env = {**os.environ, "LRC_DRIVER_READS": driver, "COLUMNS": "200"}
            done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, env=env)
            assert done.returncode == 0, done.stderr
            *printed, modules = done.stdout.strip().splitlines()
            runs[driver] = ("\n".join(printed), json.loads(modules))
        assert runs["1"][1] == [], f"lrc {args} loaded {runs['1'][1]}"
        assert "pandas" in runs["0"][1]  # the other path did run
        assert runs["1"][0] == runs["0"][0], args
        assert ("matched" in runs["1"][0]) == (args[0] == "rank" and "json" not in args), runs["1"][0]
