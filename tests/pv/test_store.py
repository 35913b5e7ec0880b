"""The submission log on a real SQLite file and a real PostgreSQL: saving, workflow, queries, exports."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from pv import audit
from pv.clock import days_open, due_date, is_overdue
from pv.db import DatabaseUnavailable, current_revision, head_revision, include_object
from pv.store import (
    CaseNotFound,
    CaseQuery,
    Store,
    Submission,
    csv_safe,
    like_pattern,
)
from pv.tables import Base, Case, CaseNumber, CaseVersion
from pv.workflow import CaseStatus, InvalidTransition
from tests.cases import TODAY, case_names
from tests.pv.submissions import builder, make_submission

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


# ---------------------------------------------------------------- opening and schema


def test_open_creates_the_sqlite_folder_in_wal_mode_at_the_newest_revision(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()
    Store.open(sqlite_url).close()  # a second open finds the schema current


def test_migrations_build_exactly_the_schema_the_code_declares(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


# ---------------------------------------------------------------- saving


def test_submit_stores_the_case_with_its_xml_findings_and_report(store: Store) -> None:
    kept: list[Submission] = []

    def build(case_id: str) -> Submission:
        kept.append(make_submission(case_id, change=_with_bad_phone_warning))
        return kept[0]

    saved = store.submit(build, user="hcp", now=NOW)
    assert saved.case_id == "SA-LEMTRADAPV-000001"
    assert (saved.version, saved.received_at) == (1, NOW)
    detail = store.get_case(saved.case_id, today=TODAY)
    [version] = detail.versions
    assert version.xml == kept[0].xml  # byte for byte
    assert version.findings == kept[0].findings
    assert json.loads(version.report_json) == json.loads(kept[0].report.model_dump_json())
    assert read_bytes(version.xml).reports[0].report is not None
    row = detail.row
    assert row.reporter == "Dr Huda Al-Qahtani"
    assert row.categories == ("itp",)
    assert "Immune thrombocytopenia" in row.terms
    assert row.serious and row.status is CaseStatus.RECEIVED
    assert row.first_received == date(2026, 10, 14)
    assert row.due_date == date(2026, 10, 29)
    assert "h.alqahtani@example.org" in detail.reporter_contact
    assert [(a.action, a.user, a.case_id) for a in detail.audit] == [
        ("create", "hcp", saved.case_id)
    ]
    assert [(s.from_status, s.to_status, s.user) for s in detail.status_history] == [
        (None, CaseStatus.RECEIVED, "hcp")
    ]


def _with_bad_phone_warning(data: dict[str, Any]) -> None:
    data["primary_sources"][0]["given_name"] = "Huda"


def test_case_ids_count_up_from_the_configured_prefix(store: Store) -> None:
    ids = [store.submit(builder(validate=False), now=NOW).case_id for _ in range(3)]
    assert ids == [f"SA-LEMTRADAPV-{n:06d}" for n in (1, 2, 3)]


def test_a_failing_build_stores_nothing_and_leaves_a_gap(store: Store) -> None:
    def broken(case_id: str) -> Submission:
        raise RuntimeError("form crashed")

    with pytest.raises(RuntimeError):
        store.submit(broken, now=NOW)
    assert store.case_count() == 0
    assert store.audit_trail() == []
    assert store.submit(builder(validate=False), now=NOW).case_id == "SA-LEMTRADAPV-000002"


def test_a_failure_inside_the_save_rolls_back_every_table(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", fail)
    with pytest.raises(RuntimeError):
        store.submit(builder(validate=False), now=NOW)
    with store.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(CaseVersion)) == 0
        assert session.scalar(select(func.count()).select_from(CaseNumber)) == 1  # the gap


def test_a_follow_up_becomes_version_2_of_the_same_case(store: Store) -> None:
    saved = store.submit(builder(validate=False), now=NOW)
    later = NOW + timedelta(days=3)
    follow_up = make_submission(saved.case_id, "thyroid_graves", validate=False)
    again = store.add_version(saved.case_id, follow_up, user="officer1", now=later)
    assert (again.case_id, again.version) == (saved.case_id, 2)
    detail = store.get_case(saved.case_id, today=TODAY)
    assert [v.version for v in detail.versions] == [1, 2]
    assert detail.versions[1].received_by == "officer1"
    assert detail.row.version == 2
    assert detail.row.categories == ("thyroid_disorder",)  # list columns follow the latest
    assert detail.row.received_at == NOW  # first receipt stays
    assert store.list_cases(CaseQuery(categories=["itp"])).total == 0
    assert store.list_cases(CaseQuery(categories=["thyroid_disorder"])).total == 1
    assert [a.action for a in detail.audit] == ["create", "version"]


def test_unknown_cases_are_reported_as_such(store: Store) -> None:
    with pytest.raises(CaseNotFound, match="SA-LEMTRADAPV-999999"):
        store.get_case("SA-LEMTRADAPV-999999")
    with pytest.raises(CaseNotFound):
        store.add_version("SA-X-1", make_submission("SA-X-1", validate=False), user="o")
    with pytest.raises(CaseNotFound):
        store.change_status("SA-X-1", CaseStatus.IN_REVIEW, user="o")


# ---------------------------------------------------------------- workflow and notes


def test_status_moves_along_the_workflow_with_who_and_when(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    steps = [
        CaseStatus.IN_REVIEW,
        CaseStatus.SUBMITTED_TO_SFDA,
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.CLOSED,
        CaseStatus.IN_REVIEW,  # reopened
    ]
    for i, status in enumerate(steps, start=1):
        store.change_status(case_id, status, user=f"officer{i}", now=NOW + timedelta(hours=i))
    detail = store.get_case(case_id, today=TODAY)
    assert [s.to_status for s in detail.status_history] == [CaseStatus.RECEIVED, *steps]
    assert detail.status_history[2].user == "officer2"
    assert detail.status_history[2].at == NOW + timedelta(hours=2)
    assert detail.row.status is CaseStatus.IN_REVIEW
    assert set(detail.next_statuses) == {CaseStatus.SUBMITTED_TO_SFDA, CaseStatus.CLOSED}


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ((), CaseStatus.SUBMITTED_TO_SFDA),  # review cannot be skipped
        ((), CaseStatus.CLOSED),
        ((CaseStatus.IN_REVIEW,), CaseStatus.ACKNOWLEDGED),
        ((CaseStatus.IN_REVIEW, CaseStatus.CLOSED), CaseStatus.SUBMITTED_TO_SFDA),
    ],
)
def test_forbidden_transitions_raise_and_change_nothing(
    store: Store, path: tuple[CaseStatus, ...], forbidden: CaseStatus
) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    for status in path:
        store.change_status(case_id, status, user="o", now=NOW)
    trail = len(store.audit_trail())
    with pytest.raises(InvalidTransition, match=forbidden.label):
        store.change_status(case_id, forbidden, user="o", now=NOW)
    assert store.get_case(case_id).row.status is (path[-1] if path else CaseStatus.RECEIVED)
    assert len(store.audit_trail()) == trail


def test_notes_are_kept_with_author_and_time(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.add_note(case_id, "Called the reporter; platelet count to follow.", user="o1", now=NOW)
    store.add_note(case_id, "ملاحظة بالعربية", user="o2", now=NOW + timedelta(minutes=5))
    detail = store.get_case(case_id)
    assert [(n.user, n.text) for n in detail.notes] == [
        ("o1", "Called the reporter; platelet count to follow."),
        ("o2", "ملاحظة بالعربية"),
    ]
    assert [a.action for a in detail.audit] == ["create", "note", "note"]
    with pytest.raises(ValueError, match="text"):
        store.add_note(case_id, "  ", user="o1")


# ---------------------------------------------------------------- the regulatory clock


def test_due_date_is_15_days_for_serious_and_90_for_non_serious() -> None:
    assert due_date(date(2026, 1, 1), serious=True) == date(2026, 1, 16)
    assert due_date(date(2026, 1, 1), serious=False) == date(2026, 4, 1)
    assert days_open(date(2026, 1, 1), date(2026, 1, 16)) == 15


def test_overdue_only_after_the_due_day_and_only_until_sent_to_sfda() -> None:
    due = date(2026, 1, 16)
    assert not is_overdue(due, CaseStatus.RECEIVED, date(2026, 1, 16))
    assert is_overdue(due, CaseStatus.RECEIVED, date(2026, 1, 17))
    assert is_overdue(due, CaseStatus.IN_REVIEW, date(2026, 1, 17))
    for status in (CaseStatus.SUBMITTED_TO_SFDA, CaseStatus.ACKNOWLEDGED, CaseStatus.CLOSED):
        assert not is_overdue(due, status, date(2026, 2, 1))


# ---------------------------------------------------------------- the log's queries


@pytest.fixture
def six_cases(store: Store) -> dict[str, str]:
    """One case per golden file, received a day apart from 2026-11-01; name -> case ID."""
    ids = {}
    for day, name in enumerate(case_names()):
        now = datetime(2026, 11, 1 + day, 8, 0, tzinfo=UTC)
        ids[name] = store.submit(builder(name, validate=False), now=now).case_id
    return ids


def _ids(store: Store, **query: Any) -> list[str]:
    return [row.case_id for row in store.list_cases(CaseQuery(**query), today=TODAY).rows]


def test_list_filters_by_status_category_seriousness_and_dates(
    store: Store, six_cases: dict[str, str]
) -> None:
    store.change_status(six_cases["pml_death"], CaseStatus.IN_REVIEW, user="o", now=NOW)
    assert _ids(store, status=CaseStatus.IN_REVIEW) == [six_cases["pml_death"]]
    assert len(_ids(store, status=[CaseStatus.RECEIVED, CaseStatus.IN_REVIEW])) == 6
    assert _ids(store, categories=["itp", "pml"]) == [
        six_cases["pml_death"],
        six_cases["itp_course2"],
    ]
    assert set(_ids(store, serious=False)) == {
        six_cases["pregnancy_exposure"],
        six_cases["thyroid_graves"],
    }
    assert len(_ids(store, serious=True)) == 4
    window = _ids(store, received_from=date(2026, 11, 2), received_to=date(2026, 11, 3))
    assert window == [six_cases[case_names()[2]], six_cases[case_names()[1]]]


def test_text_search_covers_case_id_reporter_terms_and_takes_wildcards_literally(
    store: Store, six_cases: dict[str, str]
) -> None:
    assert _ids(store, text="al-qahtani") == [six_cases["itp_course2"]]
    assert _ids(store, text="GRAVES") == [six_cases["thyroid_graves"]]
    assert _ids(store, text="الحربي") == [six_cases["nephropathy_anti_gbm"]]
    assert _ids(store, text=six_cases["pml_death"]) == [six_cases["pml_death"]]
    # "%" is no wildcard: only the case whose narrative has a literal "%" in it
    assert _ids(store, text="%") == [six_cases["mi_infusion_day"]]
    assert _ids(store, text="t_yroid") == []  # "_" is not "any character"
    assert _ids(store, text="thyroid_") == [six_cases["thyroid_graves"]]
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_overdue_filter_and_flags_follow_the_clock(store: Store, six_cases: dict[str, str]) -> None:
    overdue = {
        row.case_id for row in store.list_cases(CaseQuery(), today=TODAY).rows if row.overdue
    }
    assert set(_ids(store, overdue_only=True)) == overdue
    assert six_cases["itp_course2"] in overdue  # serious, first received 2026-10-14
    assert six_cases["thyroid_graves"] not in overdue  # non-serious, due 2026-11-25
    store.change_status(six_cases["itp_course2"], CaseStatus.IN_REVIEW, user="o", now=NOW)
    store.change_status(six_cases["itp_course2"], CaseStatus.SUBMITTED_TO_SFDA, user="o", now=NOW)
    assert six_cases["itp_course2"] not in _ids(store, overdue_only=True)


def test_list_sorts_by_whitelisted_keys_and_pages(store: Store, six_cases: dict[str, str]) -> None:
    by_due = store.list_cases(CaseQuery(sort="due_date", descending=False), today=TODAY).rows
    assert [r.due_date for r in by_due] == sorted(r.due_date for r in by_due)
    page2 = store.list_cases(CaseQuery(sort="case_id", descending=False, page=2, page_size=4))
    assert page2.total == 6 and page2.pages == 2
    assert [r.case_id for r in page2.rows] == sorted(six_cases.values())[4:]
    with pytest.raises(ValueError, match="sort"):
        store.list_cases(CaseQuery(sort="search_text; DROP TABLE cases"))


def test_dashboard_counts_the_filtered_set(store: Store, six_cases: dict[str, str]) -> None:
    board = store.dashboard(CaseQuery(), today=TODAY)
    assert (board.total, board.serious) == (6, 4)
    assert board.serious_share == pytest.approx(4 / 6)
    assert board.per_month == [("2026-11", 6)]
    assert dict(board.per_category)["itp"] == 1
    assert board.per_status == [(CaseStatus.RECEIVED, 6)]
    assert board.overdue == len(_ids(store, overdue_only=True))
    assert store.dashboard(CaseQuery(serious=False)).serious_share == 0


# ---------------------------------------------------------------- exports


def test_csv_export_is_excel_ready_and_formula_safe(store: Store) -> None:
    def hostile(data: dict[str, Any]) -> None:
        source = data["primary_sources"][0]
        source.update(title=None, given_name='=HYPERLINK("http://evil")', family_name="x")

    hostile_id = store.submit(builder(change=hostile, validate=False), now=NOW).case_id
    store.submit(builder("nephropathy_anti_gbm", validate=False), now=NOW)
    data = store.export_csv(CaseQuery(sort="case_id", descending=False), user="o1", now=NOW)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["case_id"] for r in rows] == [hostile_id, "SA-LEMTRADAPV-000002"]
    assert rows[0]["reporter"] == '\'=HYPERLINK("http://evil") x'
    assert rows[1]["reporter"] == "د. خالد الحربي"
    assert rows[0]["status"] == "Received" and rows[0]["serious"] == "yes"
    [export] = [a for a in store.audit_trail() if a.action == "export"]
    assert export.user == "o1" and export.detail["rows"] == 2


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_would_start_a_formula_get_a_quote(value: str) -> None:
    assert csv_safe(value) == "'" + value
    assert csv_safe("Dr " + value) == "Dr " + value


def test_batch_export_wraps_the_stored_messages_in_one_valid_batch(store: Store) -> None:
    first = store.submit(builder("itp_course2", validate=False), now=NOW).case_id
    second = store.submit(builder("pml_death", validate=False), now=NOW).case_id
    data = store.export_batch([first, second], user="o1", now=NOW)
    assert validate_bytes(data, TODAY) == []
    reports = read_bytes(data).reports
    assert [r.report.case.sender_report_id for r in reports if r.report] == [first, second]
    stored = store.get_case(first).versions[0].xml
    assert _message(stored) == _message(data, 0)  # the message itself is unchanged
    [export] = [a for a in store.audit_trail() if a.action == "export"]
    assert export.detail == {"format": "e2b", "cases": [first, second]}
    with pytest.raises(CaseNotFound):
        store.export_batch(["SA-LEMTRADAPV-999999"], user="o1")


def _message(xml: bytes, index: int = 0) -> bytes:
    from lxml import etree

    from e2b.mapping import HL7

    root = etree.fromstring(xml)
    message = root.findall(f"{{{HL7}}}PORR_IN049016UV")[index]
    etree.indent(message, space="  ")
    return etree.tostring(message, encoding="UTF-8")


def test_wal_file_database_passes_integrity_check(store: Store) -> None:
    store.submit(builder(validate=False), now=NOW)
    with store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(select(func.count()).select_from(Case)).scalar() == 1


def test_several_instances_can_open_a_new_database_at_once(db_url: str) -> None:
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            Store.open(db_url).close()
        except BaseException as exc:  # collected and re-raised by the test below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    store = Store.open(db_url)
    try:
        assert current_revision(store.engine) == head_revision()
        assert store.verify_audit() == []
    finally:
        store.close()


def test_a_database_that_goes_away_is_reported_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="Cannot use the database"):
        Store.open("postgresql+psycopg://pv:secret@127.0.0.1:1/nowhere")
    store = Store.open(f"sqlite:///{tmp_path / 'log.db'}")
    try:
        store.engine.dispose()
        (tmp_path / "log.db").unlink()
        (tmp_path / "log.db").mkdir()  # the file is gone and cannot be recreated
        with pytest.raises(DatabaseUnavailable) as error:
            store.list_cases(CaseQuery())
        assert "secret" not in str(error.value)
    finally:
        store.close()


# ---------------------------------------------------------------- ownership and queues


def test_cases_are_assigned_to_active_officers_and_queued(store: Store) -> None:
    from pv.store import NotAnOfficer, StaleCase
    from pv.users import add_user, deactivate

    add_user(store, "officer1", "a long enough password 1", role="officer")
    add_user(store, "officer2", "a long enough password 2", role="officer")
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    ids = [store.submit(builder(name), now=now).case_id for name in ("itp_course2", "pml_death")]
    store.assign(ids[0], "officer1", user="admin", now=now)
    today = date(2026, 10, 20)  # the golden cases fall due within days of this
    mine = store.list_cases(CaseQuery(owner="officer1"), today=today)
    assert [r.case_id for r in mine.rows] == [ids[0]] and mine.rows[0].owner == "officer1"
    nobody = store.list_cases(CaseQuery(unassigned=True), today=today)
    assert [r.case_id for r in nobody.rows] == [ids[1]]
    with pytest.raises(NotAnOfficer):
        store.assign(ids[1], "someone", user="admin", now=now)
    deactivate(store, "officer2", by="admin")
    with pytest.raises(NotAnOfficer):
        store.assign(ids[1], "officer2", user="admin", now=now)
    revision = store.get_case(ids[0]).revision
    store.assign(ids[0], None, user="admin", now=now, expected_revision=revision)
    with pytest.raises(StaleCase):  # a second officer on the stale screen
        store.assign(ids[0], "officer1", user="officer1", now=now, expected_revision=revision)
    rows = [r for r in store.audit_trail(ids[0]) if r.action == "assign"]
    assert [(r.detail["from"], r.detail["to"]) for r in rows] == [
        (None, "officer1"),
        ("officer1", None),
    ]


def test_the_due_soon_queue_holds_open_cases_due_within_the_days(store: Store) -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    case_id = store.submit(builder("itp_course2"), now=now).case_id
    due = store.get_case(case_id).row.due_date
    for days_before, expected in ((0, [case_id]), (3, [case_id]), (4, []), (-1, [])):
        today = due - timedelta(days=days_before)
        page = store.list_cases(CaseQuery(due_within_days=3), today=today)
        assert [r.case_id for r in page.rows] == expected, days_before
