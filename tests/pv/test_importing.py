"""Importing partners' E2B(R3) files into the log, on a real SQLite file and a real PostgreSQL:
batches, the same file twice, follow-ups that reopen and restart the clock, stale follow-ups,
all or nothing per file, the published corpus, and the command line."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.writer import to_xml
from pv.importing import import_file
from pv.model import Report
from pv.store import Store
from pv.tables import AuditEntry, Case, CaseVersion, ImportedFile
from pv.workflow import CaseStatus
from tests.cases import TODAY, load_case
from tests.pv.submissions import HEADER, make_submission

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "tests" / "e2b" / "data" / "published"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def partner_report(
    case_id: str, name: str = "itp_course2", *, most_recent: str = "2026-11-02", **case: Any
) -> Report:
    """A golden case as a partner would send it: their own IDs, no guide category."""
    data = load_case(name)
    data["case"].update(
        sender_report_id=case_id, worldwide_case_id=case_id, most_recent=most_recent, **case
    )
    for reaction in data["reactions"]:
        reaction.pop("guide_category", None)
    return Report.model_validate(data, context={"today": TODAY})


def batch(*reports: Report) -> bytes:
    return to_xml([r.for_sending() for r in reports], HEADER)


def counts(store: Store) -> tuple[int, int, int, int]:
    with store.read_session() as session:
        return (
            session.scalar(select(func.count()).select_from(Case)) or 0,
            session.scalar(select(func.count()).select_from(CaseVersion)) or 0,
            session.scalar(select(func.count()).select_from(ImportedFile)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def test_a_batch_of_three_makes_three_cases_each_version_holding_its_own_icsr(
    store: Store,
) -> None:
    reports = [
        partner_report("US-PARTNER-0001"),
        partner_report("US-PARTNER-0002", "pml_death"),
        partner_report("US-PARTNER-0003", "thyroid_graves"),
    ]
    data = batch(*reports)
    lines = import_file(store, data, name="batch.xml", user="officer1", now=NOW)
    assert [(line.index, line.outcome, line.version) for line in lines] == [
        (1, "created", 1),
        (2, "created", 1),
        (3, "created", 1),
    ]
    assert all(line.case_id for line in lines)
    for line, report in zip(lines, reports, strict=True):
        assert line.case_id is not None
        xml = store.version_xml(line.case_id, 1, user="officer1")
        assert validate_bytes(xml, TODAY) == [] or all(
            f.severity == "warning" for f in validate_bytes(xml, TODAY)
        )
        [read] = read_bytes(xml).reports  # the version holds this case's ICSR only
        assert read.report is not None
        assert read.report.case.worldwide_case_id == report.case.worldwide_case_id
    with store.read_session() as session:
        [kept] = session.scalars(select(ImportedFile)).all()
    assert kept.data == data and kept.name == "batch.xml"  # byte for byte
    assert "1 imported" not in lines[0].line()
    assert lines[0].line().startswith("batch.xml #1: created -> ")


def test_the_same_file_twice_changes_nothing(store: Store) -> None:
    data = batch(partner_report("US-PARTNER-0001"), partner_report("US-PARTNER-0002", "pml_death"))
    first = import_file(store, data, name="a.xml", user="officer1", now=NOW)
    before = counts(store)
    again = import_file(store, data, name="a-copy.xml", user="officer1", now=NOW)
    assert counts(store) == before
    assert [(line.outcome, line.case_id, line.version) for line in again] == [
        ("already imported", line.case_id, 1) for line in first
    ]


def test_a_follow_up_keeps_the_categories_reopens_and_restarts_the_clock(store: Store) -> None:
    # A case filed through the form (guide category ITP), submitted to SFDA ...
    case_id = store.submit(lambda cid: make_submission(cid), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="officer1", now=NOW)
    store.change_status(case_id, CaseStatus.SUBMITTED_TO_SFDA, user="officer1", now=NOW)
    # ... then the partner's follow-up about it, with newer information.
    follow_up = partner_report(case_id, most_recent="2026-11-20")
    [line] = import_file(store, batch(follow_up), name="fu.xml", user="officer2", now=NOW)
    assert (line.outcome, line.case_id, line.version) == ("follow-up", case_id, 2)
    assert "reopened from Submitted to SFDA" in line.reason
    detail = store.get_case(case_id, today=date(2026, 11, 25))
    assert detail.row.status is CaseStatus.IN_REVIEW
    assert detail.row.categories == ("itp",)
    with store.read_session() as session:
        case = session.scalar(select(Case).where(Case.case_id == case_id))
        assert case is not None and case.current_version == 2
        assert case.due_date == date(2026, 12, 5)  # 15 days from C.1.5, serious
    assert [f for f in store.verify_audit() if f.severity == "error"] == []


def test_a_follow_up_older_than_the_newest_is_kept_but_not_current(store: Store) -> None:
    newer = partner_report("US-PARTNER-0009", most_recent="2026-11-20")
    older = partner_report("US-PARTNER-0009", most_recent="2026-11-01")
    [created] = import_file(store, batch(newer), name="new.xml", user="o", now=NOW)
    [stale] = import_file(store, batch(older), name="old.xml", user="o", now=NOW)
    assert (stale.outcome, stale.case_id, stale.version) == ("stale", created.case_id, 2)
    assert "older than the current 2026-11-20" in stale.reason
    with store.read_session() as session:
        case = session.scalar(select(Case).where(Case.case_id == created.case_id))
        assert case is not None and case.current_version == 1
        flags = session.execute(
            select(CaseVersion.version, CaseVersion.stale).where(CaseVersion.case_pk == case.id)
        ).all()
    assert sorted(flags) == [(1, False), (2, True)]


def test_a_file_with_one_unreadable_icsr_is_not_imported_at_all(store: Store) -> None:
    good, bad = partner_report("US-PARTNER-0001"), partner_report("US-PARTNER-0002", "pml_death")
    data = batch(good, bad)
    # An impossible date in the second ICSR only: the reader cannot take it over.
    head, sep, tail = data.partition(b"US-PARTNER-0002")
    tail = tail.replace(b'value="2026', b'value="2026-13', 1)
    data = head + sep + tail
    before = counts(store)
    lines = import_file(store, data, name="mixed.xml", user="o", now=NOW)
    assert [line.outcome for line in lines] == ["refused", "refused"]
    assert "#2 cannot be read" in lines[0].reason
    assert lines[1].reason
    assert counts(store) == before


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"not xml at all", "not"), (b'<?xml version="1.0"?><other/>', "not an E2B(R3) ICSR file")],
)
def test_unusable_files_are_refused_with_the_reason(store: Store, data: bytes, reason: str) -> None:
    before = counts(store)
    [line] = import_file(store, data, name="x.xml", user="o", now=NOW)
    assert line.outcome == "refused" and reason in line.reason
    assert counts(store) == before


def test_each_import_is_in_the_audit_trail_and_the_chain_holds(store: Store) -> None:
    import_file(store, batch(partner_report("US-PARTNER-0001")), name="a.xml", user="o", now=NOW)
    rows = store.audit_trail(None, action="create")
    assert len(rows) == 1
    assert rows[0].detail["imported"]["file"] == "a.xml"
    assert rows[0].detail["imported"]["outcome"] == "created"
    assert [f for f in store.verify_audit() if f.severity == "error"] == []


def test_the_published_corpus_imports_with_no_refusal(store: Store) -> None:
    files = sorted(PUBLISHED.rglob("*.xml"))
    assert len(files) == 12
    lines = [
        line
        for path in files
        for line in import_file(store, path.read_bytes(), name=path.name, user="o", now=NOW)
    ]
    assert [line.line() for line in lines if line.outcome == "refused"] == []
    assert len(lines) == 12


def test_the_command_line_prints_a_line_per_icsr_and_exits_1_on_a_refusal(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    good = tmp_path / "good.xml"
    good.write_bytes(batch(partner_report("US-PARTNER-0001")))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<not-closed")
    command = [sys.executable, "-m", "pv", "--database-url", url, "import"]
    run = subprocess.run(
        [*command, str(good), str(bad)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert run.returncode == 1, run.stderr
    out = run.stdout.splitlines()
    assert out[0].startswith("good.xml #1: created -> ")
    assert out[1].startswith("bad.xml: refused (")
    again = subprocess.run(
        [*command, str(good)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert again.returncode == 0
    assert again.stdout.startswith("good.xml #1: already imported -> ")
