"""From a form's answers to a checked submission: the case header added, the model validated
(ICH rules and the form's data-entry rules), the E2B(R3) XML written and checked against the XSD
before anything is saved. The XML rule layer is for received files; tests prove our own output
passes it (tests/e2b/test_writer.py).
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from e2b.fidelity import not_kept
from e2b.findings import Finding, has_errors
from e2b.reader import read_tree
from e2b.validate import validate_bytes
from e2b.validation import validate
from e2b.writer import BatchHeader, prepare, to_checked_xml
from e2b.xmlsafe import parse_bytes
from pv.config import Settings
from pv.lemtrada import case_identification, draft_report_id, sender
from pv.model import Report
from pv.store import Store, Submission
from pv.validation import ValidationResult, validate_report


class SubmissionRefused(ValueError):
    """The report or its XML has errors; `findings` says which."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__(f"the report has {sum(f.severity == 'error' for f in findings)} errors")


def warm_up() -> None:
    """Ready the E2B engine at server start (template and XSD compiled), so the first report a
    server takes is submitted as fast as the next ones."""
    prepare()


def _serious(answers: dict[str, Any]) -> bool:
    return any(
        any(bool(v) for v in (reaction or {}).get("seriousness", {}).values())
        for reaction in answers.get("reactions", [])
    )


def complete(
    answers: dict[str, Any], *, report_id: str, settings: Settings, now: datetime
) -> dict[str, Any]:
    """The answers with the parts the reporter does not type: C.1 case header and C.3 sender.

    Of C.1 the answers bring only the attached files (C.1.6.1 and C.1.6.1.r, from
    `pv.attachments.with_documents`)."""
    data = copy.deepcopy(answers)
    given = data.get("case") or {}
    data["case"] = case_identification(report_id, now, _serious(answers))
    for name in ("additional_documents", "documents"):
        if name in given:
            data["case"][name] = given[name]
    source = (data.get("primary_sources") or [{}])[0] or {}
    data["sender"] = sender(settings, source.get("organisation") or _name(source))
    return data


def _name(source: dict[str, Any]) -> str | None:
    parts = [source.get(k) for k in ("title", "given_name", "middle_name", "family_name")]
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())[:100] or None


def sender_findings(settings: Settings, data: dict[str, Any]) -> list[Finding]:
    """C.3.2 while PV_SENDER_ORGANISATION is unset: the reporter stands in as the sender, and the
    stored report carries a warning for the officers; with no reporter to name, the reporter is
    asked for their institution next to its field."""
    if settings.sender_organisation:
        return []
    if not (data.get("sender") or {}).get("organisation"):
        return [
            Finding(
                "error",
                "C.3.2",
                "primary_sources[0].organisation",
                "Your institution is needed: it is sent as the sender of this report.",
            )
        ]
    return [
        Finding(
            "warning",
            "C.3.2",
            "sender.organisation",
            "The sending organisation is not configured (PV_SENDER_ORGANISATION): the "
            "reporter was sent as the sender.",
        )
    ]


def _with_sender(
    result: ValidationResult[Report], extra: list[Finding]
) -> ValidationResult[Report]:
    """The model's own C.3.2 error names a field nobody types; ours names the reporter's."""
    if not any(f.severity == "error" for f in extra):
        return result
    kept = [f for f in result.findings if not (f.element == "C.3.2" and f.severity == "error")]
    return ValidationResult(result.report, kept + extra)


def check(
    answers: dict[str, Any], *, settings: Settings, now: datetime
) -> ValidationResult[Report]:
    """Validate the answers as they would be submitted now (with a placeholder case ID)."""
    data = complete(answers, report_id=draft_report_id(settings), settings=settings, now=now)
    errors = [f for f in sender_findings(settings, data) if f.severity == "error"]
    return _with_sender(validate_report(data, today=now.date()), errors)


def build(
    answers: dict[str, Any],
    case_id: str,
    *,
    settings: Settings,
    now: datetime,
    first_received: str | None = None,
    batch_id: str | None = None,
) -> Submission:
    """The report under its case ID, its XML and every finding; refused if anything is an error.

    The log store calls this inside its save transaction, so a refused report stores nothing.
    A follow-up of a case gives the case's C.1.4 (`first_received`) and its own batch ID; its
    C.1.5 is `now`, as for every report the form makes.
    """
    data = complete(answers, report_id=case_id, settings=settings, now=now)
    if first_received is not None:
        data["case"]["first_received"] = first_received
    configuration = sender_findings(settings, data)
    result = _with_sender(validate_report(data, today=now.date()), configuration)
    if result.report is None or not result.ok:
        raise SubmissionRefused(result.findings)
    header = BatchHeader(
        batch_id=batch_id or case_id,
        sender_id=settings.sender_id,
        receiver_id=settings.receiver_id,
        created_at=now,
    )
    # Our own XML from a validated model: the XSD in the parse that builds it; the ICH rules are
    # not run again at run time, as tests prove such XML passes them (e2b.writer.to_checked_xml).
    xml, xsd_findings = to_checked_xml([result.report.for_sending()], header)
    warnings = [f for f in configuration if f.severity == "warning"]
    findings = result.findings + xsd_findings + warnings
    if has_errors(findings):
        raise SubmissionRefused(findings)
    return Submission(report=result.report, xml=xml, findings=findings)


def follow_up(xml: bytes, case_id: str, *, today: date) -> Submission:
    """A follow-up for `case_id` received as an E2B(R3) file (from the reporter or another
    system), kept exactly as received; refused unless it is one valid ICSR about this case.

    Raises `e2b.xmlsafe.UnusableXMLError` for files that are not usable XML at all.
    """
    findings = validate_bytes(xml, today)
    root = parse_bytes(xml).getroot()
    batch = read_tree(root)
    if len(batch.reports) != 1:
        findings.append(
            Finding("error", "N.1", "/", f"the file holds {len(batch.reports)} reports; send one")
        )
        raise SubmissionRefused(findings)
    # validate_bytes has read the message too: its findings include what the reader and the
    # model layer say of it (read.findings would repeat them, as received). The file is kept as
    # received (its bytes are stored); the warnings say what the model view leaves out.
    findings.extend(not_kept(root, batch)[0])
    report = batch.reports[0].report
    if report is not None and case_id not in (
        report.case.sender_report_id,
        report.case.worldwide_case_id,
    ):
        findings.append(
            Finding(
                "error",
                "C.1.8.1",
                "case.worldwide_case_id",
                f"the file is about case {report.case.worldwide_case_id}, not {case_id}",
            )
        )
    if report is None or has_errors(findings):
        raise SubmissionRefused(findings)
    return Submission(report=Report.from_icsr(report), xml=xml, findings=findings)


def next_version(
    store: Store, case_id: str, data: dict[str, Any], *, settings: Settings, now: datetime
) -> Submission:
    """`data` (the case's current report with what changed) as its next version: held to the ICH
    rules only (a received case is not held to the form's data-entry rules), written with the
    batch ID `<case>-V<n>` and checked against the XSD; refused on any error."""
    result = validate(data, Report, now.date())
    if result.report is None or not result.ok:
        raise SubmissionRefused(result.findings)
    header = BatchHeader(
        batch_id=f"{case_id}-V{store.next_version_number(case_id)}",
        sender_id=settings.sender_id,
        receiver_id=settings.receiver_id,
        created_at=now,
    )
    xml, xsd = to_checked_xml([result.report.for_sending()], header)
    findings = result.findings + xsd
    if has_errors(findings):
        raise SubmissionRefused(findings)
    return Submission(result.report, xml, findings)
