"""Submission evidence on SQLite and PostgreSQL: a file per recipient with a fresh batch ID,
schema-valid; a submission's date, channel, reference and days late; each recipient's clock;
the SFDA submission moves the case, audited; the on-time rate per month and recipient."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from lxml import etree
from sqlalchemy import inspect

from e2b.validate import validate_bytes
from e2b.xmlsafe import parse_bytes
from e2b.xpath import select_one
from pv import transmissions as tx
from pv.config import Settings
from pv.db import alembic_config, current_revision, upgrade, writer
from pv.store import Store
from pv.workflow import CaseStatus, InvalidTransition
from tests.pv.submissions import builder, make_submission

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SETTINGS = Settings(database_url="sqlite://", receiver_id="SFDA-NPC", mah_receiver_id="MAH-KSA")
# The golden case: serious, C.1.4 2026-10-14, so due 2026-10-29.
DUE = date(2026, 10, 29)


def _case_in_review(store: Store) -> str:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    return case_id


def _ids(xml: bytes) -> tuple[str | None, str | None, str | None, str | None]:
    root = parse_bytes(xml).getroot()
    message = select_one(root, "PORR_IN049016UV")

    def ext(node: etree._Element | None) -> str | None:
        return None if node is None else node.get("extension")

    return (
        ext(select_one(root, "id")),
        ext(select_one(root, "receiver/device/id")),
        ext(select_one(message, "id")),
        ext(select_one(message, "receiver/device/id")),
    )


def test_each_recipient_gets_its_own_schema_valid_file_with_a_fresh_batch_id(
    store: Store,
) -> None:
    case_id = _case_in_review(store)
    sfda, sfda_xml = tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    mah, mah_xml = tx.prepare(store, case_id, "mah", user="o", settings=SETTINGS, now=NOW)
    again, again_xml = tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    assert _ids(sfda_xml) == (f"{case_id}-V1-SFDA-1", "SFDA-NPC", case_id, "SFDA-NPC")
    assert _ids(mah_xml) == (f"{case_id}-V1-MAH-1", "MAH-KSA", case_id, "MAH-KSA")
    assert again.batch_id == f"{case_id}-V1-SFDA-2"
    for xml in (sfda_xml, mah_xml, again_xml):
        assert [f for f in validate_bytes(xml, NOW.date()) if f.severity == "error"] == []
    assert (sfda.due_date, sfda.state, mah.message_id) == (DUE, "prepared", case_id)
    assert tx.transmission_xml(store, mah.batch_id) == mah_xml
    prepared = [r for r in store.audit_trail(case_id) if r.action == "prepare"]
    assert [r.detail["batch_id"] for r in prepared] == [sfda.batch_id, mah.batch_id, again.batch_id]


def test_a_late_sfda_submission_records_days_late_and_moves_the_case(store: Store) -> None:
    case_id = _case_in_review(store)
    tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    record = tx.record_submission(
        store,
        case_id,
        "sfda",
        submitted_on=DUE + timedelta(days=3),
        channel="portal",
        reference="NPC-2026-4711",
        user="o",
        now=NOW,
    )
    assert (record.days_late, record.channel, record.reference) == (3, "portal", "NPC-2026-4711")
    detail = store.get_case(case_id)
    assert detail.row.status is CaseStatus.SUBMITTED_TO_SFDA
    assert detail.status_history[-1].comment == (
        f"{record.batch_id} submitted on 2026-11-01 by portal"
    )
    [audited] = [r for r in detail.audit if r.action == "submission"]
    assert audited.detail["days_late"] == 3 and audited.detail["reference"] == "NPC-2026-4711"
    sfda, mah = tx.recipient_statuses(store, case_id, today=NOW.date())
    assert (sfda.state, sfda.label) == ("submitted", "submitted 3 days late")
    # The MAH's clock runs on its own: nothing sent to it yet, so it is overdue.
    assert (mah.state, mah.days_left, mah.label) == ("pending", -22, "pending (overdue by 22 days)")
    assert store.verify_audit() == []


def test_an_on_time_mah_submission_leaves_the_case_status_alone(store: Store) -> None:
    case_id = _case_in_review(store)
    tx.prepare(store, case_id, "mah", user="o", settings=SETTINGS, now=NOW)
    record = tx.record_submission(
        store,
        case_id,
        "mah",
        submitted_on=DUE,
        channel="email",
        reference="<a@b>",
        user="o",
        now=NOW,
    )
    assert record.days_late == 0
    assert store.get_case(case_id).row.status is CaseStatus.IN_REVIEW
    assert tx.recipient_statuses(store, case_id, today=NOW.date())[1].label == "submitted on time"


@pytest.mark.parametrize(
    ("submitted_on", "message"),
    [
        (NOW.date() + timedelta(days=1), "in the future"),
        (date(2026, 10, 13), "before the case was received"),
    ],
)
def test_a_date_in_the_future_or_before_receipt_is_refused(
    store: Store, submitted_on: date, message: str
) -> None:
    case_id = _case_in_review(store)
    tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    trail = len(store.audit_trail())
    with pytest.raises(tx.TransmissionError, match=message):
        tx.record_submission(
            store,
            case_id,
            "sfda",
            submitted_on=submitted_on,
            channel="email",
            reference="x",
            user="o",
            now=NOW,
        )
    assert len(store.audit_trail()) == trail
    assert store.get_case(case_id).row.status is CaseStatus.IN_REVIEW
    assert tx.transmissions(store, case_id)[0].submitted_on is None


def test_nothing_prepared_nothing_to_record_and_no_second_record(store: Store) -> None:
    case_id = _case_in_review(store)
    with pytest.raises(tx.TransmissionError, match="Prepare the file for SFDA first"):
        tx.record_submission(
            store,
            case_id,
            "sfda",
            submitted_on=DUE,
            channel="email",
            reference="x",
            user="o",
            now=NOW,
        )
    prepared, _ = tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    tx.record_submission(
        store,
        case_id,
        "sfda",
        submitted_on=DUE,
        channel="email",
        reference="x",
        user="o",
        now=NOW,
    )
    with pytest.raises(tx.TransmissionError, match="already recorded"):
        tx.record_submission(
            store,
            case_id,
            "sfda",
            submitted_on=DUE,
            channel="email",
            reference="x",
            user="o",
            now=NOW,
            batch_id=prepared.batch_id,
        )


def test_a_received_case_cannot_be_recorded_as_submitted_to_sfda(store: Store) -> None:
    case_id = store.submit(builder(validate=False), now=NOW).case_id
    tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    with pytest.raises(tx.TransmissionError, match="still Received"):
        tx.record_submission(
            store,
            case_id,
            "sfda",
            submitted_on=DUE,
            channel="gateway",
            reference="g-1",
            user="o",
            now=NOW,
        )


def test_a_submitted_or_acknowledged_case_may_go_back_to_review(store: Store) -> None:
    case_id = _case_in_review(store)
    store.change_status(case_id, CaseStatus.SUBMITTED_TO_SFDA, user="o", now=NOW)
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    store.change_status(case_id, CaseStatus.SUBMITTED_TO_SFDA, user="o", now=NOW)
    store.change_status(case_id, CaseStatus.ACKNOWLEDGED, user="o", now=NOW)
    store.change_status(case_id, CaseStatus.IN_REVIEW, user="o", now=NOW)
    with pytest.raises(InvalidTransition):
        store.change_status(case_id, CaseStatus.ACKNOWLEDGED, user="o", now=NOW)
    assert store.verify_audit() == []


def test_the_on_time_rate_per_month_and_recipient(store: Store) -> None:
    plan = [
        ("sfda", date(2026, 10, 20)),  # on time
        ("sfda", date(2026, 11, 2)),  # 4 days late
        ("mah", date(2026, 11, 2)),  # late
        ("sfda", date(2026, 11, 3)),  # late
    ]
    for recipient, day in plan:
        case_id = _case_in_review(store)
        tx.prepare(store, case_id, recipient, user="o", settings=SETTINGS, now=NOW)
        tx.record_submission(
            store,
            case_id,
            recipient,
            submitted_on=day,
            channel="email",
            reference="r",
            user="o",
            now=NOW,
        )
    # A resend of an already submitted version does not count twice.
    tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    tx.record_submission(
        store,
        case_id,
        "sfda",
        submitted_on=date(2026, 11, 4),
        channel="email",
        reference="r2",
        user="o",
        now=NOW,
    )
    rates = tx.on_time_rates(store)
    assert [(r.month, r.recipient, r.submitted, r.on_time) for r in rates] == [
        ("2026-10", "sfda", 1, 1),
        ("2026-11", "mah", 1, 0),
        ("2026-11", "sfda", 2, 0),
    ]
    assert rates[0].rate == 1.0 and rates[2].rate == 0.0


def test_a_follow_up_restarts_each_clock_from_its_c15(store: Store) -> None:
    case_id = _case_in_review(store)
    tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    tx.record_submission(
        store,
        case_id,
        "sfda",
        submitted_on=DUE,
        channel="email",
        reference="r",
        user="o",
        now=NOW,
    )

    def newer(data: dict[str, Any]) -> None:
        data["case"]["most_recent"] = "2026-11-10"

    store.add_version(case_id, make_submission(case_id, change=newer), user="o", now=NOW)
    sfda, mah = tx.recipient_statuses(store, case_id, today=NOW.date())
    # Version 2 has gone nowhere yet: both pending, due 15 days after its C.1.5.
    assert [(s.version, s.state, s.due_date) for s in (sfda, mah)] == [
        (2, "pending", date(2026, 11, 25)),
        (2, "pending", date(2026, 11, 25)),
    ]
    prepared, _ = tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
    assert prepared.batch_id == f"{case_id}-V2-SFDA-1" and prepared.due_date == date(2026, 11, 25)
    with pytest.raises(tx.TransmissionError, match="before the case was received"):
        tx.record_submission(
            store,
            case_id,
            "sfda",
            submitted_on=date(2026, 11, 9),
            channel="email",
            reference="r",
            user="o",
            now=NOW,
        )


def test_concurrent_preparations_get_distinct_batch_ids(store: Store) -> None:
    case_id = _case_in_review(store)

    def one(_: int) -> str:
        record, _xml = tx.prepare(store, case_id, "sfda", user="o", settings=SETTINGS, now=NOW)
        return record.batch_id

    with ThreadPoolExecutor(max_workers=6) as pool:
        batch_ids = list(pool.map(one, range(6)))
    assert sorted(batch_ids) == [f"{case_id}-V1-SFDA-{k}" for k in range(1, 7)]
    assert store.verify_audit() == []


def test_migration_0009_adds_and_removes_the_transmissions_table(store: Store) -> None:
    assert "transmissions" in inspect(store.engine).get_table_names()
    with writer(store.engine).begin() as connection:
        command.downgrade(alembic_config(connection), "0008")
    assert "transmissions" not in inspect(store.engine).get_table_names()
    assert current_revision(store.engine) == "0008"
    upgrade(store.engine)
    assert current_revision(store.engine) == "0011"  # the head
    assert "transmissions" in inspect(store.engine).get_table_names()
