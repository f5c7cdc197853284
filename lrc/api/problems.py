"""Errors as RFC 9457 problem details: a stable ``code``, a Chinese ``title`` and ``detail``, and for bad
input the ``errors`` at fault (field, row, value, reason). No traceback ever leaves the server."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lrc.errors import INTERNAL_CODE, INTERNAL_TITLE, InputValidationError, LrcError, StoreError, shorten, visible
from lrc.ingest.strict_json import SCALAR_REASON

log = logging.getLogger("lrc.api")
MEDIA_TYPE = "application/problem+json"
HTTP_CODES = {
    400: ("bad_request", "请求无效"), 401: ("unauthenticated", "需要令牌"), 404: ("not_found", "没有这个地址"),
    405: ("method_not_allowed", "不支持此方法"), 413: ("payload_too_large", "请求体超过 1 MB"),
    415: ("unsupported_media_type", "请求体应为 JSON"),
}  # fmt: skip


class Unauthenticated(Exception):
    """No token, or one that is not a valid bearer token (401, not 403: the caller is not known)."""


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    if isinstance(extra.get("instance"), str):  # the address as asked: its invisible characters written out
        extra["instance"] = visible(extra["instance"])
    body = {"type": f"https://lrc.invalid/problems/{code}", "status": status, "code": code, "title": title,
            "detail": detail, **extra}  # fmt: skip
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def input_errors(exc: InputValidationError) -> list[dict[str, Any]]:
    return [{"field": p.column, "row": p.row, "value": p.value, "message": p.reason} for p in exc.problems]


async def lrc_error(request: Request, exc: Exception) -> JSONResponse:
    """An error of the service, with the status, code and title its class gives (``lrc.errors``)."""
    assert isinstance(exc, LrcError)
    extra = {"errors": input_errors(exc)} if isinstance(exc, InputValidationError) else {}
    return problem(exc.status, exc.code, exc.title, str(exc), instance=request.url.path, **extra)


async def unauthenticated(request: Request, exc: Exception) -> JSONResponse:
    return problem(401, "unauthenticated", "需要令牌", str(exc), instance=request.url.path)


UNION = {"str", "int", "float", "bool"}  # pydantic names a union member in the error's location
REASONS = {
    "extra_forbidden": "未知字段,请按接口文档填写 (unknown field)",
    "missing": "必填 (required)",
    "json_invalid": "JSON 格式错误 (invalid JSON)",
    "model_attributes_type": "请求体应为 JSON 对象 (a JSON object)",
    "dict_type": "请求体应为 JSON 对象 (a JSON object)",
}
SCALAR_TYPES = {"string_type", "int_type", "int_parsing", "float_type", "float_parsing", "bool_type", "bool_parsing"}


def _reason(kind: str, given: Any, ctx: dict[str, Any], union: bool) -> str:
    """A field's problem in Chinese: a value of a union of plain types (a fact) is any scalar; a field of one
    type names it; a bound or a length says it."""
    if given is None and kind in SCALAR_TYPES:
        return "必填,不能为 null (required)"
    if kind in SCALAR_TYPES:
        return SCALAR_REASON if union else TYPE_REASONS.get(kind.split("_")[0], SCALAR_REASON)
    bounds = {"greater_than_equal": ("不小于", "ge"), "greater_than": ("大于", "gt"),
              "less_than_equal": ("不大于", "le"), "less_than": ("小于", "lt")}  # fmt: skip
    if kind in bounds:
        words, key = bounds[kind]
        return f"应{words} {ctx.get(key)} (out of range)"
    if kind in ("too_long", "string_too_long"):
        return f"最多 {ctx.get('max_length')} {'个字' if kind == 'string_too_long' else '项'} (too long)"
    if kind in ("too_short", "string_too_short"):
        return f"至少 {ctx.get('min_length')} {'个字' if kind == 'string_too_short' else '项'} (too short)"
    return f"值无效 (invalid value): {kind}"


def _json_sent(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _sent(request: Request) -> str:
    media = request.headers.get("content-type")
    return f";收到的是 {shorten(media)}" if media else ";请求没有 Content-Type"


def _given(value: Any, kind: str) -> str | None:
    """The value a request gave, as text cut for echoing (as a file's problems give theirs): none for a body
    that is not JSON, or a field that is missing, or a whole object or list."""
    if kind in ("json_invalid", "missing") or value is None or isinstance(value, dict | list):
        return None
    return shorten(str(value))


TYPE_REASONS = {"string": "应为文本 (text)", "int": "应为整数 (whole number)", "float": "应为数字 (number)",
                "bool": "应为 true 或 false (boolean)"}  # fmt: skip


async def request_invalid(request: Request, exc: Exception) -> JSONResponse:
    """The body or a parameter does not fit the schema (an unknown field, a wrong type)."""
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, Any]] = []
    seen: set[str | None] = set()
    for e in exc.errors():
        # a value that fits none of a union's members is one error per member: report the field once
        where = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path") and str(x) not in UNION]
        kind = e.get("type", "")
        field = None if kind == "json_invalid" else ".".join(where) or None  # (its location is a character's)
        if field in seen:
            continue
        seen.add(field)
        union = any(str(x) in UNION for x in e.get("loc", ()))
        reason = REASONS.get(kind) or _reason(kind, e.get("input"), e.get("ctx") or {}, union)
        if kind in ("model_attributes_type", "dict_type") and field is None and not _json_sent(request):
            reason = f"请求头 Content-Type 应为 application/json,请求体按 JSON 发送 (send it as JSON){_sent(request)}"
        errors.append({"field": field, "row": None, "value": _given(e.get("input"), kind), "message": reason})
    detail = ";".join(f"{e['field'] or '请求体'}:{e['message']}" for e in errors[:5])
    return problem(422, "invalid_request", "请求参数无效", detail, instance=request.url.path, errors=errors)


HTTP_DETAILS = {  # the framework's own English details, said in Chinese first
    "There was an error parsing the body": "请求体无法解析:应为 UTF-8 编码的 JSON (body not readable)",
    "Not Found": "没有这个地址,见 /api/v1/docs (Not Found)",
    "Method Not Allowed": "该地址不支持此方法,见 /api/v1/docs (Method Not Allowed)",
}


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = HTTP_CODES.get(exc.status_code, ("http_error", "请求无效"))
    detail = str(exc.detail)
    return problem(exc.status_code, code, title, HTTP_DETAILS.get(detail, detail), instance=request.url.path)


async def database_error(request: Request, exc: Exception) -> JSONResponse:
    ref = secrets.token_hex(4)
    log.error("database error [%s] on %s", ref, request.url.path, exc_info=exc)
    if isinstance(exc, OperationalError):  # cannot connect, connection lost: nothing was committed
        detail = f"请稍后重试 (retry later); 错误编号 {ref}"
        return problem(StoreError.status, StoreError.code, StoreError.title, detail)
    return problem(500, INTERNAL_CODE, INTERNAL_TITLE, f"错误编号 {ref},请告知管理员 (error id)")


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    ref = secrets.token_hex(4)
    log.error("unexpected error [%s] on %s", ref, request.url.path, exc_info=exc)
    return problem(500, INTERNAL_CODE, INTERNAL_TITLE, f"错误编号 {ref},请告知管理员 (error id)")


HANDLERS: list[tuple[type[Exception], Any]] = [
    (LrcError, lrc_error),
    (Unauthenticated, unauthenticated),
    (RequestValidationError, request_invalid),
    (StarletteHTTPException, http_error),
    (SQLAlchemyError, database_error),
    (Exception, unexpected),
]
