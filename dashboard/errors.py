"""The one place where errors become messages: an ``LrcError`` (or a database
failure) is shown as a Chinese ``st.error``, never as a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.i18n import tr
from lrc.errors import LrcError

log = logging.getLogger("lrc.dashboard")
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a page (or a fragment) and show what went wrong in words."""
    try:
        yield
    except LrcError as exc:
        log.info("user error: %s", exc)
        st.error(f"{tr('出错了', 'Error')}:{exc}")
    except SQLAlchemyError as exc:
        log.exception("database error")
        st.error(
            tr(
                "读取数据库失败,请检查数据库地址和连接",
                "Cannot read the database; check its URL and connection",
            )
            + f"({exc.__class__.__name__})",
        )


def shows_errors(func: Callable[P, R]) -> Callable[P, R | None]:
    """``user_errors`` for a function run on its own, such as a fragment rerun."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        with user_errors():
            return func(*args, **kwargs)
        return None

    return wrapper
