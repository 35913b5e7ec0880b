"""Officer accounts: argon2 hashes, password rules, login, deactivation, ending sessions, limits.

The limits under concurrency, per client and per name are in test_login_limit.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pv import sessions
from pv.store import Store
from pv.tables import User as UserRow
from pv.users import (
    MAX_FAILURES,
    MIN_PASSWORD_LENGTH,
    WINDOW,
    LoginLocked,
    UserError,
    add_user,
    authenticate,
    check_password,
    deactivate,
    get_user,
    list_users,
    set_password,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def test_passwords_are_stored_only_as_argon2_hashes(store: Store) -> None:
    add_user(store, "amal", PASSWORD, role="officer", by="admin", now=NOW)
    with store.read_session() as session:
        row = session.scalar(select(UserRow).where(UserRow.name == "amal"))
    assert row is not None
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert [(u.name, u.role, u.active) for u in list_users(store)] == [("amal", "officer", True)]


def test_login_with_the_right_password_only(store: Store) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    user = authenticate(store, "amal", PASSWORD, now=NOW)
    assert user is not None and user.name == "amal"
    assert authenticate(store, "amal", "wrong password!", now=NOW) is None
    assert authenticate(store, "nobody", PASSWORD, now=NOW) is None
    actions = [(a.action, a.user, a.detail.get("reason")) for a in store.audit_trail()]
    assert actions == [
        ("user_add", "cli", None),
        ("login", "amal", None),
        ("login_failed", "amal", "wrong password"),
        ("login_failed", "nobody", "unknown user"),
    ]


def test_account_rules(store: Store) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    with pytest.raises(UserError, match="already"):
        add_user(store, "amal", PASSWORD, now=NOW)
    with pytest.raises(UserError, match="characters"):
        add_user(store, "short", "abc", now=NOW)
    with pytest.raises(UserError, match="Role"):
        add_user(store, "x", PASSWORD, role="root", now=NOW)
    with pytest.raises(UserError, match="no user"):
        deactivate(store, "ghost", by="admin")


def test_a_deactivated_user_cannot_log_in(store: Store) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    deactivate(store, "amal", by="admin", now=NOW)
    assert authenticate(store, "amal", PASSWORD, now=NOW) is None
    assert list_users(store)[0].active is False


def test_failed_logins_lock_the_name_for_a_while(store: Store) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    for i in range(MAX_FAILURES):
        assert (
            authenticate(store, "amal", "wrong password!", now=NOW + timedelta(minutes=i)) is None
        )
    with pytest.raises(LoginLocked) as locked:
        authenticate(store, "amal", PASSWORD, now=NOW + timedelta(minutes=5))
    assert locked.value.retry_at == NOW + WINDOW
    assert "try again" in str(locked.value)
    # A second instance sees the same lock: it is in the database.
    other = Store.open(store.engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(LoginLocked):
            authenticate(other, "amal", PASSWORD, now=NOW + timedelta(minutes=6))
    finally:
        other.close()
    # Once the oldest failure leaves the window, one more try is allowed and succeeds.
    assert authenticate(store, "amal", PASSWORD, now=NOW + WINDOW + timedelta(seconds=1))
    assert store.verify_audit() == []


def test_a_new_password_replaces_the_old_and_lifts_the_lock(store: Store) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    for _ in range(MAX_FAILURES):
        authenticate(store, "amal", "wrong password!", now=NOW)
    set_password(store, "amal", "another long password", by="admin", now=NOW)
    assert authenticate(store, "amal", "another long password", now=NOW) is not None
    assert authenticate(store, "amal", PASSWORD, now=NOW) is None


def test_password_changed_at_starts_at_creation_and_moves_with_a_new_password(
    store: Store,
) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    assert get_user(store, "amal") == list_users(store)[0]
    user = get_user(store, " amal ")
    assert user is not None and user.password_changed_at == user.created_at == NOW
    later = NOW + timedelta(days=3)
    set_password(store, "amal", "another long password", by="admin", now=later)
    user = get_user(store, "amal")
    assert user is not None and user.password_changed_at == later and user.created_at == NOW
    assert get_user(store, "ghost") is None


Ended = list[tuple[str, str, datetime]]


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> Ended:
    """Calls of pv.sessions.end_all, each checked to run inside the account change's transaction."""
    calls: Ended = []

    def end_all(session: Session, user: str, reason: str, now: datetime) -> int:
        assert session.in_transaction()
        calls.append((user, reason, now))
        return 1

    monkeypatch.setattr(sessions, "end_all", end_all)
    return calls


def test_a_new_password_or_deactivation_ends_the_users_sessions(store: Store, ended: Ended) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)
    set_password(store, "amal", "another long password", by="admin", now=NOW)
    deactivate(store, "amal", by="admin", now=NOW + timedelta(hours=1))
    assert ended == [("amal", "password", NOW), ("amal", "deactivated", NOW + timedelta(hours=1))]


def test_the_account_change_and_ending_sessions_land_together(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(store, "amal", PASSWORD, now=NOW)

    def broken(session: Session, user: str, reason: str, now: datetime) -> int:
        raise RuntimeError("sessions table unavailable")

    monkeypatch.setattr(sessions, "end_all", broken)
    with pytest.raises(RuntimeError):
        set_password(store, "amal", "another long password", by="admin", now=NOW)
    with pytest.raises(RuntimeError):
        deactivate(store, "amal", by="admin", now=NOW)
    user = get_user(store, "amal")
    assert user is not None and user.active and user.password_changed_at == NOW
    assert authenticate(store, "amal", PASSWORD, now=NOW) is not None
    assert [a.action for a in store.audit_trail()] == ["user_add", "login"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass1", f"at least {MIN_PASSWORD_LENGTH} characters"),
        ("1111111111111", "one character repeated"),
        ("ababababa.ab", "4 different characters"),
        ("my name is amal, hello", "contain the user name"),
        ("AMAL-2026-xyz!", "contain the user name"),
        ("abcdefghijklmn", "keyboard or alphabet run"),
        ("qwertyuiop[]", "common passwords"),
        ("POIUYTREWQPOI", "keyboard or alphabet run"),
        ("9876543210987", "keyboard or alphabet run"),
        ("blue moon blue moon ", "repeated piece"),
        ("password1234", "common passwords"),
        ("Pass Word 1234", "common passwords"),
        ("Lemtrada2026!", "common passwords"),
        ("alemtuzumab123", "common passwords"),
        ("Sanofi@12345", "common passwords"),
        ("September2025", "common passwords"),
        ("P@ssw0rd2026!!", "common passwords"),
        ("iloveyou1234", "common passwords"),
        ("1q2w3e4r5t6y", "keyboard or alphabet run"),
        ("correct horse battery staple", "common passwords"),
    ],
)
def test_weak_passwords_are_refused_with_one_sentence(password: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as refused:
        check_password(password, "amal")
    text = str(refused.value)
    assert text.endswith(".") and text.count(". ") == 0


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "another long password", "Tahini-Lantern-42", "zr8#Qm2!vL0p", "amx sea pebbles"],
)
def test_passwords_that_pass(password: str) -> None:
    assert check_password(password, "amal") == password


def test_the_rules_apply_to_new_accounts_and_new_passwords(store: Store) -> None:
    with pytest.raises(UserError, match="common"):
        add_user(store, "amal", "Password12345", now=NOW)
    with pytest.raises(UserError, match="user name"):
        add_user(store, "pharmacist", "pharmacist!2026x", now=NOW)
    add_user(store, "amal", PASSWORD, now=NOW)
    with pytest.raises(UserError, match="user name"):
        set_password(store, "amal", "amal amal amal amal", by="admin", now=NOW)
    with pytest.raises(UserError, match="characters"):
        set_password(store, "amal", "abc", by="admin", now=NOW)
    assert authenticate(store, "amal", PASSWORD, now=NOW) is not None
