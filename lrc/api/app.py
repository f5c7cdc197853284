"""The FastAPI application: versioned under ``/api/v1``, bearer tokens from `lrc token create`, problem
details for every error, a 1 MB limit on bodies, and an audit entry for every call."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

import lrc
from lrc.api import problems
from lrc.api.guard import HttpMiddleware, RequestGuard, read_body, replaying
from lrc.api.routes import router
from lrc.api.routes_cases import router as cases_router
from lrc.service.access import Principal, Role
from lrc.service.audit import record
from lrc.store import make_engine

PREFIX = "/api/v1"
MAX_BODY = 1_000_000  # bytes
THREADS = 4  # calls one process runs at once (`lrc serve --threads`); the rest wait their turn, unanswered
THREADS_VARIABLE = "LRC_API_THREADS"  # how `lrc serve` hands --threads to the worker processes it starts


class BodyLimit(HttpMiddleware):
    """Refuse a request body over ``MAX_BODY`` with 413, whether it declares its length or streams it."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            await self._refuse(scope, send)
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive, MAX_BODY)  # a streamed body: read (up to the limit) before the app sees it
        if body is None:
            await self._refuse(scope, send)
            return
        await self.app(scope, replaying(body, receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        response = problems.problem(
            413, "payload_too_large", "请求体超过 1 MB", f"请求体最多 {MAX_BODY:,} 字节 (at most {MAX_BODY:,} bytes)",
            instance=scope.get("path", ""),  # as every other problem names the address asked
        )
        await response(scope, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def create_app(url: str | None = None, threads: int | None = None) -> FastAPI:
    """The API on the store at ``url`` (default: ``LRC_DATABASE_URL``, else ``lrc.db``), running at most
    ``threads`` calls at once in each process (default: ``LRC_API_THREADS``, else ``THREADS``)."""
    limit = threads or int(os.environ.get(THREADS_VARIABLE) or THREADS)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Every endpoint is a plain function run in a worker thread; by default 40 may run at once. Past a
        # few, they only take turns at the interpreter lock and at the store: measured at 50 records a
        # second sent when due, 40 threads fell behind (42 a second, answers after seconds), 4 kept up.
        anyio.to_thread.current_default_thread_limiter().total_tokens = limit
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="lrc 企业劳动关系信用评价 API",
        version=lrc.__version__,
        description="报送、记录、查询评分与排名。认证:`Authorization: Bearer 令牌`(`lrc token create`)。"
        "错误为 RFC 9457 problem details,含稳定的 code、中文说明和出错字段。",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = make_engine(url)
    for kind, handler in problems.HANDLERS:
        app.add_exception_handler(kind, handler)
    app.include_router(router, prefix=PREFIX)
    app.include_router(cases_router, prefix=PREFIX)
    _docs(app)
    app.add_middleware(RequestGuard)  # the innermost: its refusals are audited, its bodies limited
    app.add_middleware(AuditEveryCall)
    app.add_middleware(BodyLimit)
    return app


def _docs(app: FastAPI) -> None:
    """Interactive docs served with their own assets (no CDN: works offline)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # pragma: no cover - a dependency of lrc
        return
    app.mount(f"{PREFIX}/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get(f"{PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{PREFIX}/openapi.json",
            title="lrc API 文档",
            swagger_js_url=f"{PREFIX}/docs-assets/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/docs-assets/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/docs-assets/favicon-32x32.png",
        )


ANONYMOUS = "(anonymous)"


class AuditEveryCall(HttpMiddleware):
    """An audit entry for every call (method, path, status), written before the reply starts. A write that
    succeeded is already in the log, recorded by the service in the transaction that stored it, so it is not
    written twice. Plain ASGI: Starlette's ``BaseHTTPMiddleware`` ran every call through a task and streams
    of its own."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def audited(message: Message) -> None:
            if message["type"] == "http.response.start":
                await _audit(Request(scope), message["status"])
            await send(message)

        await self.app(scope, receive, audited)


async def _audit(request: Request, status: int) -> None:
    path = request.url.path
    if path.startswith(f"{PREFIX}/docs") or path in (f"{PREFIX}/openapi.json", f"{PREFIX}/health"):
        return
    if request.method != "GET" and status < 300:
        return
    who: Any = getattr(request.state, "who", None)
    if not isinstance(who, Principal):
        who = Principal(name=ANONYMOUS, role=Role.viewer, door="api", address=_client(request))
    outcome = "ok" if status < 400 else "denied" if status in (401, 403) else "error"
    target = f"{request.method} {path}"[:200]
    await run_in_threadpool(record, request.app.state.engine, who, "api", target, outcome, f"HTTP {status}")


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None
