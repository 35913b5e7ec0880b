"""The case page's "Start a follow-up in the form": a draft of the report form pre-filled with
the case's latest version (pv.officer_follow_up), opened by its private link; what the officer
submits there becomes the case's next version."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pv.db import DatabaseUnavailable
from pv.follow_ups import CaseClosedToFollowUp
from pv.officer_follow_up import NotFromTheForm, start_follow_up
from pv.sessions import Officer
from pv.store import CaseDetail, Store
from ui import drafts
from ui.strings import t
from ui.widgets import plain

STARTED = "officer_follow_up.started"  # {case ID: draft token} started in this session


def render(log: Store, detail: CaseDetail, *, live: Callable[[], Officer | None]) -> None:
    """The panel for the case of `detail`. `live` re-checks the officer's session when the
    button is clicked (the log page's `_live`); nothing starts unless it returns an officer."""
    case_id = detail.row.case_id
    with st.expander(t("officer_follow_up.title")):
        st.caption(t("officer_follow_up.intro"))
        if st.button(t("officer_follow_up.start"), key=f"officer_follow_up.start.{case_id}"):
            _start(log, case_id, live)
        token = st.session_state.get(STARTED, {}).get(case_id)
        if isinstance(token, str):
            link = drafts.link_to(token)
            st.link_button(t("officer_follow_up.open"), link, type="primary")
            st.caption(t("officer_follow_up.link"))
            st.code(link, language=None, wrap_lines=True)


def _start(log: Store, case_id: str, live: Callable[[], Officer | None]) -> None:
    officer = live()
    if officer is None:
        return
    try:
        token = start_follow_up(log, case_id, user=officer.name)
    except CaseClosedToFollowUp:
        st.error(t("officer_follow_up.nullified", case_id=case_id))
        return
    except NotFromTheForm:
        st.error(t("officer_follow_up.not_from_form", case_id=case_id))
        return
    except DatabaseUnavailable as error:
        st.error(plain(str(error)))
        return
    st.session_state.setdefault(STARTED, {})[case_id] = token
