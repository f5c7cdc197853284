"""A time field of a service's result, as JSON gives it (the CLI's --format json, the HTTP API): ISO 8601 in
China Standard Time to the second, whatever the store kept (SQLite: naive UTC; PostgreSQL: aware)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer

from lrc.times import china_iso

ChinaTime = Annotated[Any, PlainSerializer(china_iso, when_used="json")]
