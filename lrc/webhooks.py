"""Sending one event to one webhook: the signed POST, what came of it, and how long to wait after a failure.
No database here (``lrc.service.webhooks`` keeps the order, the cursors and the retries).

A receiver checks ``X-LRC-Signature`` (``sha256=`` and the hex HMAC-SHA256, keyed with the webhook's
secret, of the ``X-LRC-Timestamp`` value, a dot and the raw body: ``verify`` does it), refuses a stale
timestamp, and treats a repeated ``Idempotency-Key`` as the same event. Any 2xx answer takes the event;
anything else (another status, a redirect, a timeout, no connection) is retried later."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import lrc
from lrc.errors import UsageError, shorten
from lrc.normalise import CONTROL, CONTROL_REASON

SIGNATURE_PREFIX = "sha256="
MAX_URL = 2000
MIN_SECRET = 16
MAX_SECRET = 200
READ_LIMIT = 65_536  # bytes of an answer read before the connection is closed
URL_SAFE = "/:@!$&'()*+,;=?#[]~%-._"  # what an address keeps as it is when the rest is percent-encoded


def check_url(url: str) -> str:
    """A webhook address as stored and sent to: http(s), with a host and a port that can be, without spaces or
    control and invisible characters; a clear error otherwise. An address in Chinese is kept in the ASCII form
    HTTP sends (a browser's): the host by IDNA (工会.中国 → xn--…), any other character percent-encoded in UTF-8
    (/预警 → /%E9%A2%84%E8%AD%A6); sent as typed, it failed on every try."""
    url = url.strip()
    if any(c.isspace() for c in url):
        raise UsageError("推送地址不能含空格 (webhook URL must not contain spaces)")
    if CONTROL.search(url):
        raise UsageError(f"推送地址 {shorten(url, 80)!r} {CONTROL_REASON}")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        shown = shorten(url, 80)
        raise UsageError(f"推送地址 {shown!r} 应为 http:// 或 https:// 开头的完整网址 (webhook URL must be http(s))")
    try:
        parts.port  # noqa: B018 - it checks the port
    except ValueError:
        raise UsageError(f"推送地址 {shorten(url, 80)!r} 的端口无效,应为 1–65535 (invalid port)") from None
    return url if url.isascii() else _ascii_url(url)


def _ascii_url(url: str) -> str:
    """``url`` as HTTP sends it: the host by IDNA, the rest percent-encoded (UTF-8), what is encoded kept."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UsageError(f"推送地址的主机名 {shorten(host, 80)!r} 无效 (invalid host name)") from None
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        user = quote(parts.username, safe=URL_SAFE)
        netloc = f"{user}:{quote(parts.password, safe=URL_SAFE)}@{netloc}" if parts.password else f"{user}@{netloc}"
    path, query, fragment = (quote(part, safe=URL_SAFE) for part in (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def redacted(url: str) -> str:
    """A webhook address as shown (lists, the audit log): a password in it as ``***``; sending uses it whole."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def check_secret(secret: str) -> str:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or any(c.isspace() for c in secret):
        raise UsageError(
            f"签名密钥应为 {MIN_SECRET}–{MAX_SECRET} 个非空白字符 (secret must be {MIN_SECRET}-{MAX_SECRET} chars)"
        )
    return secret


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-LRC-Signature`` value of ``body`` sent at ``timestamp`` (Unix seconds, as text)."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signed: str, *, now: float, tolerance: float = 300) -> bool:
    """What a receiver checks: the signature matches and the timestamp is within ``tolerance`` seconds."""
    try:
        fresh = abs(now - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), signed)


@dataclass(frozen=True)
class Backoff:
    """How long to wait after the n-th failure in a row: ``base`` doubling up to ``cap`` seconds, then a
    random point in its upper half (so that many senders do not retry in step). With a cap of 5 minutes a
    receiver back after an hour's outage gets its events within 5 minutes."""

    base: float = 5.0
    cap: float = 300.0

    def delay(self, failures: int, rand: float) -> float:
        """Seconds to wait; ``rand`` in [0, 1)."""
        full = min(self.cap, self.base * 2 ** min(max(failures, 1) - 1, 30))
        return full / 2 + full / 2 * rand


@dataclass(frozen=True)
class Outcome:
    """What came of one POST: taken (2xx) or not, the status (None without an answer), why not."""

    ok: bool
    status: int | None = None
    error: str | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that did not take the event (the address should be the receiver's own)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Sender:
    """POSTs one event; ``timeout`` seconds for connecting and for each read."""

    timeout: float = 10.0

    def post(self, url: str, secret: str, *, event: str, key: str, body: bytes, timestamp: int) -> Outcome:
        stamp = str(timestamp)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"lrc/{lrc.__version__}",
            "Idempotency-Key": key,
            "X-LRC-Event": event,
            "X-LRC-Timestamp": stamp,
            "X-LRC-Signature": signature(secret, stamp, body),
        }
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as answer:
                answer.read(READ_LIMIT)
                return Outcome(True, int(answer.status))
        except urllib.error.HTTPError as exc:
            exc.close()
            return Outcome(False, int(exc.code), f"HTTP {exc.code} {exc.reason}"[:200])
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            return Outcome(False, None, describe(exc, self.timeout))


def describe(exc: BaseException, timeout: float) -> str:
    """Why no answer came, in Chinese and English."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"超时,{timeout:g} 秒内无应答 (timed out)"
    if isinstance(reason, ConnectionRefusedError):
        return "连接被拒绝,接收方未在监听 (connection refused)"
    if isinstance(reason, socket.gaierror):
        return "无法解析主机名 (host name not resolved)"
    if isinstance(reason, ConnectionError):
        return f"连接中断 (connection failed): {reason.__class__.__name__}"
    return f"发送失败 (send failed): {reason.__class__.__name__}: {reason}"[:200]
