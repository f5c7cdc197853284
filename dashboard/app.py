"""Entry point of the dashboard (`streamlit run dashboard/app.py`): sign-in and navigation.

Everything after the page setup, the page itself included, runs inside one error
guard (``dashboard.errors.user_errors``): a failure is a Chinese message, never a traceback.
Once the store has accounts, nothing is shown before a login; each role is offered its pages
(the data on them is narrowed to the user's scope by the service, not here)."""

from __future__ import annotations

import streamlit as st

from dashboard import PAGES_DIR, controls, loaders, session
from dashboard.errors import user_errors
from dashboard.i18n import tr
from lrc.service.access import Principal, Role

EVERYONE = frozenset(Role)
PAGE_LIST = (  # file in views/, Chinese title, English title, roles; the file name is also the URL path
    ("overview", "总览", "Overview", EVERYONE - {Role.enterprise}),
    ("rankings", "排名", "Rankings", EVERYONE - {Role.enterprise}),
    ("enterprise", "企业画像", "Enterprise", EVERYONE),
    ("report", "填报", "Report", EVERYONE - {Role.viewer}),
    ("monitoring", "监测预警", "Monitoring", EVERYONE - {Role.enterprise}),
    ("hearings", "听证", "Hearings", EVERYONE - {Role.enterprise}),
    ("objections", "异议与信用修复", "Objections & repair", EVERYONE - {Role.viewer}),
    ("methodology", "指标体系", "Methodology", EVERYONE),
    ("publish", "发布", "Publish", frozenset({Role.publisher, Role.admin})),
    ("admin", "用户与审计", "Users & audit", frozenset({Role.admin})),
)


def pages(who: Principal) -> list[st.Page]:
    return [
        st.Page(PAGES_DIR / f"{path}.py", title=tr(zh, en), url_path=path)
        for path, zh, en, roles in PAGE_LIST
        if who.role in roles
    ]


def main() -> None:
    controls.language_toggle()
    who = session.require_login(loaders.engine(loaders.db_url()))
    allowed = pages(who)

    def home() -> None:
        """The app's root URL opens the first page under its own path (/overview)."""
        st.switch_page(allowed[0])

    page = st.navigation([st.Page(home, title=tr("首页", "Home"), default=True, visibility="hidden"), *allowed])
    wanted = session.destination()
    if wanted is not None:  # the page asked for before signing in, if this role has it
        chosen = [p for p in allowed if p.url_path == wanted[0]]
        if chosen:
            st.switch_page(chosen[0], query_params=wanted[1])
    session.identity_box(loaders.engine(loaders.db_url()), who)
    controls.period_picker()
    page.run()


st.set_page_config(page_title="企业劳动关系信用评价", layout="wide")
with user_errors():
    main()
