"""`lrc serve`: the API under Uvicorn, on a store that must exist and be current."""

from __future__ import annotations

import logging

from lrc.dashboard_server import absolute_url, port_free
from lrc.errors import LrcError
from lrc.store import database_url, make_engine, require_schema


def run(db: str | None, *, host: str = "127.0.0.1", port: int = 8600, workers: int = 1, threads: int = 4) -> None:
    """Serve until stopped; with ``workers`` > 1, that many processes share the port (one per core), each
    running at most ``threads`` calls at once."""
    import os

    import uvicorn

    from lrc.api.app import THREADS_VARIABLE, create_app

    url = absolute_url(database_url(db))
    require_schema(make_engine(url))
    if not port_free(port):
        raise LrcError(f"端口 {port} 已被占用,请用 --port 指定其他端口 (port in use)")
    print(f"API 地址 (API): http://{host}:{port}/api/v1  文档 (docs): http://{host}:{port}/api/v1/docs", flush=True)
    logging.getLogger("lrc.api").setLevel(logging.INFO)
    from lrc.housekeeping import start_background

    start_background(make_engine(url))  # records expire and overdue cases alert hourly, in this process only
    if workers > 1:  # each worker builds its app from the environment
        os.environ["LRC_DATABASE_URL"] = url
        os.environ[THREADS_VARIABLE] = str(threads)
        uvicorn.run("lrc.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", access_log=False)  # fmt: skip
    else:
        uvicorn.run(create_app(url, threads), host=host, port=port, log_level="warning", access_log=False)
