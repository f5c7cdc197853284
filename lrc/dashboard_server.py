"""Start the Streamlit dashboard on a store (used by `lrc dashboard` and `lrc demo`)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import NoReturn

from lrc.errors import LrcError
from lrc.store import database_url


def app_path() -> Path:
    import dashboard

    return Path(dashboard.__file__).resolve().parent / "app.py"


def absolute_url(url: str) -> str:
    """Make a relative SQLite path absolute, so the server finds the same file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(Path(url.removeprefix(prefix)).resolve())
    return url


def command(port: int, headless: bool) -> list[str]:
    return [
        sys.executable, "-m", "lrc.dashboard_run", "run", str(app_path()),  # Streamlit, warmed (dashboard_run)
        "--server.port", str(port),
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
        "--browser.serverAddress", "localhost",  # print one local URL; no external-IP lookup
        "--client.showErrorDetails", "none",  # never a traceback in the browser; the app logs them
    ]  # fmt: skip


def port_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (checked by binding it, as the server will).

    With ``SO_REUSEADDR``, as the server sets it, so that connections of a server just
    stopped (in TIME_WAIT) do not make the port look taken; a listening socket still does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def serve(db: str | None, *, port: int = 8501, headless: bool = True) -> NoReturn:
    """Replace this process with the dashboard server, so that stopping `lrc dashboard`
    (Ctrl+C or a signal) stops the server itself; there is no child left behind."""
    if not port_free(port):
        raise LrcError(f"端口 {port} 已被占用,请用 --port 指定其他端口 (port in use)")
    env = {**os.environ, "LRC_DATABASE_URL": absolute_url(database_url(db))}
    print(f"看板地址 (dashboard): http://localhost:{port}  按 Ctrl+C 停止", flush=True)
    args = command(port, headless)
    os.execvpe(args[0], args, env)
