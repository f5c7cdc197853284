"""Start the Streamlit dashboard on a store (used by `lrc dashboard` and `lrc demo`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.port", str(port),
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
    ]  # fmt: skip


def serve(db: str | None, *, port: int = 8501, headless: bool = True) -> int:
    """Run the dashboard in the foreground until interrupted; returns its exit code."""
    env = {**os.environ, "LRC_DATABASE_URL": absolute_url(database_url(db))}
    print(f"看板地址 (dashboard): http://localhost:{port}  按 Ctrl+C 停止", flush=True)
    try:
        return subprocess.call(command(port, headless), env=env)
    except KeyboardInterrupt:
        return 0
