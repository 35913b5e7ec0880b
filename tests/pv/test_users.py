"""Officer accounts: argon2 hashes, login, deactivation and the persisted failed-login limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pv.store import Store
from pv.tables import User as UserRow
from pv.users import (
    MAX_FAILURES,
    WINDOW,
    LoginLocked,
    UserError,
    add_user,
    authenticate,
    deactivate,
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
