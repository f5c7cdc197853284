"""What a request must be before a route reads it: an address without NUL or other control characters (a
database refuses NUL, so it would end as an internal error), and a JSON body that is JSON: no key given
twice (the last would silently win), no NaN or Infinity (Python reads them; JSON has no such values), not
nested past reason. Each refusal is a problem detail in Chinese, like every other error."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lrc.api import problems
from lrc.ingest import strict_json

WRITES = {"POST", "PUT", "PATCH"}


class HttpMiddleware:
    """An ASGI middleware for HTTP requests (``http``); anything else (the lifespan) passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestGuard(HttpMiddleware):
    """Refuse a request with a control character in its address (400) or a JSON body with a repeated key,
    NaN or Infinity, or nested too deeply (422), before any route or store sees it. Inside ``BodyLimit``: a
    body read here is at most 1 MB."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        query = scope.get("query_string", b"")
        if _has_control(unquote_to_bytes(address)) or _has_control(unquote_to_bytes(query)):
            detail = "地址或查询参数含有 NUL 等控制字符 (control character in the address)"
            await problems.problem(400, "bad_request", "请求无效", detail, instance=scope["path"])(scope, _empty, send)
            return
        if scope["method"] not in WRITES or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive) or b""
        reason = body_problem(body)
        if reason is not None:
            response = problems.problem(422, "invalid_request", "请求参数无效", reason, instance=scope["path"], errors=[
                {"field": None, "row": None, "value": None, "message": reason}
            ])  # fmt: skip
            await response(scope, _empty, send)
            return
        await self.app(scope, replaying(body, receive), send)


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole body of a request, or None as soon as it is over ``limit`` bytes."""
    chunks, seen = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        seen += len(chunks[-1])
        if limit is not None and seen > limit:
            return None
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the ``body`` read already, then whatever the client sends after (a disconnect)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def body_problem(body: bytes) -> str | None:
    """Why a JSON body is refused, or None (a body that is not JSON at all is left to the framework, which
    says where it breaks)."""

    try:
        return strict_json.first_problem(strict_json.loads(body))  # keys given twice, NaN, 1e999
    except RecursionError:
        return "JSON 嵌套层次过深 (nested too deeply)"
    except (ValueError, UnicodeDecodeError):
        return None


def _has_control(data: bytes) -> bool:
    return any(b < 0x20 or b == 0x7F for b in data)


def _is_json(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return kind == b"application/json" or kind.endswith(b"+json")


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
