"""Nullifying or amending a case: its next version, the current report with C.1.11.1 (1 =
nullification, 2 = amendment) and C.1.11.2 (the reason), the same case identifiers (C.1.1,
C.1.8.1), a new C.1.2 and C.1.5, written and checked against the XSD like every version we send.

A nullified case stays in the log, marked, out of the default list (`CaseQuery.include_nullified`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from e2b.codelists import Nullification
from e2b.findings import Finding
from e2b.validation import validate
from e2b.writer import BatchHeader, to_checked_xml
from pv.config import Settings
from pv.model import Report
from pv.store import SavedCase, Store, Submission
from pv.submission import SubmissionRefused

REASON_LIMIT = 2000  # C.1.11.2


def nullify(
    store: Store,
    case_id: str,
    *,
    kind: Nullification,
    reason: str,
    user: str,
    settings: Settings,
    now: datetime | None = None,
) -> SavedCase:
    """Store the nullification or amendment of `case_id` as its next version.

    Raises SubmissionRefused (with the finding at C.1.11.2) when the reason is missing or too
    long, or when the report the case holds no longer passes the ICH rules.
    """
    now = now or datetime.now(UTC)
    reason = reason.strip()
    if not reason or len(reason) > REASON_LIMIT:
        raise SubmissionRefused(
            [
                Finding(
                    "error",
                    "C.1.11.2",
                    "case.nullification_reason",
                    f"give the reason for the {kind.label.lower()} "
                    f"(at most {REASON_LIMIT:,} characters)",
                )
            ]
        )
    current = store.current_report(case_id)
    data = current.model_dump(mode="json")
    data["case"].update(
        nullification=kind.value,
        nullification_reason=reason,
        created_at=now.isoformat(),
        most_recent=now.date().isoformat(),
    )
    # The ICH rules only: a received case is not held to the form's data-entry rules.
    result = validate(data, Report, now.date())
    if result.report is None or not result.ok:
        raise SubmissionRefused(result.findings)
    version = store.get_case(case_id, today=now.date()).row.version + 1
    header = BatchHeader(
        batch_id=f"{case_id}-V{version}",
        sender_id=settings.sender_id,
        receiver_id=settings.receiver_id,
        created_at=now,
    )
    xml, xsd = to_checked_xml([result.report.for_sending()], header)
    findings = result.findings + xsd
    if any(f.severity == "error" for f in findings):
        raise SubmissionRefused(findings)
    return store.add_version(case_id, Submission(result.report, xml, findings), user=user, now=now)
