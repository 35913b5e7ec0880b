"""A reporter's follow-up through the private link of their receipt: what is new, in their words,
the outcome of each reaction as it stands now, and any new documents.

The case's current report with these additions becomes its next version by the same path as a
partner's follow-up file (`pv.importing`): the guide categories are kept, C.1.5 is today, the case
goes back to review and its clock restarts; the XML is kept byte for byte and audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from e2b.codelists import Nullification, Outcome
from e2b.findings import Finding
from pv.attachments import Upload, held_documents
from pv.catalogue import Catalogue
from pv.config import Settings
from pv.importing import ImportLine, import_file
from pv.language import ARABIC, is_arabic
from pv.store import Store
from pv.submission import SubmissionRefused, next_version

TEXT_LIMIT = 20000  # what one follow-up adds to H.1 (100,000 in all)
USER = "hcp"  # the audit trail's name for a reporter without an account


@dataclass(frozen=True)
class ReactionNow:
    """One reaction of the reporter's own report, as the follow-up form shows it."""

    index: int  # position in E.i (0-based)
    term: str  # MedDRA term as reported
    verbatim: str | None
    outcome: Outcome


@dataclass(frozen=True)
class NewInformation:
    """What the reporter adds: `text` is required; outcomes (E.i.7) and end dates (E.i.5) by
    reaction position."""

    text: str
    outcomes: Mapping[int, Outcome] = field(default_factory=dict)
    ended: Mapping[int, date] = field(default_factory=dict)  # E.i.5 by reaction position
    documents: Sequence[Upload] = ()


class CaseClosedToFollowUp(ValueError):
    """The case was nullified: a follow-up to a withdrawn report is not taken."""


def reactions_now(store: Store, case_id: str, catalogue: Catalogue) -> list[ReactionNow]:
    """The reactions of the case's current version, for the reporter to update their outcome."""
    report = store.current_report(case_id)
    reactions = []
    for i, r in enumerate(report.reactions):
        found = catalogue.term_by_code(r.term.code)
        reactions.append(
            ReactionNow(i, found.term if found else r.term.code, r.verbatim, r.outcome)
        )
    return reactions


def add_from_reporter(
    store: Store,
    case_id: str,
    new: NewInformation,
    *,
    settings: Settings,
    now: datetime | None = None,
) -> ImportLine:
    """Store the reporter's new information as the next version of `case_id`.

    Raises SubmissionRefused (the finding names the field) when the text is missing or too long
    or the result breaks an ICH rule; CaseClosedToFollowUp for a nullified case.
    """
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    text = new.text.strip()
    if not text or len(text) > TEXT_LIMIT:
        raise SubmissionRefused(
            [
                Finding(
                    "error",
                    "H.1",
                    "follow_up.text",
                    f"say what is new (at most {TEXT_LIMIT:,} characters)",
                )
            ]
        )
    current = store.current_report(case_id)
    if current.case.nullification is Nullification.NULLIFICATION:
        raise CaseClosedToFollowUp(f"Case {case_id} was withdrawn (nullified).")
    data = current.model_dump(mode="json")
    data["case"].update(created_at=now.isoformat(), most_recent=now.date().isoformat())
    data["case"].pop("nullification", None)
    data["case"].pop("nullification_reason", None)
    paragraph = f"Follow-up from the reporter on {now:%Y-%m-%d}: {text}"
    narrative = data["narrative"]
    narrative["narrative"] = f"{narrative['narrative']}\n\n{paragraph}"
    if is_arabic(text):
        narrative.setdefault("summaries", []).append({"text": paragraph, "language": ARABIC})
    for index, outcome in new.outcomes.items():
        if 0 <= index < len(data["reactions"]):
            data["reactions"][index]["outcome"] = outcome.value
    for index, day in new.ended.items():
        if 0 <= index < len(data["reactions"]):
            data["reactions"][index]["end"] = day.isoformat()
    if new.documents:
        data["case"]["additional_documents"] = True
        data["case"].setdefault("documents", []).extend(
            d.model_dump(mode="json") for d in held_documents(new.documents)
        )
    xml = next_version(store, case_id, data, settings=settings, now=now).xml
    name = f"reporter follow-up {now:%Y-%m-%d %H:%M}"
    [line] = import_file(store, xml, name=name, user=USER, now=now)
    if line.outcome == "refused":
        raise SubmissionRefused([Finding("error", "C.1.1", "case", line.reason)])
    return line
