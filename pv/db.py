"""Connecting to the log's database: engine settings per dialect, write transactions, migrations.

SQLite (the default, one file) runs in WAL mode with foreign keys on; writers take the file's
write lock at BEGIN (BEGIN IMMEDIATE) so concurrent processes queue instead of failing halfway.
PostgreSQL serves multi-instance deployments. `upgrade` brings the schema to the newest Alembic
revision and is safe to run from several processes at once.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any fixed 64-bit number: PostgreSQL advisory-lock keys of this application.
PG_MIGRATION_LOCK = 0x70765F6D69677261
WRITE = "pv_write"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; `str(error)` is one sentence for the user."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its parent folder created and WAL mode."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL: {url!r}.") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, parsed.database)
        return create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise DatabaseUnavailable(f"No driver for database URL {parsed!r}.") from exc


def _sqlite_engine(url: str, database: str | None) -> Engine:
    path: Path | None = None
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        try:
            _private_file(path)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"The SQLite database file or its folder cannot be created: {path} "
                f"({exc.strerror})."
            ) from exc
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if path is not None:
            _tighten_journal_modes(path)
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front: no deadlock between two readers upgrading.
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _private_file(path: Path) -> None:
    """Create the database file 0600 (and its folder 0700) when missing: it holds health data.

    Modes are set explicitly rather than through the umask, which belongs to the whole process.
    Existing files and folders keep the modes their owner gave them.
    """
    folder = path.parent
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another process made it first
            pass
        else:
            folder.chmod(0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _tighten_journal_modes(path: Path) -> None:
    """SQLite gives -wal and -shm the database file's mode; fix ones left from before (0644)."""
    for suffix in ("-wal", "-shm"):
        journal = path.with_name(path.name + suffix)
        try:
            info = journal.stat()
            if info.st_uid == os.geteuid() and info.st_mode & 0o077:
                journal.chmod(0o600)
        except FileNotFoundError:  # none yet, or removed by the last connection closing
            continue


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL (it stays so); retry, as the switch ignores the busy timeout.

    Several processes opening a brand-new file at once race for the switch; the losers get
    "database is locked" at once instead of waiting, and find WAL on when they try again.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions begin as writes."""
    return engine.execution_options(**{WRITE: True})


# Search indexes the migrations create outside the declared tables: PostgreSQL's optional
# pg_trgm index and SQLite's FTS5 table (with its shadow tables case_search_*).
UNDECLARED_INDEXES = frozenset({"ix_cases_search_text_trgm"})
UNDECLARED_TABLE_PREFIX = "case_search"


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic autogenerate filter: leave the search indexes alone."""
    if not reflected or name is None:
        return True
    if type_ == "index":
        return name not in UNDECLARED_INDEXES
    return not (type_ == "table" and name.startswith(UNDECLARED_TABLE_PREFIX))


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configured from code: the migrations inside the package, no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


DERIVED_SINCE = "0010"  # the revision whose derived columns older logs lack (Store.reindex)


def needs_reindex(revision_before: str | None) -> bool:
    """Whether an upgrade from `revision_before` crossed a change in what the log derives from
    each case (None: a new, empty database, with nothing to recompute)."""
    return revision_before is not None and revision_before < DERIVED_SINCE


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest revision; concurrent callers wait for the first.

    Returns the revision it started from when it migrated, else the head (nothing to do)."""
    try:
        before = current_revision(engine)
        if before == head_revision():
            return before
        with writer(engine).connect() as connection:
            if connection.dialect.name == "postgresql":
                # Held to the end of this transaction, which also holds the DDL (transactional).
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
                )
            else:
                connection.begin()  # BEGIN IMMEDIATE: other processes wait for our DDL
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
        return before
    except DBAPIError as exc:
        raise unavailable(engine, exc) from exc


@contextmanager
def guard(engine: Engine) -> Iterator[None]:
    """A driver error about reaching or using the database becomes DatabaseUnavailable.

    Operational errors are the server's or the file's (down, locked, disk full), not ours."""
    try:
        yield
    except DBAPIError as exc:
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            raise unavailable(engine, exc) from exc
        raise


def unavailable(engine: Engine, exc: DBAPIError) -> DatabaseUnavailable:
    """One sentence naming the database (without its password) and the driver's reason."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    where = engine.url.render_as_string(hide_password=True)
    return DatabaseUnavailable(f"Cannot use the database {where}: {reason}")
