"""The one place where errors become messages: an ``LrcError`` (or a database
failure) is shown as a Chinese ``st.error``; anything unexpected as a Chinese
message with an error id, its traceback (with the same id) going to the log file
that the CLI writes too. The browser never sees a traceback or a server path."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.i18n import tr
from dashboard.text import plain
from lrc.errors import LrcError, StoreError

log = logging.getLogger("lrc.dashboard")
P = ParamSpec("P")
R = TypeVar("R")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"  # as the CLI's log
_handler_lock = threading.Lock()


def log_path() -> Path:
    """The log file of `lrc` (``$LRC_LOG_DIR/lrc.log``, by default ``~/.cache/lrc/lrc.log``)."""
    base = Path(os.environ.get("LRC_LOG_DIR", Path.home() / ".cache" / "lrc"))
    base.mkdir(parents=True, exist_ok=True)
    return base / "lrc.log"


def file_log() -> logging.Logger:
    """The dashboard's logger, writing to ``log_path()`` (read now: tests move it)."""
    path = str(log_path())
    with _handler_lock:
        files = [h for h in log.handlers if isinstance(h, logging.FileHandler)]
        if not any(h.baseFilename == path for h in files):
            for old in files:
                log.removeHandler(old)
                old.close()
            handler = logging.FileHandler(path, encoding="utf-8")
            handler.setFormatter(logging.Formatter(LOG_FORMAT))
            log.addHandler(handler)
        log.setLevel(logging.INFO)
    return log


def error_id() -> str:
    """A short id that ties the message a user sees to the traceback in the log."""
    return secrets.token_hex(4)


def _unexpected(exc: Exception) -> None:
    ref = error_id()
    file_log().error("unexpected error [%s]: %s", ref, exc.__class__.__name__, exc_info=exc)
    st.error(
        tr(
            f"页面出现内部错误,请稍后重试;如问题持续,请将错误编号 {ref} 告知管理员。",
            f"Internal error on this page: try again later; if it persists, report error id {ref}.",
        )
    )


def headline(exc: LrcError) -> str:
    """What kind of error, before its message: its title (未找到或无权查看, 数据库暂时不可用…), unless the
    message opens with it already (无权操作:…) or the error has no kind of its own (``invalid_request``: its
    title is the API's words for a request)."""
    if exc.code == LrcError.code or str(exc).startswith(exc.title):
        return tr("出错了", "Error")
    return tr(exc.title, "Error")


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a page (or a fragment) and show what went wrong in words.

    Streamlit's own control flow (``st.rerun``, ``st.stop``, ``st.switch_page``) raises
    ``BaseException`` subclasses, which pass through untouched."""
    try:
        yield
    except LrcError as exc:
        file_log().info("user error: %s", exc)
        # the store's own state (missing, not initialised): whoever runs the dashboard can mend it, so its
        # command is said here too; other errors' commands are for users who may run them (see the pages)
        hint = f";{plain(exc.cli_hint)}" if isinstance(exc, StoreError) and exc.cli_hint else ""
        st.error(f"{headline(exc)}:{plain(exc)}{hint}")
    except SQLAlchemyError as exc:
        ref = error_id()
        file_log().error("database error [%s]", ref, exc_info=exc)
        st.error(
            tr(
                "读取数据库失败,请检查数据库地址和连接",
                "Cannot read the database; check its URL and connection",
            )
            + tr(f"({exc.__class__.__name__},错误编号 {ref})", f" ({exc.__class__.__name__}; error id {ref})"),
        )
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, never a traceback
        _unexpected(exc)


def shows_errors(func: Callable[P, R]) -> Callable[P, R | None]:
    """``user_errors`` for a function run on its own, such as a fragment rerun or a callback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        with user_errors():
            return func(*args, **kwargs)
        return None

    return wrapper
