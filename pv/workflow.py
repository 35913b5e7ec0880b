"""A case's status workflow: received -> in review -> submitted to SFDA -> acknowledged / closed."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands in the officer's workflow."""

    RECEIVED = "received"
    IN_REVIEW = "in_review"
    SUBMITTED_TO_SFDA = "submitted_to_sfda"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CaseStatus.RECEIVED: "Received",
    CaseStatus.IN_REVIEW: "In review",
    CaseStatus.SUBMITTED_TO_SFDA: "Submitted to SFDA",
    CaseStatus.ACKNOWLEDGED: "Acknowledged",
    CaseStatus.CLOSED: "Closed",
}

# A closed case may be reopened for review (e.g. a follow-up arrives); nothing skips review.
# A receiver's rejection (a negative acknowledgement) sends a submitted case back to review.
TRANSITIONS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.RECEIVED: (CaseStatus.IN_REVIEW,),
    CaseStatus.IN_REVIEW: (CaseStatus.SUBMITTED_TO_SFDA, CaseStatus.CLOSED),
    CaseStatus.SUBMITTED_TO_SFDA: (
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.CLOSED,
        CaseStatus.IN_REVIEW,
    ),
    CaseStatus.ACKNOWLEDGED: (CaseStatus.CLOSED, CaseStatus.IN_REVIEW),
    CaseStatus.CLOSED: (CaseStatus.IN_REVIEW,),
}

# Reached by recording the submission (pv.transmissions: date, channel, reference), never by
# picking the status: a "submitted" without its evidence is what an inspector cannot trust.
RECORDED_ONLY: tuple[CaseStatus, ...] = (CaseStatus.SUBMITTED_TO_SFDA,)

# The regulatory clock runs until the case has gone to SFDA.
OPEN_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW)


class InvalidTransition(ValueError):
    """A status change the workflow does not allow; `str(error)` is one sentence for the user."""

    def __init__(self, case_id: str, current: CaseStatus, requested: CaseStatus) -> None:
        self.case_id = case_id
        self.current = current
        self.requested = requested
        allowed = ", ".join(s.label for s in TRANSITIONS[current]) or "none"
        super().__init__(
            f"Case {case_id} is {current.label}; it cannot move to {requested.label} "
            f"(allowed: {allowed})."
        )


def allowed_next(status: CaseStatus) -> tuple[CaseStatus, ...]:
    """Statuses a case in `status` may move to."""
    return TRANSITIONS[status]


def manual_next(status: CaseStatus) -> tuple[CaseStatus, ...]:
    """Statuses an officer may pick for a case in `status`; the others come from evidence."""
    return tuple(s for s in TRANSITIONS[status] if s not in RECORDED_ONLY)
