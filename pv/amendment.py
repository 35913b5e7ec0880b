"""Nullifying or amending a case: its next version, the current report with C.1.11.1 (1 =
nullification, 2 = amendment) and C.1.11.2 (the reason), the same case identifiers (C.1.1,
C.1.8.1), a new C.1.2 and C.1.5, written and checked against the XSD like every version we send.

A nullified case stays in the log, marked, out of the default list (`CaseQuery.include_nullified`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from e2b.codelists import Nullification
from e2b.findings import Finding
from pv.config import Settings
from pv.store import SavedCase, Store
from pv.submission import SubmissionRefused, next_version

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
    submission = next_version(store, case_id, data, settings=settings, now=now)
    return store.add_version(case_id, submission, user=user, now=now)
