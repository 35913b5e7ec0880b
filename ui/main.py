"""The app's pages (run through `streamlit_app.py`); everything they do is in `pv` and `ui`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import streamlit as st

from ui import about_page, language_switch, log_page, report_page
from ui.strings import t

# WCAG 2.4.7 / 1.4.11: a focus ring anyone can see on every control (Streamlit's own is a faint
# tint on checkboxes and radios), in the theme's primary colour (.streamlit/config.toml).
FOCUS_STYLE = """<style>
:focus-visible, [data-baseweb="checkbox"] input:focus-visible + div,
[data-baseweb="radio"] input:focus-visible + div {
  outline: 3px solid #1A4FD6 !important;
  outline-offset: 2px !important;
}
</style>"""


# bench/form_bench.py sets this to a file: each run of a page appends its server time (ms).
RERUN_TIMES = os.environ.get("PV_RERUN_TIMES", "")


def _titled(render: Callable[[], None], nav_key: str) -> Callable[[], None]:
    """The page with its own browser title (WCAG 2.4.2): 'Report a reaction · LEMTRADA ...'."""

    def page() -> None:
        start = time.perf_counter()
        cpu = time.thread_time()
        try:
            st.set_page_config(page_title=f"{t(nav_key)} · {t('app.title')}")
            st.html(FOCUS_STYLE)
            language_switch.direction()
            render()
        finally:
            if RERUN_TIMES:
                _record(nav_key, time.perf_counter() - start, time.thread_time() - cpu)

    page.__name__ = render.__module__.rsplit(".", 1)[-1]
    return page


def _record(page: str, seconds: float, cpu_seconds: float) -> None:
    """One line per page run: the page, its wall-clock time and its thread's CPU time (ms)."""
    with open(RERUN_TIMES, "a", encoding="utf-8") as out:
        out.write(f"{page}\t{seconds * 1000:.2f}\t{cpu_seconds * 1000:.2f}\n")


st.set_page_config(page_title=t("app.title"), page_icon=":memo:", layout="wide")
language_switch.choose()  # before the titles: the navigation is in the chosen language

page = st.navigation(
    [
        st.Page(
            _titled(report_page.render, "nav.report"),
            title=t("nav.report"),
            url_path="report",
            default=True,
        ),
        st.Page(_titled(log_page.render, "nav.log"), title=t("nav.log"), url_path="log"),
        st.Page(_titled(about_page.render, "nav.about"), title=t("nav.about"), url_path="about"),
    ]
)
page.run()
