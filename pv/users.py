"""Officer accounts: argon2-hashed passwords, and a failed-login limit kept in the database.

The limit (5 failures in 15 minutes per name) lives in the database so it holds across every
instance of the app. Logins, failures and account changes go into the audit trail.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pv import audit
from pv.store import Store
from pv.tables import LoginFailure
from pv.tables import User as UserRow

ROLES = ("officer", "admin")
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class UserError(ValueError):
    """An account request that cannot be done; `str(error)` is one sentence for the user."""


class LoginLocked(Exception):
    """Too many failed logins for this name; try again at `retry_at`."""

    def __init__(self, name: str, retry_at: datetime) -> None:
        self.name = name
        self.retry_at = retry_at
        super().__init__(
            f"Too many failed logins for {name}; try again after {retry_at:%H:%M} UTC."
        )


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool
    created_at: datetime


def add_user(
    store: Store,
    name: str,
    password: str,
    *,
    role: str = "officer",
    by: str = "cli",
    now: datetime | None = None,
) -> User:
    """Create an account; UserError when the name is taken or the input is not acceptable."""
    now = _now(now)
    name = _check_name(name)
    if role not in ROLES:
        raise UserError(f"Role must be one of {', '.join(ROLES)}, not {role!r}.")
    digest = _hasher.hash(_check_password(password))
    with store.write_session() as session, session.begin():
        if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise UserError(f"There is already a user called {name}.")
        row = UserRow(name=name, role=role, password_hash=digest, active=True, created_at=now)
        session.add(row)
        audit.append(
            session, user=by, action="user_add", at=now, detail={"name": name, "role": role}
        )
    return User(name, role, True, now)


def set_password(
    store: Store, name: str, password: str, *, by: str, now: datetime | None = None
) -> None:
    """Replace a user's password (and lift a login lock)."""
    now = _now(now)
    digest = _hasher.hash(_check_password(password))
    with store.write_session() as session, session.begin():
        row = _user_row(session, name)
        row.password_hash = digest
        session.execute(delete(LoginFailure).where(LoginFailure.name == row.name))
        audit.append(session, user=by, action="user_password", at=now, detail={"name": row.name})


def deactivate(store: Store, name: str, *, by: str, now: datetime | None = None) -> None:
    """Stop a user from logging in; the account and its history stay."""
    now = _now(now)
    with store.write_session() as session, session.begin():
        row = _user_row(session, name)
        row.active = False
        audit.append(session, user=by, action="user_deactivate", at=now, detail={"name": row.name})


def list_users(store: Store) -> list[User]:
    with store.read_session() as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.name))
        return [User(r.name, r.role, r.active, r.created_at) for r in rows]


def authenticate(
    store: Store, name: str, password: str, *, now: datetime | None = None
) -> User | None:
    """The user when name and password match an active account, else None.

    Raises LoginLocked after MAX_FAILURES failures within WINDOW. Unknown names cost the same
    hash check as known ones, so timing does not reveal which names exist.
    """
    now = _now(now)
    name = name.strip()
    with store.read_session() as session:
        recent = list(
            session.scalars(
                select(LoginFailure.at)
                .where(LoginFailure.name == name, LoginFailure.at > now - WINDOW)
                .order_by(LoginFailure.at.desc())
                .limit(MAX_FAILURES)
            )
        )
        row = session.scalar(select(UserRow).where(UserRow.name == name))
    if len(recent) >= MAX_FAILURES:
        retry_at = recent[-1] + WINDOW
        store.record("login_locked", user=name, detail={"retry_at": retry_at.isoformat()}, now=now)
        raise LoginLocked(name, retry_at)
    ok = _verify(row.password_hash if row is not None else _dummy_hash(), password)
    if row is None or not ok or not row.active:
        reason = "unknown user" if row is None else ("inactive" if ok else "wrong password")
        with store.write_session() as session, session.begin():
            session.add(LoginFailure(name=name, at=now))
            audit.append(
                session, user=name, action="login_failed", at=now, detail={"reason": reason}
            )
        return None
    with store.write_session() as session, session.begin():
        session.execute(delete(LoginFailure).where(LoginFailure.name == name))
        if _hasher.check_needs_rehash(row.password_hash):
            fresh = session.get_one(UserRow, row.id)
            fresh.password_hash = _hasher.hash(password)
        audit.append(session, user=name, action="login", at=now)
    return User(row.name, row.role, row.active, row.created_at)


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password of anyone")


def _user_row(session: Session, name: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.name == name.strip()).with_for_update())
    if row is None:
        raise UserError(f"There is no user called {name}.")
    return row


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise UserError("A user name needs 1-100 characters and no spaces.")
    return name


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)
