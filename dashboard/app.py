"""Entry point of the dashboard (`streamlit run dashboard/app.py`): navigation only."""

from __future__ import annotations

import streamlit as st

from dashboard import PAGES_DIR, controls
from dashboard.errors import user_errors
from dashboard.i18n import tr

st.set_page_config(page_title="企业劳动关系信用评价", layout="wide")
controls.language_toggle()
PAGES = [
    st.Page(
        PAGES_DIR / "overview.py",
        title=tr("总览", "Overview"),
        url_path="overview",
    ),
    st.Page(
        PAGES_DIR / "rankings.py",
        title=tr("排名", "Rankings"),
        url_path="rankings",
    ),
    st.Page(
        PAGES_DIR / "enterprise.py",
        title=tr("企业画像", "Enterprise"),
        url_path="enterprise",
    ),
    st.Page(
        PAGES_DIR / "monitoring.py",
        title=tr("监测预警", "Monitoring"),
        url_path="monitoring",
    ),
    st.Page(
        PAGES_DIR / "methodology.py",
        title=tr("指标体系", "Methodology"),
        url_path="methodology",
    ),
]


def home() -> None:
    """The app's root URL opens the overview under its own path (/overview)."""
    st.switch_page(PAGES[0])


page = st.navigation([st.Page(home, title=tr("首页", "Home"), default=True, visibility="hidden"), *PAGES])
with user_errors():
    controls.period_picker()
    page.run()
