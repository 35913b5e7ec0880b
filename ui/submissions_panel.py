"""The case page's submissions panel: SFDA's and the MAH's status and clock, the evidence of each
file sent, preparing a file, recording a submission, sending by e-mail, and reading ACKs.

The work is in `pv.transmissions`, `pv.dispatch` and `pv.acks`; this module only gathers input
and shows the outcome.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from e2b.ack import AckFormatError
from e2b.xmlsafe import UnusableXMLError
from pv import sessions
from pv.acks import apply_ack
from pv.config import Settings
from pv.dispatch import send_to_recipients
from pv.sending import SendFailed, is_configured
from pv.sessions import Officer
from pv.store import CaseDetail, Store
from pv.transmissions import (
    CHANNELS,
    RECIPIENT_LABELS,
    RECIPIENTS,
    Channel,
    Recipient,
    RecipientStatus,
    TransmissionError,
    on_time_rates,
    prepare,
    recipient_statuses,
    record_submission,
)
from pv.workflow import InvalidTransition
from ui.downloads import offer
from ui.resources import settings
from ui.strings import t
from ui.widgets import plain

NOTICE = "submissions.notice"  # (kind, text) lines shown once after an action
ACK_LINES = "submissions.ack.lines"  # the last upload's outcome, one line per message
ACK_ROUND = "submissions.ack.round"  # a new uploader after each upload


def render(log: Store, detail: CaseDetail, officer: Officer) -> None:
    """The panel for the open case."""
    case_id = detail.row.case_id
    st.markdown(f"**{t('sub.title')}**")
    for kind, text in st.session_state.pop(NOTICE, []):
        (st.error if kind == "error" else st.success)(plain(text))
    today = date.today()
    statuses = recipient_statuses(log, case_id, today=today)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("sub.col.recipient"): RECIPIENT_LABELS[s.recipient],
                    t("sub.col.status"): _state(s),
                    t("sub.col.due"): s.due_date.isoformat(),
                    t("sub.col.batch"): s.latest.batch_id if s.latest else "",
                    t("sub.col.submitted"): (
                        s.latest.submitted_on.isoformat()
                        if s.latest and s.latest.submitted_on
                        else ""
                    ),
                    t("sub.col.channel"): (s.latest.channel or "") if s.latest else "",
                    t("sub.col.reference"): (s.latest.reference or "") if s.latest else "",
                    t("sub.col.ack"): _ack_text(s.latest.ack_code, s.latest.ack_at)
                    if s.latest
                    else "",
                    t("sub.col.ack_text"): (s.latest.ack_text or "") if s.latest else "",
                }
                for s in statuses
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    _prepare(log, case_id, officer)
    _record(log, case_id, officer, today)
    _send(log, case_id, officer)


def render_on_time(log: Store) -> None:
    """The dashboard's on-time rate per month and recipient, as a chart and the same as a table."""
    rates = on_time_rates(log)
    st.markdown(f"**{t('sub.on_time.title')}**")
    if not rates:
        st.caption(t("sub.on_time.none"))
        return
    table = pd.DataFrame(
        [
            {
                t("sub.on_time.month"): r.month,
                t("sub.col.recipient"): RECIPIENT_LABELS[r.recipient],
                t("sub.on_time.submitted"): r.submitted,
                t("sub.on_time.on_time"): r.on_time,
                t("sub.on_time.rate"): round(100 * r.rate),
            }
            for r in rates
        ]
    )
    chart = table.pivot_table(
        index=t("sub.on_time.month"), columns=t("sub.col.recipient"), values=t("sub.on_time.rate")
    )
    st.bar_chart(chart, stack=False, y_label=t("sub.on_time.rate"))
    st.dataframe(table, hide_index=True, width="stretch")


def _prepare(log: Store, case_id: str, officer: Officer) -> None:
    """A download per recipient; the file is made (kept and audited) when it is clicked."""
    idle, app_settings = _idle(), settings()
    columns = st.columns(len(RECIPIENTS))
    for column, recipient in zip(columns, RECIPIENTS, strict=True):
        with column:
            offer(
                t(f"sub.prepare.{recipient}"),
                functools.partial(_prepared, log, case_id, recipient, officer.name, app_settings),
                file_name=f"{case_id}-{recipient}.xml",
                mime="application/xml",
                key=f"sub.prepare.{recipient}.{case_id}",
                session=officer.session,
                live=lambda: sessions.is_live(log, officer.session, idle=idle),
            )


def _prepared(
    log: Store, case_id: str, recipient: Recipient, user: str, app_settings: Settings
) -> bytes:
    return prepare(log, case_id, recipient, user=user, settings=app_settings)[1]


def _record(log: Store, case_id: str, officer: Officer, today: date) -> None:
    with st.form(f"sub.record.{case_id}", clear_on_submit=False):
        st.markdown(t("sub.record.title"))
        c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
        recipient = c1.selectbox(
            t("sub.col.recipient"),
            RECIPIENTS,
            format_func=lambda r: RECIPIENT_LABELS[r],
            key=f"sub.record.recipient.{case_id}",
        )
        day = c2.date_input(
            t("sub.record.date"), value=today, max_value=today, key=f"sub.record.date.{case_id}"
        )
        channel = c3.selectbox(
            t("sub.col.channel"),
            CHANNELS,
            format_func=lambda c: t(f"sub.channel.{c}"),
            key=f"sub.record.channel.{case_id}",
        )
        reference = c4.text_input(
            t("sub.col.reference"), max_chars=300, key=f"sub.record.reference.{case_id}"
        )
        if st.form_submit_button(t("sub.record.go")):
            _record_now(log, case_id, officer, recipient, day, channel, reference)


def _record_now(
    log: Store,
    case_id: str,
    officer: Officer,
    recipient: Recipient,
    day: object,
    channel: Channel,
    reference: str,
) -> None:
    if not isinstance(day, date):
        _notice("error", t("sub.record.no_date"))
        return
    try:
        record = record_submission(
            log,
            case_id,
            recipient,
            submitted_on=day,
            channel=channel,
            reference=reference,
            user=officer.name,
        )
    except (TransmissionError, InvalidTransition) as error:
        _notice("error", str(error))
    else:
        _notice(
            "success",
            t("sub.record.done", batch_id=record.batch_id, late=record.days_late or 0),
        )
    st.rerun()


def _send(log: Store, case_id: str, officer: Officer) -> None:
    if not is_configured(settings()):
        st.caption(t("sub.send.unconfigured"))
        return
    if st.button(t("sub.send.go"), key=f"sub.send.{case_id}"):
        try:
            outcomes = send_to_recipients(log, case_id, settings(), user=officer.name)
        except (SendFailed, TransmissionError) as error:
            _notice("error", str(error))
        else:
            for outcome in outcomes:
                _notice("success" if outcome.ok else "error", outcome.line())
        st.rerun()


def acknowledgements(log: Store, live: Callable[[], Officer | None]) -> None:
    """The log page's upload of SFDA's and the MAH's E2B(R3) acknowledgements: one line per
    acknowledged message (acknowledged, rejected by receiver, unmatched, ...), kept on screen."""
    with st.expander(t("sub.ack.title")):
        files = st.file_uploader(
            t("sub.ack.files"),
            type=["xml"],
            accept_multiple_files=True,
            key=f"sub.ack.files.{st.session_state.get(ACK_ROUND, 0)}",
        )
        if not files or not st.button(t("sub.ack.go"), key="sub.ack.go"):
            lines: list[str] = st.session_state.get(ACK_LINES, [])
            if lines:
                st.code("\n".join(lines), language=None, wrap_lines=True)
            return
        officer = live()  # the account may have ended since the page was drawn
        if officer is None:
            return
        shown: list[str] = []
        for upload in files:
            try:
                results = apply_ack(log, upload.getvalue(), name=upload.name, user=officer.name)
            except (UnusableXMLError, AckFormatError) as error:
                shown.append(t("sub.ack.unreadable", name=upload.name, reason=str(error)))
                continue
            shown += [line.line() for line in results]
        st.session_state[ACK_LINES] = shown
        st.session_state[ACK_ROUND] = st.session_state.get(ACK_ROUND, 0) + 1
        st.rerun()


def _state(status: RecipientStatus) -> str:
    """The recipient's status and clock in the page's language."""
    if status.state in ("pending", "prepared"):
        days = status.days_left
        clock = t("sub.clock.overdue", days=-days) if days < 0 else t("sub.clock.due", days=days)
        return t(f"sub.state.{status.state}", clock=clock)
    if status.state == "submitted":
        late = status.days_late or 0
        return t("sub.state.late", days=late) if late else t("sub.state.on_time")
    return t(f"sub.state.{status.state}")


def _notice(kind: str, text: str) -> None:
    st.session_state.setdefault(NOTICE, []).append((kind, text))


def _ack_text(code: str | None, at: datetime | None) -> str:
    if code is None:
        return ""
    return f"{code} {at.astimezone(UTC):%Y-%m-%d}" if at is not None else code


def _idle() -> timedelta:
    return timedelta(minutes=settings().idle_minutes)
