"""The case page's possible duplicates: each candidate with its score and reasons, and the
officer's "Duplicate of <case>" / "Not a duplicate" (pv.duplicate_log decides and audits)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pv.db import DatabaseUnavailable
from pv.duplicate_log import (
    Candidate,
    DuplicateError,
    Log,
    candidates_for,
    mark_duplicate,
    mark_not_duplicate,
)
from pv.sessions import Officer
from ui.strings import t
from ui.widgets import plain


def render(log: Log, case_id: str, officer: Officer, *, live: Callable[[], Officer | None]) -> None:
    """The panel for `case_id`. `live` re-checks the officer's session when a button is clicked
    (the log page's `_live`); a decision is made only while it returns an officer."""
    st.markdown(f"**{t('dup.title')}**")
    error_key = f"dup.error.{case_id}"
    if error_key in st.session_state:
        st.error(plain(str(st.session_state.pop(error_key))))
    try:
        found = candidates_for(log, case_id)
    except (DuplicateError, DatabaseUnavailable) as error:
        st.error(plain(str(error)))
        return
    if not found:
        st.caption(t("dup.none"))
        return
    for candidate in found:
        with st.container(border=True):
            _candidate(log, candidate, live, error_key)


def _candidate(
    log: Log, candidate: Candidate, live: Callable[[], Officer | None], error_key: str
) -> None:
    other = candidate.other_case_id
    st.markdown(t("dup.candidate", case_id=plain(other), score=f"{candidate.score:.2f}"))
    for reason in candidate.reasons:
        side = t("dup.for") if reason.weight > 0 else t("dup.against")
        st.markdown(f"- {side}: {plain(reason.text)}")
    if not candidate.undecided:
        st.caption(_decided(candidate))
        return
    c1, c2 = st.columns(2)
    args = (log, candidate, live, error_key)
    with c1:
        st.button(
            t("dup.mark_duplicate", case_id=plain(other)),
            key=f"dup.duplicate.{candidate.case_id}.{other}",
            on_click=_decide,
            args=(*args, "duplicate"),
        )
    with c2:
        st.button(
            t("dup.mark_not_duplicate"),
            key=f"dup.not_duplicate.{candidate.case_id}.{other}",
            on_click=_decide,
            args=(*args, "not_duplicate"),
        )


def _decided(candidate: Candidate) -> str:
    when = f"{candidate.decided_at:%Y-%m-%d %H:%M} UTC" if candidate.decided_at else "-"
    values = {
        "case_id": plain(candidate.case_id),
        "other": plain(candidate.other_case_id),
        "user": plain(candidate.decided_by or "-"),
        "at": plain(when),
    }
    if candidate.decision == "not_duplicate":
        return t("dup.decided.not_duplicate", **values)
    if candidate.is_duplicate_of_other:
        return t("dup.decided.duplicate_of", **values)
    return t("dup.decided.has_duplicate", **values)


def _decide(
    log: Log,
    candidate: Candidate,
    live: Callable[[], Officer | None],
    error_key: str,
    decision: str,
) -> None:
    officer = live()
    if officer is None:
        return
    try:
        if decision == "duplicate":
            mark_duplicate(
                log,
                candidate.case_id,
                of=candidate.other_case_id,
                user=officer.name,
                expected_revision=candidate.revision,
            )
        else:
            mark_not_duplicate(
                log,
                candidate.case_id,
                other=candidate.other_case_id,
                user=officer.name,
                expected_revision=candidate.revision,
            )
    except (DuplicateError, DatabaseUnavailable) as error:
        st.session_state[error_key] = str(error)
