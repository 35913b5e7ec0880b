"""Officer sessions kept in the database, so that they end when they must, on every instance.

A login starts a session: the browser session holds a random token, the database only its
sha256. Every officer request calls `check`, which re-reads the account: logout, deactivation, a
password change, a role change or `idle` minutes without activity end the session there and
then, and the request is refused (21 CFR Part 11 11.300: sessions end with the authority).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pv import audit
from pv.store import Store
from pv.tables import OfficerSession
from pv.tables import User as UserRow

# last_seen is written at most this often: a rerun is a read unless the clock has moved on.
TOUCH_EVERY = timedelta(seconds=30)

REASONS = {
    "logout": "You logged out.",
    "idle": "Your session ended after {minutes} minutes without activity.",
    "deactivated": "Your account was deactivated.",
    "password": "Your password was changed.",
    "role": "Your role was changed.",
    "unknown": "Your session is not known here.",
}


class SessionEnded(Exception):
    """The session cannot go on; `str(error)` says why in one sentence for the officer."""

    def __init__(self, reason: str, *, minutes: int = 0) -> None:
        self.reason = reason
        super().__init__(REASONS.get(reason, REASONS["unknown"]).format(minutes=minutes))


@dataclass(frozen=True)
class Officer:
    """Who a live session belongs to, as the account stands now."""

    name: str
    role: str
    session: str  # the token's digest: safe to log and to compare, useless to replay

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start(store: Store, name: str, *, client: str, now: datetime | None = None) -> str:
    """A new session for an account that has just proved who it is; returns the token."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with store.write_session() as session, session.begin():
        row = session.scalar(select(UserRow).where(UserRow.name == name))
        if row is None or not row.active:
            raise SessionEnded("deactivated")
        session.add(
            OfficerSession(
                id=digest(token),
                user=row.name,
                role=row.role,
                client=client[:200],
                started_at=now,
                last_seen=now,
            )
        )
    return token


def check(store: Store, token: str, *, idle: timedelta, now: datetime | None = None) -> Officer:
    """The officer behind `token` if the session may go on; else end it and raise SessionEnded."""
    now = _now(now)
    key = digest(token)
    with store.read_session() as session:
        row = session.get(OfficerSession, key)
        account = session.scalar(select(UserRow).where(UserRow.name == row.user)) if row else None
    if row is None:
        raise SessionEnded("unknown")
    if row.ended_at is not None:
        raise SessionEnded(row.end_reason or "unknown", minutes=_minutes(idle))
    reason = _reason_to_end(row, account, idle, now)
    if reason is not None:
        _end(store, key, reason, now)
        raise SessionEnded(reason, minutes=_minutes(idle))
    if now - row.last_seen >= TOUCH_EVERY:
        with store.write_session() as session, session.begin():
            session.execute(
                update(OfficerSession)
                .where(OfficerSession.id == key, OfficerSession.ended_at.is_(None))
                .values(last_seen=now)
            )
    return Officer(row.user, row.role, key)


def is_live(store: Store, session_digest: str, *, idle: timedelta) -> bool:
    """Whether a session (by digest) still stands, without touching it (download checks)."""
    now = _now(None)
    with store.read_session() as session:
        row = session.get(OfficerSession, session_digest)
        account = session.scalar(select(UserRow).where(UserRow.name == row.user)) if row else None
    return (
        row is not None and row.ended_at is None and _reason_to_end(row, account, idle, now) is None
    )


def end(store: Store, token: str, reason: str = "logout", *, now: datetime | None = None) -> None:
    """End one session (logout); ending an ended session changes nothing."""
    _end(store, digest(token), reason, _now(now))


def end_all(session: Session, user: str, reason: str, now: datetime) -> int:
    """End every open session of `user` inside the caller's transaction (account changes)."""
    result = session.execute(
        update(OfficerSession)
        .where(OfficerSession.user == user, OfficerSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _reason_to_end(
    row: OfficerSession, account: UserRow | None, idle: timedelta, now: datetime
) -> str | None:
    if account is None or not account.active:
        return "deactivated"
    if account.password_changed_at > row.started_at:
        return "password"
    if account.role != row.role:
        return "role"
    if now - row.last_seen > idle:
        return "idle"
    return None


def _end(store: Store, key: str, reason: str, now: datetime) -> None:
    with store.write_session() as session, session.begin():
        row = session.get(OfficerSession, key, with_for_update=True)
        if row is None or row.ended_at is not None:
            return
        row.ended_at, row.end_reason = now, reason
        audit.append(
            session,
            user=row.user,
            action="logout" if reason == "logout" else "session_end",
            at=now,
            detail={"reason": reason, "client": row.client},
        )


def _minutes(idle: timedelta) -> int:
    return int(idle.total_seconds() // 60)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)
