"""The pre-filled e-mail for a report: subject and summary from templates/, a mailto: link, an .eml.

User text reaches the templates only as single lines of printable characters, so no header can be
injected and the summary keeps its layout; the attached E2B(R3) XML remains the complete report.
The .eml also carries the reporter's files (C.1.6.1.r.2) as attachments of their own, and both
copy the reporter when they consented to be contacted and asked for a copy.
"""

from __future__ import annotations

import email.policy
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from e2b.codelists import TestResultCode
from e2b.model import Null, NullFlavor, value_of
from pv import lemtrada
from pv.attachments import Upload, attached_files, safe_file_name
from pv.catalogue import load_catalogue
from pv.config import APP_NAME, Settings, load_settings
from pv.model import EMAIL_PATTERN, Dosage, PrimarySource, Reaction, Report, Seriousness, TestResult

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SUBJECT_TEMPLATE = "email_subject.txt.j2"
BODY_TEMPLATE = "email_body.txt.j2"

PRODUCT = f"{lemtrada.PRODUCT} ({lemtrada.SUBSTANCE})"
# The summary is read by a person; everything else is in the XML.
MAX_BODY_CHARS = 1800
# Outlook opened from Chrome, Firefox or Edge drops mailto: links longer than about 2,046
# characters, Gmail's handler fails earlier still; the link's body is shortened to stay below.
MAILTO_MAX_LENGTH = 2000
NARRATIVE_EXCERPT_CHARS = 300
MAX_REACTIONS = 4
MAX_TESTS = 4
TEXT_CHARS = 100  # one user text (a name, a test result) in the summary
REPORTED_CHARS = 60  # the reporter's words for a reaction, beside its MedDRA term
SUBJECT_TERM_CHARS = 80
SHORTENED = "[Summary shortened: the complete report is in the E2B(R3) XML file.]"
# A draft's Message-ID needs a domain; asking the machine for its name can hang on DNS.
MESSAGE_ID_DOMAIN = f"{APP_NAME}.invalid"

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")
# RFC 2045 token: a media type's halves.
_MEDIA_TOKEN = re.compile(r"[A-Za-z0-9!#$&^_.+-]{1,64}")


@dataclass(frozen=True)
class DraftEmail:
    """The message to SFDA (To) and the MAH (Cc, with the reporter if they asked for a copy); the
    UI shows it, links it and offers the .eml, which also carries the reporter's files."""

    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    body: str  # plain text, "\n" line ends
    attachments: tuple[Upload, ...] = ()  # besides the XML; a mailto: link cannot carry files

    def mailto(self, max_length: int = MAILTO_MAX_LENGTH) -> str:
        """The RFC 6068 mailto: URL; the body is shortened, with a note, to fit max_length."""
        url = "mailto:" + ",".join(_uri(one_line(a)) for a in self.to if one_line(a))
        fields = [("cc", ",".join(_uri(one_line(a)) for a in self.cc if one_line(a)))]
        fields.append(("subject", _uri(one_line(self.subject))))
        url += "?" + "".join(f"{name}={value}&" for name, value in fields if value) + "body="
        body = _fit(_plain_text(self.body), max_length - len(url), _uri_length)
        # RFC 6068: line breaks in a body are CRLF, percent-encoded as %0D%0A.
        return url + _uri(body.replace("\n", "\r\n"))


def draft_email(report: Report, settings: Settings | None = None) -> DraftEmail:
    """Recipients from the settings, subject and summary from the report."""
    settings = settings if settings is not None else load_settings()
    summary = _summarise(report)
    subject = one_line(_render(SUBJECT_TEMPLATE, summary))
    return DraftEmail(
        to=_addresses(settings.sfda_recipient),
        cc=_addresses(settings.mah_recipient) + reporter_copy(report),
        subject=subject,
        body=_body(summary),
        attachments=tuple(attached_files(report)),
    )


def reporter_copy(report: Report) -> tuple[str, ...]:
    """The reporter's address (C.2.r.2.8) when they consented to be contacted and asked for a
    copy; only a plain address the model accepts (no spaces, so no line break either)."""
    address = report.primary_source.email
    if not (report.reporter_consents_to_contact and report.copy_to_reporter and address):
        return ()
    return (address,) if _is_plain_address(address) else ()


def build_eml(
    draft: DraftEmail,
    xml: bytes,
    filename: str,
    *,
    sender: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """An unsent message with the XML and the reporter's files attached, which mail programs
    open as a draft. Non-ASCII file names (e.g. Arabic) are sent as RFC 2231 parameters.

    From is set only for a plain ASCII address (e.g. the reporter's); without it the mail
    program sends from the user's own account. Every header value is made one line here too,
    so a DraftEmail built elsewhere cannot inject headers either.
    """
    message = EmailMessage(policy=email.policy.SMTP)
    if sender is not None and _is_plain_address(sender):
        message["From"] = sender
    to = [one_line(a) for a in draft.to if one_line(a)]
    cc = [one_line(a) for a in draft.cc if one_line(a)]
    if to:
        message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    subject = one_line(draft.subject)
    if subject.isascii():
        message["Subject"] = subject
    else:
        # CPython's folder (before gh-144156) drops spaces between encoded words it puts side by
        # side; the older Header encoder keeps every space inside the words and folds correctly.
        message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = make_msgid(domain=MESSAGE_ID_DOMAIN)
    message["X-Unsent"] = "1"  # Outlook opens the file as a draft ready to send
    message.set_content(_plain_text(draft.body))
    message.add_attachment(
        xml, maintype="application", subtype="xml", filename=_safe_filename(filename)
    )
    for upload in draft.attachments:
        maintype, _, subtype = upload.media_type.partition("/")
        if not (_MEDIA_TOKEN.fullmatch(maintype) and _MEDIA_TOKEN.fullmatch(subtype)):
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            upload.data, maintype=maintype, subtype=subtype, filename=safe_file_name(upload.name)
        )
    return message.as_bytes()


def xml_filename(report: Report) -> str:
    """The attachment's name, `<case id>.xml`, limited to characters every system accepts."""
    return _safe_filename(f"{report.case.sender_report_id}.xml")


# ---------------------------------------------------------------- cleaning user text


def one_line(text: str) -> str:
    """Text as one line: control characters and line or paragraph breaks become single spaces."""
    return " ".join(_printable(text, keep_newlines=False).split())


def _printable(text: str, *, keep_newlines: bool) -> str:
    """Controls become spaces (line feeds kept if asked) and lone surrogates U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in text:
        kind = unicodedata.category(char)
        if char == "\n" and keep_newlines:
            out.append(char)
        elif kind in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif kind == "Cs":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def _plain_text(text: str) -> str:
    """A body as lines without control characters or trailing blanks."""
    return "\n".join(line.rstrip() for line in _printable(text, keep_newlines=True).split("\n"))


def _clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word with "…" when longer."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _fit(text: str, budget: int, cost: Callable[[str], int]) -> str:
    """Text whose cost is within budget: cut at a word, marked "…" and followed by SHORTENED."""
    if sum(map(cost, text)) <= budget:
        return text
    tail = "…\n\n" + SHORTENED
    room = budget - sum(map(cost, tail))
    if room <= 0:
        return SHORTENED if sum(map(cost, SHORTENED)) <= budget else ""
    used = 0
    end = len(text)
    for index, char in enumerate(text):
        used += cost(char)
        if used > room:
            end = index
            break
    cut = text[:end]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip() + tail


def _uri(value: str) -> str:
    """Percent-encode for a mailto: URL; "+" too, which some clients read as a space."""
    return quote(value, safe="@")


def _uri_length(char: str) -> int:
    return 6 if char == "\n" else len(_uri(char))


def _is_plain_address(address: str) -> bool:
    return address.isascii() and re.fullmatch(EMAIL_PATTERN, address) is not None


def _addresses(configured: str) -> tuple[str, ...]:
    """The addresses in a setting; a comma-separated list gives several recipients."""
    return tuple(addr for _, addr in getaddresses([one_line(configured)]) if addr)


def _safe_filename(name: str) -> str:
    name = _UNSAFE_FILENAME.sub("_", one_line(name)).strip("._")
    return name[:150] or "report.xml"


# ---------------------------------------------------------------- the plain context


@dataclass(frozen=True)
class _Reporter:
    name: str
    details: str | None  # qualification, organisation, place
    contact: str | None  # phone and e-mail


@dataclass(frozen=True)
class _ReactionLine:
    number: int
    term: str
    code: str
    reported: str | None  # the reporter's words when they differ from the term
    seriousness: str
    outcome: str
    start: str | None
    end: str | None


@dataclass(frozen=True)
class _Summary:
    """What the templates show, already worded and cleaned: the templates only lay it out."""

    product: str
    case_id: str
    worldwide_id: str | None
    amendment_kind: str | None  # "NULLIFICATION" or "AMENDMENT" for the subject
    amendment: str | None
    report_type: str
    first_received: str
    most_recent: str
    seriousness: str
    main_term: str
    other_reactions: int
    xml_filename: str
    reporter: _Reporter
    patient: str
    parent: bool
    death: str | None
    meddra_version: str
    reactions: tuple[_ReactionLine, ...]
    reactions_not_shown: int
    treatment: tuple[str, ...]
    tests: tuple[str, ...]
    tests_not_shown: int
    narrative: str | None


def _summarise(report: Report) -> _Summary:
    case = report.case
    main = next((r for r in report.reactions if r.seriousness.serious), report.reactions[0])
    amendment = None
    if case.nullification is not None:
        amendment = f"{case.nullification.label} of an earlier report"
        if case.nullification_reason:
            amendment += f": {_clip(case.nullification_reason, 2 * TEXT_CHARS)}"
    shown_tests = _key_tests(report.tests)
    return _Summary(
        product=PRODUCT,
        case_id=one_line(case.sender_report_id),
        worldwide_id=(
            one_line(case.worldwide_case_id)
            if case.worldwide_case_id != case.sender_report_id
            else None
        ),
        amendment_kind=case.nullification.label.upper() if case.nullification else None,
        amendment=amendment,
        report_type=case.report_type.label.lower(),
        first_received=case.first_received,
        most_recent=case.most_recent,
        seriousness=_seriousness([r.seriousness for r in report.reactions]).replace(
            "serious:", "SERIOUS:"
        ),
        main_term=_clip(_term_name(main), SUBJECT_TERM_CHARS),
        other_reactions=len(report.reactions) - 1,
        xml_filename=xml_filename(report),
        reporter=_reporter(report.primary_source),
        patient=_patient(report),
        parent=report.patient.parent is not None,
        death=_death(report),
        meddra_version=report.reactions[0].term.version,
        reactions=tuple(
            _reaction_line(i, r) for i, r in enumerate(report.reactions[:MAX_REACTIONS], 1)
        ),
        reactions_not_shown=max(0, len(report.reactions) - MAX_REACTIONS),
        treatment=tuple(_treatment(report)),
        tests=tuple(_test_line(t) for t in shown_tests),
        tests_not_shown=len(report.tests) - len(shown_tests),
        narrative=_clip(report.narrative.narrative, NARRATIVE_EXCERPT_CHARS),
    )


def _seriousness(assessments: list[Seriousness]) -> str:
    """ "serious: hospitalisation, other medically important" or "non-serious" (E.i.3.2a-f)."""
    # The field names are the criteria's short names, in the ICH order.
    met = [
        name.replace("_", " ")
        for name in Seriousness.model_fields
        if any(getattr(s, name) for s in assessments)
    ]
    return "serious: " + ", ".join(met) if met else "non-serious"


def _meddra_name(code: str) -> str | None:
    term = load_catalogue().term_by_code(code)
    return term.term if term is not None else None


def _term_name(reaction: Reaction) -> str:
    """The MedDRA name where the guide's table knows it, else the reporter's words."""
    return (
        _meddra_name(reaction.term.code)
        or reaction.translation
        or reaction.verbatim
        or f"MedDRA LLT {reaction.term.code}"
    )


def _reaction_line(number: int, reaction: Reaction) -> _ReactionLine:
    term = _clip(_term_name(reaction), TEXT_CHARS)
    words = [one_line(w) for w in (reaction.verbatim, reaction.translation) if w]
    reported = None
    if words and words[0].casefold() != term.casefold():
        reported = _clip(" / ".join(words), REPORTED_CHARS)
    return _ReactionLine(
        number=number,
        term=term,
        code=reaction.term.code,
        reported=reported,
        seriousness=_seriousness([reaction.seriousness]),
        outcome=reaction.outcome.label.lower(),
        start=_date(reaction.start),
        end=_date(reaction.end),
    )


def _reporter(source: PrimarySource) -> _Reporter:
    qualification = source.qualification.label if source.qualification else None
    organisation = _said(source.organisation)
    department = _said(source.department)
    if organisation and department:
        organisation += f" ({department})"
    details = [qualification, organisation, _said(source.city), _said(source.country)]
    contact = [source.phone, source.email]
    return _Reporter(
        name=_clip(source.display_name, TEXT_CHARS) or "name not given",
        details=_clip(", ".join(p for p in details if p), 2 * TEXT_CHARS) or None,
        contact=", ".join(p for p in contact if p) or None,
    )


def _number(value: Decimal) -> str:
    """Plain notation without trailing zeros: 150, 12.1, 0.01."""
    return format(value.normalize(), "f")


def _patient(report: Report) -> str:
    patient = report.patient
    if isinstance(patient.initials, Null):  # MSK: "initials withheld"
        parts = [f"initials {NULL_WORDS[patient.initials.null_flavor]}"]
    else:
        parts = [_clip(patient.initials, 20) if patient.initials else "initials not given"]
    if isinstance(patient.sex, Null):
        parts.append(f"sex {NULL_WORDS[patient.sex.null_flavor]}")
    elif patient.sex is not None:
        parts.append(patient.sex.label.lower())
    if patient.age is not None:
        parts.append(f"{_number(patient.age.value)} {patient.age.unit.label.lower()}")
    elif patient.age_group is not None:
        parts.append(patient.age_group.label.lower())
    return ", ".join(parts)


def _death(report: Report) -> str | None:
    death = report.patient.death
    if death is None:
        return None
    causes = [
        c.text or (_meddra_name(c.term.code) if c.term else None)
        for c in [*death.reported_causes, *death.autopsy_causes]
    ]
    text = _date(death.date) or "date not given"
    named = [c for c in causes if c]
    if named:
        text += "; cause: " + _clip("; ".join(dict.fromkeys(named)), 2 * TEXT_CHARS)
    return text


def _date(value: str | Null | None) -> str | None:
    """A date as the e-mail shows it; a nullFlavor is said in words (e.g. "asked but unknown")."""
    if isinstance(value, Null):
        return NULL_WORDS[value.null_flavor]
    return value


def _said(value: str | Null | None) -> str | None:
    """A reporter's detail as the e-mail shows it; a nullFlavor is said in words."""
    return _date(value)


NULL_WORDS = {
    NullFlavor.NI: "no information",
    NullFlavor.UNK: "unknown",
    NullFlavor.ASKU: "asked but unknown",
    NullFlavor.NASK: "not asked",
    NullFlavor.MSK: "withheld",
    NullFlavor.NA: "not applicable",
    NullFlavor.NINF: "below the measurable range",
    NullFlavor.PINF: "above the measurable range",
}


def _period(dosage: Dosage) -> str:
    start, end = _date(dosage.start), _date(dosage.end)
    if start and end and start != end:
        return f"{start} to {end}"
    return start or end or "dates not given"


def _treatment(report: Report) -> Iterable[str]:
    """One line per suspect drug: courses (or dosages) with dates, last infusion, action taken."""
    for drug in report.suspect_drugs:
        periods = [
            f"course {d.course} {_period(d)}" if d.course is not None else _period(d)
            for d in drug.dosages
        ]
        line = f"{_clip(drug.product_name, 60)}: " + (", ".join(periods) or "no dosage given")
        # ISO partial dates sort in time order as text.
        last = max((value_of(d.end) or value_of(d.start) or "" for d in drug.dosages), default="")
        if last:
            line += f"; last infusion {last}"
        if drug.action_taken is not None:
            line += f"; action taken: {drug.action_taken.label.lower()}"
        yield line


def _abnormal(test: TestResult) -> bool:
    if test.result_code is TestResultCode.POSITIVE:
        return True
    if test.result is None:
        return False
    value = test.result.value
    if isinstance(value, Null):  # NINF / PINF: outside the measurable range
        return True
    low, high = test.normal_low, test.normal_high
    return (low is not None and value < low) or (high is not None and value > high)


def _key_tests(tests: list[TestResult]) -> list[TestResult]:
    """Abnormal results first, then the rest in the reporter's order; shown by date."""
    ranked = sorted(tests, key=lambda t: not _abnormal(t))  # stable: keeps the reporter's order
    return sorted(ranked[:MAX_TESTS], key=lambda t: t.date or "9999")


def _test_line(test: TestResult) -> str:
    name = test.name or (_meddra_name(test.test.code) if test.test else None) or "Test"
    results = []
    if test.result is not None:
        number = test.result.value
        shown = NULL_WORDS[number.null_flavor] if isinstance(number, Null) else _number(number)
        value = f"{shown} {test.result.unit}"
        low, high = test.normal_low, test.normal_high
        if low is not None and high is not None:
            value += f" (normal {_number(low)}-{_number(high)})"
        elif low is not None:
            value += f" (normal ≥ {_number(low)})"
        elif high is not None:
            value += f" (normal ≤ {_number(high)})"
        results.append(value)
    if test.result_code is not None:
        results.append(test.result_code.label.lower())
    if test.result_text:
        results.append(test.result_text)
    line = f"{_clip(name, 60)}: {_clip(', '.join(results), 60) or 'no result given'}"
    return f"{test.date} {line}" if test.date else line


# ---------------------------------------------------------------- rendering


def _not_none(value: object) -> object:
    """Every {{ value }} passes here: None or a bool is a template bug, never written as text."""
    if value is None or isinstance(value, bool):
        raise TypeError(f"{value!r} cannot be written into the e-mail")
    return value


@cache
def _environment() -> Environment:
    # Plain text, not HTML: autoescaping would only garble "<" and "&" in user text.
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_not_none,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )


def _render(template: str, summary: _Summary) -> str:
    return _plain_text(_environment().get_template(template).render(s=summary)).strip("\n")


def _body(summary: _Summary) -> str:
    """The summary within MAX_BODY_CHARS: the narrative excerpt gives way first."""
    body = _render(BODY_TEMPLATE, summary)
    excess = len(body) - MAX_BODY_CHARS
    if excess > 0 and summary.narrative is not None:
        keep = len(summary.narrative) - excess
        narrative = _clip(summary.narrative, keep) if keep >= 40 else None
        body = _render(BODY_TEMPLATE, replace(summary, narrative=narrative))
    return _fit(body, MAX_BODY_CHARS, len)


__all__ = ["DraftEmail", "build_eml", "draft_email", "one_line", "reporter_copy", "xml_filename"]
