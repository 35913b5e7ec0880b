"""Many writers at once and a writer killed mid-save, on SQLite and PostgreSQL.

Processes, not threads: each has its own Store and connections, as app instances would.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from pv.store import CaseQuery, Store
from pv.tables import AuditEntry, Case, CaseVersion
from tests.pv import workers
from tests.pv.submissions import builder

ROOT = Path(__file__).parents[2]
WORKERS = 20
PER_WORKER = 50


def _counts(store: Store) -> tuple[int, int, int]:
    with store.read_session() as session:
        cases = session.scalar(select(func.count()).select_from(Case)) or 0
        versions = session.scalar(select(func.count()).select_from(CaseVersion)) or 0
        creates = (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create")
            )
            or 0
        )
    return cases, versions, creates


@pytest.mark.slow
def test_1000_submissions_from_20_processes(db_url: str) -> None:
    Store.open(db_url).close()  # migrate once up front, as a deployment would
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [
        context.Process(target=workers.submit_many, args=(db_url, PER_WORKER, barrier, results))
        for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    ids = [case_id for _ in processes for case_id in results.get(timeout=300)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert len(ids) == len(set(ids)) == WORKERS * PER_WORKER
    store = Store.open(db_url)
    try:
        assert _counts(store) == (1000, 1000, 1000)
        assert store.verify_audit() == []
        numbers = sorted(int(case_id.rsplit("-", 1)[1]) for case_id in ids)
        assert numbers == list(range(1, 1001))  # no failed saves, so no gaps
    finally:
        store.close()


@pytest.mark.slow
def test_a_writer_killed_inside_a_save_leaves_a_consistent_database(db_url: str) -> None:
    Store.open(db_url).close()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.pv.workers", "crash", db_url, "10"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    saved = []
    for line in child.stdout:
        if line.strip() == "SAVING":
            break
        saved.append(line.strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert len(saved) == 10

    store = Store.open(db_url)
    try:
        with store.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert _counts(store) == (10, 10, 10)  # the 11th case left nothing behind
        assert store.verify_audit() == []
        assert [
            row.case_id for row in store.iter_cases(CaseQuery(sort="case_id", descending=False))
        ] == saved
        # The database is usable at once: locks held by the dead writer are gone.
        after = store.submit(builder(validate=False))
        assert after.case_id.endswith("-000012")  # number 11 was taken, then lost: a gap
        assert store.verify_audit() == []
    finally:
        store.close()
