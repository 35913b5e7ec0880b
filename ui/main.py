"""The app's pages (run through `streamlit_app.py`); everything they do is in `pv` and `ui`."""

from __future__ import annotations

import streamlit as st

from ui import about_page, log_page, report_page
from ui.strings import t

st.set_page_config(page_title=t("app.title"), page_icon=":memo:", layout="wide")

page = st.navigation(
    [
        st.Page(report_page.render, title=t("nav.report"), url_path="report", default=True),
        st.Page(log_page.render, title=t("nav.log"), url_path="log"),
        st.Page(about_page.render, title=t("nav.about"), url_path="about"),
    ]
)
page.run()
