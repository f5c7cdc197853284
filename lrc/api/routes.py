"""The endpoints of ``/api/v1``. Each builds the principal from the bearer token and calls the service,
which checks role and scope; nothing here decides who may see or do what."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from indicators import load_catalogue
from lrc.api.models import RecordBatchIn, RecordIn, submission_model
from lrc.api.problems import Unauthenticated
from lrc.errors import NotFoundError, PermissionDenied, UsageError
from lrc.export import to_records
from lrc.render import RANK_COLUMNS, catalogue_dict
from lrc.service import Filters, accounts, explain, publication_views, publications
from lrc.service import analytics as an
from lrc.service.access import Principal
from lrc.service.record_views import list_records, stored_now
from lrc.service.records import RecordsSummary, receive_objects
from lrc.service.results import ranking_page
from lrc.service.submitting import submit
from lrc.store import current_revision, head_revision

router = APIRouter()
SubmissionIn = submission_model(load_catalogue())


def principal(request: Request) -> Principal:
    """The caller, from ``Authorization: Bearer TOKEN`` (an unknown or revoked token is refused)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("请在请求头提供 Authorization: Bearer 令牌(lrc token create)(bearer token required)")
    address = request.client.host if request.client else None
    try:
        who = accounts.token_principal(request.app.state.engine, token.strip(), "api", address)
    except PermissionDenied as exc:  # unknown, revoked, or its user disabled: not a known caller
        raise Unauthenticated(str(exc)) from None
    request.state.who = who
    return who


Who = Annotated[Principal, Depends(principal)]


def _engine(request: Request) -> Any:
    return request.app.state.engine


@router.get("/health", tags=["系统"], summary="健康检查(无需令牌)")
def health(request: Request) -> dict[str, Any]:
    revision = current_revision(_engine(request))
    return {"status": "ok" if revision == head_revision() else "schema_outdated", "schema": revision}


def _json(data: dict[str, Any]) -> JSONResponse:
    """A reply of plain JSON values, written as it is (FastAPI's generic encoder walks every value again:
    ten milliseconds for one enterprise's explanation)."""
    return JSONResponse(data)


@router.get("/catalogue", tags=["指标体系"], summary="当前指标体系 8/20/33/75")
def catalogue(who: Who) -> JSONResponse:
    return _json(catalogue_dict(load_catalogue()))


@router.post(
    "/submissions", status_code=201, tags=["报送"], summary="报送一家企业一个期间的数据,立即评分",
    responses={200: {"description": "与已存储的版本相同,未重复存储"}, 422: {"description": "字段错误"}},
)  # fmt: skip
def post_submission(
    body: SubmissionIn,  # type: ignore[valid-type]
    request: Request,
    who: Who,
    period: Annotated[str | None, Query(description="报告期,如 2026Q3(或写在请求体中)")] = None,
) -> JSONResponse:
    values = body.model_dump(exclude_none=True)  # type: ignore[attr-defined]
    result = submit(_engine(request), who, values, period=period, source="API")
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if result.changed else 200)


class RecordAnswer(BaseModel):
    id: int
    created: bool
    record: dict[str, Any]
    results: list[dict[str, Any]]
    no_result: list[dict[str, Any]] = []  # its enterprise has no current result in the periods it counts for
    ended: list[int] = []  # its display period had ended before it arrived: it never counts


def _record_answer(request: Request, who: Principal, summary: RecordsSummary) -> dict:
    """The record (as stored now, or as stored before for a repeat), the results it changed, and why it changed
    none where the answer of a file says so (``no_result``, ``ended``)."""
    record_id = (summary.stored or summary.already)[0]
    fresh = summary.stored and summary.stored_rows
    stored = stored_now(summary.stored_rows) if fresh else list_records(_engine(request), who, ids=[record_id])
    return {
        "id": record_id,
        "created": bool(summary.stored),
        "record": stored[0].model_dump(mode="json") if stored else {},
        "results": [r.model_dump(mode="json") for r in summary.results],
        "no_result": [n.model_dump(mode="json") for n in summary.no_result],
        "ended": summary.ended,
    }


@router.post(
    "/records", status_code=201, tags=["记录"], summary="登记一条记录(按决定机关和文书编号幂等),立即重算",
    response_model=RecordAnswer, responses={200: {"description": "已登记过,返回已存储的记录"}},
)  # fmt: skip
def post_record(body: RecordIn, request: Request, who: Who) -> JSONResponse:
    summary = receive_objects(_engine(request), who, [body.model_dump(exclude_none=True)], source="API")
    return JSONResponse(_record_answer(request, who, summary), status_code=201 if summary.stored else 200)


@router.post(
    "/records:batch", status_code=201, tags=["记录"], summary="一批记录,全部通过才写入(all or nothing)",
)  # fmt: skip
def post_records(body: RecordBatchIn, request: Request, who: Who) -> JSONResponse:
    rows = [r.model_dump(exclude_none=True) for r in body.records]
    summary = receive_objects(_engine(request), who, rows, source="API batch")
    return JSONResponse(summary.model_dump(mode="json"), status_code=201 if summary.stored else 200)


@router.get("/enterprises/{uscc}", tags=["查询"], summary="一家企业的当前结果:逐项得分、理由和来源")
def get_enterprise(
    uscc: str,
    request: Request,
    who: Who,
    period: Annotated[str | None, Query(description="期间,默认最新已评分期间")] = None,
) -> JSONResponse:
    return _json(explain(_engine(request), who, uscc, period, current=True).to_dict())  # None: the newest


@router.get("/enterprises/{uscc}/history", tags=["查询"], summary="一家企业各期间的总分、等级和红线")
def get_history(uscc: str, request: Request, who: Who) -> JSONResponse:
    code, frame = an.enterprise_history(_engine(request), who, uscc)
    return _json({"uscc": code, "periods": to_records(frame)})


@router.get("/rankings", tags=["查询"], summary="排名(只含令牌范围内的企业)")
def get_rankings(
    request: Request,
    who: Who,
    period: Annotated[str | None, Query(description="期间,默认最新已评分期间")] = None,
    region: Annotated[str | None, Query(description="市或区县代码")] = None,
    industry: Annotated[str | None, Query(description="行业门类 A-T")] = None,
    grade: Annotated[str | None, Query(description="等级")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    view: Annotated[
        Literal["current", "published"], Query(description="current 当前结果;published 该期间最新的全省发布版本")
    ] = "current",
) -> JSONResponse:
    if view == "published":
        if any(v is not None for v in (region, industry, grade)):  # as the CLI's --published: as it was published
            raise UsageError(
                "view=published 显示发布时的原样,不能与 region、industry、grade 同用 (as published: no filters)"
            )
        return _published_ranking(request, who, period or an.newest_scored_period(_engine(request), who), limit, offset)
    filters = Filters(region=region, industry=industry, grade=grade)  # no period: the newest, read with the page
    info, frame, matched = ranking_page(_engine(request), who, period, filters, limit=limit, offset=offset)
    page = frame[RANK_COLUMNS]
    return _json({
        "period": info.period,
        "run_id": info.run_id,
        "through_run_id": info.through_run_id,  # the newest later run whose results are shown (else run_id)
        "catalogue_version": info.catalogue_version,
        "total": matched,
        "limit": limit,
        "offset": offset,
        "items": to_records(page),
    })


PUBLISHED_COLUMNS = ["rank", "uscc", "name", "city", "industry_name", "total", "grade", "red_line", "current_total",
                     "current_grade", "changed"]  # fmt: skip


def _published_ranking(request: Request, who: Principal, period: str, limit: int, offset: int) -> JSONResponse:
    """The newest province-wide publication of ``period`` as published, each entry with its current result."""
    found = publications.newest_publication_id(_engine(request), who, period)
    if found is None:
        raise NotFoundError(f"期间 {period[:16]} 还没有发布 (nothing published for this period)")
    meta, frame = publication_views.as_published(_engine(request), who, found)
    page = frame[PUBLISHED_COLUMNS].iloc[offset : offset + limit]
    return _json({
        "view": "published", **publication_views.publication_keys(meta), "number": meta.number, "hash": meta.hash,
        "replaced_by": meta.replaced_by, "period": meta.period, "run_id": meta.run_id,
        "through_run_id": meta.through_run_id,
        "total": len(frame), "limit": limit, "offset": offset, "items": to_records(page),
    })  # fmt: skip


@router.get("/publications", tags=["发布"], summary="所有发布(最新在前),被替代的注明")
def get_publications(request: Request, who: Who) -> JSONResponse:
    listed = publications.list_publications(_engine(request), who)
    return _json({"items": [p.model_dump(mode="json") for p in listed]})


@router.get("/publications/{publication_id}", tags=["发布"], summary="一份发布:文号、哈希与冻结的内容")
def get_publication(publication_id: int, request: Request, who: Who) -> JSONResponse:
    meta, content = publications.get_publication(_engine(request), who, publication_id)
    return _json({**meta.model_dump(mode="json"), "content": content.model_dump(mode="json")})
