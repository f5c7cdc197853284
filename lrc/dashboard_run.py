"""The dashboard server's process (`lrc dashboard` replaces itself with it): Streamlit's own command line, with
lrc's service layer and pandas imported first, before the server starts, so that the first visitor after a
start (a new run, a restart) does not wait for them (about a second of the first page's time).

Before, not beside: imported in a thread while Streamlit started, pandas was seen half-initialised by plotly
(which looks modules up in ``sys.modules``) and the server failed. Only modules that do no Streamlit work on
import are warmed: the pages and ``dashboard.loaders`` (whose caches are made on import) are imported by the
first page run, inside Streamlit's runtime, as before."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("lrc.dashboard")

WARM = (
    "pandas", "numpy", "sqlalchemy", "pydantic", "plotly.graph_objects", "lrc.service.analytics",
    "lrc.service.results", "lrc.service.summaries", "lrc.service.comparisons", "lrc.store.repository",
)  # fmt: skip


def warm() -> None:
    """Import ``WARM`` (a failure is only logged: the page imports what it needs itself)."""
    import importlib

    for name in WARM:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - warming must never stop the server
            log.exception("warming %s failed", name)


def main() -> None:
    warm()
    from streamlit.web.cli import main as streamlit

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit()


if __name__ == "__main__":
    main()
