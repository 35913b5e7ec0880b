"""The regulatory clock: 15 calendar days for a serious case, 90 for a non-serious one.

Counted from C.1.4 (date first received from the reporter); it stops once the case has gone to
SFDA, so only received and in-review cases can be overdue.
"""

from __future__ import annotations

from datetime import date, timedelta

from e2b.dates import bounds
from pv.model import Report
from pv.workflow import OPEN_STATUSES, CaseStatus

SERIOUS_DAYS = 15
NON_SERIOUS_DAYS = 90


def due_date(first_received: date, serious: bool) -> date:
    """The last day the case may reach SFDA."""
    return first_received + timedelta(days=SERIOUS_DAYS if serious else NON_SERIOUS_DAYS)


def days_open(first_received: date, today: date) -> int:
    """Calendar days since first receipt (0 on the day itself)."""
    return max((today - first_received).days, 0)


def is_overdue(due: date, status: CaseStatus | str, today: date) -> bool:
    """Past the due date and not yet submitted to SFDA."""
    return CaseStatus(status) in OPEN_STATUSES and today > due


def clock_start(report: Report, version: int) -> date:
    """When a version's information was received: C.1.4 for the initial report, C.1.5 (the new
    information) for a follow-up, an amendment or a nullification."""
    start = report.case.first_received
    if version > 1 and isinstance(report.case.most_recent, str):
        start = report.case.most_recent
    return bounds(start)[0].date()


def version_due_date(report: Report, version: int) -> date:
    """The last day a version may reach a recipient: 15 / 90 days from its clock start."""
    return due_date(clock_start(report, version), report.serious)
