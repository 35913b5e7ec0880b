"""Login limits hold under concurrency: the count and the reservation of a check are one step.

Each test runs on a real SQLite file and on a real PostgreSQL (see conftest.py). Threads share
one Store; processes each open their own, as app instances would.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import Boolean, DateTime, String, column, func, insert, inspect, select, table

from pv import users
from pv.db import alembic_config, make_engine
from pv.store import Store
from pv.tables import LoginAttempt
from pv.users import (
    MAX_CLIENT_FAILURES,
    MAX_FAILURES,
    MAX_NAME_FAILURES,
    WINDOW,
    LoginLocked,
    add_user,
    authenticate,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NAME = "amal"
PASSWORD = "correct horse battery"
WRONG = "wrong password!"
CLIENT, OTHER = "198.51.100.7", "203.0.113.9"
PARALLEL = 20


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every real password check this process makes (pv.users._verify, wrapped)."""
    seen: list[str] = []
    guard = threading.Lock()
    real = users._verify

    def counted(digest: str, password: str) -> bool:
        with guard:
            seen.append(password)
        return real(digest, password)

    monkeypatch.setattr(users, "_verify", counted)
    return seen


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs, for tests that make dozens of checks one after another."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture(autouse=True)
def _fresh_dummy_hash() -> Iterator[None]:
    """The dummy hash is made by whichever hasher is in place; keep no cheap one around."""
    users._dummy_hash.cache_clear()
    yield
    users._dummy_hash.cache_clear()


def attempt(
    store: Store, password: str, *, name: str = NAME, client: str = CLIENT, now: datetime = NOW
) -> str:
    """'ok', 'failed' or the limit that refused the login."""
    try:
        return "ok" if authenticate(store, name, password, client=client, now=now) else "failed"
    except LoginLocked as locked:
        return locked.limit


def audit_counts(store: Store) -> Counter[tuple[str, str | None]]:
    return Counter((a.action, a.detail.get("reason")) for a in store.audit_trail())


def outcomes(store: Store) -> Counter[str]:
    with store.read_session() as session:
        return Counter(session.scalars(select(LoginAttempt.outcome)))


def in_parallel(count: int, call: Callable[[], str]) -> Counter[str]:
    """Run `call` on `count` threads released together; their results counted."""
    barrier = threading.Barrier(count)
    results: list[str] = []

    def run() -> None:
        barrier.wait()
        results.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(results)


# ------------------------------------------------------------------ processes (spawned workers)


def login_worker(url: str, barrier: Barrier, results: Queue[str]) -> None:
    """One app instance: open the store, wait for the others, try a wrong password once."""
    store = Store.open(url)
    barrier.wait()
    results.put(attempt(store, WRONG))
    store.close()


def stuck_worker(url: str) -> None:
    """Reserves a check, then hangs inside it until the test kills the process."""
    store = Store.open(url)

    def hang(digest: str, password: str) -> bool:
        time.sleep(120)
        return False

    users._verify = hang
    attempt(store, WRONG)


# ------------------------------------------------------------------ tests


@pytest.mark.slow
def test_20_parallel_threads_get_5_password_checks(store: Store, checks: list[str]) -> None:
    add_user(store, NAME, PASSWORD, now=NOW)
    results = in_parallel(PARALLEL, lambda: attempt(store, WRONG))
    assert results == {"failed": MAX_FAILURES, "name_client": PARALLEL - MAX_FAILURES}
    assert len(checks) == MAX_FAILURES
    assert outcomes(store) == {"failed": MAX_FAILURES}
    counts = audit_counts(store)
    assert counts[("login_failed", "wrong password")] == MAX_FAILURES
    assert counts[("login_locked", None)] == PARALLEL - MAX_FAILURES

    # The right password from that client waits for the window, unchecked.
    assert attempt(store, PASSWORD, now=NOW + timedelta(minutes=14)) == "name_client"
    assert len(checks) == MAX_FAILURES
    assert attempt(store, PASSWORD, now=NOW + WINDOW + timedelta(seconds=1)) == "ok"
    assert store.verify_audit() == []


@pytest.mark.slow
def test_20_parallel_processes_get_5_password_checks(db_url: str) -> None:
    setup = Store.open(db_url)  # migrate once up front, as a deployment would
    add_user(setup, NAME, PASSWORD, now=NOW)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PARALLEL)
    results: Queue[str] = context.Queue()
    processes = [
        context.Process(target=login_worker, args=(db_url, barrier, results))
        for _ in range(PARALLEL)
    ]
    for process in processes:
        process.start()
    got = Counter(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    try:
        assert got == {"failed": MAX_FAILURES, "name_client": PARALLEL - MAX_FAILURES}
        # Checks counted from what the processes wrote: one 'failed' row and audit row each.
        assert outcomes(setup) == {"failed": MAX_FAILURES}
        counts = audit_counts(setup)
        assert counts[("login_failed", "wrong password")] == MAX_FAILURES
        assert counts[("login_locked", None)] == PARALLEL - MAX_FAILURES
        assert attempt(setup, PASSWORD, now=NOW + timedelta(minutes=1)) == "name_client"
        assert attempt(setup, PASSWORD, now=NOW + WINDOW + timedelta(seconds=1)) == "ok"
        assert setup.verify_audit() == []
    finally:
        setup.close()


def test_another_client_has_its_own_limit_for_the_same_name(
    store: Store, checks: list[str], cheap_hashes: None
) -> None:
    add_user(store, NAME, PASSWORD, now=NOW)
    for _ in range(MAX_FAILURES):
        assert attempt(store, WRONG) == "failed"
    assert attempt(store, PASSWORD) == "name_client"
    later = NOW + timedelta(minutes=1)
    assert attempt(store, PASSWORD, client=OTHER, now=later) == "ok"
    for _ in range(MAX_FAILURES):
        assert attempt(store, WRONG, client=OTHER, now=later) == "failed"
    assert attempt(store, PASSWORD, client=OTHER, now=later) == "name_client"
    assert len(checks) == 2 * MAX_FAILURES + 1
    # Still locked for the first client: the other's success lifted nothing of it.
    assert attempt(store, PASSWORD, now=later) == "name_client"


def test_a_success_clears_that_clients_failures(store: Store, cheap_hashes: None) -> None:
    add_user(store, NAME, PASSWORD, now=NOW)
    for _ in range(MAX_FAILURES - 1):
        assert attempt(store, WRONG) == "failed"
    assert attempt(store, PASSWORD) == "ok"
    for _ in range(MAX_FAILURES):
        assert attempt(store, WRONG) == "failed"
    assert attempt(store, PASSWORD) == "name_client"


def test_one_client_is_capped_across_names(
    store: Store, checks: list[str], cheap_hashes: None
) -> None:
    add_user(store, NAME, PASSWORD, now=NOW)
    for i in range(MAX_CLIENT_FAILURES):  # password spraying: one guess at each of many names
        assert attempt(store, "Summer2026!", name=f"officer{i}") == "failed"
    with pytest.raises(LoginLocked, match="from this computer") as locked:
        authenticate(store, NAME, PASSWORD, client=CLIENT, now=NOW + timedelta(minutes=1))
    assert locked.value.limit == "client"
    assert locked.value.retry_at == NOW + WINDOW
    assert len(checks) == MAX_CLIENT_FAILURES
    assert attempt(store, PASSWORD, client=OTHER) == "ok"
    assert attempt(store, PASSWORD, now=NOW + WINDOW + timedelta(seconds=1)) == "ok"
    detail = [a.detail for a in store.audit_trail() if a.action == "login_locked"]
    assert detail == [{"client": CLIENT, "limit": "client", "retry_at": (NOW + WINDOW).isoformat()}]


def test_one_name_is_capped_across_clients(
    store: Store, checks: list[str], cheap_hashes: None
) -> None:
    add_user(store, NAME, PASSWORD, now=NOW)
    clients = MAX_NAME_FAILURES // MAX_FAILURES
    for c in range(clients):  # distributed guessing: each client stays under its own limit
        for _ in range(MAX_FAILURES):
            assert attempt(store, WRONG, client=f"192.0.2.{c}") == "failed"
    with pytest.raises(LoginLocked, match=f"for {NAME}") as locked:
        authenticate(store, NAME, PASSWORD, client=OTHER, now=NOW)
    assert locked.value.limit == "name"
    assert len(checks) == MAX_NAME_FAILURES
    assert attempt(store, PASSWORD, client=OTHER, now=NOW + WINDOW + timedelta(seconds=1)) == "ok"


def test_unknown_names_are_checked_and_limited_like_known_ones(
    store: Store, checks: list[str], cheap_hashes: None
) -> None:
    for _ in range(MAX_FAILURES):
        assert attempt(store, WRONG, name="ghost") == "failed"
    assert len(checks) == MAX_FAILURES  # a dummy hash is checked: same cost as a real name
    with pytest.raises(LoginLocked, match="for ghost") as locked:
        authenticate(store, "ghost", WRONG, client=CLIENT, now=NOW)
    assert locked.value.limit == "name_client"
    assert audit_counts(store)[("login_failed", "unknown user")] == MAX_FAILURES
    failed = [a.detail for a in store.audit_trail() if a.action == "login_failed"]
    assert failed[0] == {"reason": "unknown user", "client": CLIENT}


@pytest.mark.slow
def test_a_check_whose_process_died_counts_as_a_failure(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        add_user(store, NAME, PASSWORD, now=NOW)
        child = multiprocessing.get_context("spawn").Process(target=stuck_worker, args=(db_url,))
        child.start()
        deadline = time.monotonic() + 60
        while outcomes(store)["pending"] == 0:
            assert time.monotonic() < deadline and child.is_alive()
            time.sleep(0.05)
        child.kill()
        child.join(timeout=30)
        assert outcomes(store) == {"pending": 1}
        for _ in range(MAX_FAILURES - 1):
            assert attempt(store, WRONG) == "failed"
        assert attempt(store, PASSWORD) == "name_client"
    finally:
        store.close()


_users = table(
    "users",
    column("name", String),
    column("role", String),
    column("password_hash", String),
    column("active", Boolean),
    column("created_at", DateTime),
    column("password_changed_at", DateTime),
)
_failures = table("login_failures", column("name", String), column("at", DateTime))
_attempts = table(
    "login_attempts", column("name", String), column("client", String), column("outcome", String)
)


def test_migration_0004_moves_failures_and_backfills_password_changed_at(db_url: str) -> None:
    engine = make_engine(db_url)
    created = datetime(2026, 1, 5, 8, 30)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0003")
            connection.execute(
                insert(_users).values(
                    name=NAME, role="officer", password_hash="x", active=True, created_at=created
                )
            )
            connection.execute(insert(_failures).values(name=NAME, at=created))
            command.upgrade(alembic_config(connection), "0004")
        with engine.connect() as connection:
            assert connection.scalar(select(_users.c.password_changed_at)) == created
            rows = connection.execute(select(_attempts))
            assert [tuple(row) for row in rows] == [(NAME, "unknown", "failed")]
            schema = inspect(connection)
            assert "login_failures" not in schema.get_table_names()
            columns = {c["name"]: c for c in schema.get_columns("users")}
            assert columns["password_changed_at"]["nullable"] is False
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0003")
        with engine.connect() as connection:
            schema = inspect(connection)
            assert "login_attempts" not in schema.get_table_names()
            assert "password_changed_at" not in {c["name"] for c in schema.get_columns("users")}
            assert connection.scalar(select(func.count()).select_from(_failures)) == 1
    finally:
        engine.dispose()
