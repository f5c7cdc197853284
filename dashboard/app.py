"""Entry point of the dashboard (`streamlit run dashboard/app.py`): navigation only."""

from __future__ import annotations

import streamlit as st

from dashboard import PAGES_DIR, controls
from dashboard.errors import user_errors
from dashboard.i18n import tr

st.set_page_config(page_title="企业劳动关系信用评价", page_icon="🏭", layout="wide")
controls.language_toggle()
page = st.navigation(
    [
        st.Page(
            PAGES_DIR / "overview.py",
            title=tr("总览", "Overview"),
            url_path="overview",
            icon="📊",
            default=True,
        ),
        st.Page(PAGES_DIR / "rankings.py", title=tr("排名", "Rankings"), url_path="rankings", icon="🏆"),
        st.Page(
            PAGES_DIR / "enterprise.py", title=tr("企业画像", "Enterprise"), url_path="enterprise", icon="🏢"
        ),
        st.Page(
            PAGES_DIR / "monitoring.py", title=tr("监测预警", "Monitoring"), url_path="monitoring", icon="🚨"
        ),
        st.Page(
            PAGES_DIR / "methodology.py",
            title=tr("指标体系", "Methodology"),
            url_path="methodology",
            icon="📚",
        ),
    ]
)
with user_errors():
    controls.period_picker()
    page.run()
