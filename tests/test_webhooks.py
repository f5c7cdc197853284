"""Alerts delivered to other systems: the outbox written with the alert, signed POSTs to a real local
receiver that fails and recovers, back-off through an hour's outage (on an injected clock), exactly once
and in order, admin-only management, and the CLI; store tests on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

import lrc.service.runs as runs
from lrc.errors import ConflictError, NotFoundError, PermissionDenied, UsageError
from lrc.service import accounts, ranking
from lrc.service.alerts import list_alerts
from lrc.service.audit import audit_log
from lrc.service.records import receive_objects
from lrc.service.webhooks import Delivery, add_webhook, deliver, list_webhooks, remove_webhook, run
from lrc.store import outbox
from lrc.store.tables import Alert, OutboxEvent
from lrc.webhooks import Backoff, Sender, signature, verify
from tests.conftest import ADMIN, StoreBuild, module_store_build, office_accounts, scored_sample
from tests.test_cli import LRC, lrc

PERIOD = "2026Q3"
SECRET = "receiver-shared-secret-2026"
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


class FakeTime:
    """A clock that moves only when the sender sleeps."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Receiver:
    """A local HTTP receiver like another system's: checks the signature and headers of each POST, keeps
    the events it took (key, body, when), answers 503 while ``down()`` and 401 to a bad signature."""

    def __init__(
        self,
        secret: str = SECRET,
        *,
        now: Callable[[], float] = time.time,
        down: Callable[[], bool] = lambda: False,
        delay: float = 0.0,
        port: int = 0,
    ) -> None:
        self.secret, self.now, self.down, self.delay = secret, now, down, delay
        self.keys: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.taken_at: list[float] = []
        self.unavailable = 0
        self.bad_signatures = 0
        self.problems: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/lrc-hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.take(self.headers, body))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        return Handler

    def take(self, headers: Message, body: bytes) -> int:
        """The answer to one POST (header names are case-insensitive, as in HTTP)."""
        with self.lock:
            if self.down():
                self.unavailable += 1
                return 503
            stamp, signed = headers.get("X-LRC-Timestamp", ""), headers.get("X-LRC-Signature", "")
            if not verify(self.secret, stamp, body, signed, now=self.now()):
                self.bad_signatures += 1
                return 401
            payload = json.loads(body.decode("utf-8"))
            if headers.get("Content-Type") != "application/json; charset=utf-8":
                self.problems.append(f"content type {headers.get('Content-Type')}")
            if headers.get("Idempotency-Key") != payload["idempotency_key"]:
                self.problems.append(f"key {headers.get('Idempotency-Key')} != {payload['idempotency_key']}")
            if headers.get("X-LRC-Event") != "alert.raised":
                self.problems.append(f"event {headers.get('X-LRC-Event')}")
            self.keys.append(payload["idempotency_key"])
            self.bodies.append(payload)
            self.taken_at.append(self.now())
            return 200


def _fatal(uscc: str, ref: str) -> dict[str, Any]:
    return {"uscc": uscc, "type": "FATAL_ACCIDENT_RESPONSIBLE", "date": "2026-09-15", "workers": 1,
            "source": "沈阳市应急管理局", "ref": ref, "severity": "严重"}  # fmt: skip


def _outbox_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(OutboxEvent.idempotency_key).order_by(OutboxEvent.id)))


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def _office(engine: Engine, directory: Path) -> list[str]:
    """40 scored sample enterprises, the office accounts; returns the USCCs best first."""
    scored_sample(engine, directory, 40, 11, PERIOD)
    office_accounts(engine)
    _, ranked = ranking(engine, ADMIN, PERIOD)
    return list(ranked["uscc"])


store_build = module_store_build(_office, "office")


@pytest.fixture
def store(engine: Engine, store_build: StoreBuild) -> tuple[Engine, list[str]]:
    """A copy of the office's store: 40 scored sample enterprises, the office accounts; the USCCs best first."""
    return engine, store_build.value(engine)


def _accidents(engine: Engine, usccs: list[str], tag: str) -> None:
    """A fatal accident for each enterprise (three alerts each: grade fell, red line, total dropped)."""
    receive_objects(engine, ADMIN, [_fatal(u, f"沈应急罚〔2026〕{tag}{k}号") for k, u in enumerate(usccs)])


# ---- the outbox ----


def test_every_alert_has_its_event_in_the_outbox(store: tuple[Engine, list[str]]) -> None:
    engine, usccs = store
    _accidents(engine, usccs[:2], "a")
    alerts = sorted(list_alerts(engine, ADMIN), key=lambda a: a.id)
    assert len(alerts) == 6
    with engine.connect() as conn:
        ids = {int(i): int(e) for i, e in conn.execute(select(Alert.id, Alert.enterprise_id))}
        events = conn.execute(select(OutboxEvent.__table__).order_by(OutboxEvent.id)).all()
    assert [e.idempotency_key for e in events] == [f"alert:{a.rule_code}:{a.run_id}:{ids[a.id]}" for a in alerts]
    bodies = [json.loads(e.payload) for e in events]
    assert [b["alert_id"] for b in bodies] == [a.id for a in alerts]
    first, alert = bodies[0], alerts[0]
    assert (first["event"], first["uscc"], first["name"], first["rule"]) == ("alert.raised", alert.uscc, alert.name,
                                                                            alert.rule_code)  # fmt: skip
    assert (first["after_grade"], first["after_total"], first["before_total"]) == ("D", alert.after_total,
                                                                                  alert.before_total)  # fmt: skip
    assert first["title_zh"] == alert.title_zh and first["record_id"] == alert.record_id
    assert first["raised_at"].endswith("+08:00") and "\\u" not in events[0].payload  # UTF-8, not escaped
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET payload = '{}'"))


def test_a_run_that_fails_after_raising_leaves_no_alert_and_no_event(
    store: tuple[Engine, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, usccs = store
    real, seen = runs.raise_alerts, []

    def raise_then_fail(conn: Any, *args: Any, **kwargs: Any) -> int:
        raised = real(conn, *args, **kwargs)
        seen.append((raised, conn.scalar(select(func.count()).select_from(OutboxEvent))))
        raise RuntimeError("the transaction fails after the alerts were raised")

    monkeypatch.setattr(runs, "raise_alerts", raise_then_fail)
    with pytest.raises(RuntimeError):
        _accidents(engine, usccs[:1], "b")
    assert seen == [(3, 3)]  # raised and written, inside the transaction
    assert _count(engine, Alert) == 0 and _count(engine, OutboxEvent) == 0  # and rolled back together
    monkeypatch.setattr(runs, "raise_alerts", real)
    _accidents(engine, usccs[:1], "b")
    assert _count(engine, Alert) == 3 and _count(engine, OutboxEvent) == 3


def test_on_postgresql_a_later_event_cannot_commit_before_an_earlier_one(pg_engine: Engine) -> None:
    """Else a sender could deliver id 2, move its cursor past it, and never see id 1 committed later."""

    def events(tag: str) -> list[dict[str, Any]]:
        return [{"event": "test", "idempotency_key": f"{tag}{k}", "payload": "{}", "region_code": None,
                 "created_at": T0} for k in range(3)]  # fmt: skip

    later: list[int] = []

    def second_writer() -> None:
        with pg_engine.begin() as conn:
            outbox.add_events(conn, events("b"))
            later.extend(conn.scalars(select(OutboxEvent.id).where(OutboxEvent.idempotency_key.like("b%"))))

    with pg_engine.begin() as conn:
        outbox.add_events(conn, events("a"))
        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and later == []  # waits for the first writer's commit
        first = list(conn.scalars(select(OutboxEvent.id)))
    writer.join(10)
    assert len(later) == 3 and min(later) > max(first)


# ---- delivery ----


def test_signatures_and_backoff() -> None:
    body = '{"event":"alert.raised","name":"沈阳某厂"}'.encode()
    expected = hmac.new(SECRET.encode(), b"1764489600." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, "1764489600", body) == f"sha256={expected}"
    signed = signature(SECRET, "1764489600", body)
    assert verify(SECRET, "1764489600", body, signed, now=1764489600 + 60)
    assert not verify(SECRET, "1764489600", body + b" ", signed, now=1764489600)  # body changed
    assert not verify("another-secret-of-16", "1764489600", body, signed, now=1764489600)
    assert not verify(SECRET, "1764489601", body, signed, now=1764489600)  # timestamp changed
    assert not verify(SECRET, "1764489600", body, signed, now=1764489600 + 3600)  # replayed an hour later
    backoff = Backoff(base=5, cap=300)
    assert [backoff.delay(n, 0.0) for n in (1, 2, 3, 4)] == [2.5, 5, 10, 20]
    assert [backoff.delay(n, 1.0) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert all(150 <= backoff.delay(n, r) <= 300 for n in (7, 20, 10_000) for r in (0.0, 0.5, 0.999))


def test_an_hour_of_downtime_ends_with_every_alert_delivered_once_in_order(store: tuple[Engine, list[str]]) -> None:
    engine, usccs = store
    fake = FakeTime()
    recovered = T0 + timedelta(hours=1)
    with Receiver(now=lambda: fake.now.timestamp(), down=lambda: fake.now < recovered) as receiver:
        hook = add_webhook(engine, ADMIN, receiver.url, SECRET)
        _accidents(engine, usccs[:2], "c")
        raised_later = []

        def midway(_: Any) -> None:  # alerts raised while the receiver is down are kept as well
            if not raised_later and fake.now >= T0 + timedelta(minutes=30):
                _accidents(engine, usccs[2:3], "d")
                raised_later.append(fake.now)

        how = Delivery(clock=fake.clock)
        passes = []
        sent = run(engine, ADMIN, how, sleep=fake.sleep, on_pass=lambda r: (passes.append(r), midway(r)),
                   until=lambda: len(receiver.keys) >= 9 or fake.now > T0 + timedelta(hours=3))  # fmt: skip
    assert raised_later and sent == 9
    assert receiver.keys == _outbox_keys(engine)  # every event, once, in the order raised
    assert receiver.bad_signatures == 0 and receiver.problems == []
    assert 10 <= receiver.unavailable <= 40  # backed off: not one request every 5 s (720)
    assert recovered.timestamp() <= receiver.taken_at[0] <= recovered.timestamp() + 300 + 5  # within the cap
    assert any(h.state == "waiting" for r in passes for h in r.hooks)
    (after,) = list_webhooks(engine, ADMIN)
    assert (after.id, after.delivered, after.pending, after.attempts, after.last_error) == (hook.id, 9, 0, 0, None)
    assert after.last_status == 200 and after.next_attempt_at is None


def test_refused_slow_and_wrongly_signed_deliveries_are_retried_without_loss(store: tuple[Engine, list[str]]) -> None:
    engine, usccs = store
    with socket.socket() as probe:  # a port nobody listens on (yet)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeTime()
    how = Delivery(sender=Sender(timeout=0.3), clock=fake.clock)
    hook = add_webhook(engine, ADMIN, f"http://127.0.0.1:{port}/lrc-hook", SECRET)
    _accidents(engine, usccs[:1], "e")

    refused = deliver(engine, ADMIN, how).hooks[0]
    assert (refused.state, refused.delivered, refused.pending) == ("failed", 0, 3)
    assert refused.error and "连接被拒绝" in refused.error
    assert deliver(engine, ADMIN, how).hooks[0].state == "waiting"  # not before its back-off

    with Receiver(now=lambda: fake.now.timestamp(), delay=1.0, port=port) as receiver:
        fake.sleep(600)
        slow = deliver(engine, ADMIN, how).hooks[0]
        assert slow.state == "failed" and slow.error and "超时" in slow.error
        for _ in range(50):  # the receiver takes it after the sender gave up: it will come again
            if receiver.keys:
                break
            time.sleep(0.1)
        receiver.delay = 0.0
        receiver.secret = "not-the-secret-lrc-signs-with"
        fake.sleep(600)
        assert deliver(engine, ADMIN, how).hooks[0].state == "failed"  # the receiver refused the signature
        assert receiver.bad_signatures == 1 and list_webhooks(engine, ADMIN)[0].last_status == 401
        assert list_webhooks(engine, ADMIN)[0].attempts == 3
        receiver.secret = SECRET
        fake.sleep(600)
        done = deliver(engine, ADMIN, how).hooks[0]
    assert (done.state, done.delivered, done.pending) == ("delivered", 3, 0)
    keys = _outbox_keys(engine)
    assert receiver.keys[-3:] == keys and len(set(receiver.keys)) == 3  # the slow one may have arrived late
    assert list_webhooks(engine, ADMIN)[0].id == hook.id


def test_two_senders_at_once_deliver_each_event_once(store: tuple[Engine, list[str]]) -> None:
    engine, usccs = store
    with Receiver(delay=0.01) as receiver:
        add_webhook(engine, ADMIN, receiver.url, SECRET)
        _accidents(engine, usccs[:4], "f")
        errors: list[BaseException] = []

        def sender() -> None:
            try:
                for _ in range(200):
                    if not deliver(engine, ADMIN).pending and not list_webhooks(engine, ADMIN)[0].pending:
                        return
                    time.sleep(0.01)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert receiver.keys == _outbox_keys(engine) and len(receiver.keys) == 12


def test_only_admins_manage_webhooks_and_each_change_is_audited(store: tuple[Engine, list[str]]) -> None:
    engine, usccs = store
    dl, vv, boss = (accounts.acting(engine, name) for name in ("dl", "vv", "boss"))
    for who in (dl, vv):
        with pytest.raises(PermissionDenied):
            add_webhook(engine, who, "https://example.org/hook")
        with pytest.raises(PermissionDenied):
            list_webhooks(engine, who)
        with pytest.raises(PermissionDenied):
            deliver(engine, who)
    _accidents(engine, usccs[:1], "g")
    new = add_webhook(engine, boss, " https://example.org/hook ")
    backlog = add_webhook(engine, boss, "http://127.0.0.1:9/all", "a-secret-of-enough-length", from_start=True)
    assert new.url == "https://example.org/hook" and len(new.secret) >= 40 and new.pending == 0
    assert backlog.secret == "a-secret-of-enough-length" and backlog.pending == 3
    listed = [w.model_dump() for w in list_webhooks(engine, boss)]
    assert [w["id"] for w in listed] == [new.id, backlog.id] and "secret" not in listed[0]
    assert new.secret not in json.dumps(listed)
    with pytest.raises(PermissionDenied):
        remove_webhook(engine, dl, new.id)
    assert remove_webhook(engine, boss, new.id).active is False
    with pytest.raises(ConflictError, match="已删除"):
        remove_webhook(engine, boss, new.id)
    with pytest.raises(NotFoundError):
        remove_webhook(engine, boss, 999)
    for bad in ("ftp://example.org/hook", "example.org/hook", "http://", "https://exa mple.org/"):
        with pytest.raises(UsageError, match="推送地址"):
            add_webhook(engine, boss, bad)
    with pytest.raises(UsageError, match="密钥"):
        add_webhook(engine, boss, "https://example.org/hook", "short")
    entries = audit_log(engine, ADMIN, action="webhooks")
    assert sum(e.outcome == "denied" for e in entries) == 7
    oks = [e for e in entries if e.outcome == "ok"]
    assert sorted(e.target or "" for e in oks) == sorted([f"webhook:{new.id}", f"webhook:{backlog.id}",
                                                          f"webhook:{new.id}"])  # fmt: skip
    assert all(new.secret not in (e.detail or "") for e in entries)
    keyed = add_webhook(engine, boss, "https://user:s3cret-pass@example.org/hook")  # shown without its password
    assert keyed.url == "https://user:***@example.org/hook"
    assert all("s3cret-pass" not in json.dumps(w.model_dump()) for w in list_webhooks(engine, boss))
    assert all("s3cret-pass" not in (e.detail or "") for e in audit_log(engine, ADMIN, action="webhooks"))
    with engine.connect() as conn:  # and sent to as given
        assert outbox.webhooks(conn, keyed.id)[0]["url"] == "https://user:s3cret-pass@example.org/hook"
    remove_webhook(engine, boss, keyed.id)
    assert [w.id for w in list_webhooks(engine, boss) if w.active] == [backlog.id]


# ---- the CLI ----


def test_cli_adds_lists_sends_and_removes(tmp_path: Path) -> None:
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "30", "--seed", "4", "--period", PERIOD, "--output", "s.csv")
    lrc(tmp_path, "ingest", "s.csv", "--period", PERIOD)
    lrc(tmp_path, "score", "--period", PERIOD)
    top = json.loads(lrc(tmp_path, "rank", "--period", PERIOD, "--format", "json").stdout)
    with Receiver() as receiver:
        added = lrc(tmp_path, "webhook", "add", receiver.url, "--secret", SECRET).stdout.strip().splitlines()
        hook_id = int(added[-1])
        other = json.loads(lrc(tmp_path, "webhook", "add", "https://example.org/x", "--format", "json").stdout)
        assert other["id"] == hook_id + 1 and len(other["secret"]) >= 40
        lrc(tmp_path, "webhook", "remove", str(other["id"]))
        fatal = _fatal(top[0]["uscc"], "沈应急罚〔2026〕9号")
        lrc(tmp_path, "record", "add", fatal["uscc"], "--type", fatal["type"], "--date", fatal["date"],
            "--source", fatal["source"], "--ref", fatal["ref"], "--severity", "严重", "--workers", "1")  # fmt: skip
        listed = lrc(tmp_path, "webhooks", "--format", "json").stdout
        assert [(w["id"], w["pending"], w["active"]) for w in json.loads(listed)] == [
            (hook_id, 3, True),
            (hook_id + 1, 3, False),
        ]
        assert SECRET not in listed and other["secret"] not in listed
        once = lrc(tmp_path, "webhooks", "send", "--once").stdout
        assert "已送达 3 条,待送 0 条" in once
        assert len(receiver.keys) == 3 and receiver.bad_signatures == 0
        fatal = _fatal(top[1]["uscc"], "沈应急罚〔2026〕10号")
        lrc(tmp_path, "record", "add", fatal["uscc"], "--type", fatal["type"], "--date", fatal["date"],
            "--source", fatal["source"], "--ref", fatal["ref"], "--severity", "严重", "--workers", "1")  # fmt: skip
        loop = _sending(tmp_path)
        try:
            for _ in range(300):  # received, and the pass that sent them committed (else they are sent again)
                pending = [w["pending"] for w in json.loads(lrc(tmp_path, "webhooks", "--format", "json").stdout)]
                if len(receiver.keys) >= 6 and pending[0] == 0:
                    break
                time.sleep(0.1)
        finally:
            loop.send_signal(signal.SIGINT)
            stdout, stderr = loop.communicate(timeout=30)
    assert len(receiver.keys) == 6 and len(set(receiver.keys)) == 6
    assert loop.returncode == 0 and "已停止" in stdout and "送达 3 条" in stdout and "Traceback" not in stderr
    assert "已删除" in lrc(tmp_path, "webhooks").stdout
    bad = lrc(tmp_path, "webhook", "add", "ftp://example.org/x", ok=False)
    assert bad.returncode == 2 and "推送地址" in bad.stderr and "Traceback" not in bad.stderr


def _sending(cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("LRC_DATABASE_URL", "LRC_USER")}
    env.update({"LRC_LOG_DIR": str(cwd / "logs"), "COLUMNS": "200"})
    command = [*LRC, "webhooks", "send", "--interval", "0.2"]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_an_address_in_chinese_is_delivered_to_and_an_invisible_character_or_a_bad_port_is_refused(
    tmp_path: Path,
) -> None:
    """A webhook at a path in Chinese is stored percent-encoded and delivered to (sent as typed, every try failed
    with a UnicodeEncodeError); a direction override or a port past 65535 is refused when added (exit 2), not
    kept to fail on every pass."""
    lrc(tmp_path, "init")
    lrc(tmp_path, "sample", "--n", "30", "--seed", "4", "--period", PERIOD, "--output", "s.csv")
    lrc(tmp_path, "ingest", "s.csv", "--period", PERIOD)
    lrc(tmp_path, "score", "--period", PERIOD)
    for bad, reason in (("http://127.0.0.1:9/\u202ekoob", "控制字符"), ("http://127.0.0.1:99999/x", "端口无效")):
        refused = lrc(tmp_path, "webhook", "add", bad, ok=False)
        assert refused.returncode == 2 and reason in refused.stderr and "\u202e" not in refused.stderr
    with Receiver() as receiver:
        hook = f"{receiver.url}/预警"
        added = lrc(tmp_path, "webhook", "add", hook, "--secret", SECRET, "--from-start", "--format", "json")
        assert json.loads(added.stdout)["url"] == f"{receiver.url}/%E9%A2%84%E8%AD%A6"
        fatal = _fatal(json.loads(lrc(tmp_path, "rank", "--period", PERIOD, "-f", "json").stdout)[0]["uscc"], "9号")
        lrc(tmp_path, "record", "add", fatal["uscc"], "--type", fatal["type"], "--date", fatal["date"],
            "--source", fatal["source"], "--ref", fatal["ref"], "--severity", "严重", "--workers", "1")  # fmt: skip
        once = lrc(tmp_path, "webhooks", "send", "--once", "--format", "json").stdout
        assert receiver.keys and receiver.bad_signatures == 0, once
    (listed,) = json.loads(lrc(tmp_path, "webhooks", "--format", "json").stdout)
    assert listed["pending"] == 0 and listed["delivered"] == len(receiver.keys) and listed["last_error"] is None
