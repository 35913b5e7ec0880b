"""Time the duplicate check of the log as a case is saved, with the log growing to N cases, and
check that the database's blocking finds the same pairs as pv.duplicates' in-memory index.

Run from the repository root: `python bench/duplicate_log_bench.py [--cases N]`. Uses a
temporary SQLite file, and also a fresh PostgreSQL schema when DATABASE_URL names one. The
cases are bench/duplicates_bench.py's synthetic ones (no real patient), each saved through
`pv.store.new_case` (which runs `pv.duplicate_log.refresh`) in its own transaction. It prints
numbers; it does not assert.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.duplicates_bench import generate  # noqa: E402
from pv import duplicate_log  # noqa: E402
from pv.duplicates import Index  # noqa: E402
from pv.model import Report  # noqa: E402
from pv.store import Store, new_case  # noqa: E402
from pv.tables import Case, CaseNumber, DuplicateLink  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def databases() -> Iterator[tuple[str, str]]:
    """(name, URL) of an empty SQLite file, then of a fresh PostgreSQL schema if configured."""
    with tempfile.TemporaryDirectory() as folder:
        yield "SQLite", f"sqlite:///{folder}/bench.db"
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield "PostgreSQL", url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(name: str, url: str, reports: Sequence[Report]) -> None:
    store = Store.open(url)
    saves: list[float] = []
    checks: list[float] = []
    original = duplicate_log.refresh

    def timed(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            checks.append(time.perf_counter() - started)

    duplicate_log.refresh = timed  # type: ignore[assignment]
    try:
        for n, report in enumerate(reports, start=1):
            started = time.perf_counter()
            with store.write_session() as session, session.begin():
                session.add(CaseNumber(allocated_at=NOW))
                session.flush()
                new_case(session, n, f"BENCH-{n:06d}", report, user="bench", now=NOW)
            saves.append(time.perf_counter() - started)
    finally:
        duplicate_log.refresh = original
    with store.read_session() as session:
        names = dict(session.execute(select(Case.id, Case.case_id)).all())
        stored = {
            frozenset((names[a], names[b]))
            for a, b in session.execute(select(DuplicateLink.case_pk, DuplicateLink.other_pk))
        }
    store.close()
    tail = checks[-500:]
    print(
        f"{name}: {len(reports):,} cases saved; duplicate check per save (log growing to "
        f"{len(reports):,}): median {statistics.median(checks) * 1000:.1f} ms, p95 "
        f"{_p95(checks) * 1000:.1f} ms; last 500 saves median "
        f"{statistics.median(tail) * 1000:.1f} ms; whole save median "
        f"{statistics.median(saves) * 1000:.1f} ms"
    )
    print(f"{name}: {len(stored):,} candidate pairs stored")
    expected = in_memory(reports)
    same = "yes" if stored == expected else f"no ({len(stored ^ expected)} pairs differ)"
    print(f"{name}: the same pairs as pv.duplicates.Index in memory: {same}")


def in_memory(reports: Sequence[Report]) -> set[frozenset[str]]:
    from pv.duplicates import fingerprint

    index = Index()
    pairs: set[frozenset[str]] = set()
    for n, report in enumerate(reports, start=1):
        case_id = f"BENCH-{n:06d}"
        found = fingerprint(report)
        pairs.update(frozenset((case_id, other)) for other, _ in index.candidates(found))
        index.add(case_id, found)
    return pairs


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    reports = [Report.model_validate(case.report_input()) for case in generate(args.cases)]
    for name, url in databases():
        run(name, url, reports)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
