"""Entry point: the page router and the filters shared by every page."""

import streamlit as st

from rpgdash import ui
from rpgdash.access import current_upload_access
from rpgdash.present.domains import DOMAINS
from rpgdash.ui.routing import inside_app

st.set_page_config(
    page_title="RPG outcomes dashboard",
    # An emoji favicon is drawn in the browser; a :material/...: one is fetched from a font
    # host outside 127.0.0.1 (Streamlit 1.67), which fails offline and leaks the visit.
    page_icon="📈",
    layout="wide",
    initial_sidebar_state="auto",
)

survey_pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    *(st.Page(d.page, title=d.title, icon=d.icon) for d in DOMAINS),
]
organisation_pages = [
    st.Page("pages/indicators.py", title="Indicators", icon=":material/show_chart:"),
    st.Page("pages/workforce.py", title="Workforce", icon=":material/badge:"),
    st.Page("pages/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:"),
]
evidence_pages = [
    st.Page("pages/evidence.py", title="Evidence from interviews", icon=":material/forum:"),
    st.Page("pages/model.py", title="How RPGs work (model)", icon=":material/account_tree:"),
]
about_pages = [st.Page("pages/about.py", title="Method and caveats", icon=":material/info:")]
if current_upload_access().show_in_navigation:
    about_pages.insert(
        0, st.Page("pages/upload.py", title="Upload data", icon=":material/upload_file:")
    )

pg = st.navigation(
    {
        "Survey": survey_pages,
        "Organisation": organisation_pages,
        "Evidence": evidence_pages,
        "Data": about_pages,
    }
)
with inside_app():  # pages check that they run in here (rpgdash/ui/routing.py)
    ui.run_page(pg)
