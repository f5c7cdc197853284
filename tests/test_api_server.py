"""The API as deployed: `lrc serve` (Uvicorn) as a real HTTP server, its OpenAPI contract checked by
schemathesis, and a store that goes away and comes back (PostgreSQL behind a TCP relay we switch off)."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text

from lrc.api import create_app
from lrc.service import accounts
from lrc.store import make_engine, upgrade
from tests.browser_support import free_port, lrc_command, wait_for_http
from tests.conftest import ADMIN, _pg_database, scored_sample

PERIOD = "2026Q3"


def build(url: str, directory: Path) -> tuple[str, list[str]]:
    """A scored store with an admin; returns the admin's token and the sample's codes."""
    engine = make_engine(url)
    upgrade(engine)
    sample = scored_sample(engine, directory, 40, 31, PERIOD)
    accounts.add_user(engine, ADMIN, "boss", "admin", "boss-password")
    token = accounts.create_token(engine, accounts.acting(engine, "boss"), "boss").token
    engine.dispose()
    return token, sample["uscc"].tolist()


@contextmanager
def serving(url: str, directory: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "LRC_DATABASE_URL": url, "LRC_LOG_DIR": str(directory / "logs")}
    process = subprocess.Popen(
        [*lrc_command(), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/api/v1/health")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def call(base: str, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_lrc_serve_answers_over_http(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lrc.db'}"
    token, usccs = build(url, tmp_path)
    with serving(url, tmp_path) as base:
        status, page = call(base, "GET", "/api/v1/rankings?limit=3", token)
        assert status == 200 and page["total"] == 40 and len(page["items"]) == 3
        status, body = call(base, "GET", f"/api/v1/enterprises/{usccs[0]}", None)
        assert status == 401 and body["code"] == "unauthenticated"
        status, shown = call(base, "GET", f"/api/v1/enterprises/{usccs[0]}", token)
        assert status == 200 and shown["uscc"] == usccs[0]
        with urllib.request.urlopen(f"{base}/api/v1/docs") as docs:
            page_html = docs.read().decode()
        assert "/api/v1/docs-assets/swagger-ui-bundle.js" in page_html and "cdn" not in page_html.lower()


# ---- the OpenAPI contract, generated from the document itself ----


def test_the_api_keeps_its_contract(tmp_path: Path) -> None:
    """Requests generated from the OpenAPI document itself, for every operation: none gets a server error,
    and every error is a problem document with a code."""
    url = f"sqlite:///{tmp_path / 'lrc.db'}"
    token, _ = build(url, tmp_path)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(url))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (case.operation.label, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"][0].startswith("application/problem+json")
                assert json.loads(response.text)["code"]

        check()


# ---- a store that goes away ----


class Relay:
    """A TCP relay to PostgreSQL that can be cut (connections dropped, new ones refused) and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.open = threading.Event()
        self.open.set()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.server.settimeout(0.2)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.pairs.append((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while self.open.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def cut(self) -> None:
        self.open.clear()
        for a, b in self.pairs:
            for sock in (a, b):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self.pairs.clear()

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.running = False
        self.cut()
        self.server.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new PostgreSQL database (the relay stands between the API and PostgreSQL)."""
    yield from _pg_database()


@pytest.mark.postgres
def test_503_while_the_store_is_down_and_a_retry_succeeds(pg_url: str, tmp_path: Path) -> None:
    db_url = pg_url
    token, usccs = build(db_url, tmp_path)
    relay = Relay(("127.0.0.1", 5432))
    relayed = db_url.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}")
    try:
        with serving(relayed, tmp_path) as base:
            record = {"uscc": usccs[0], "type": "HONOUR_MUNICIPAL", "date": "2026-06-01", "source": "沈阳市总工会",
                      "ref": "沈工发〔2026〕9号"}  # fmt: skip
            assert call(base, "GET", "/api/v1/rankings?limit=1", token)[0] == 200
            relay.cut()
            status, body = call(base, "POST", "/api/v1/records", token, record)
            assert status == 503 and body["code"] == "store_unavailable", body
            assert call(base, "GET", "/api/v1/health", None)[0] == 503
            relay.restore()
            status, body = call(base, "POST", "/api/v1/records", token, record)
            assert status == 201, body
            status, again = call(base, "POST", "/api/v1/records", token, record)
            assert status == 200 and again["id"] == body["id"]
    finally:
        relay.close()
    with make_engine(db_url).connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM records")) == 1
