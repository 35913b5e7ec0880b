"""The safety officers' workspace: login, the submission log, a case, the workflow, exports.

Nothing here is shown before an officer has logged in; the store does the work, this page only
gathers filters and clicks and shows results.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from e2b.codelists import Nullification
from e2b.xmlsafe import UnusableXMLError
from pv import sessions
from pv.amendment import REASON_LIMIT, nullify
from pv.audit import describe
from pv.catalogue import Catalogue
from pv.cioms import cioms_pdf
from pv.config import Settings
from pv.db import DatabaseUnavailable
from pv.importing import import_file
from pv.model import Report
from pv.sessions import Officer, SessionEnded
from pv.store import (
    SORT_KEYS,
    CaseDetail,
    CaseNotFound,
    CaseQuery,
    CaseRow,
    NotAnOfficer,
    StaleCase,
    Store,
    Submission,
    VersionRecord,
)
from pv.submission import SubmissionRefused, follow_up
from pv.users import LoginLocked, User, authenticate, list_users
from pv.workflow import CaseStatus, InvalidTransition
from ui import case_view, duplicates_panel, officer_follow_up, submissions_panel
from ui.downloads import GRANTS, offer
from ui.resources import catalogue, settings, store
from ui.strings import t
from ui.widgets import plain

QUEUES = ("all", "mine", "due_soon", "overdue", "unassigned")  # the work queues of the list
DUE_SOON_DAYS = 3
TOKEN = "officer.token"  # the officer session's token (pv.sessions); nothing else is kept
ENDED = "officer.ended"  # why the last session ended, shown above the login form
OPEN_CASE = "open_case"  # case ID shown in detail
VIEWED = "officer.viewed"  # (case ID, version) whose opening is already audited
PAGE_SIZES = (25, 50, 100)
AUDIT_ROWS = 500  # newest rows shown; the CSV and `python -m pv audit list` give them all
AUDIT_ACTIONS = (
    "create", "version", "status", "note", "view", "download", "export", "audit_export",
    "login", "login_failed", "login_locked", "logout", "session_end",
    "user_add", "user_password", "user_deactivate", "audit_key_rotated",
    "prepare", "submission", "ack", "send_failed", "ack_written", "duplicate",
)  # fmt: skip


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


def _officer() -> Officer | None:
    """The officer of a session that may go on, or None after drawing the login form.

    The session is re-checked against the database on every run (and before every change, see
    `_live`), so logout, deactivation, a password change and idle time end it at the next click.
    """
    token: str | None = st.session_state.get(TOKEN)
    if token is not None:
        try:
            officer = sessions.check(store(), token, idle=_idle())
        except SessionEnded as ended:
            _forget(str(ended))
        else:
            with st.sidebar:
                st.caption(t("log.signed_in", name=plain(officer.name)))
                st.button(t("log.logout"), on_click=_logout)
            return officer
    if ENDED in st.session_state:
        st.warning(st.session_state[ENDED])
    st.info(t("log.login_needed"))
    if _sso_configured():
        sso = _sso_officer()
        if sso is not None:
            _begin(sso.name, via="oidc")
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
            found = authenticate(store(), name, password, client=_client())
        except LoginLocked as locked:
            st.error(plain(str(locked)))
            return None
        if found is None:
            st.error(t("log.login_failed"))
            return None
        _begin(found.name, via="password")
        st.rerun()
    return None


def _begin(name: str, *, via: str) -> None:
    """Start a server-side session for an account that has just proved who it is."""
    try:
        st.session_state[TOKEN] = sessions.start(store(), name, client=_client())
    except SessionEnded as ended:
        st.session_state[ENDED] = str(ended)
        return
    st.session_state.pop(ENDED, None)
    if via != "password":  # pv.users.authenticate audits password logins itself
        store().record("login", user=name, detail={"via": via, "client": _client()})


def _live() -> Officer | None:
    """The officer, re-checked, for a callback about to change something; None refuses it.

    Callbacks run before the page, so they cannot rely on the page's own check.
    """
    token: str | None = st.session_state.get(TOKEN)
    if token is None:
        return None
    try:
        return sessions.check(store(), token, idle=_idle())
    except SessionEnded as ended:
        _forget(str(ended))
        return None


def _idle() -> timedelta:
    return timedelta(minutes=settings().idle_minutes)


def _client() -> str:
    """Who is asking, for the per-client login limit: the connection's address, or the first
    X-Forwarded-For address where a trusted proxy sets it (PV_TRUST_FORWARDED_FOR)."""
    try:
        if settings().trust_forwarded_for:
            forwarded = str(st.context.headers.get("X-Forwarded-For") or "")
            first = forwarded.split(",")[0].strip()
            if first:
                return first[:200]
        return str(st.context.ip_address or "local")[:200]
    except (AttributeError, RuntimeError):  # no request context (AppTest)
        return "local"


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
        st.error(t("log.sso_unknown", email=plain(email)))
        return None
    return match[0]


def _logout() -> None:
    token: str | None = st.session_state.get(TOKEN)
    if token is not None:
        sessions.end(store(), token, "logout")
    _forget(None)
    if _sso_configured() and st.user.is_logged_in:
        st.logout()


def _forget(notice: str | None) -> None:
    """Drop everything of the officer's session from this browser session, and its downloads."""
    token: str | None = st.session_state.pop(TOKEN, None)
    if token is not None:
        GRANTS.revoke_session(sessions.digest(token))
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith("log.")]:
        del st.session_state[name]
    for name in (OPEN_CASE, VIEWED):
        st.session_state.pop(name, None)
    if notice is None:
        st.session_state.pop(ENDED, None)
    else:
        st.session_state[ENDED] = notice


# ---------------------------------------------------------------- workspace


def _workspace(officer: Officer) -> None:
    cat = catalogue()
    query = _filters(cat, officer)
    today = datetime.now(UTC).date()
    log = store()
    names = [t("log.tab.list"), t("log.tab.case"), t("log.tab.dashboard")]
    if officer.is_admin:
        names.append(t("log.tab.audit"))
    tabs = st.tabs(names)
    with tabs[0]:
        _imports(log)
        submissions_panel.acknowledgements(log, _live)
        _case_list(log, query, cat, today, officer)
    with tabs[1]:
        _case_view(log, officer, cat, today)
    with tabs[2]:
        _dashboard(log, query, cat, today)
        submissions_panel.render_on_time(log)
    if officer.is_admin:
        with tabs[3]:
            _audit_view(log, officer, today)


def _filters(cat: Catalogue, officer: Officer) -> CaseQuery:
    names = {c.id: c.name for c in cat.categories()}
    with st.sidebar:
        st.subheader(t("log.filters"))
        queue = st.radio(
            t("log.queue"),
            QUEUES,
            key="log.queue",
            format_func=lambda q: t(f"log.queue.{q}"),
        )
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
        nullified = st.checkbox(t("log.show_nullified"), key="log.nullified")
        duplicates = st.checkbox(t("dup.filter"), key="log.duplicates")
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
        overdue_only=overdue or queue == "overdue",
        include_nullified=nullified,
        possible_duplicates=duplicates,
        owner=officer.name if queue == "mine" else None,
        unassigned=queue == "unassigned",
        due_within_days=DUE_SOON_DAYS if queue == "due_soon" else None,
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


def _case_list(log: Store, query: CaseQuery, cat: Catalogue, today: date, officer: Officer) -> None:
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
            "owner",
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
                t("log.col.owner"): r.owner or "",
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
    selected = list(dict.fromkeys([*selected, *_keyboard_picks(page.rows)]))
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


def _keyboard_picks(rows: list[CaseRow]) -> list[str]:
    """Open a case and pick cases for the export without clicking grid rows: a select box and
    a button, and a multiselect whose picks stay while the officer turns pages."""
    ids = [r.case_id for r in rows]
    o1, o2 = st.columns([3, 1], vertical_alignment="bottom")
    with o1:
        current = st.session_state.get("log.pick")
        st.selectbox(
            t("log.pick"),
            list(dict.fromkeys([*([current] if current else []), *ids])),
            index=None,
            key="log.pick",
        )
    with o2:
        st.button(t("log.pick.open"), on_click=_open_picked, key="log.pick.go")
    picked: list[str] = st.session_state.get("log.pick.export", [])
    return list(
        st.multiselect(
            t("log.pick.export"), list(dict.fromkeys([*picked, *ids])), key="log.pick.export"
        )
    )


def _open_picked() -> None:
    case_id = st.session_state.get("log.pick")
    if case_id:
        _open(case_id)


def _highlight_overdue(row: pd.Series) -> list[str]:
    overdue = bool(row.iloc[-1])
    return ["background-color: #fde2e1" if overdue else "" for _ in row]


def _turn(page: int) -> None:
    st.session_state["log.page"] = max(page, 1)


def _open(case_id: str) -> None:
    st.session_state[OPEN_CASE] = case_id
    st.toast(t("log.opened", case_id=case_id))


def _exports(
    log: Store, query: CaseQuery, selected: list[str], officer: Officer, today: date
) -> None:
    """CSV of the filtered list and an E2B batch of the selected cases, each made (and audited)
    when its button is clicked, for this session only."""
    st.subheader(t("log.exports"))
    c1, c2 = st.columns(2)
    with c1:
        _offer(
            officer,
            t("log.download_csv"),
            lambda: log.export_csv(query, user=officer.name, today=today),
            file_name=f"submission-log-{today:%Y%m%d}.csv",
            mime="text/csv",
            key="export.csv",
        )
    with c2:
        chosen = tuple(selected)
        _offer(
            officer,
            t("log.download_batch", count=len(chosen)),
            lambda: log.export_batch(chosen, user=officer.name),
            file_name=f"batch-{today:%Y%m%d}-{len(chosen)}-cases.xml",
            mime="application/xml",
            key="export.batch",
            disabled=not chosen,
        )


def _offer(
    officer: Officer,
    label: str,
    make: Callable[[], bytes],
    *,
    file_name: str,
    mime: str,
    key: str,
    disabled: bool = False,
) -> None:
    """A download for this officer's live session only (see ui.downloads)."""
    log, idle = store(), _idle()
    offer(
        label,
        make,
        file_name=file_name,
        mime=mime,
        key=key,
        session=officer.session,
        live=lambda: sessions.is_live(log, officer.session, idle=idle),
        disabled=disabled,
    )


# ---------------------------------------------------------------- one case


def _case_view(log: Store, officer: Officer, cat: Catalogue, today: date) -> None:
    if OPEN_CASE in st.session_state:  # "Open case" in the list fills the field
        st.session_state["log.case_id"] = st.session_state.pop(OPEN_CASE)
    case_id = st.text_input(t("log.case_id"), key="log.case_id", max_chars=100).strip()
    if not case_id:
        st.caption(t("log.case_hint"))
        return
    try:
        detail = log.get_case(case_id, today=today)
    except CaseNotFound:
        st.warning(t("log.case_missing", case_id=plain(case_id)))
        return
    if st.session_state.get(VIEWED) != (case_id, detail.row.version):
        # Who looked at which case is part of the record; once per opening, not per rerun.
        log.record(
            "view", user=officer.name, case_id=case_id, detail={"version": detail.row.version}
        )
        st.session_state[VIEWED] = (case_id, detail.row.version)
    _case_summary(detail, cat)
    _workflow(log, detail, officer)
    submissions_panel.render(log, detail, officer)
    duplicates_panel.render(log, case_id, officer, live=_live)
    case_view.render(
        detail,
        log.current_report(case_id),
        version_xml=lambda n: log.version_xml(case_id, n, user=officer.name),
        offer=functools.partial(_offer, officer),
        per_version=functools.partial(_version_extras, log, officer, case_id),
    )
    _follow_up(log, detail, officer, today)
    officer_follow_up.render(log, detail, live=_live)
    _nullify(log, detail)
    _notes(log, detail, officer)
    with st.expander(t("log.audit")):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("log.audit.at"): a.at.strftime("%Y-%m-%d %H:%M:%S"),
                        t("log.audit.user"): a.user,
                        t("log.audit.action"): a.action,
                        t("log.audit.detail"): describe(a),
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
    c1, c2, c3, c4 = st.columns([2, 1, 2, 1])
    if row.nullified:
        st.warning(t("log.nullified", version=row.version))
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


def _workflow(log: Store, detail: CaseDetail, officer: Officer) -> None:
    st.markdown(f"**{t('log.workflow')}**")
    _owner(log, detail)
    if "log.status_error" in st.session_state:
        st.error(st.session_state.pop("log.status_error"))
    options = list(detail.manual_statuses)
    if CaseStatus.SUBMITTED_TO_SFDA in detail.next_statuses:
        st.caption(t("log.submit_by_record"))
    if options:
        c1, c2, c3 = st.columns([2, 3, 1])
        with c1:
            # Nothing chosen until the officer chooses: one click on Apply never closes a case.
            st.selectbox(
                t("log.move_to"),
                options,
                index=None,
                placeholder=t("log.move_to.choose"),
                format_func=lambda s: s.label,
                key="log.target",
            )
        with c2:
            st.text_input(t("log.comment"), key="log.status_comment", max_chars=500)
        with c3:
            st.write("")
            st.button(
                t("log.apply"),
                type="primary",
                on_click=_apply_status,
                args=(log, detail.row.case_id, detail.revision),
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


def _owner(log: Store, detail: CaseDetail) -> None:
    """Who works the case: any active account, or nobody."""
    if "log.owner_error" in st.session_state:
        st.error(st.session_state.pop("log.owner_error"))
    names = [u.name for u in list_users(log) if u.active]
    options: list[str | None] = [None, *names]
    current = detail.row.owner
    if current is not None and current not in names:
        options.append(current)  # a deactivated owner stays visible until the case moves on
    c1, c2 = st.columns([3, 1])
    with c1:
        st.selectbox(
            t("log.owner"),
            options,
            index=options.index(current),
            format_func=lambda n: n if n is not None else t("log.owner.none"),
            key=f"log.owner.{detail.row.case_id}",
        )
    with c2:
        st.write("")
        st.button(
            t("log.owner.assign"),
            on_click=_assign,
            args=(log, detail.row.case_id, detail.revision),
            key=f"log.owner.assign.{detail.row.case_id}",
        )


def _assign(log: Store, case_id: str, revision: int) -> None:
    officer = _live()
    if officer is None:
        return
    owner = st.session_state.get(f"log.owner.{case_id}")
    try:
        log.assign(case_id, owner, user=officer.name, expected_revision=revision)
    except (NotAnOfficer, StaleCase) as error:
        st.session_state["log.owner_error"] = plain(str(error))


def _apply_status(log: Store, case_id: str, revision: int) -> None:
    """Move the case as chosen, if the session stands and nobody moved it since this screen was
    drawn; the comment field empties so it cannot ride on the next move."""
    officer = _live()
    if officer is None:
        return
    target = st.session_state.get("log.target")
    comment = str(st.session_state.get("log.status_comment") or "").strip()
    if target is None:
        st.session_state["log.status_error"] = t("log.move_to.none")
        return
    try:
        log.change_status(
            case_id, target, user=officer.name, comment=comment or None, expected_revision=revision
        )
    except (InvalidTransition, StaleCase) as error:
        st.session_state["log.status_error"] = plain(str(error))
        return
    st.session_state["log.status_comment"] = ""
    st.session_state.pop("log.target", None)


def _version_extras(log: Store, officer: Officer, case_id: str, v: VersionRecord) -> None:
    """Beside each version's XML: its CIOMS I form and what the checks found in it."""
    version = v.version
    _offer(
        officer,
        t("log.download_cioms"),
        functools.partial(
            _cioms, log, case_id, version, v.report_json, user=officer.name, conf=settings()
        ),
        file_name=f"{case_id}-v{version}-cioms.pdf",
        mime="application/pdf",
        key=f"cioms.{version}",
    )
    if not v.findings:
        st.caption(t("done.valid"))
    for f in v.findings:
        st.markdown(f"- {plain(f.severity)} {plain(f.element)}: {plain(f.message)}")


def _cioms(
    log: Store, case_id: str, version: int, report_json: str, *, user: str, conf: Settings
) -> bytes:
    """The CIOMS I form of one version, made at the click; the export is audited."""
    data = cioms_pdf(
        Report.model_validate_json(report_json),
        case_id=case_id,
        version=version,
        follow_up=version > 1,
        settings=conf,
    )
    log.record(
        "download", user=user, case_id=case_id, detail={"format": "cioms", "version": version}
    )
    return data


def _follow_up(log: Store, detail: CaseDetail, officer: Officer, today: date) -> None:
    """A follow-up arrives as an E2B(R3) file and becomes the case's next version."""
    case_id = detail.row.case_id
    with st.expander(t("log.follow_up")):
        upload = st.file_uploader(
            t("log.follow_up.file"), type=["xml"], key=f"follow_up.{case_id}.{len(detail.versions)}"
        )
        if upload is None or not st.button(t("log.follow_up.add"), key="follow_up.add"):
            return
        current = log.current_report(case_id).case
        names = [case_id, current.worldwide_case_id, current.sender_report_id]
        try:
            submission = _follow_up_of(upload.getvalue(), names, today)
        except UnusableXMLError as error:
            st.error(str(error))
            return
        except SubmissionRefused as refused:
            st.error(t("log.follow_up.refused"))
            for f in refused.findings:
                if f.severity == "error":
                    st.markdown(f"- {plain(f.element)}: {plain(f.message)}")
            return
        # Stacked as an import: the original kept byte for byte, the guide categories kept,
        # the case reopened and its clock restarted; the same file twice changes nothing.
        del submission  # checked above: one readable ICSR about this case
        [line] = import_file(log, upload.getvalue(), name=upload.name, user=officer.name)
        if line.outcome == "refused":
            st.error(f"{t('log.follow_up.refused')} {line.reason}")
            return
        outcome = line.outcome.replace(" ", "_").replace("-", "_")
        st.toast(t(f"log.import.{outcome}", version=line.version))
        st.rerun()


def _follow_up_of(data: bytes, names: list[str], today: date) -> Submission:
    """The follow-up, checked as one about this case under any ID the case is known by: ours,
    or the C.1.8.1 and C.1.1 it came with (a partner's follow-up names the partner's IDs, not
    ours). A refusal is the one against our own case ID."""
    first: SubmissionRefused | None = None
    for name in dict.fromkeys(n for n in names if n):
        try:
            return follow_up(data, name, today=today)
        except SubmissionRefused as refused:
            first = first or refused
    raise first or SubmissionRefused([])


def _imports(log: Store) -> None:
    """Partners' E2B(R3) files: each ICSR a new case or the next version of its case."""
    with st.expander(t("log.import")):
        uploads = st.file_uploader(
            t("log.import.files"),
            type=["xml"],
            accept_multiple_files=True,
            key=f"log.import.{st.session_state.get('log.import.round', 0)}",
        )
        if not uploads or not st.button(t("log.import.go"), key="log.import.go"):
            lines: list[str] = st.session_state.get("log.import.lines", [])
            if lines:
                st.code("\n".join(lines), language=None, wrap_lines=True)
            return
        officer = _live()
        if officer is None:
            return
        results = [
            line
            for upload in uploads
            for line in import_file(log, upload.getvalue(), name=upload.name, user=officer.name)
        ]
        st.session_state["log.import.lines"] = [r.line() for r in results]
        st.session_state["log.import.round"] = st.session_state.get("log.import.round", 0) + 1
        st.rerun()


def _nullify(log: Store, detail: CaseDetail) -> None:
    """The next version with C.1.11.1 and its reason: a nullification, or an amendment."""
    case_id = detail.row.case_id
    with st.expander(t("log.nullify")):
        kind = st.radio(
            t("log.nullify.kind"),
            list(Nullification),
            format_func=lambda n: t(f"log.nullify.{n.name.lower()}"),
            key=f"log.nullify.kind.{case_id}",
            horizontal=True,
        )
        reason = st.text_area(
            t("log.nullify.reason"), key=f"log.nullify.reason.{case_id}", max_chars=REASON_LIMIT
        )
        if not st.button(t("log.nullify.go"), key=f"log.nullify.go.{case_id}") or kind is None:
            return
        officer = _live()
        if officer is None:
            return
        try:
            saved = nullify(
                log, case_id, kind=kind, reason=reason, user=officer.name, settings=settings()
            )
        except SubmissionRefused as refused:
            for f in refused.findings:
                if f.severity == "error":
                    st.error(plain(f.message))
            return
        st.toast(t(f"log.nullify.done.{kind.name.lower()}", version=saved.version))
        st.rerun()


def _notes(log: Store, detail: CaseDetail, officer: Officer) -> None:
    st.markdown(f"**{t('log.notes')}**")
    for note in detail.notes:
        st.markdown(f"- {note.at:%Y-%m-%d %H:%M} **{plain(note.user)}**: {plain(note.text)}")
    with st.form("note", clear_on_submit=True):
        text = st.text_area(t("log.note"), max_chars=5000)
        if st.form_submit_button(t("log.add_note")) and text.strip():
            log.add_note(detail.row.case_id, text, user=officer.name)
            st.rerun()


# ---------------------------------------------------------------- audit trail (admins)


def _audit_view(log: Store, officer: Officer, today: date) -> None:
    """The whole trail for an inspector's questions: who did what to which case, and when."""
    c1, c2, c3, c4 = st.columns(4)
    user = c1.text_input(t("log.audit.filter.user"), key="log.audit.user", max_chars=100)
    case_id = c2.text_input(t("log.audit.filter.case"), key="log.audit.case", max_chars=100)
    action = c3.selectbox(
        t("log.audit.filter.action"),
        ["", *AUDIT_ACTIONS],
        key="log.audit.action",
        format_func=lambda a: a or t("log.audit.filter.any"),
    )
    since = c4.date_input(
        t("log.audit.filter.since"), value=None, key="log.audit.since", format="YYYY-MM-DD"
    )
    criteria: dict[str, Any] = {
        "user": user.strip() or None,
        "case_id": case_id.strip() or None,
        "action": action or None,
        "since": since if isinstance(since, date) else None,
    }
    rows = log.audit_trail(limit=AUDIT_ROWS, **criteria)
    st.caption(t("log.audit.count", shown=len(rows), limit=AUDIT_ROWS))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "#": r.id,
                    t("log.audit.at"): r.at.strftime("%Y-%m-%d %H:%M:%S"),
                    t("log.audit.user"): r.user,
                    t("log.audit.action"): r.action,
                    t("log.col.case_id"): r.case_id or "",
                    t("log.audit.detail"): describe(r),
                }
                for r in reversed(rows)  # newest first
            ],
            columns=[
                "#",
                t("log.audit.at"),
                t("log.audit.user"),
                t("log.audit.action"),
                t("log.col.case_id"),
                t("log.audit.detail"),
            ],
        ),
        hide_index=True,
        width="stretch",
        key="log.audit.table",
    )
    _offer(
        officer,
        t("log.audit.download"),
        lambda: log.export_audit_csv(
            by=officer.name,
            case_id=criteria["case_id"],
            user=criteria["user"],
            action=criteria["action"],
            since=criteria["since"],
        ),
        file_name=f"audit-trail-{today:%Y%m%d}.csv",
        mime="text/csv",
        key="log.audit.csv",
    )


# ---------------------------------------------------------------- dashboard


def _dashboard(log: Store, query: CaseQuery, cat: Catalogue, today: date) -> None:
    numbers = log.dashboard(query, today=today)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("log.dash.total"), numbers.total)
    c2.metric(t("log.dash.serious_share"), f"{numbers.serious_share:.0%}")
    c3.metric(t("log.dash.overdue"), numbers.overdue)
    if numbers.per_month:
        st.markdown(f"**{t('log.dash.per_month')}**")
        frame = pd.DataFrame(
            numbers.per_month, columns=[t("log.dash.month"), t("log.dash.cases")]
        ).set_index(t("log.dash.month"))
        _chart_and_table(frame, horizontal=False)
    if numbers.per_category:
        names = {c.id: c.name for c in cat.categories()}
        st.markdown(f"**{t('log.dash.per_category')}**")
        frame = pd.DataFrame(
            [(names.get(c, c), n) for c, n in numbers.per_category],
            columns=[t("log.col.categories"), t("log.dash.cases")],
        ).set_index(t("log.col.categories"))
        _chart_and_table(frame, horizontal=True)


def _chart_and_table(frame: pd.DataFrame, *, horizontal: bool) -> None:
    """A bar chart and, for a screen reader or a keyboard, the same numbers as a table."""
    st.bar_chart(frame, horizontal=horizontal)
    with st.expander(t("log.dash.as_table")):
        st.table(frame)
