"""The reporter's follow-up, reached by the private link of a report already submitted: what is
new, each reaction's outcome now, new documents. `pv.follow_ups` makes it the case's next version.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from e2b.codelists import Outcome
from pv.attachments import ACCEPTED_EXTENSIONS, Upload, check_upload
from pv.db import DatabaseUnavailable
from pv.follow_ups import (
    TEXT_LIMIT,
    CaseClosedToFollowUp,
    NewInformation,
    add_from_reporter,
    reactions_now,
)
from pv.submission import SubmissionRefused
from ui import choices
from ui.resources import catalogue, settings, store
from ui.strings import t
from ui.widgets import plain

DONE = "follow_up.done"  # (case ID, version) of the follow-up this session sent
ROUND = "follow_up.round"  # a fresh form after each follow-up sent
TEXT_ERROR = "follow_up.text_error"


def render(case_id: str) -> None:
    """The follow-up box for `case_id` (the case the opened link's report became)."""
    st.subheader(t("follow_up.title", case_id=case_id))
    done = st.session_state.get(DONE)
    if done is not None and done[0] == case_id:
        st.success(t("follow_up.done", case_id=case_id, version=done[1]))
    st.write(t("follow_up.intro"))
    try:
        reactions = reactions_now(store(), case_id, catalogue())
    except DatabaseUnavailable as error:
        st.error(str(error))
        return
    n = st.session_state.get(ROUND, 0)
    with st.form(f"follow_up.{case_id}.{n}"):
        text = st.text_area(
            t("follow_up.text"), max_chars=TEXT_LIMIT, key=f"follow_up.text.{n}", height=160
        )
        if st.session_state.get(TEXT_ERROR):
            st.markdown(f":red[{plain(st.session_state[TEXT_ERROR])}]")
        outcomes: dict[int, Outcome] = {}
        ended: dict[int, date] = {}
        options = list(Outcome)
        for reaction in reactions:
            label = reaction.term + (f" ({reaction.verbatim})" if reaction.verbatim else "")
            c1, c2 = st.columns([2, 1])
            outcomes[reaction.index] = c1.selectbox(
                t("follow_up.outcome", reaction=label),
                options,
                index=options.index(reaction.outcome),
                format_func=choices.code,
                key=f"follow_up.outcome.{n}.{reaction.index}",
            )
            day = c2.date_input(
                t("follow_up.ended"),
                value=None,
                max_value=date.today(),
                key=f"follow_up.ended.{n}.{reaction.index}",
            )
            if isinstance(day, date):
                ended[reaction.index] = day
        files = st.file_uploader(
            t("follow_up.files"),
            type=[e.lstrip(".") for e in ACCEPTED_EXTENSIONS],
            accept_multiple_files=True,
            key=f"follow_up.files.{n}",
        )
        sent = st.form_submit_button(t("follow_up.send"), type="primary")
    if sent:
        changed = {i: o for i, o in outcomes.items() if o is not reactions[i].outcome}
        _send(case_id, NewInformation(text, changed, ended), files or [])


def _send(case_id: str, new: NewInformation, files: list[UploadedFile]) -> None:
    documents: list[Upload] = []
    for file in files:
        checked = check_upload(file.name, file.getvalue(), file.type, documents)
        if not isinstance(checked, Upload):
            st.error(checked.message)
            return
        documents.append(checked)
    try:
        line = add_from_reporter(
            store(), case_id, replace(new, documents=documents), settings=settings()
        )
    except SubmissionRefused as refused:
        errors = [f.message for f in refused.findings if f.severity == "error"]
        if any(f.path == "follow_up.text" for f in refused.findings):
            st.session_state[TEXT_ERROR] = t("follow_up.text_required", limit=f"{TEXT_LIMIT:,}")
            st.rerun()
        st.error(t("follow_up.refused", reasons="; ".join(errors)))
        return
    except CaseClosedToFollowUp:
        st.error(t("follow_up.nullified", case_id=case_id))
        return
    except DatabaseUnavailable as error:
        st.error(t("done.save_failed", reason=str(error)))
        return
    st.session_state.pop(TEXT_ERROR, None)
    st.session_state[DONE] = (case_id, line.version)
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.rerun()
