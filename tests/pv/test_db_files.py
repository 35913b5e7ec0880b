"""The SQLite log holds health data: its file, -wal and -shm are 0600 and a folder we make is 0700.

Checked with a umask of 0, so nothing here depends on the process's umask being strict.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pv.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask: files get exactly the modes the code asks for."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_database_and_its_folder_are_private(tmp_path: Path, open_umask: None) -> None:
    database = tmp_path / "data" / "log" / "submissions.db"
    store = Store.open(f"sqlite:///{database}")
    try:
        store.record("test", user="t")  # a write: WAL and shared memory now exist
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        assert wal.exists() and shm.exists()
        assert {p.name: mode(p) for p in (database, wal, shm)} == {
            "submissions.db": 0o600,
            "submissions.db-wal": 0o600,
            "submissions.db-shm": 0o600,
        }
        assert mode(database.parent) == 0o700
    finally:
        store.close()


def test_wal_and_shm_left_readable_by_an_older_version_are_tightened(
    tmp_path: Path, open_umask: None
) -> None:
    database = tmp_path / "submissions.db"
    Store.open(f"sqlite:///{database}").close()
    # Another connection keeps the WAL and shared memory files in place while we loosen them.
    keeper = sqlite3.connect(database)
    try:
        keeper.execute("CREATE TABLE IF NOT EXISTS keep (x)")
        keeper.commit()
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        for path in (wal, shm):
            path.chmod(0o644)
        store = Store.open(f"sqlite:///{database}")
        try:
            store.record("test", user="t")
            assert (mode(wal), mode(shm)) == (0o600, 0o600)
        finally:
            store.close()
    finally:
        keeper.close()


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o750)
    store = Store.open(f"sqlite:///{folder / 'submissions.db'}")
    store.close()
    assert mode(folder) == 0o750
    assert mode(folder / "submissions.db") == 0o600
