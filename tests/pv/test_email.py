"""The pre-filled e-mail: subject, summary, mailto: link and .eml, and hostile text in all of them."""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from e2b.writer import BatchHeader, to_xml
from pv.config import Settings
from pv.email import (
    MAILTO_MAX_LENGTH,
    MAX_BODY_CHARS,
    SHORTENED,
    DraftEmail,
    build_eml,
    draft_email,
    one_line,
    xml_filename,
)
from pv.model import Report
from tests.cases import TODAY, case_names, load_case

SETTINGS = Settings(
    database_url="sqlite://",
    sfda_recipient="npc.drug@sfd.gov.sa",
    mah_recipient="Ksa_pharmacovigilance@sanofi.com",
)
DASH = "\N{EN DASH}"  # the subject separates its parts with en dashes
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
HEADER = BatchHeader("BATCH-EMAIL", "LEMTRADAPV", "SFDA-NPC", NOW)
# The headers of every .eml we write; From only when a plain sender address is given.
EML_HEADERS = [
    "Cc",
    "Content-Type",
    "Date",
    "MIME-Version",
    "Message-ID",
    "Subject",
    "To",
    "X-Unsent",
]

HOSTILE = {
    "crlf": "Huda\r\nBcc: evil@example.com\r\n\r\nInjected body\nBcc: evil2@example.com",
    "url": "x&bcc=evil@example.com?cc=evil2@example.com#%0D%0ABcc:+evil3@example.com",
    "script": "<script>alert('x')</script> & \"quotes\"",
    "long": "A" * 10_000,
    "rtl": "\u202eمريض عربي\u202c \u2013 نزيف الأنف",
    "emoji": "👩\u200d⚕️ 🧪 😀 Nosebleed",
    "controls": "a\x85b\u2028c\u2029d\x7fe\x9bf\tg",
}


def report(name: str = "itp_course2", data: dict[str, Any] | None = None) -> Report:
    return Report.model_validate(data or load_case(name), context={"today": TODAY})


def mailto_parts(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    assert parts.scheme == "mailto"
    return unquote(parts.path), parse_qs(parts.query, keep_blank_values=True)


def parse_eml(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def hostile_case(text: str) -> dict[str, Any]:
    """The ITP case with `text` (cut to each field's maximum) in every free text that the e-mail shows."""
    data = load_case("itp_course2")
    case_id = "SA-LEMTRADAPV-<script>\x9b😀"
    data["case"].update(
        sender_report_id=case_id,
        worldwide_case_id=case_id,
        nullification="2",
        nullification_reason=text[:2000],
    )
    data["primary_sources"][0].update(
        title=text[:50],
        given_name=text[:60],
        family_name=text[:60],
        organisation=text[:60],
        department=text[:60],
        city=text[:35],
    )
    data["patient"]["initials"] = text[:60]
    # A code the guide's table does not know, so the reporter's words name the reaction in the subject.
    data["reactions"][0].update(
        verbatim=text[:250], translation=text[:250], term={"version": "27.1", "code": "10099999"}
    )
    data["reactions"][1]["verbatim"] = text[:250]
    for test in data["tests"]:
        test.update(name=text[:250], result_text=text[:2000])
    data["drugs"][0]["product_name"] = text[:250]
    data["narrative"].update(narrative=text, reporter_comments=text)
    return data


# ---------------------------------------------------------------- subject, recipients, body


def test_subject_names_case_product_seriousness_and_term() -> None:
    draft = draft_email(report("itp_course2"), SETTINGS)
    assert draft.subject == (
        f"LEMTRADA (alemtuzumab) ICSR SA-LEMTRADAPV-000101 {DASH} "
        f"SERIOUS: hospitalisation, other medically important {DASH} Immune thrombocytopenia (+2 more)"
    )
    assert draft_email(report("pregnancy_exposure"), SETTINGS).subject == (
        f"LEMTRADA (alemtuzumab) ICSR SA-LEMTRADAPV-000105 {DASH} non-serious {DASH} Maternal exposure during pregnancy"
    )


def test_subject_marks_an_amendment() -> None:
    data = load_case("thyroid_graves")
    data["case"].update(nullification="2", nullification_reason="Follow-up: TSH results added")
    draft = draft_email(report(data=data), SETTINGS)
    assert draft.subject.startswith(
        f"AMENDMENT: LEMTRADA (alemtuzumab) ICSR SA-LEMTRADAPV-000103 {DASH} non-serious"
    )
    assert "Amendment of an earlier report: Follow-up: TSH results added" in draft.body


def test_recipients_come_from_settings() -> None:
    other = Settings(
        database_url="sqlite://",
        sfda_recipient="pv@sfda.example",
        mah_recipient="a@mah.example, b@mah.example",
    )
    draft = draft_email(report(), other)
    assert draft.to == ("pv@sfda.example",)
    assert draft.cc == ("a@mah.example", "b@mah.example")


def test_default_recipients_are_the_guides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PV_SFDA_EMAIL", raising=False)
    monkeypatch.delenv("PV_MAH_EMAIL", raising=False)
    draft = draft_email(report())
    assert draft.to == ("npc.drug@sfd.gov.sa",)
    assert draft.cc == ("Ksa_pharmacovigilance@sanofi.com",)


def test_body_summarises_the_case() -> None:
    body = draft_email(report("itp_course2"), SETTINGS).body
    for expected in [
        "ICSR SA-LEMTRADAPV-000101",
        "SERIOUS: hospitalisation, other medically important",
        "attached E2B(R3) XML file SA-LEMTRADAPV-000101.xml",
        "Reporter: Dr Huda Al-Qahtani, Physician, Example Neuroscience Hospital (Neurology - MS clinic), Riyadh, SA",
        "Contact: +966 11 555 0101, h.alqahtani@example.org",
        "Patient: NA, female, 34 years",
        '1. Immune thrombocytopenia [10083842] ("Immune thrombocytopenia (platelets 9 x 10^3/uL)")'
        f" {DASH} serious: hospitalisation, other medically important; onset 2026-10-03; recovering / resolving",
        f'3. Epistaxis [10015090] ("Nosebleed") {DASH} non-serious; onset 2026-10-05; end 2026-10-07; recovered / resolved',
        "LEMTRADA: course 1 2024-02-04 to 2024-02-08, course 2 2025-02-09 to 2025-02-11; last infusion 2025-02-11",
        "- 2026-10-06 Platelet count: 9 10*3/uL (normal 150-400)",
        "... and 2 more in the XML.",
        "Narrative (excerpt): A 34-year-old woman",
    ]:
        assert expected in body
    assert body.rstrip().endswith("…")
    assert "\r" not in body


def test_body_of_a_fatal_case_names_the_death() -> None:
    body = draft_email(report("pml_death"), SETTINGS).body
    assert "Death: 2026-07-19; cause: Progressive multifocal leukoencephalopathy" in body
    assert "SERIOUS: death, life threatening" in body


@pytest.mark.parametrize("name", case_names())
def test_every_case_gives_a_short_body_and_a_short_link(name: str) -> None:
    draft = draft_email(report(name), SETTINGS)
    assert len(draft.body) <= MAX_BODY_CHARS
    assert len(draft.mailto()) <= MAILTO_MAX_LENGTH
    assert "SA-LEMTRADAPV-" in draft.subject and "LEMTRADA (alemtuzumab)" in draft.subject


# ---------------------------------------------------------------- the mailto: link


@pytest.mark.parametrize("name", case_names())
def test_mailto_decodes_to_the_draft(name: str) -> None:
    draft = draft_email(report(name), SETTINGS)
    url = draft.mailto()
    # Only unreserved characters, "@", and the URL's own delimiters; "+" never stands for a space.
    assert re.fullmatch(
        r"mailto:[A-Za-z0-9%@._~\-]+\?cc=[A-Za-z0-9%@._~\-]+&subject=[A-Za-z0-9%@._~\-]+&body=[A-Za-z0-9%@._~\-]*",
        url,
    )
    assert url.count("%0A") == url.count("%0D%0A") > 0  # RFC 6068: CRLF line breaks
    to, query = mailto_parts(url)
    assert to == "npc.drug@sfd.gov.sa"
    assert query.keys() == {"cc", "subject", "body"}
    assert query["cc"] == ["Ksa_pharmacovigilance@sanofi.com"]
    assert query["subject"] == [draft.subject]
    body = query["body"][0].replace("\r\n", "\n")
    if len(draft.mailto(max_length=100_000)) <= MAILTO_MAX_LENGTH:
        assert body == draft.body
    else:
        # Shortened at the end: the case, the reporter and the note on the XML stay.
        head, _, tail = body.rpartition("…\n\n")
        assert tail == SHORTENED
        assert draft.body.startswith(head)
        assert "E2B(R3) XML file" in head and "Reporter:" in head


def test_mailto_keeps_a_short_body_whole() -> None:
    draft = DraftEmail(
        to=("a@example.org", "b@example.org"),
        cc=(),
        subject="Case 1 + 2 / 3",
        body="Line one\nLine two & more",
    )
    url = draft.mailto()
    assert (
        url
        == "mailto:a@example.org,b@example.org?subject=Case%201%20%2B%202%20%2F%203&body=Line%20one%0D%0ALine%20two%20%26%20more"
    )
    to, query = mailto_parts(url)
    assert to == "a@example.org,b@example.org"
    assert query == {"subject": ["Case 1 + 2 / 3"], "body": ["Line one\r\nLine two & more"]}


def test_mailto_shortens_arabic_text_by_its_encoded_length() -> None:
    draft = DraftEmail(to=("a@example.org",), cc=(), subject="s", body="بيلة دموية " * 400)
    url = draft.mailto()
    assert len(url) <= MAILTO_MAX_LENGTH
    body = mailto_parts(url)[1]["body"][0]
    assert body.startswith("بيلة دموية") and body.endswith(SHORTENED)
    assert mailto_parts(draft.mailto(max_length=40))[1]["body"] == [""]  # no room: no body


# ---------------------------------------------------------------- the .eml


def test_eml_carries_the_draft_and_the_xml() -> None:
    case = report("itp_course2")
    draft = draft_email(case, SETTINGS)
    xml = to_xml([case], HEADER)
    raw = build_eml(draft, xml, xml_filename(case), sender="h.alqahtani@example.org", now=NOW)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = parse_eml(raw)
    assert sorted(message.keys()) == sorted([*EML_HEADERS, "From"])
    assert message["From"] == "h.alqahtani@example.org"
    assert message["To"] == "npc.drug@sfd.gov.sa"
    assert message["Cc"] == "Ksa_pharmacovigilance@sanofi.com"
    assert message["Subject"] == draft.subject
    assert message["Date"].datetime == NOW
    assert message["X-Unsent"] == "1"
    assert re.fullmatch(r"<[^<>@\s]+@lemtrada-pv\.invalid>", message["Message-ID"])
    text = message.get_body(("plain",))
    assert text is not None and text.get_content().replace("\r\n", "\n") == draft.body + "\n"
    [attachment] = message.iter_attachments()
    assert attachment.get_content_type() == "application/xml"
    assert attachment.get_filename() == "SA-LEMTRADAPV-000101.xml"
    assert attachment.get_content() == xml


def test_eml_without_a_plain_sender_has_no_from() -> None:
    draft = draft_email(report(), SETTINGS)
    for sender in (
        None,
        "not an address",
        "قسم@مثال.com",
        "a@example.org\r\nBcc: evil@example.com",
    ):
        message = parse_eml(build_eml(draft, b"<x/>", "x.xml", sender=sender, now=NOW))
        assert sorted(message.keys()) == sorted(EML_HEADERS)


def test_eml_from_a_hostile_draft_injects_nothing() -> None:
    draft = DraftEmail(
        to=("npc.drug@sfd.gov.sa\r\nBcc: evil@example.com",),
        cc=("mah@example.org\nX-Evil: 1",),
        subject="Case\r\nBcc: evil@example.com\r\n\r\nbody",
        body="line\r\nBcc: x\rmore\x00\ud800",
    )
    raw = build_eml(draft, b"<x/>", "../../etc/passwd\r\nBcc: x.xml", now=NOW)
    message = parse_eml(raw)
    assert sorted(message.keys()) == sorted(EML_HEADERS)
    assert message["Subject"] == "Case Bcc: evil@example.com body"
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "etc_passwd_Bcc__x.xml"
    text = message.get_body(("plain",))
    assert (
        text is not None
        and text.get_content().replace("\r\n", "\n") == "line\nBcc: x\nmore \ufffd\n"
    )
    _, query = mailto_parts(draft.mailto())
    assert query.keys() == {"cc", "subject", "body"}


# ---------------------------------------------------------------- hostile text from the form


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_text_reaches_no_header(kind: str) -> None:
    text = HOSTILE[kind]
    case = report(data=hostile_case(text))
    draft = draft_email(case, SETTINGS)
    flat = one_line(text)

    for value in (draft.subject, *draft.body.split("\n")):
        assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value)
        assert not value.startswith(("Bcc", "X-"))
    case_id = "SA-LEMTRADAPV-<script> 😀"
    term = flat if len(flat) <= 80 else flat[:79] + "…"
    assert draft.subject == (
        f"AMENDMENT: LEMTRADA (alemtuzumab) ICSR {case_id} {DASH} SERIOUS: hospitalisation, other medically important {DASH} {term} (+2 more)"
    )
    assert len(draft.body) <= MAX_BODY_CHARS
    assert flat[:40] in draft.body  # the text is shown, as one line

    xml = to_xml([case], HEADER)
    raw = build_eml(draft, xml, xml_filename(case), sender=text, now=NOW)
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|X-Evil)", header_block, re.MULTILINE | re.IGNORECASE)
    message = parse_eml(raw)
    assert sorted(message.keys()) == sorted(EML_HEADERS)
    assert message["To"] == "npc.drug@sfd.gov.sa"
    assert message["Cc"] == "Ksa_pharmacovigilance@sanofi.com"
    assert message["Subject"] == draft.subject
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().replace("\r\n", "\n") == draft.body + "\n"
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "SA-LEMTRADAPV-_script___.xml"
    assert attachment.get_content() == xml

    url = draft.mailto()
    assert len(url) <= MAILTO_MAX_LENGTH
    to, query = mailto_parts(url)
    assert to == "npc.drug@sfd.gov.sa"
    assert query.keys() == {"cc", "subject", "body"}
    assert query["subject"] == [draft.subject]
    assert query["cc"] == ["Ksa_pharmacovigilance@sanofi.com"]


def test_long_narrative_is_cut_to_an_excerpt() -> None:
    data = load_case("itp_course2")
    data["narrative"]["narrative"] = "word " * 20_000
    draft = draft_email(report(data=data), SETTINGS)
    excerpt = draft.body.split("Narrative (excerpt): ", 1)[1]
    assert excerpt.endswith("…") and len(excerpt) <= 301
    assert len(draft.body) <= MAX_BODY_CHARS


# ---------------------------------------------------------------- attached files and the copy


REPORTER = "h.alqahtani@example.org"  # the ITP case's reporter (C.2.r.2.8)


def with_files_and_consent(*, consent: bool, copy: bool, email: str | None = REPORTER) -> Report:
    """The ITP case submitted with three files and the reporter's answers on being contacted."""
    from pv.submission import build
    from tests.pv.test_attachments import NOW as SUBMITTED_AT
    from tests.pv.test_attachments import answers, three_files, with_documents

    data = with_documents(answers(), three_files())
    data["primary_sources"][0]["email"] = email
    data.update(reporter_consents_to_contact=consent, copy_to_reporter=copy)
    return build(data, "SA-LEMTRADAPV-000078", settings=SETTINGS, now=SUBMITTED_AT).report


def test_eml_carries_each_attached_file_with_its_type_name_and_bytes() -> None:
    from tests.pv.test_attachments import three_files

    case = with_files_and_consent(consent=False, copy=False)
    draft = draft_email(case, SETTINGS)
    xml = to_xml([case.for_sending()], HEADER)
    raw = build_eml(draft, xml, xml_filename(case), now=NOW)
    raw.decode("ascii")  # every header and part is 7-bit: names are encoded, content base64

    message = parse_eml(raw)
    parts = list(message.iter_attachments())
    files = three_files()
    assert [p.get_filename() for p in parts] == [xml_filename(case), *(f.name for f in files)]
    assert [p.get_content_type() for p in parts] == [
        "application/xml",
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    assert parts[0].get_payload(decode=True) == xml
    assert [p.get_payload(decode=True) for p in parts[1:]] == [f.data for f in files]
    # RFC 2231: the Arabic name travels as UTF-8 percent-encoded parameter parts.
    assert "صورة الطفح.jpg" in [f.name for f in files]
    assert b"filename*0*=utf-8''%D8%B5%D9%88%D8%B1%D8%A9" in raw
    assert message["Cc"] == "Ksa_pharmacovigilance@sanofi.com"


def test_a_mailto_link_names_no_files_and_a_report_without_files_attaches_only_the_xml() -> None:
    case = report("itp_course2")
    draft = draft_email(case, SETTINGS)
    assert draft.attachments == ()
    message = parse_eml(build_eml(draft, b"<x/>", "case.xml", now=NOW))
    assert [p.get_filename() for p in message.iter_attachments()] == ["case.xml"]


@pytest.mark.parametrize(
    ("consent", "copy", "copied"),
    [(True, True, True), (True, False, False), (False, False, False)],
)
def test_the_reporter_is_copied_only_with_consent_and_a_request(
    consent: bool, copy: bool, copied: bool
) -> None:
    case = with_files_and_consent(consent=consent, copy=copy)
    draft = draft_email(case, SETTINGS)
    expected = ["Ksa_pharmacovigilance@sanofi.com", *([REPORTER] if copied else [])]
    assert list(draft.cc) == expected
    message = parse_eml(build_eml(draft, b"<x/>", "case.xml", now=NOW))
    assert message["Cc"] == ", ".join(expected)
    assert message["Bcc"] is None
    _, query = mailto_parts(draft.mailto())
    assert query["cc"] == [",".join(expected)]
    # Neither flag is an E2B(R3) element: the XML is the same whatever the reporter chose.
    assert "copy_to_reporter" not in case.for_sending().model_dump()


def test_a_copy_asked_for_without_consent_copies_nobody() -> None:
    """The form refuses such a report (next test); a report from elsewhere copies nobody."""
    data = load_case("itp_course2")
    data.update(reporter_consents_to_contact=False, copy_to_reporter=True)
    draft = draft_email(report(data=data), SETTINGS)
    assert draft.cc == ("Ksa_pharmacovigilance@sanofi.com",)
    data.update(reporter_consents_to_contact=True)
    assert draft_email(report(data=data), SETTINGS).cc[-1] == REPORTER


def test_a_copy_needs_consent_and_an_address_before_the_report_is_submitted() -> None:
    from pv.submission import SubmissionRefused

    with pytest.raises(SubmissionRefused) as refused:
        with_files_and_consent(consent=False, copy=True)
    assert [(f.element, f.path) for f in refused.value.findings if f.severity == "error"] == [
        ("C.2.r.2.8", "copy_to_reporter")
    ]
    with pytest.raises(SubmissionRefused) as refused:
        with_files_and_consent(consent=True, copy=True, email=None)
    assert [(f.element, f.path) for f in refused.value.findings if f.severity == "error"] == [
        ("C.2.r.2.8", "primary_sources[0].email")
    ]


@pytest.mark.parametrize(
    "address",
    [
        f"{REPORTER}\r\nBcc: evil@example.com",
        f"{REPORTER}\nBcc: evil@example.com",
        f"{REPORTER}, evil@example.com",
        f"Huda <{REPORTER}>",
    ],
)
def test_header_injection_through_the_reporter_address_is_refused(address: str) -> None:
    from pv.validation import validate_report

    data = load_case("itp_course2")
    data["primary_sources"][0]["email"] = address
    data.update(reporter_consents_to_contact=True, copy_to_reporter=True)
    result = validate_report(data, TODAY)
    assert not result.ok
    assert "primary_sources[0].email" in [f.path for f in result.findings]
    # A report that skipped validation (built in code) still copies no such address.
    case = report("itp_course2")
    source = case.primary_source.model_copy(update={"email": address})
    forged = case.model_copy(
        update={
            "primary_sources": [source],
            "reporter_consents_to_contact": True,
            "copy_to_reporter": True,
        }
    )
    draft = draft_email(forged, SETTINGS)
    assert draft.cc == ("Ksa_pharmacovigilance@sanofi.com",)
    raw = build_eml(draft, b"<x/>", "case.xml", now=NOW)
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^Bcc", header_block, re.MULTILINE | re.IGNORECASE)
    assert b"evil@example.com" not in header_block  # the summary may show it, as one line
    assert parse_eml(raw)["Cc"] == "Ksa_pharmacovigilance@sanofi.com"


def test_a_hostile_file_name_in_a_draft_built_elsewhere_injects_no_header() -> None:
    from pv.attachments import Upload

    upload = Upload("ecg\r\nBcc: evil@example.com\r\n.pdf", b"%PDF-1.4\n", "application/pdf")
    odd = Upload("x.bin", b"data", "text/html\r\nX-Evil: 1")
    draft = DraftEmail(
        to=("npc.drug@sfd.gov.sa",), cc=(), subject="s", body="b", attachments=(upload, odd)
    )
    raw = build_eml(draft, b"<x/>", "case.xml", now=NOW)
    assert not re.search(rb"^(Bcc|X-Evil)", raw, re.MULTILINE | re.IGNORECASE)
    parts = list(parse_eml(raw).iter_attachments())
    assert [p.get_filename() for p in parts] == [
        "case.xml",
        "ecg Bcc_ evil@example.com.pdf",
        "x.bin",
    ]
    assert parts[2].get_content_type() == "application/octet-stream"
