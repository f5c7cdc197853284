"""Entry point of the dashboard (`streamlit run dashboard/app.py`): navigation only.

Everything after the page setup, the page itself included, runs inside one error
guard (``dashboard.errors.user_errors``): a failure is a Chinese message, never a traceback."""

from __future__ import annotations

import streamlit as st

from dashboard import PAGES_DIR, controls
from dashboard.errors import user_errors
from dashboard.i18n import tr

PAGE_LIST = (  # file in views/, Chinese title, English title; the file name is also the URL path
    ("overview", "总览", "Overview"),
    ("rankings", "排名", "Rankings"),
    ("enterprise", "企业画像", "Enterprise"),
    ("monitoring", "监测预警", "Monitoring"),
    ("methodology", "指标体系", "Methodology"),
)


def pages() -> list[st.Page]:
    return [st.Page(PAGES_DIR / f"{path}.py", title=tr(zh, en), url_path=path) for path, zh, en in PAGE_LIST]


def home() -> None:
    """The app's root URL opens the overview under its own path (/overview)."""
    st.switch_page(pages()[0])


def main() -> None:
    controls.language_toggle()
    page = st.navigation([st.Page(home, title=tr("首页", "Home"), default=True, visibility="hidden"), *pages()])
    controls.period_picker()
    page.run()


st.set_page_config(page_title="企业劳动关系信用评价", layout="wide")
with user_errors():
    main()
