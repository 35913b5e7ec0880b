"""Officer sessions end when they must: logout, deactivation, password or role change, idle time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from pv import sessions
from pv.sessions import SessionEnded
from pv.store import Store
from pv.tables import User as UserRow
from pv.users import add_user, deactivate, set_password

PASSWORD = "violet-kettle-orbit-42"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)


@pytest.fixture
def officer(store: Store) -> str:
    add_user(store, "officer1", PASSWORD, role="officer", now=T0)
    return sessions.start(store, "officer1", client="10.0.0.5", now=T0)


def test_a_live_session_names_its_officer(store: Store, officer: str) -> None:
    who = sessions.check(store, officer, idle=IDLE, now=T0 + timedelta(minutes=5))
    assert (who.name, who.role) == ("officer1", "officer")
    assert who.session == sessions.digest(officer) != officer


def test_activity_keeps_a_session_alive_and_idle_time_ends_it(store: Store, officer: str) -> None:
    # Activity every 10 minutes for an hour: never idle for 15.
    for minutes in range(10, 70, 10):
        sessions.check(store, officer, idle=IDLE, now=T0 + timedelta(minutes=minutes))
    later = T0 + timedelta(minutes=60 + 16)
    with pytest.raises(SessionEnded) as ended:
        sessions.check(store, officer, idle=IDLE, now=later)
    assert ended.value.reason == "idle"
    assert "15 minutes" in str(ended.value)
    # It stays ended, even if the clock were to go back.
    with pytest.raises(SessionEnded):
        sessions.check(store, officer, idle=IDLE, now=T0 + timedelta(minutes=61))
    assert [r.action for r in store.audit_trail()][-1] == "session_end"


def test_the_idle_limit_is_configurable(store: Store, officer: str) -> None:
    sessions.check(store, officer, idle=timedelta(minutes=60), now=T0 + timedelta(minutes=40))
    with pytest.raises(SessionEnded):
        sessions.check(store, officer, idle=timedelta(minutes=5), now=T0 + timedelta(minutes=46))


def test_logout_ends_the_session_and_is_audited(store: Store, officer: str) -> None:
    sessions.end(store, officer, now=T0 + timedelta(minutes=1))
    with pytest.raises(SessionEnded) as ended:
        sessions.check(store, officer, idle=IDLE, now=T0 + timedelta(minutes=2))
    assert ended.value.reason == "logout"
    assert store.audit_trail()[-1].action == "logout"
    sessions.end(store, officer)  # twice changes nothing
    assert [r.action for r in store.audit_trail()].count("logout") == 1


def test_deactivation_ends_every_session_of_the_account(store: Store, officer: str) -> None:
    second = sessions.start(store, "officer1", client="10.0.0.6", now=T0)
    deactivate(store, "officer1", by="admin", now=T0 + timedelta(minutes=1))
    for token in (officer, second):
        with pytest.raises(SessionEnded) as ended:
            sessions.check(store, token, idle=IDLE, now=T0 + timedelta(minutes=2))
        assert ended.value.reason == "deactivated"
    with pytest.raises(SessionEnded):
        sessions.start(store, "officer1", client="10.0.0.5", now=T0 + timedelta(minutes=3))


def test_a_password_change_ends_sessions_started_before_it(store: Store, officer: str) -> None:
    set_password(store, "officer1", "amber-lantern-canyon-7", by="admin", now=T0 + timedelta(1))
    with pytest.raises(SessionEnded) as ended:
        sessions.check(store, officer, idle=timedelta(days=2), now=T0 + timedelta(days=1, hours=1))
    assert ended.value.reason == "password"
    fresh = sessions.start(store, "officer1", client="x", now=T0 + timedelta(days=1, hours=2))
    sessions.check(store, fresh, idle=IDLE, now=T0 + timedelta(days=1, hours=2, minutes=1))


def test_an_account_changed_behind_the_app_is_seen_on_the_next_check(
    store: Store, officer: str
) -> None:
    """A database owner switching the flag directly (no pv.users call) still ends the session."""
    with store.write_session() as session, session.begin():
        session.execute(update(UserRow).where(UserRow.name == "officer1").values(role="admin"))
    with pytest.raises(SessionEnded) as ended:
        sessions.check(store, officer, idle=IDLE, now=T0 + timedelta(minutes=1))
    assert ended.value.reason == "role"


def test_an_unknown_or_forged_token_is_refused(store: Store, officer: str) -> None:
    for token in ("", "x" * 43, sessions.digest(officer)):
        with pytest.raises(SessionEnded) as ended:
            sessions.check(store, token, idle=IDLE, now=T0)
        assert ended.value.reason == "unknown"


def test_is_live_follows_the_session_without_touching_it(store: Store, officer: str) -> None:
    key = sessions.digest(officer)
    assert sessions.is_live(store, key, idle=timedelta(days=3650))
    sessions.end(store, officer)
    assert not sessions.is_live(store, key, idle=timedelta(days=3650))
