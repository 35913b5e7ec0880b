"""Officer accounts: argon2-hashed passwords, password rules, and login limits kept in the database.

Each password check is first reserved as a 'pending' row in `login_attempts`, in the same write
transaction that counts the recent ones, so parallel logins on any instance cannot slip past the
limits. Logins, failures, locks and account changes go into the audit trail.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from pv import audit
from pv.store import Store
from pv.tables import LoginAttempt
from pv.tables import User as UserRow

ROLES = ("officer", "admin")
WINDOW = timedelta(minutes=15)
# Failed (or unfinished) password checks allowed per WINDOW:
MAX_FAILURES = 5  # for one name from one client
MAX_CLIENT_FAILURES = 20  # from one client across all names: password spraying
MAX_NAME_FAILURES = 25  # for one name across all clients: bounds distributed guessing
MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 4
# Any fixed 64-bit number ("pv_login"): the PostgreSQL advisory lock over login_attempts writes.
PG_LOGIN_LOCK = 0x70765F6C6F67696E

PENDING, FAILED, OK = "pending", "failed", "ok"
Limit = Literal["name_client", "client", "name"]

_hasher = PasswordHasher()


class UserError(ValueError):
    """An account request that cannot be done; `str(error)` is one sentence for the user."""


class LoginLocked(Exception):
    """Too many failed logins; try again at `retry_at`. `limit` says which limit was reached."""

    def __init__(self, name: str, retry_at: datetime, limit: Limit = "name_client") -> None:
        self.name = name
        self.retry_at = retry_at
        self.limit: Limit = limit
        who = "from this computer" if limit == "client" else f"for {name}"
        super().__init__(f"Too many failed logins {who}; try again after {retry_at:%H:%M} UTC.")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool
    created_at: datetime
    password_changed_at: datetime | None = None  # sessions started before it are void


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
    digest = _hasher.hash(check_password(password, name))
    with store.write_session() as session, session.begin():
        if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
            raise UserError(f"There is already a user called {name}.")
        row = UserRow(
            name=name,
            role=role,
            password_hash=digest,
            active=True,
            created_at=now,
            password_changed_at=now,
        )
        session.add(row)
        audit.append(
            session, user=by, action="user_add", at=now, detail={"name": name, "role": role}
        )
    return _user(row)


def set_password(
    store: Store, name: str, password: str, *, by: str, now: datetime | None = None
) -> None:
    """Replace a user's password, end their sessions and lift their login locks."""
    now = _now(now)
    digest = _hasher.hash(check_password(password, name.strip()))
    with _attempts_transaction(store) as session:
        row = _user_row(session, name)
        row.password_hash = digest
        row.password_changed_at = now
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.name == row.name, LoginAttempt.outcome != OK)
        )
        _end_sessions(session, row.name, "password", now)
        audit.append(session, user=by, action="user_password", at=now, detail={"name": row.name})


def deactivate(store: Store, name: str, *, by: str, now: datetime | None = None) -> None:
    """Stop a user from logging in and end their sessions; the account and its history stay."""
    now = _now(now)
    with store.write_session() as session, session.begin():
        row = _user_row(session, name)
        row.active = False
        _end_sessions(session, row.name, "deactivated", now)
        audit.append(session, user=by, action="user_deactivate", at=now, detail={"name": row.name})


def list_users(store: Store) -> list[User]:
    with store.read_session() as session:
        return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def get_user(store: Store, name: str) -> User | None:
    """The account called `name` (active or not), or None."""
    with store.read_session() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == name.strip()))
        return None if row is None else _user(row)


def authenticate(
    store: Store,
    name: str,
    password: str,
    *,
    client: str = "unknown",
    now: datetime | None = None,
) -> User | None:
    """The user when name and password match an active account, else None.

    Raises LoginLocked, without checking the password, when a limit is reached: MAX_FAILURES
    per name and client, MAX_CLIENT_FAILURES per client, MAX_NAME_FAILURES per name, all within
    WINDOW. Unknown names cost the same hash check as known ones, so timing does not reveal
    which names exist. `client` identifies the caller (an address); it goes into the audit.
    """
    now = _now(now)
    name = name.strip()
    key, client = name[:100], client.strip()[:200] or "unknown"  # what the columns hold
    attempt_id, row = _reserve(store, name, client, now)
    ok = _verify(row.password_hash if row is not None else _dummy_hash(), password)
    if row is None or not ok or not row.active:
        reason = "unknown user" if row is None else ("inactive" if ok else "wrong password")
        with _attempts_transaction(store) as session:
            session.execute(
                update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(outcome=FAILED)
            )
            audit.append(
                session,
                user=key,
                action="login_failed",
                at=now,
                detail={"reason": reason, "client": client},
            )
        return None
    with _attempts_transaction(store) as session:
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.name == key,
                LoginAttempt.client == client,
                LoginAttempt.outcome != OK,
                LoginAttempt.id != attempt_id,
            )
        )
        session.execute(
            update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(outcome=OK)
        )
        if _hasher.check_needs_rehash(row.password_hash):
            fresh = session.get_one(UserRow, row.id)
            fresh.password_hash = _hasher.hash(password)
        audit.append(session, user=key, action="login", at=now, detail={"client": client})
    return _user(row)


@contextmanager
def _attempts_transaction(store: Store) -> Iterator[Session]:
    """A write transaction over login_attempts; such transactions run one at a time.

    SQLite: BEGIN IMMEDIATE serialises all writers. PostgreSQL: a transaction-scoped advisory
    lock, taken first, so reservations never interleave and no two of them deadlock.
    """
    with store.write_session() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOGIN_LOCK})
        yield session


def _reserve(store: Store, name: str, client: str, now: datetime) -> tuple[int, UserRow | None]:
    """Count the recent attempts and, under the limits, record a pending one: one transaction.

    As reservations run one at a time, no two callers can both see room for one more check.
    Returns the attempt's id and the account (None for an unknown name); raises LoginLocked.
    """
    key, since = name[:100], now - WINDOW
    with _attempts_transaction(store) as session:
        for stale in (LoginAttempt.name == key, LoginAttempt.client == client):
            session.execute(delete(LoginAttempt).where(stale, LoginAttempt.at <= since))
        locked = _limit_reached(session, key, client, since)
        if locked is None:
            attempt = LoginAttempt(name=key, client=client, at=now, outcome=PENDING)
            session.add(attempt)
            session.flush()
            return attempt.id, session.scalar(select(UserRow).where(UserRow.name == name))
        audit.append(
            session,
            user=key,
            action="login_locked",
            at=now,
            detail={
                "client": client,
                "limit": locked.limit,
                "retry_at": locked.retry_at.isoformat(),
            },
        )
    raise locked


def _limit_reached(session: Session, name: str, client: str, since: datetime) -> LoginLocked | None:
    """The lock to raise when any limit is full (the one that lasts longest), else None.

    Pending rows count: they are checks under way, or ones whose process died.
    """
    limits: list[tuple[Limit, int, list[Any]]] = [
        ("name_client", MAX_FAILURES, [LoginAttempt.name == name, LoginAttempt.client == client]),
        ("client", MAX_CLIENT_FAILURES, [LoginAttempt.client == client]),
        ("name", MAX_NAME_FAILURES, [LoginAttempt.name == name]),
    ]
    worst: LoginLocked | None = None
    for limit, allowed, where in limits:
        times = list(
            session.scalars(
                select(LoginAttempt.at)
                .where(*where, LoginAttempt.at > since, LoginAttempt.outcome != OK)
                .order_by(LoginAttempt.at.desc())
                .limit(allowed)
            )
        )
        if len(times) < allowed:
            continue
        # Room for one more once the `allowed`-th most recent attempt leaves the window.
        retry_at = times[-1] + WINDOW
        if worst is None or retry_at > worst.retry_at:
            worst = LoginLocked(name, retry_at, limit)
    return worst


def _end_sessions(session: Session, user: str, reason: str, now: datetime) -> None:
    """End the user's officer sessions inside the caller's transaction: they change together."""
    from pv import sessions  # at call time: pv.sessions sits above accounts and may import us

    sessions.end_all(session, user, reason, now)


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password of anyone")


def _user(row: UserRow) -> User:
    return User(row.name, row.role, row.active, row.created_at, row.password_changed_at)


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


# ---------------------------------------------------------------------- password rules

# Keyboard rows and alphabets, each repeated so a run may wrap ("890123"); checked both ways.
_RUNS = tuple(
    run
    for base in (
        string.ascii_lowercase,
        string.digits,
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
        "1q2w3e4r5t6y7u8i9o0p",
    )
    for run in (base * 3, base[::-1] * 3)
)
_AROUND = string.digits + string.punctuation


def check_password(password: str, name: str = "") -> str:
    """The password when it is acceptable for the account `name`, else UserError.

    NIST SP 800-63B: a minimum length and a list of known passwords instead of composition
    rules. Digits and symbols around a listed word ("Summer2026!") do not make it new.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    distinct = len(set(password.casefold()))
    if distinct == 1:
        raise UserError("A password cannot be one character repeated.")
    if distinct < MIN_DISTINCT_CHARACTERS:
        raise UserError(
            f"A password needs at least {MIN_DISTINCT_CHARACTERS} different characters."
        )
    folded, user = _fold(password), _fold(name)
    # A one- or two-letter name turns up inside many passphrases and says nothing about them.
    if user and (folded == user or (len(user) >= 3 and user in folded)):
        raise UserError("A password cannot contain the user name.")
    if folded in (folded + folded)[1:-1] or any(folded in run for run in _RUNS):
        raise UserError("A password cannot be a keyboard or alphabet run or a repeated piece.")
    base = folded.strip(_AROUND)
    if folded in _common_passwords() or (len(base) >= 4 and base in _common_passwords()):
        raise UserError("This password is on a list of common passwords; choose another.")
    return password


def _fold(text: str) -> str:
    """Case and spaces do not make a password different: "Pass Word" is "password"."""
    return "".join(text.split()).casefold()


@functools.cache
def _common_passwords() -> frozenset[str]:
    """pv/data/common_passwords.txt (its header says where the list comes from), read once."""
    lines = (resources.files("pv") / "data" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        _fold(line) for line in lines.splitlines() if line and not line.startswith("# ")
    )


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)
