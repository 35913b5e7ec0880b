"""The report form's draft, kept server-side (pv.drafts) and named in the page URL (?draft=TOKEN).

Once the reporter has typed or chosen anything, every rerun saves the form when it changed, so a
reload, a closed browser or another device gets it back through the private link. The token lives
in this session and in the URL only; the database keeps its digest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from e2b.codelists import CodeList
from pv import drafts
from pv.attachments import Upload
from pv.db import DatabaseUnavailable
from ui import widgets as w
from ui.resources import settings, store
from ui.strings import t

PARAM = "draft"  # the query parameter that carries the token
TOKEN = "draft.token"  # this session's draft
SAVED = "draft.saved"  # fingerprint of the answers last saved (or restored)
STARTED = "draft.started"  # the reporter has changed an answer in this session
CASE = "draft.case"  # the case ID this session's draft became
NOTICE = "draft.notice"  # (kind, message) to show once at the top of the page
EARLIER = "draft.earlier"  # this session's earlier drafts: [{"token", "time"}], oldest first
FOLLOW_UP = "draft.follow_up"  # the case this session's draft is an officer's follow-up of
FOLLOW_UP_VERSION = "draft.follow_up_version"  # ... and the version it was started from
_CODELIST = "$codelist"  # how a code-list answer (a StrEnum member) is written to JSON
_UPLOAD = "$upload"  # how an attached file is named in the JSON (its content is kept beside)


def keep(*, submitted_as: str | None) -> None:
    """Top of the report page: open the draft the URL names, autosave the form, or record the
    case the report was just submitted as; then show what happened."""
    _restore()
    if submitted_as is None:
        _autosave()
    else:
        mark_submitted(submitted_as)
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, message = notice
        (st.warning if kind == "warning" else st.info)(message)


def private_link() -> str | None:
    """The link that reopens this session's draft: a full URL when the deployment's public
    address is configured, else the query string to add to the app's address."""
    token = st.session_state.get(TOKEN)
    if not isinstance(token, str):
        return None
    base = settings().public_url or _browser_address()
    return f"{base.rstrip('/')}/{_query(token)}" if base else _query(token)


def link_to(token: str) -> str:
    """The link that opens the draft of `token` in the report form from another page (the log's
    case page): under the public address when configured, else relative to the page's own."""
    base = settings().public_url
    return f"{base.rstrip('/')}/{_query(token)}" if base else f"report{_query(token)}"


def _query(token: str) -> str:
    query = f"?{PARAM}={token}"
    language = st.query_params.get("lang")  # ui.language_switch: the link opens in it too
    if language and language.isalpha():
        query += f"&lang={language}"
    return query


def _browser_address() -> str:
    """The app's address as the browser reached it (scheme, host, port and path; no query)."""
    try:
        url = urlsplit(st.context.url or "")
    except (AttributeError, ValueError):  # no browser session (bare script run)
        return ""
    if url.scheme not in ("http", "https") or not url.netloc:
        return ""
    return urlunsplit((url.scheme, url.netloc, url.path, "", ""))


def sidebar(*, submitted: bool) -> None:
    """The private link with what it does, and a button that saves at once."""
    link = private_link()
    if link is not None:
        st.markdown(f"**{t('drafts.link')}**")
        st.code(link, language=None, wrap_lines=True)
        case_id = st.session_state.get(CASE)
        if case_id:
            st.caption(t("drafts.link.submitted", case_id=case_id))
        else:
            st.caption(t("drafts.link.help"))
    if not submitted:
        st.button(t("drafts.save_now"), on_click=save_now, width="stretch")


def save_now() -> None:
    """The "Save draft now" button: save whatever the form holds, and say so."""
    st.session_state[STARTED] = True
    if _save(_snapshot()):
        st.toast(t("drafts.saved", time=datetime.now(UTC).strftime("%H:%M:%S")))


def mark_submitted(case_id: str) -> None:
    """The report went in as `case_id`: the draft's link says so from now on (once per case)."""
    token = st.session_state.get(TOKEN)
    if not isinstance(token, str) or st.session_state.get(CASE) == case_id:
        return
    st.session_state[CASE] = case_id
    try:
        drafts.mark_submitted(store(), token, case_id)
    except DatabaseUnavailable as error:
        st.session_state[NOTICE] = ("warning", t("drafts.not_saved", reason=str(error)))


def new_report(clear_form: Callable[[], None]) -> None:
    """The "Start a new report" button: a fresh draft, no token in the URL; the old draft stays
    resumable from this session."""
    token = st.session_state.pop(TOKEN, None)
    if isinstance(token, str) and st.session_state.get(CASE) is None:
        st.session_state.setdefault(EARLIER, []).append(
            {"token": token, "time": datetime.now(UTC).strftime("%H:%M:%S")}
        )
    for name in (SAVED, STARTED, CASE, NOTICE, FOLLOW_UP, FOLLOW_UP_VERSION):
        st.session_state.pop(name, None)
    st.query_params.pop(PARAM, None)
    clear_form()


def follow_up_of() -> str | None:
    """The case this session's draft adds a version to (an officer's follow-up), else None."""
    case_id = st.session_state.get(FOLLOW_UP)
    return case_id if isinstance(case_id, str) else None


def follow_up_version() -> int | None:
    """The case's version this session's follow-up draft was started from, else None."""
    version = st.session_state.get(FOLLOW_UP_VERSION)
    return version if isinstance(version, int) else None


def answers_for_log() -> str:
    """The form's answers as the draft keeps them (pv.drafts' encoding, files by sha256): what
    the version the form submits keeps, so a follow-up can start from it."""
    files: dict[str, bytes] = {}
    encoded = _encode(_snapshot(), files)
    return drafts.stored(encoded, files)


def earlier() -> list[str]:
    """When this session's earlier drafts were left, oldest first (labels to resume them by)."""
    return [item["time"] for item in st.session_state.get(EARLIER, [])]


def resume(index: int) -> None:
    """Reopen one of this session's earlier drafts."""
    item = st.session_state.get(EARLIER, [])[index]
    if st.session_state.get(TOKEN) is not None:
        new_report(lambda: None)
    st.session_state[EARLIER] = [d for d in st.session_state[EARLIER] if d is not item]
    if _open(item["token"]):
        st.toast(t("report.draft_resumed", time=item["time"]))


# ---------------------------------------------------------------- internals


def _restore() -> None:
    """Open the draft of a token the URL brings (a reload, a link); put ours back in the URL."""
    token = st.query_params.get(PARAM)
    ours = st.session_state.get(TOKEN)
    if token is None:
        if isinstance(ours, str):
            st.query_params[PARAM] = ours  # the page was left and came back without it
        return
    if token == ours:
        return
    _open(token)


def _open(token: str) -> bool:
    """Fill the form from the draft of `token`; False (and a message) when there is none."""
    try:
        draft = drafts.load(store(), token)
    except DatabaseUnavailable as error:
        st.session_state[NOTICE] = ("warning", t("drafts.not_saved", reason=str(error)))
        return False
    if draft is None:
        st.query_params.pop(PARAM, None)
        st.session_state[NOTICE] = ("warning", t("drafts.unknown"))
        return False
    st.session_state[TOKEN] = token
    st.query_params[PARAM] = token
    st.session_state[FOLLOW_UP] = draft.follow_up_of
    st.session_state[FOLLOW_UP_VERSION] = draft.follow_up_version
    if draft.case_id is not None:
        st.session_state[CASE] = draft.case_id
        st.session_state[NOTICE] = ("info", t("drafts.submitted", case_id=draft.case_id))
        return True
    w.clear_answers(_decode(draft.answers, draft.files))
    st.session_state[SAVED] = drafts.fingerprint(draft.answers, draft.files)
    st.session_state[STARTED] = True
    st.session_state[NOTICE] = (
        "info",
        t(
            "drafts.restored",
            time=f"{draft.saved_at:%Y-%m-%d %H:%M}",
            expires=f"{draft.expires_at:%Y-%m-%d %H:%M}",
        ),
    )
    return True


def _autosave() -> None:
    """Save the form if the reporter has answered anything and it changed since the last save."""
    answers = _snapshot()
    if not st.session_state.get(STARTED):
        # Widgets changed since the last run differ from the answers the last run drew; until
        # then the form holds only its defaults, which are no draft.
        if answers == w.answers():
            return
        st.session_state[STARTED] = True
    _save(answers)


def _save(answers: dict[str, Any]) -> bool:
    files: dict[str, bytes] = {}
    encoded = _encode(answers, files)
    saved = drafts.fingerprint(encoded, files)
    if st.session_state.get(SAVED) == saved and TOKEN in st.session_state:
        return True
    try:
        token = drafts.save(store(), encoded, st.session_state.get(TOKEN), files=files)
    except (drafts.DraftTooLarge, DatabaseUnavailable) as error:
        st.session_state[NOTICE] = ("warning", t("drafts.not_saved", reason=str(error)))
        return False
    if token != st.session_state.get(TOKEN):
        st.session_state.pop(CASE, None)  # a submitted draft's link stays with its case
        st.session_state.pop(FOLLOW_UP, None)  # a new draft is a report of its own
        st.session_state.pop(FOLLOW_UP_VERSION, None)
    st.session_state[TOKEN] = token
    st.session_state[SAVED] = saved
    if st.query_params.get(PARAM) != token:
        st.query_params[PARAM] = token
    return True


def _snapshot() -> dict[str, Any]:
    """The answers as they stand now: the last run's, with widgets changed since laid over."""
    answers = dict(w.answers())
    for name, value in st.session_state.items():
        if isinstance(name, str) and name.startswith(w.WIDGET):
            answers[name.removeprefix(w.WIDGET)] = value
    return answers


def _encode(answers: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
    """Answers JSON can hold: a code-list member is written with its list's name, since JSON
    would make it a plain string the drop-down no longer knows; an attached file by its sha256,
    its content put into `files` (kept beside the answers)."""
    return {key: _encode_value(value, files) for key, value in answers.items()}


def _encode_value(value: Any, files: dict[str, bytes]) -> Any:
    if isinstance(value, CodeList):
        return {_CODELIST: type(value).__name__, "value": value.value}
    if isinstance(value, Upload):
        key = value.sha256  # drafts.file_key of its content, hashed once
        files[key] = value.data
        return {
            _UPLOAD: key,
            "name": value.name,
            "media_type": value.media_type,
            "description": value.description,
        }
    if isinstance(value, list | tuple):
        return [_encode_value(v, files) for v in value]
    return value


def _decode(answers: dict[str, Any], files: Mapping[str, bytes]) -> dict[str, Any]:
    return {key: _decode_value(value, files) for key, value in answers.items()}


def _decode_value(value: Any, files: Mapping[str, bytes]) -> Any:
    if isinstance(value, dict) and set(value) == {_CODELIST, "value"}:
        kind = _code_lists().get(value[_CODELIST])
        try:
            return kind(value["value"]) if kind is not None else value["value"]
        except ValueError:  # a code the list no longer has: the drop-down starts empty
            return value["value"]
    if isinstance(value, dict) and _UPLOAD in value:
        data = files.get(value[_UPLOAD])
        if data is None:  # its file is gone: the form lists what it has
            return None
        return Upload(value["name"], data, value["media_type"], value.get("description"))
    if isinstance(value, list):
        decoded = [_decode_value(v, files) for v in value]
        return (
            [v for v in decoded if v is not None]
            if any(isinstance(v, dict) and _UPLOAD in v for v in value)
            else decoded
        )
    return value


@cache
def _code_lists() -> dict[str, type[CodeList]]:
    found: dict[str, type[CodeList]] = {}
    pending: list[type[CodeList]] = [CodeList]
    while pending:
        kind = pending.pop()
        for sub in kind.__subclasses__():
            found[sub.__name__] = sub
            pending.append(sub)
    return found
