"""Request bodies. Unknown fields are refused (``extra="forbid"``); values are taken as they come
(text, number, true/false) and checked by the same rules as a file, so the errors are the same."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from indicators import Catalogue
from lrc.ingest import IDENTITY_ZH
from lrc.ingest.records import RECORD_HEADERS

Value = str | int | float | bool | None
MAX_BATCH = 1_000  # records in one batch request (a larger delivery is a file: `lrc record ingest`)


def submission_model(catalogue: Catalogue) -> type[BaseModel]:
    """A flat object: ``period``, the identity fields and the facts by their schema names."""
    fields: dict[str, Any] = {
        "period": (str | None, Field(None, description="报告期,如 2026Q3;也可作为查询参数 (period)")),
    }
    for name, zh in IDENTITY_ZH.items():
        required = name in ("uscc", "name", "region_code", "industry", "size")
        fields[name] = (Value, Field(... if required else None, description=zh))
    for f in catalogue.fields:
        unit = f" 单位:{f.unit}" if f.unit else ""
        help_text = f"{f.name_zh}{unit}" + (";必填" if f.required else "")
        fields[f.name] = (Value, Field(None, description=help_text))
    model = create_model(
        "SubmissionIn", __config__=ConfigDict(extra="forbid", title="一家企业一个期间的报送数据"), **fields
    )
    return model


class RecordIn(BaseModel):
    """One record: the same columns as a record file (see `lrc record types`)."""

    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(description=RECORD_HEADERS["uscc"])
    type: str = Field(description="记录类型代码或中文名")
    date: str = Field(description="决定日期 YYYY-MM-DD")
    source: str = Field(description=RECORD_HEADERS["source"])
    ref: str = Field(description=RECORD_HEADERS["ref"])
    severity: str | None = Field(None, description="严重程度 轻微/一般/严重")
    # as they come, true/false too, for the record checks to refuse what is not a number (a bool was taken
    # by pydantic as 1 or 0: "workers": true stored one worker)
    workers: Value = Field(None, description=RECORD_HEADERS["workers"])
    amount: Value = Field(None, description="涉及金额(元)")
    note: str | None = Field(None, description=RECORD_HEADERS["note"])


class RecordBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[RecordIn] = Field(min_length=1, max_length=MAX_BATCH)
