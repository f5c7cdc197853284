"""The endpoints of ``/api/v1`` for objections (异议) and credit repair (信用修复): an enterprise's system files
an objection and follows it; analysts' systems read the queue. Decisions, evidence files and repair requests
(which need the evidence and the pledge) go through the dashboard or the CLI. The service checks role and
scope, as everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lrc.api.routes import Who, _engine
from lrc.service.objections import file_objection, get_objection, list_objections
from lrc.service.repairs import get_repair, list_repairs

router = APIRouter()


class ObjectionIn(BaseModel):
    """An objection to one item of the enterprise's current result in a period."""

    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(description="统一社会信用代码", max_length=40)
    period: str = Field(description="报告期,如 2026Q3", max_length=16)
    item: str = Field(description="有异议的指标条目代码,如 B1.1.1", max_length=32)
    reason: str = Field(description="异议理由(不超过 2000 字)", max_length=4000)
    record_id: int | None = Field(None, description="有异议的记录编号(可选)", ge=1, le=2**31 - 1, strict=True)


CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="编号")]
Status = Annotated[str | None, Query(description="按状态筛选", max_length=16)]
Uscc = Annotated[str | None, Query(description="只列该企业", max_length=40)]


@router.post("/objections", status_code=201, tags=["异议与信用修复"], summary="对一项评分结果提出异议")
def post_objection(body: ObjectionIn, request: Request, who: Who) -> JSONResponse:
    made = file_objection(_engine(request), who, body.uscc, body.period, body.item, body.reason,
                          record_id=body.record_id)  # fmt: skip
    return JSONResponse(made.model_dump(mode="json"), status_code=201)


@router.get("/objections", tags=["异议与信用修复"], summary="权限范围内的异议(新的在前)")
def get_objections(request: Request, who: Who, status: Status = None, uscc: Uscc = None) -> JSONResponse:
    found = list_objections(_engine(request), who, status=status, uscc=uscc)
    return JSONResponse([o.model_dump(mode="json") for o in found])


@router.get("/objections/{objection_id}", tags=["异议与信用修复"], summary="一项异议及其处理过程")
def get_one_objection(objection_id: CaseId, request: Request, who: Who) -> JSONResponse:
    return JSONResponse(get_objection(_engine(request), who, objection_id).model_dump(mode="json"))


@router.get("/repairs", tags=["异议与信用修复"], summary="权限范围内的信用修复申请(新的在前)")
def get_repairs(request: Request, who: Who, status: Status = None, uscc: Uscc = None) -> JSONResponse:
    found = list_repairs(_engine(request), who, status=status, uscc=uscc)
    return JSONResponse([r.model_dump(mode="json") for r in found])


@router.get("/repairs/{repair_id}", tags=["异议与信用修复"], summary="一项信用修复申请及其处理过程")
def get_one_repair(repair_id: CaseId, request: Request, who: Who) -> JSONResponse:
    return JSONResponse(get_repair(_engine(request), who, repair_id).model_dump(mode="json"))
