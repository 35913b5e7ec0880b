"""The safety officers' workspace: login, the submission log, a case, the workflow, exports.

Nothing here is shown before an officer has logged in; the store does the work, this page only
gathers filters and clicks and shows results.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from e2b.xmlsafe import UnusableXMLError
from pv.catalogue import Catalogue
from pv.db import DatabaseUnavailable
from pv.store import SORT_KEYS, CaseDetail, CaseNotFound, CaseQuery, Store
from pv.submission import SubmissionRefused, follow_up
from pv.users import LoginLocked, User, authenticate, list_users
from pv.workflow import CaseStatus, InvalidTransition
from ui.resources import catalogue, store
from ui.strings import t
from ui.widgets import plain

OFFICER = "officer"  # the logged-in officer (pv.users.User)
OPEN_CASE = "open_case"  # case ID shown in detail
EXPORT = "export"  # prepared export files
PAGE_SIZES = (25, 50, 100)


def render() -> None:
    st.title(t("nav.log"))
    try:
        officer = _officer()
        if officer is None:
            return
        _workspace(officer)
    except DatabaseUnavailable as error:
        st.error(str(error))


# ---------------------------------------------------------------- access


def _officer() -> User | None:
    """The logged-in officer, or None after drawing the login form."""
    user: User | None = st.session_state.get(OFFICER)
    if user is not None:
        with st.sidebar:
            st.caption(t("log.signed_in", name=user.name))
            st.button(t("log.logout"), on_click=_logout)
        return user
    st.info(t("log.login_needed"))
    if _sso_configured():
        sso = _sso_officer()
        if sso is not None:
            st.session_state[OFFICER] = sso
            st.rerun()
        st.button(t("log.sso"), on_click=st.login)
    with st.form("login"):
        name = st.text_input(t("log.username"), max_chars=100, key="login.name")
        password = st.text_input(
            t("log.password"), type="password", max_chars=200, key="login.password"
        )
        submitted = st.form_submit_button(t("log.login"), type="primary")
    if submitted:
        try:
            found = authenticate(store(), name, password)
        except LoginLocked as locked:
            st.error(str(locked))
            return None
        if found is None:
            st.error(t("log.login_failed"))
            return None
        st.session_state[OFFICER] = found
        st.rerun()
    return None


def _sso_configured() -> bool:
    """Streamlit's built-in OIDC login is on when secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def _sso_officer() -> User | None:
    """The officer account matching the identity provider's e-mail, if active.

    Signing in with the provider proves who someone is; being an officer is still decided here,
    by an account created with `python -m pv users add`.
    """
    if not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "").strip().lower()
    match = [u for u in list_users(store()) if u.active and u.name.lower() == email]
    if not match:
        st.error(t("log.sso_unknown", email=email))
        return None
    store().record("login", user=match[0].name, detail={"via": "oidc"})
    return match[0]


def _logout() -> None:
    user: User | None = st.session_state.pop(OFFICER, None)
    for name in (OPEN_CASE, EXPORT):
        st.session_state.pop(name, None)
    if user is not None:
        store().record("logout", user=user.name)
    if _sso_configured() and st.user.is_logged_in:
        st.logout()


# ---------------------------------------------------------------- workspace


def _workspace(officer: User) -> None:
    cat = catalogue()
    query = _filters(cat)
    today = datetime.now(UTC).date()
    log = store()
    tab_list, tab_case, tab_dashboard = st.tabs(
        [t("log.tab.list"), t("log.tab.case"), t("log.tab.dashboard")]
    )
    with tab_list:
        _case_list(log, query, cat, today, officer)
    with tab_case:
        _case_view(log, officer, cat, today)
    with tab_dashboard:
        _dashboard(log, query, cat, today)


def _filters(cat: Catalogue) -> CaseQuery:
    names = {c.id: c.name for c in cat.categories()}
    with st.sidebar:
        st.subheader(t("log.filters"))
        text = st.text_input(t("log.search"), key="log.text", max_chars=200)
        statuses = st.multiselect(
            t("log.status"), list(CaseStatus), key="log.status", format_func=lambda s: s.label
        )
        categories = st.multiselect(
            t("log.category"), list(names), key="log.category", format_func=names.__getitem__
        )
        serious = st.radio(
            t("log.seriousness"),
            ["all", "serious", "non_serious"],
            key="log.serious",
            format_func=lambda v: t(f"log.seriousness.{v}"),
            horizontal=True,
        )
        received = st.date_input(
            t("log.received"), value=[], key="log.received", format="YYYY-MM-DD"
        )
        overdue = st.checkbox(t("log.overdue_only"), key="log.overdue")
        sort = st.selectbox(
            t("log.sort"), SORT_KEYS, key="log.sort", format_func=lambda k: t(f"log.col.{k}")
        )
        descending = st.checkbox(t("log.descending"), value=True, key="log.descending")
        size = st.selectbox(t("log.page_size"), PAGE_SIZES, index=1, key="log.size")
    start, end = _date_range(received)
    return CaseQuery(
        status=statuses or None,
        categories=categories,
        serious=None if serious == "all" else serious == "serious",
        received_from=start,
        received_to=end,
        text=text.strip() or None,
        overdue_only=overdue,
        sort=sort or "received_at",
        descending=descending,
        page=int(st.session_state.get("log.page", 1)),
        page_size=int(size or 50),
    )


def _date_range(value: Any) -> tuple[date | None, date | None]:
    picked = list(value) if isinstance(value, list | tuple) else [value] if value else []
    if not picked:
        return None, None
    return picked[0], picked[-1]


def _case_list(log: Store, query: CaseQuery, cat: Catalogue, today: date, officer: User) -> None:
    page = log.list_cases(query, today=today)
    if query.page > page.pages:  # the filter shrank the list under the page we were on
        st.session_state["log.page"] = 1
        page = log.list_cases(CaseQuery(**{**query.__dict__, "page": 1}), today=today)
    st.caption(t("log.count", total=page.total, page=page.page, pages=page.pages))
    names = {c.id: c.name for c in cat.categories()}
    columns = [
        t(f"log.col.{c}")
        for c in (
            "case_id",
            "status",
            "serious",
            "terms",
            "categories",
            "reporter",
            "received_at",
            "days_open",
            "due_date",
            "overdue",
        )
    ]
    frame = pd.DataFrame(
        [
            {
                t("log.col.case_id"): r.case_id,
                t("log.col.status"): r.status.label,
                t("log.col.serious"): t("yes") if r.serious else t("no"),
                t("log.col.terms"): "; ".join(r.terms),
                t("log.col.categories"): "; ".join(names.get(c, c) for c in r.categories),
                t("log.col.reporter"): r.reporter,
                t("log.col.received_at"): r.received_at.strftime("%Y-%m-%d %H:%M"),
                t("log.col.days_open"): r.days_open,
                t("log.col.due_date"): r.due_date.isoformat(),
                t("log.col.overdue"): "⚠ " + t("log.overdue") if r.overdue else "",
            }
            for r in page.rows
        ],
        columns=columns,
    )
    selection = st.dataframe(
        frame.style.apply(_highlight_overdue, axis=1) if not frame.empty else frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key="log.table",
    )
    selected = [page.rows[i].case_id for i in selection.selection.rows if i < len(page.rows)]
    c1, c2, c3 = st.columns([1, 1, 2])
    with c1:
        st.button(t("log.previous"), disabled=page.page <= 1, on_click=_turn, args=(page.page - 1,))
    with c2:
        st.button(
            t("log.next"), disabled=page.page >= page.pages, on_click=_turn, args=(page.page + 1,)
        )
    with c3:
        if len(selected) == 1:
            st.button(
                t("log.open", case_id=selected[0]),
                on_click=_open,
                args=(selected[0],),
                type="primary",
            )
    _exports(log, query, selected, officer, today)


def _highlight_overdue(row: pd.Series) -> list[str]:
    overdue = bool(row.iloc[-1])
    return ["background-color: #fde2e1" if overdue else "" for _ in row]


def _turn(page: int) -> None:
    st.session_state["log.page"] = max(page, 1)


def _open(case_id: str) -> None:
    st.session_state[OPEN_CASE] = case_id
    st.toast(t("log.opened", case_id=case_id))


def _exports(log: Store, query: CaseQuery, selected: list[str], officer: User, today: date) -> None:
    st.subheader(t("log.exports"))
    prepared: dict[str, Any] = st.session_state.setdefault(EXPORT, {})
    c1, c2 = st.columns(2)
    with c1:
        if st.button(t("log.prepare_csv")):
            prepared["csv"] = log.export_csv(query, user=officer.name, today=today)
        if "csv" in prepared:
            st.download_button(
                t("log.download_csv"),
                prepared["csv"],
                file_name="submission-log.csv",
                mime="text/csv",
            )
    with c2:
        if st.button(t("log.prepare_batch", count=len(selected)), disabled=not selected):
            prepared["batch"] = log.export_batch(selected, user=officer.name)
            prepared["batch_name"] = f"batch-{datetime.now(UTC):%Y%m%d%H%M%S}.xml"
        if "batch" in prepared:
            st.download_button(
                t("log.download_batch"),
                prepared["batch"],
                file_name=prepared["batch_name"],
                mime="application/xml",
            )


# ---------------------------------------------------------------- one case


def _case_view(log: Store, officer: User, cat: Catalogue, today: date) -> None:
    if OPEN_CASE in st.session_state:  # "Open case" in the list fills the field
        st.session_state["log.case_id"] = st.session_state.pop(OPEN_CASE)
    case_id = st.text_input(t("log.case_id"), key="log.case_id", max_chars=100).strip()
    if not case_id:
        st.caption(t("log.case_hint"))
        return
    try:
        detail = log.get_case(case_id, today=today)
    except CaseNotFound:
        st.warning(t("log.case_missing", case_id=case_id))
        return
    _case_summary(detail, cat)
    _workflow(log, detail, officer)
    _versions(detail)
    _follow_up(log, detail, officer, today)
    _notes(log, detail, officer)
    with st.expander(t("log.audit")):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("log.audit.at"): a.at.strftime("%Y-%m-%d %H:%M:%S"),
                        t("log.audit.user"): a.user,
                        t("log.audit.action"): a.action,
                        t("log.audit.detail"): str(a.detail or ""),
                    }
                    for a in detail.audit
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _case_summary(detail: CaseDetail, cat: Catalogue) -> None:
    row = detail.row
    names = {c.id: c.name for c in cat.categories()}
    st.subheader(t("log.case_title", case_id=row.case_id))
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    c1.metric(t("log.col.status"), row.status.label)
    c2.metric(t("log.col.days_open"), row.days_open)
    c3.metric(t("log.col.due_date"), row.due_date.isoformat())
    c4.metric(t("log.col.serious"), t("yes") if row.serious else t("no"))
    if row.overdue:
        st.error(t("log.overdue_case", due=row.due_date.isoformat()))
    lines = [
        f"- **{t('log.col.reporter')}:** {plain(row.reporter)} ({plain(detail.reporter_contact)})",
        f"- **{t('log.col.terms')}:** {plain('; '.join(row.terms))}",
        f"- **{t('log.col.categories')}:** "
        + plain("; ".join(names.get(c, c) for c in row.categories)),
        f"- **{t('log.seriousness')}:** {plain(', '.join(detail.seriousness) or '-')}",
        f"- **{t('log.verbatims')}:** {plain('; '.join(detail.verbatims) or '-')}",
    ]
    st.markdown("\n".join(lines))


def _workflow(log: Store, detail: CaseDetail, officer: User) -> None:
    st.markdown(f"**{t('log.workflow')}**")
    if "log.status_error" in st.session_state:
        st.error(st.session_state.pop("log.status_error"))
    options = list(detail.next_statuses)
    if options:
        c1, c2, c3 = st.columns([2, 3, 1])
        with c1:
            st.selectbox(
                t("log.move_to"), options, format_func=lambda s: s.label, key="log.target"
            )
        with c2:
            st.text_input(t("log.comment"), key="log.status_comment", max_chars=500)
        with c3:
            st.write("")
            st.button(
                t("log.apply"),
                type="primary",
                on_click=_apply_status,
                args=(log, detail.row.case_id, officer),
            )
    history = [
        {
            t("log.audit.at"): h.at.strftime("%Y-%m-%d %H:%M"),
            t("log.audit.user"): h.user,
            t("log.from"): h.from_status.label if h.from_status else "",
            t("log.to"): h.to_status.label,
            t("log.comment"): h.comment or "",
        }
        for h in detail.status_history
    ]
    if history:
        st.dataframe(pd.DataFrame(history), hide_index=True, width="stretch")


def _apply_status(log: Store, case_id: str, officer: User) -> None:
    """Move the case as chosen; the comment field empties so it cannot ride on the next move."""
    target = st.session_state.get("log.target")
    comment = str(st.session_state.get("log.status_comment") or "").strip()
    if target is None:
        return
    try:
        log.change_status(case_id, target, user=officer.name, comment=comment or None)
    except InvalidTransition as error:
        st.session_state["log.status_error"] = str(error)
        return
    st.session_state["log.status_comment"] = ""
    st.session_state.pop("log.target", None)


def _versions(detail: CaseDetail) -> None:
    st.markdown(f"**{t('log.versions')}**")
    for v in reversed(detail.versions):
        with st.expander(
            t("log.version", n=v.version, at=v.received_at.strftime("%Y-%m-%d %H:%M")),
            expanded=v.version == detail.row.version,
        ):
            st.download_button(
                t("log.download_xml"),
                v.xml,
                file_name=f"{detail.row.case_id}-v{v.version}.xml",
                mime="application/xml",
                key=f"xml.{v.version}",
            )
            if not v.findings:
                st.caption(t("done.valid"))
            for f in v.findings:
                st.markdown(f"- {plain(f.severity)} {plain(f.element)}: {plain(f.message)}")


def _follow_up(log: Store, detail: CaseDetail, officer: User, today: date) -> None:
    """A follow-up arrives as an E2B(R3) file and becomes the case's next version."""
    case_id = detail.row.case_id
    with st.expander(t("log.follow_up")):
        upload = st.file_uploader(
            t("log.follow_up.file"), type=["xml"], key=f"follow_up.{case_id}.{len(detail.versions)}"
        )
        if upload is None or not st.button(t("log.follow_up.add"), key="follow_up.add"):
            return
        try:
            submission = follow_up(upload.getvalue(), case_id, today=today)
        except UnusableXMLError as error:
            st.error(str(error))
            return
        except SubmissionRefused as refused:
            st.error(t("log.follow_up.refused"))
            for f in refused.findings:
                if f.severity == "error":
                    st.markdown(f"- {plain(f.element)}: {plain(f.message)}")
            return
        saved = log.add_version(case_id, submission, user=officer.name)
        st.toast(t("log.follow_up.done", version=saved.version))
        st.rerun()


def _notes(log: Store, detail: CaseDetail, officer: User) -> None:
    st.markdown(f"**{t('log.notes')}**")
    for note in detail.notes:
        st.markdown(f"- {note.at:%Y-%m-%d %H:%M} **{plain(note.user)}**: {plain(note.text)}")
    with st.form("note", clear_on_submit=True):
        text = st.text_area(t("log.note"), max_chars=5000)
        if st.form_submit_button(t("log.add_note")) and text.strip():
            log.add_note(detail.row.case_id, text, user=officer.name)
            st.rerun()


# ---------------------------------------------------------------- dashboard


def _dashboard(log: Store, query: CaseQuery, cat: Catalogue, today: date) -> None:
    numbers = log.dashboard(query, today=today)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("log.dash.total"), numbers.total)
    c2.metric(t("log.dash.serious_share"), f"{numbers.serious_share:.0%}")
    c3.metric(t("log.dash.overdue"), numbers.overdue)
    if numbers.per_month:
        st.markdown(f"**{t('log.dash.per_month')}**")
        st.bar_chart(pd.DataFrame(numbers.per_month, columns=["month", "cases"]).set_index("month"))
    if numbers.per_category:
        names = {c.id: c.name for c in cat.categories()}
        st.markdown(f"**{t('log.dash.per_category')}**")
        frame = pd.DataFrame(
            [(names.get(c, c), n) for c, n in numbers.per_category], columns=["category", "cases"]
        ).set_index("category")
        st.bar_chart(frame, horizontal=True)
