"""pv.attachments: which files a reporter may attach, under what names, and how they travel as
C.1.6.1.r documents in a schema-valid ICSR that reads back byte for byte."""

from __future__ import annotations

import base64
import io
import math
from datetime import UTC, datetime
from typing import Any

import e2br3  # type: ignore[import-untyped]  # (checked as the browser tests import this)
import pytest
from PIL import Image

from e2b.findings import Finding
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.xmlsafe import DEFAULT_MAX_BYTES
from pv.attachments import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_NAME_CHARS,
    MAX_TOTAL_BYTES,
    MB,
    Upload,
    attached_files,
    check_upload,
    held_documents,
    safe_file_name,
    with_documents,
)
from pv.config import Settings
from pv.model import Report
from pv.submission import build, check
from tests.cases import load_case

NOW = datetime(2026, 11, 25, 0, 5, tzinfo=UTC)
CASE = "SA-LEMTRADAPV-000077"
# "letters" in Persian: a zero-width non-joiner (U+200C) between its two parts.
PERSIAN_LETTERS = "\u0646\u0627\u0645\u0647\u200c\u0647\u0627.pdf"
LIBXML2_LIMIT = 10_000_000  # bytes of one document lxml parses without huge_tree


def _image(kind: str, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, kind)
    return out.getvalue()


def png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return _image("PNG", colour)


def jpeg(colour: tuple[int, int, int] = (30, 30, 200)) -> bytes:
    return _image("JPEG", colour)


def pdf(text: str = "Synthetic ECG report") -> bytes:
    """A one-page PDF written by hand: objects, cross-reference table and trailer."""
    stream = f"BT /F1 12 Tf 40 700 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def padded_pdf(size: int) -> bytes:
    """A PDF of exactly `size` bytes: a comment line after the header pads it."""
    head = pdf()
    pad = size - len(head)
    assert pad > 2
    return head[:9] + b"%" + b"0" * (pad - 2) + b"\n" + head[9:]


def accepted(name: str, data: bytes, declared: str | None = None) -> Upload:
    result = check_upload(name, data, declared)
    assert isinstance(result, Upload), result
    return result


def refused(name: str, data: bytes, declared: str | None = None, **kw: Any) -> str:
    result = check_upload(name, data, declared, **kw)
    assert isinstance(result, Finding), result
    assert (result.severity, result.element) == ("error", "C.1.6.1.r.2")
    return result.message


# ---------------------------------------------------------------- what is accepted


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("ecg.pdf", pdf, "application/pdf"),
        ("rash.JPG", jpeg, "image/jpeg"),
        ("rash.jpeg", jpeg, "image/jpeg"),
        ("platelets.png", png, "image/png"),
    ],
)
def test_pdf_jpeg_and_png_are_accepted_by_their_content(
    name: str, make: Any, media_type: str
) -> None:
    data = make()
    upload = accepted(name, data, media_type)
    assert (upload.name, upload.media_type, upload.data) == (name, media_type, data)


def test_a_png_named_pdf_is_refused() -> None:
    message = refused("ecg.pdf", png(), "application/pdf")
    assert message.startswith("ecg.pdf is named like a PDF but its content is a PNG image")


def test_an_exe_renamed_pdf_is_refused() -> None:
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    message = refused("discharge-letter.pdf", program, "application/pdf")
    assert message.startswith("discharge-letter.pdf is not a PDF, JPEG or PNG file")


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>letter</body></html>",
        b"GIF89a" + bytes(40),
        b"PK\x03\x04" + bytes(40),  # a .docx
        b" %PDF-1.4 with a space before the signature",
    ],
)
def test_other_content_is_refused_whatever_its_name(data: bytes) -> None:
    assert "is not a PDF, JPEG or PNG file" in refused("letter.pdf", data)


def test_the_browser_type_may_not_contradict_the_content() -> None:
    message = refused("scan", jpeg(), "image/png")
    assert "offered by the browser as a PNG image but its content is a JPEG image" in message
    # A generic or unknown browser type says nothing; the content decides.
    assert accepted("scan.jpg", jpeg(), "application/octet-stream").media_type == "image/jpeg"
    assert accepted("scan.jpg", jpeg(), "image/pjpeg").media_type == "image/jpeg"


def test_a_name_without_the_contents_extension_gets_it() -> None:
    assert accepted("ECG 14 Sept", pdf()).name == "ECG 14 Sept.pdf"
    assert accepted("Dr. Example letter", pdf()).name == "Dr. Example letter.pdf"


def test_an_empty_file_is_refused() -> None:
    assert (
        refused("ecg.pdf", b"") == "ecg.pdf is empty; choose the file again or export it once more."
    )


# ---------------------------------------------------------------- limits


def test_a_file_over_the_size_limit_is_refused_with_its_size() -> None:
    message = refused("ecg.pdf", padded_pdf(int(7.2 * MB)))
    assert message.startswith("ecg.pdf is 7.2 MB; the limit is 5 MB per file.")
    assert isinstance(check_upload("ecg.pdf", padded_pdf(MAX_FILE_BYTES)), Upload)
    assert "the limit is 5 MB" in refused("ecg.pdf", padded_pdf(MAX_FILE_BYTES + 1))


def test_no_more_than_the_maximum_number_of_files() -> None:
    files = [accepted(f"lab-{n}.png", png((n, 0, 0))) for n in range(MAX_FILES)]
    message = refused("one-more.png", png((99, 99, 99)), accepted=files)
    assert message == (
        "one-more.png was not attached: at most 5 files can be attached to one report. "
        "Remove one to add another."
    )
    assert isinstance(check_upload("one-more.png", png((99, 99, 99)), None, files[:-1]), Upload)


def test_the_total_of_all_files_is_limited() -> None:
    big = [accepted(f"scan-{n}.pdf", padded_pdf(2 * MB + n)) for n in range(3)]
    message = refused("ecg.pdf", pdf(), accepted=big)
    assert message.startswith("ecg.pdf was not attached: with it the files would be 6 MB")
    assert message.endswith("the limit is 6 MB for all files of one report.")
    assert isinstance(check_upload("ecg.pdf", pdf(), None, big[:2]), Upload)


def test_the_same_file_twice_is_refused_and_same_names_are_numbered() -> None:
    first = accepted("ecg.pdf", pdf("one"))
    assert refused("copy of ecg.pdf", pdf("one"), accepted=[first]) == (
        "copy of ecg.pdf is already attached."
    )
    second = check_upload("ECG.pdf", pdf("two"), None, [first])
    assert isinstance(second, Upload)
    assert second.name == "ECG (2).pdf"


def test_the_limits_keep_the_xml_buildable_and_readable() -> None:
    """All files at their limit, base64 in the XML, leave a megabyte for the report itself
    under the 10,000,000 bytes libxml2 parses without huge_tree (e2b.writer builds with it)."""
    assert MAX_FILE_BYTES <= MAX_TOTAL_BYTES <= MAX_FILES * MAX_FILE_BYTES
    assert math.ceil(MAX_TOTAL_BYTES / 3) * 4 + 1 * MB < LIBXML2_LIMIT < DEFAULT_MAX_BYTES


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("ecg.pdf", "ecg.pdf"),
        ("C:\\Users\\dr\\Desktop\\ecg.pdf", "ecg.pdf"),
        ("../../etc/passwd.png", "passwd.png"),
        ("ecg\r\nBcc: evil@example.com.pdf", "ecg Bcc_ evil@example.com.pdf"),
        ("lab\x00report\x1b.png", "lab report.png"),
        ("\u202egpj.exe", "gpj.exe"),  # a right-to-left override hiding an extension
        ('a<b>c:"d"|e?f*.pdf', "a_b_c__d__e_f_.pdf"),
        ("تخطيط القلب.pdf", "تخطيط القلب.pdf"),
        (PERSIAN_LETTERS, PERSIAN_LETTERS),  # its zero-width non-joiner belongs to the word
        ("scan\u2066\u200b.pdf", "scan.pdf"),
        ("...", "document"),
        ("", "document"),
        (" .hidden.png", "hidden.png"),
    ],
)
def test_file_names_are_cleaned(given: str, safe: str) -> None:
    assert safe_file_name(given) == safe


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = safe_file_name("ECG " + "very long " * 40 + ".pdf")
    assert len(name) == MAX_NAME_CHARS
    assert name.endswith(".pdf")
    assert accepted("x" * 500 + ".pdf", pdf()).name == "x" * (MAX_NAME_CHARS - 4) + ".pdf"


def test_a_description_becomes_the_title_in_one_clean_line() -> None:
    upload = accepted("ecg.pdf", pdf()).with_description("  ECG\r\n14 September\x00 ")
    assert upload.title == "ECG 14 September"
    assert accepted("ecg.pdf", pdf()).with_description("  ").title == "ecg.pdf"


# ---------------------------------------------------------------- in the ICSR


def answers() -> dict[str, Any]:
    data = load_case("itp_course2")
    del data["case"], data["sender"]
    return data


def three_files() -> list[Upload]:
    ecg = accepted("ecg.pdf", pdf()).with_description("ECG 14 September 2026")
    photo = accepted("صورة الطفح.jpg", jpeg())
    lab = accepted("platelets.png", png())
    return [ecg, photo, lab]


def test_held_documents_are_base64_with_their_media_type_and_name() -> None:
    [ecg] = held_documents([accepted("ecg.pdf", pdf())])
    assert ecg.title == "ecg.pdf"
    assert ecg.document is not None
    assert ecg.document.media_type == "application/pdf"
    assert ecg.document.representation == "B64"
    assert ecg.document.file_name == "ecg.pdf"
    assert base64.b64decode(ecg.document.data, validate=True) == pdf()


def test_with_documents_leaves_the_answers_alone() -> None:
    data = answers()
    assert with_documents(data, []) == data
    carried = with_documents(data, three_files())
    assert "case" not in data
    assert carried["case"]["additional_documents"] is True
    assert len(carried["case"]["documents"]) == 3


def test_three_files_make_a_schema_valid_icsr_that_reads_back_byte_identical() -> None:
    files = three_files()
    submission = build(with_documents(answers(), files), CASE, settings=Settings(), now=NOW)
    assert validate_bytes(submission.xml, NOW.date()) == []
    assert submission.xml.count(b'representation="B64"') == 3
    assert b"<title>ECG 14 September 2026</title>" in submission.xml

    [read] = read_bytes(submission.xml).reports
    assert read.report is not None, read.findings
    case = read.report.case
    assert case.additional_documents is True
    assert [d.title for d in case.documents] == [f.title for f in files]
    for held, upload in zip(case.documents, files, strict=True):
        assert held.document is not None
        assert held.document.media_type == upload.media_type
        assert held.document.file_name == upload.name
        assert base64.b64decode(held.document.data, validate=True) == upload.data
    again = attached_files(Report.from_icsr(read.report))
    assert [(f.name, f.media_type, f.data) for f in again] == [
        (f.name, f.media_type, f.data) for f in files
    ]


def test_files_at_the_total_limit_still_make_a_valid_readable_icsr() -> None:
    """The largest files allowed, beside the longest narrative and comments the form takes."""
    sizes = [MAX_FILE_BYTES, MAX_TOTAL_BYTES - MAX_FILE_BYTES]
    files = [accepted(f"scan-{n}.pdf", padded_pdf(size)) for n, size in enumerate(sizes)]
    data = answers()
    data["narrative"].update(narrative="N" * 20000, reporter_comments="C" * 20000)
    submission = build(with_documents(data, files), CASE, settings=Settings(), now=NOW)
    assert len(submission.xml) < DEFAULT_MAX_BYTES
    [read] = read_bytes(submission.xml).reports
    assert read.report is not None, read.findings
    decoded = [base64.b64decode(d.document.data) for d in read.report.case.documents if d.document]
    assert decoded == [f.data for f in files]


def test_the_check_before_submitting_sees_the_documents_too() -> None:
    result = check(with_documents(answers(), three_files()), settings=Settings(), now=NOW)
    assert result.ok, result.findings
    assert result.report is not None
    assert len(result.report.case.documents) == 3


def test_e2br3_reads_the_icsr_with_its_documents() -> None:
    """A reader written by others parses the file; e2br3 has no C.1.6.1.r field (its ICSR lists
    literature, C.4.r, only), so what it sees of the documents cannot be compared."""
    submission = build(with_documents(answers(), three_files()), CASE, settings=Settings(), now=NOW)
    batch = e2br3.parse(submission.xml)
    [icsr] = batch.icsrs
    assert icsr.safety_report_id == CASE
    fields = set(type(icsr).model_fields)
    if fields & {"documents", "documents_held", "held_documents"}:  # pragma: no cover
        pytest.fail("e2br3 now reads C.1.6.1.r: compare its documents with ours here")


def test_a_report_without_files_has_no_documents() -> None:
    submission = build(answers(), CASE, settings=Settings(), now=NOW)
    assert submission.report.case.documents == []
    assert submission.report.case.additional_documents is False
    assert attached_files(submission.report) == []
