"""An officer's follow-up in the report form (issue 12, item 4): started from the case page, it
opens the same form pre-filled with the answers of the case's latest version, and its submit
becomes that case's next version.

`start_follow_up` makes a draft (`pv.drafts`) from the answers the current version kept
(`case_versions.form_answers`, written by `Store.submit` and by `submit_follow_up`), with the
documents that version carries restored from its XML (C.1.6.1.r), marked as a follow-up of the
case. `submit_follow_up` builds the report under the case's own C.1.1 (C.1.4 kept, C.1.5 = now)
and stores it by the path every follow-up takes (`pv.importing`): guide categories kept, case
reopened, clock restarted, the XML kept byte for byte and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from e2b.codelists import Nullification
from e2b.findings import Finding
from pv import drafts
from pv.attachments import attached_files
from pv.config import Settings
from pv.follow_ups import CaseClosedToFollowUp
from pv.importing import ImportLine, import_file
from pv.model import Report
from pv.store import Store, Submission
from pv.submission import SubmissionRefused, build
from pv.tables import Case, CaseVersion

ACTION = "follow_up_started"  # the audit trail's action for a follow-up started by an officer
USER = "hcp"  # who submits the form: whoever holds the draft's link, as for every form report


class NotFromTheForm(ValueError):
    """The case's current version was not made by the report form (a partner's file, the
    reporter's short follow-up, a nullification or amendment): its follow-ups come as files."""


class FollowUpOutdated(ValueError):
    """The case has a newer version than the one the follow-up was started from: submitting it
    would drop what that version brought."""


@dataclass(frozen=True)
class FollowUpAdded:
    """A follow-up submitted from the form: the stored version and what was built."""

    line: ImportLine
    submission: Submission


def start_follow_up(store: Store, case_id: str, *, user: str, now: datetime | None = None) -> str:
    """A draft pre-filled with the answers of `case_id`'s current version, marked as its
    follow-up; returns the draft's token (`/report?draft=TOKEN` opens it). Audited.

    Raises pv.store.CaseNotFound for an unknown case, CaseClosedToFollowUp for a nullified
    case, NotFromTheForm when the current version did not come from the form (or its documents
    cannot be restored from its XML, which would lose them).
    """
    current, answers_text, version = _current(store, case_id)
    if current.case.nullification is Nullification.NULLIFICATION:
        raise CaseClosedToFollowUp(f"Case {case_id} was withdrawn (nullified).")
    if answers_text is None:
        raise NotFromTheForm(
            f"Version {version} of case {case_id} did not come from the report form; "
            "add its follow-up as a file."
        )
    answers, named = drafts.stored_answers(answers_text)
    carried = {drafts.file_key(upload.data): upload.data for upload in attached_files(current)}
    missing = [key for key in named if key not in carried]
    if missing:
        raise NotFromTheForm(
            f"Version {version} of case {case_id} does not carry {len(missing)} of the documents "
            "its answers name; add its follow-up as a file."
        )
    files = {key: carried[key] for key in named}
    token = drafts.save(
        store, answers, files=files, now=now, follow_up_of=case_id, follow_up_version=version
    )
    store.record(
        ACTION,
        user=user,
        case_id=case_id,
        detail={"version": version, "documents": len(files)},
        now=now,
    )
    return token


def submit_follow_up(
    store: Store,
    case_id: str,
    form_data: dict[str, Any],
    *,
    settings: Settings,
    form_answers: str | None = None,
    started_from: int | None = None,
    user: str = USER,
    now: datetime | None = None,
) -> FollowUpAdded:
    """Store the form's report (`form_data`, as for `pv.submission.build`) as the next version
    of `case_id`, keeping `form_answers` (pv.drafts' encoding) with it.

    Raises SubmissionRefused (its findings name the fields) when the report is refused,
    CaseClosedToFollowUp when the case was nullified since the follow-up was started,
    FollowUpOutdated when the case's current version is no longer `started_from` (the version
    the draft was filled from), so nothing a newer version brought is dropped.
    """
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    current, _, version = _current(store, case_id)
    if current.case.nullification is Nullification.NULLIFICATION:
        raise CaseClosedToFollowUp(f"Case {case_id} was withdrawn (nullified).")
    if started_from is not None and version != started_from:
        raise FollowUpOutdated(
            f"Case {case_id} has version {version} since this follow-up was started from "
            f"version {started_from}; start a new follow-up from the case page."
        )
    submission = build(
        form_data,
        case_id,
        settings=settings,
        now=now,
        first_received=current.case.first_received,
        batch_id=f"{case_id}-V{store.next_version_number(case_id)}",
    )
    name = f"officer follow-up {now:%Y-%m-%d %H:%M}"
    [line] = import_file(
        store, submission.xml, name=name, user=user, now=now, form_answers=form_answers
    )
    if line.outcome not in ("follow-up",) or line.case_id != case_id:
        reason = line.reason or f"{line.outcome} (from version {version})"
        raise SubmissionRefused([Finding("error", "C.1.1", "case", reason)])
    return FollowUpAdded(line, submission)


def _current(store: Store, case_id: str) -> tuple[Report, str | None, int]:
    """The case's current report, the form answers its version kept (None when it did not come
    from the form), and its version number."""
    report = store.current_report(case_id)  # CaseNotFound for an unknown case
    with store.read_session() as session:
        row = session.execute(
            select(CaseVersion.form_answers, CaseVersion.version)
            .join(Case, Case.id == CaseVersion.case_pk)
            .where(Case.case_id == case_id, CaseVersion.version == Case.current_version)
        ).one()
    return report, row.form_answers, int(row.version)
