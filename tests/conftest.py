"""Shared fixtures: the real catalogue, and stores on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import functools
import gc
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from indicators import Catalogue, load_catalogue
from lrc import passwords
from lrc.service.access import Principal, Role
from lrc.store import make_engine, upgrade

ADMIN = Principal(name="test-admin", role=Role.admin)  # who acts in tests that are not about access


def _test_hasher() -> Any:
    """argon2id at its lowest cost, in the test processes only: hundreds of accounts are made and signed in
    here, each hash or check at the library's recommended cost took 0.15 s (some 40 s of a worker's time).
    The code path is the same; `lrc` processes and dashboards the tests start keep the real cost, and
    tests/test_access.py holds an `lrc` process to the library's recommended parameters."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


passwords._hasher = functools.cache(_test_hasher)  # type: ignore[method-assign]

PG_ADMIN_URL = os.environ.get("LRC_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@contextmanager
def clock_at(day: date) -> Iterator[None]:
    """The store's clock (``repository.now``) at noon of ``day`` in Beijing while inside: the runs, records and
    publications stored then are stored as of that day (a case may then be dated back to it). In-process only."""
    from lrc.store import repository

    noon = datetime(day.year, day.month, day.day, 4, tzinfo=UTC)  # 12:00 in Beijing
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repository, "now", lambda: noon)
        yield


def _pg_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards: empty, or a copy of the database ``template``."""
    name = f"lrc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    copied = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    except Exception as exc:  # noqa: BLE001 - any failure here means the server is not usable
        pytest.fail(
            f"PostgreSQL at {PG_ADMIN_URL} is not usable ({exc.__class__.__name__}); "
            "start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses a PostgreSQL store carries the ``postgres`` marker, so that
    ``-m "not postgres"`` really leaves PostgreSQL out (the parametrised ``db_url`` marks its own).
    Modules are run longest first (``LONGEST_FIRST``, then by their number of tests, as xdist orders them):
    `.ci/run` hands whole modules to its workers in this order (``--no-loadscope-reorder``), and xdist's own
    order, by number of tests, left the longest modules, which have few tests, to one worker at the end."""
    for item in items:
        if "pg_engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.path.stem] = counts.get(item.path.stem, 0) + 1

    def order(item: pytest.Item) -> tuple[int, int]:
        module = item.path.stem
        return (LONGEST_FIRST.index(module), 0) if module in LONGEST_FIRST else (len(LONGEST_FIRST), -counts[module])

    items.sort(key=order)  # stable: a module's own tests keep their order


# modules by their time in a whole run on 2 cores (`--durations`), longest first
LONGEST_FIRST = (
    "test_read_path", "test_summaries", "test_differential", "test_spark", "test_single", "test_records",
    "test_cli_startup", "test_chunked_ingest", "test_dashboard_browser", "test_api_server", "test_access_browser",
    "test_hearings_browser", "test_report_browser", "test_objections_browser", "test_engine", "test_publish_browser",
)  # fmt: skip


# An Alembic upgrade of an empty store costs about half a second on PostgreSQL, which hundreds of tests
# would each pay: instead each worker (each xdist worker is its own session) upgrades one store per backend
# once, and an initialised store is a copy of it (CREATE DATABASE ... TEMPLATE, or a copy of the file).


@pytest.fixture(scope="session")
def upgraded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store file upgraded to the newest migration, once per worker."""
    path = tmp_path_factory.mktemp("upgraded") / "lrc.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()  # its last connection closes: the WAL is checkpointed into the file, which is then whole
    assert not path.with_name("lrc.db-wal").exists()
    return path


@pytest.fixture(scope="session")
def upgraded_pg() -> Iterator[str]:
    """The name of a PostgreSQL database upgraded to the newest migration, once per worker (a template
    must have no other connection while it is copied, so each worker has its own); dropped at the end."""
    for url in _pg_database():
        eng = make_engine(url)
        upgrade(eng)
        eng.dispose()
        yield url.rsplit("/", 1)[1]


def _no_sessions(database: str, wait: float = 30.0) -> None:
    """Wait until no session uses ``database`` (a client that has gone may leave its server process a moment)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + wait
    try:
        with admin.connect() as conn:
            query = text("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = :name")
            while conn.scalar(query, {"name": database}):
                if time.monotonic() > deadline:
                    pytest.fail(f"sessions still use {database} after {wait:.0f} s")
                time.sleep(0.05)
    finally:
        admin.dispose()


class StoreBuild:
    """A store made once per module and backend by ``build(engine, directory)``, which returns what the tests
    need to know of it. A module offers one as its fixture ``store_build`` (module-scoped); each test that
    uses that fixture starts from a copy of the built store (its ``db_url`` and ``engine`` are the copy), so
    the tests stay independent of each other's writes, and the build is paid once, not once per test."""

    def __init__(self, build: Callable[[Engine, Path], Any], directory: Path) -> None:
        self.build, self.directory = build, directory
        self._made: dict[str, tuple[str, Any]] = {}
        self._failed: set[str] = set()
        self._databases: list[Iterator[str]] = []

    def template(self, backend: str, upgraded: str) -> str:
        """The built store on ``backend`` (SQLite: its file; PostgreSQL: its database's name), made the first
        time from ``upgraded``, the worker's upgraded store."""
        if backend in self._failed:
            pytest.fail(f"the module's store on {backend} could not be built: see the first test that used it")
        if backend not in self._made:
            self._failed.add(backend)
            directory = self.directory / backend
            directory.mkdir()
            if backend == "sqlite":
                name = str(directory / "lrc.db")
                shutil.copyfile(upgraded, name)
                url = f"sqlite:///{name}"
            else:
                self._databases.append(_pg_database(upgraded))
                url = next(self._databases[-1])
                name = url.rsplit("/", 1)[1]
            eng = make_engine(url)
            try:
                value = self.build(eng, directory)
                gc.collect()  # closes the connections of engines the build let go (as the in-process CLI does)
                if backend == "sqlite":  # all in the file (a command that exited may have left its WAL)
                    with eng.connect() as conn:
                        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                eng.dispose()  # SQLite: the last connection closes and the WAL goes
            if backend == "sqlite":
                assert not Path(f"{name}-wal").exists()
            else:
                _no_sessions(name)  # a template must have no connection while it is copied
            self._made[backend] = name, value
            self._failed.discard(backend)
        return self._made[backend][0]

    def files(self, engine: Engine, into: Path) -> None:
        """The files the build wrote on ``engine``'s backend (not its store), copied into ``into``."""
        built = self.directory / engine.dialect.name
        shutil.copytree(built, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns("lrc.db", "lrc.db-*"))

    def value(self, engine: Engine) -> Any:
        """What the build returned on ``engine``'s backend (a copy: a test may change it)."""
        return copy.deepcopy(self._made[engine.dialect.name][1])

    def close(self) -> None:
        for databases in self._databases:
            databases.close()  # drops the database


def module_store_build(build: Callable[[Engine, Path], Any], name: str) -> Any:
    """A module's ``store_build`` fixture (``store_build = module_store_build(build, "name")``): the store
    ``build`` makes, built once per module and backend in a folder called ``name``."""

    @pytest.fixture(scope="module")
    def store_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreBuild]:
        built = StoreBuild(build, tmp_path_factory.mktemp(name))
        yield built
        built.close()

    return store_build


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL on each backend (store tests run on both): empty, unless the test also uses ``engine``,
    whose store it is: then a copy of the worker's upgraded store, or of the module's ``store_build`` when
    the test uses that."""
    built: StoreBuild | None = request.getfixturevalue("store_build") if "store_build" in request.fixturenames else None
    template: str | None = None
    if built is not None or "engine" in request.fixturenames:
        template = str(request.getfixturevalue("upgraded_sqlite" if request.param == "sqlite" else "upgraded_pg"))
        if built is not None:
            template = built.template(request.param, template)
    if request.param == "sqlite":
        path = tmp_path / "lrc.db"
        if template is not None:
            shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
    else:
        yield from _pg_database(template)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An initialised store on each backend."""
    eng = make_engine(db_url)
    upgrade(eng)  # a copy of an upgraded store is at the newest migration already: this checks it, cheaply
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine(upgraded_pg: str) -> Iterator[Engine]:
    """An initialised store on PostgreSQL only, for behaviour SQLite does not have."""
    for url in _pg_database(upgraded_pg):
        eng = make_engine(url)
        yield eng
        eng.dispose()


def scored_sample(engine: Engine, directory: Path, n: int, seed: int, period: str) -> pd.DataFrame:
    """``n`` sample enterprises written to a CSV in ``directory``, ingested and scored for ``period``."""
    from lrc.samples import generate, write_sample
    from lrc.service import ingest_file, score_period

    sample = generate(n, seed=seed, period=period)
    path = directory / f"sample-{period}.csv"
    write_sample(sample, path)
    ingest_file(engine, ADMIN, path, period)
    score_period(engine, ADMIN, period)
    return sample


OFFICE = {"boss": "boss-password", "dl": "dalian-pass", "vv": "viewer-pass"}


def office_accounts(engine: Engine) -> None:
    """An admin (boss), a Dalian analyst (dl) and a province viewer (vv), passwords in ``OFFICE``."""
    from lrc.service import accounts

    accounts.add_user(engine, ADMIN, "boss", "admin", OFFICE["boss"])
    accounts.add_user(engine, ADMIN, "dl", "analyst", OFFICE["dl"], region="210200")
    accounts.add_user(engine, ADMIN, "vv", "viewer", OFFICE["vv"])


def sqlite_copy(url: str, directory: Path) -> str:
    """A copy, in ``directory``, of the SQLite store at ``url`` (no connection to it may be open), and the files
    beside it; its URL."""
    source = Path(url.removeprefix("sqlite:///"))
    assert not source.with_name(f"{source.name}-wal").exists(), "a connection to the store is still open"
    shutil.copytree(source.parent, directory, dirs_exist_ok=True)
    return f"sqlite:///{directory / source.name}"


def demo_store(directory: Path, n: int = 200) -> str:
    """A SQLite store in ``directory`` holding the demo: ``n`` sample enterprises, two periods, scored."""
    import io

    from rich.console import Console

    from lrc.demo import run_demo

    url = f"sqlite:///{directory / 'lrc.db'}"
    engine = make_engine(url)
    run_demo(engine, ADMIN, Console(file=io.StringIO()), n=n, directory=directory / "demo")
    engine.dispose()
    return url


# ---- browser tests: each module defines ``store_url``; these serve it and drive Chromium against it ----


@pytest.fixture(scope="module")
def base_url(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served on the module's store."""
    from tests.browser_support import dashboard

    with dashboard(store_url, log=tmp_path_factory.mktemp("browser-log") / "dashboard.log") as base:
        yield base


@pytest.fixture(scope="module")
def requested() -> list[str]:
    """Every URL the browser asked for while the tests of the module ran."""
    return []


@pytest.fixture(scope="module")
def page(base_url: str, requested: list[str]) -> Iterator[Any]:
    """A Chromium tab on the module's dashboard, recording its requests."""
    from tests.browser_support import recording_tab

    with recording_tab(requested) as tab:
        yield tab
