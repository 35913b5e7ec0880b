"""Print timings for the submission log: list queries over 100,000 cases and save throughput.

Run from the repository root: `python bench/log_bench.py [--quick] [--cases N] [--saves N]`.
Seeds a temporary SQLite file, and also a fresh PostgreSQL schema when DATABASE_URL names one.
It prints numbers and PASS/MISS against the 200 ms target for a filtered page; it does not assert.

Seeding inserts rows directly (building 100,000 XML messages would take minutes): the list
columns are derived from the golden cases with varied IDs, dates, reporters and statuses, and
each version stores a small placeholder XML document. The save throughput uses the real path:
`Store.submit` with XML written by e2b.writer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from pv.catalogue import load_catalogue  # noqa: E402
from pv.clock import due_date  # noqa: E402
from pv.config import load_settings  # noqa: E402
from pv.store import CaseQuery, Store, case_columns  # noqa: E402
from pv.tables import Case, CaseCategory, CaseNumber, CaseVersion  # noqa: E402
from pv.validation import validate_report  # noqa: E402
from pv.workflow import CaseStatus  # noqa: E402
from tests.cases import TODAY, case_names, load_case  # noqa: E402
from tests.pv.submissions import builder, make_submission  # noqa: E402

PAGE_TARGET_MS = 200.0
SEED = 20261125
SEED_START = datetime(2025, 1, 1, tzinfo=UTC)
PLACEHOLDER_XML = b'<?xml version="1.0" encoding="UTF-8"?><placeholder>bench</placeholder>'
GIVEN = ["Huda", "Faisal", "Amal", "Maha", "Abdullah", "Noura", "Omar", "Sara", "خالد", "ريم"]
FAMILY = ["Al-Qahtani", "Al-Otaibi", "Al-Dosari", "Al-Shehri", "Al-Ghamdi", "Al-Harbi", "الحربي"]


def seed(store: Store, count: int) -> float:
    """Insert `count` cases (with a category row and a placeholder version each); seconds taken."""
    rng = random.Random(SEED)
    templates = []
    for name in case_names():
        report = validate_report(load_case(name), today=TODAY).report
        assert report is not None
        templates.append(case_columns(report))
    categories = [c.id for c in load_catalogue().categories()]
    statuses = list(CaseStatus)
    settings = load_settings()
    start = SEED_START
    started = time.perf_counter()
    with store.engine.begin() as connection:
        chunk = 5000
        for first in range(1, count + 1, chunk):
            numbers = range(first, min(first + chunk, count + 1))
            cases, links, versions = [], [], []
            for n in numbers:
                columns = dict(rng.choice(templates))
                received = start + timedelta(minutes=n * 7 + rng.randint(0, 6))
                first_received = received.date() - timedelta(days=rng.randint(0, 10))
                serious = rng.random() < 0.4
                reporter = f"Dr {rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                category = rng.choice(categories)
                case_id = f"{settings.sender_country}-{settings.sender_id}-{n:06d}"
                search = [case_id, reporter, category, columns["terms"], columns["verbatims"]]
                columns.update(
                    reporter=reporter,
                    categories=category,
                    serious=serious,
                    first_received=first_received,
                    due_date=due_date(first_received, serious),
                    search_text="\n".join(search).lower(),
                )
                cases.append(
                    {
                        "id": n,
                        "case_id": case_id,
                        "current_version": 1,
                        "status": rng.choice(statuses).value,
                        "received_at": received,
                        "received_month": f"{received:%Y-%m}",
                        "updated_at": received,
                        "created_by": "bench",
                        **columns,
                    }
                )
                links.append({"case_pk": n, "category": category})
                versions.append(
                    {
                        "case_pk": n,
                        "version": 1,
                        "received_at": received,
                        "received_by": "bench",
                        "xml": PLACEHOLDER_XML,
                        "findings": "[]",
                        "report": "{}",
                    }
                )
            connection.execute(
                insert(CaseNumber), [{"id": n, "allocated_at": start} for n in numbers]
            )
            connection.execute(insert(Case), cases)
            connection.execute(insert(CaseCategory), links)
            connection.execute(insert(CaseVersion), versions)
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT setval('case_numbers_id_seq', {count})"))
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and p95 in milliseconds, and the last result."""
    times, result = [], None
    call()  # warm the caches, as a page after the first would find them
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], result


def run_queries(store: Store, count: int, repeat: int) -> None:
    today = date(2026, 11, 25)
    some_category = load_catalogue().categories()[0].id
    deep_page = max(1, count // 2 // 50)
    middle = (SEED_START + timedelta(minutes=count * 7 // 2)).date()  # seed() spaces cases 7 min
    queries = {
        "filtered first page (status+serious+category)": CaseQuery(
            status=CaseStatus.RECEIVED, serious=True, categories=[some_category]
        ),
        "filtered first page (a month of receipts, by due date)": CaseQuery(
            received_from=middle, received_to=middle + timedelta(days=30), sort="due_date"
        ),
        "text search 'al-harbi', first page": CaseQuery(text="al-harbi"),
        "text search on a case ID": CaseQuery(text=f"-{count // 3:06d}"),
        "overdue only, first page": CaseQuery(overdue_only=True),
        f"unfiltered, sorted by reporter, page {deep_page}": CaseQuery(
            sort="reporter", descending=False, page=deep_page
        ),
        "unfiltered first page (count of all)": CaseQuery(),
    }
    for label, query in queries.items():
        median, p95, page = timed(lambda q=query: store.list_cases(q, today=today), repeat)
        verdict = "PASS" if p95 <= PAGE_TARGET_MS else "MISS"
        print(
            f"  {label:<52} median {median:7.1f} ms  p95 {p95:7.1f} ms  "
            f"({page.total} matches)  {verdict}"
        )
    median, p95, _ = timed(lambda: store.dashboard(CaseQuery(), today=today), max(3, repeat // 4))
    print(f"  {'dashboard, all cases':<52} median {median:7.1f} ms  p95 {p95:7.1f} ms")


def run_saves(store: Store, saves: int) -> None:
    build = builder(validate=True)
    started = time.perf_counter()
    for _ in range(saves):
        store.submit(build, user="bench")
    total = time.perf_counter() - started
    print(
        f"  submit with build + XSD/ICH validation: {saves / total:7.1f} saves/s "
        f"({total / saves * 1000:.1f} ms each)"
    )
    ready = make_submission("SA-LEMTRADAPV-000000", validate=True)
    started = time.perf_counter()
    for _ in range(saves):
        store.submit(lambda _case_id: ready, user="bench")
    total = time.perf_counter() - started
    print(
        f"  submit of a ready submission (store only): {saves / total:7.1f} saves/s "
        f"({total / saves * 1000:.1f} ms each)"
    )


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="log-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_url(base: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def bench(url_context: Any, label: str, count: int, saves: int, repeat: int) -> None:
    with url_context as url:
        store = Store.open(url)
        try:
            print(f"\n{label}: seeding {count:,} cases ...", flush=True)
            seconds = seed(store, count)
            print(f"  seeded in {seconds:.1f} s ({count / seconds:,.0f} cases/s, bulk insert)")
            run_queries(store, count, repeat)
            run_saves(store, saves)
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 cases, 50 saves")
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--saves", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=20, help="runs per query")
    args = parser.parse_args()
    count = args.cases or (5_000 if args.quick else 100_000)
    saves = args.saves or (50 if args.quick else 200)
    database_url = load_settings().database_url
    bench(sqlite_url(), "SQLite (temporary file, WAL)", count, saves, args.repeat)
    if database_url.startswith("postgresql"):
        bench(postgres_url(database_url), "PostgreSQL", count, saves, args.repeat)
    else:
        print("\nPostgreSQL: skipped (DATABASE_URL does not name a PostgreSQL server)")


if __name__ == "__main__":
    main()
