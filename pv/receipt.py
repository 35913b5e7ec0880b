"""The reporter's receipt: one A4 page with the case ID, the private draft link, the recipients
and a summary of the report in clinical words, in English or Arabic (right to left)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import getaddresses

from e2b.codelists import AgeUnit
from e2b.model import Null
from pv import lemtrada
from pv.catalogue import load_catalogue
from pv.config import Settings, load_settings
from pv.email import NULL_WORDS
from pv.model import Dosage, Drug, Reaction, Report
from pv.pdf import ELLIPSIS, PdfDocument, ltr, one_line

# Sizes in points; the page's budget is checked by tests with 10 reactions and a huge narrative.
TITLE_SIZE = 15.0
HEADING_SIZE = 11.0
TEXT_SIZE = 9.0
FOOTER_SIZE = 7.5
MAX_REACTIONS = 10
REPORTED_CHARS = 60  # the reporter's words for a reaction, beside its MedDRA term
MAX_COURSES = 6
FOOTER_LINES = 2

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Receipt for your adverse event report",
        "subtitle": "{product}. Keep this page and quote the case ID in any follow-up.",
        "case_id": "Case ID",
        "submitted": "Submitted",
        "link": "Private link",
        "no_link": "not available",
        "recipients": "Send to",
        "sfda": "Saudi Food and Drug Authority (SFDA)",
        "mah": "{holder}, marketing authorisation holder",
        "patient": "Patient",
        "reactions": "Reactions",
        "reported_as": "reported as",
        "onset": "onset",
        "outcome": "outcome",
        "serious": "serious",
        "not_serious": "not serious",
        "more": "{count} more in the complete report",
        "courses": "{product} courses",
        "course": "Course {number}",
        "batch": "batch",
        "no_courses": "No course recorded",
        "narrative": "Narrative (beginning)",
        "footer": (
            "This page summarises the report saved under the case ID above. The complete report "
            "is the E2B(R3) file that goes by e-mail to both recipients."
        ),
    },
    "ar": {
        "title": "إيصال بلاغ عن عرض جانبي",
        "subtitle": "{product}. احتفظ بهذه الصفحة واذكر رقم الحالة في أي متابعة.",
        "case_id": "رقم الحالة",
        "submitted": "تاريخ الإرسال",
        "link": "الرابط الخاص",
        "no_link": "غير متوفر",
        "recipients": "يُرسل إلى",
        "sfda": "الهيئة العامة للغذاء والدواء",
        "mah": "{holder}، حامل رخصة التسويق",
        "patient": "المريض",
        "reactions": "الأعراض الجانبية",
        "reported_as": "كما ورد",
        "onset": "البداية",
        "outcome": "النتيجة",
        "serious": "خطير",
        "not_serious": "غير خطير",
        "more": "{count} أخرى في البلاغ الكامل",
        "courses": "دورات {product}",
        "course": "الدورة {number}",
        "batch": "التشغيلة",
        "no_courses": "لم تُسجَّل أي دورة",
        "narrative": "وصف الحالة (بداية النص)",
        "footer": (
            "تلخص هذه الصفحة البلاغ المحفوظ برقم الحالة أعلاه. البلاغ الكامل هو ملف E2B(R3) "
            "الذي يُرسل بالبريد الإلكتروني إلى الجهتين."
        ),
    },
}

_AGE_UNITS = {
    AgeUnit.DECADE: ("decade", "decades"),
    AgeUnit.YEAR: ("year", "years"),
    AgeUnit.MONTH: ("month", "months"),
    AgeUnit.WEEK: ("week", "weeks"),
    AgeUnit.DAY: ("day", "days"),
    AgeUnit.HOUR: ("hour", "hours"),
}


def receipt_pdf(
    report: Report,
    *,
    case_id: str,
    submitted_at: datetime,
    link: str | None,
    language: str = "en",
    settings: Settings | None = None,
) -> bytes:
    """The receipt as a one-page PDF; `language` "ar" gives Arabic headings, right to left."""
    if language not in LABELS:
        raise ValueError(f"No receipt wording for language {language!r}; known: en, ar.")
    words = _Words(LABELS[language], rtl=language == "ar")
    settings = settings if settings is not None else load_settings()
    doc = PdfDocument(
        direction="rtl" if words.rtl else "ltr",
        language=language,
        created_at=submitted_at,
    )
    doc.set_title(f"{words['title']} {one_line(case_id)}")
    doc.add_page()
    bottom_margin = doc.b_margin
    footer_top = doc.page_break_trigger - FOOTER_LINES * doc.line_height(FOOTER_SIZE)
    doc.set_auto_page_break(True, doc.h - footer_top)  # the body stops above the footer

    _line(doc, words["title"], size=TITLE_SIZE, bold=True, max_lines=2)
    product = f"{lemtrada.PRODUCT} ({lemtrada.SUBSTANCE})"
    _line(doc, words["subtitle"].format(product=product), size=TEXT_SIZE, max_lines=2)
    doc.gap(3)

    _fields(doc, words, case_id=case_id, submitted_at=submitted_at, link=link, settings=settings)
    if doc.heading(words["patient"], size=HEADING_SIZE, keep_with=TEXT_SIZE):
        _line(doc, words.value(_patient(report)), size=TEXT_SIZE, max_lines=2)
        doc.gap(2)
    _reactions(doc, report, words)
    _courses(doc, report, words)
    if doc.heading(words["narrative"], size=HEADING_SIZE, keep_with=TEXT_SIZE):
        # Each paragraph in its own direction: an Arabic narrative reads right to left.
        doc.text_block(report.narrative.narrative, size=TEXT_SIZE)

    doc.set_auto_page_break(True, bottom_margin)
    doc.set_xy(doc.l_margin, footer_top)
    _line(doc, words["footer"], size=FOOTER_SIZE, max_lines=FOOTER_LINES)
    return doc.to_bytes()


def _fields(
    doc: PdfDocument,
    words: _Words,
    *,
    case_id: str,
    submitted_at: datetime,
    link: str | None,
    settings: Settings,
) -> None:
    """Case ID, time of submission, the private link (clickable) and the recipients."""
    doc.field(words["case_id"], words.value(case_id), size=TEXT_SIZE + 1, max_lines=2)
    doc.field(words["submitted"], words.value(_moment(submitted_at)), size=TEXT_SIZE)
    if link is not None and one_line(link):
        doc.field(words["link"], one_line(link), size=TEXT_SIZE, max_lines=3, link=link)
    else:
        doc.field(words["link"], words.value(words["no_link"]), size=TEXT_SIZE)
    doc.field(
        words["recipients"],
        _recipients(settings, words),
        size=TEXT_SIZE,
        max_lines=3,
        direction="layout",
    )
    doc.gap(2)


def _reactions(doc: PdfDocument, report: Report, words: _Words) -> None:
    """The first MAX_REACTIONS reactions, and how many more the complete report holds."""
    heading = f"{words['reactions']} ({len(report.reactions)})"
    if not doc.heading(heading, size=HEADING_SIZE, keep_with=TEXT_SIZE):
        return
    for number, reaction in enumerate(report.reactions[:MAX_REACTIONS], 1):
        _reaction(doc, number, reaction, words)
    hidden = len(report.reactions) - MAX_REACTIONS
    if hidden > 0:
        _line(doc, _more(words, hidden), size=TEXT_SIZE, max_lines=1)
    doc.gap(2)


def _courses(doc: PdfDocument, report: Report, words: _Words) -> None:
    """One line per LEMTRADA course, at most MAX_COURSES."""
    heading = words["courses"].format(product=lemtrada.PRODUCT)
    if not doc.heading(heading, size=HEADING_SIZE, keep_with=TEXT_SIZE):
        return
    courses = _course_lines(report, words)
    for line in courses[:MAX_COURSES]:
        _line(doc, line, size=TEXT_SIZE, max_lines=1)
    if not courses:
        _line(doc, words["no_courses"], size=TEXT_SIZE, max_lines=1)
    elif len(courses) > MAX_COURSES:
        _line(doc, _more(words, len(courses) - MAX_COURSES), size=TEXT_SIZE, max_lines=1)
    doc.gap(2)


def _more(words: _Words, count: int) -> str:
    return f"{ELLIPSIS} {words['more'].format(count=count)}"


def _line(doc: PdfDocument, text: str, *, size: float, bold: bool = False, max_lines: int) -> None:
    """Text worded in the receipt's language: the layout's direction, from its start side."""
    doc.text_block(
        text, size=size, bold=bold, max_lines=max_lines, align="layout", direction="layout"
    )


@dataclass(frozen=True)
class _Words:
    """The receipt's wording in one language; values stay English (MedDRA terms, outcomes)."""

    labels: dict[str, str]
    rtl: bool

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def value(self, text: str) -> str:
        """A Latin value, kept in reading order on a right-to-left page."""
        text = one_line(text)
        return ltr(text) if self.rtl else text


def _moment(moment: datetime) -> str:
    """ "2026-11-30 14:05 UTC" or with the offset it was given in ("UTC+03:00")."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.utcoffset()
    if offset is None:
        return text
    if offset == timedelta(0):
        return f"{text} UTC"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{text} UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _recipients(settings: Settings, words: _Words) -> str:
    sfda = _addresses(settings.sfda_recipient)
    mah = _addresses(settings.mah_recipient)
    holder = words["mah"].format(holder=words.value(lemtrada.HOLDER))
    return f"{words['sfda']}: {words.value(sfda)}\n{holder}: {words.value(mah)}"


def _addresses(configured: str) -> str:
    """The addresses in a setting (a comma-separated list gives several)."""
    return ", ".join(addr for _, addr in getaddresses([one_line(configured)]) if addr)


def _number(value: Decimal) -> str:
    """Plain notation without trailing zeros: 34, 1.5."""
    return format(value.normalize(), "f")


def _patient(report: Report) -> str:
    """ "TH, male, 47 years": initials, sex and age as a clinician writes them."""
    patient = report.patient
    if isinstance(patient.initials, Null):  # MSK: known but withheld
        parts = [f"initials {NULL_WORDS[patient.initials.null_flavor]}"]
    elif patient.initials:
        parts = [one_line(patient.initials)[:20]]
    else:
        parts = ["initials not given"]
    if isinstance(patient.sex, Null):
        parts.append(f"sex {NULL_WORDS[patient.sex.null_flavor]}")
    elif patient.sex is not None:
        parts.append(patient.sex.label.lower())
    else:
        parts.append("sex not given")
    if patient.age is not None:
        one, many = _AGE_UNITS[patient.age.unit]
        parts.append(f"{_number(patient.age.value)} {one if patient.age.value == 1 else many}")
    elif patient.age_group is not None:
        parts.append(patient.age_group.label.lower())
    else:
        parts.append("age not given")
    return ", ".join(parts)


def _term(reaction: Reaction) -> str:
    """The MedDRA name where the guide's table knows it, else the reporter's words."""
    known = load_catalogue().term_by_code(reaction.term.code)
    if known is not None:
        return known.term
    return reaction.translation or reaction.verbatim or f"MedDRA term {reaction.term.code}"


def _date(value: str | Null | None) -> str:
    if isinstance(value, Null):
        return NULL_WORDS[value.null_flavor]
    return value or "not given"


def _reaction(doc: PdfDocument, number: int, reaction: Reaction, words: _Words) -> None:
    """Two lines: the term (with the reporter's words when they differ), then onset, outcome
    and seriousness in words."""
    term = one_line(_term(reaction))
    title = f"{number}. {words.value(term)}"
    reported = _clip(one_line(reaction.verbatim or ""), REPORTED_CHARS)
    if reported and reported.casefold() != term.casefold():
        # The reporter's words are shortened to the room the term leaves, so the quote closes.
        opening, closing = f" ({words['reported_as']}: \u201c", "\u201d)"
        used = doc.text_width(title + opening + closing, size=TEXT_SIZE, bold=True)
        room = doc.epw - 2 * doc.c_margin - used - 1  # 1 mm to spare for rounding
        reported = doc.clip_to_width(reported, room, size=TEXT_SIZE, bold=True)
        if reported:
            title += f"{opening}{words.value(reported)}{closing}"
    _line(doc, title, size=TEXT_SIZE, bold=True, max_lines=1)
    criteria = reaction.seriousness.criteria()
    serious = (
        f"{words['serious']}: {words.value(', '.join(criteria))}"
        if criteria
        else words["not_serious"]
    )
    details = " \u00b7 ".join(
        [
            f"{words['onset']}: {words.value(_date(reaction.start))}",
            f"{words['outcome']}: {words.value(reaction.outcome.label.lower())}",
            serious,
        ]
    )
    _line(doc, details, size=TEXT_SIZE, max_lines=2)


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word when that keeps most of them, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _period(dosage: Dosage) -> str:
    start, end = _date(dosage.start), _date(dosage.end)
    if dosage.start is not None and dosage.end is not None and start != end:
        return f"{start} to {end}"
    if dosage.start is None and dosage.end is None:
        return "dates not given"
    return start if dosage.start is not None else end


def _is_lemtrada(drug: Drug) -> bool:
    names = [drug.product_name, *(s.name for s in drug.substances)]
    known = {lemtrada.PRODUCT.casefold(), lemtrada.SUBSTANCE.casefold()}
    return any(word in known for name in names for word in name.casefold().split())


def _course_lines(report: Report, words: _Words) -> list[str]:
    """One line per LEMTRADA course (or dosage without a course number), in the given order."""
    lines = []
    for drug in report.suspect_drugs:
        if not _is_lemtrada(drug):
            continue
        for dosage in drug.dosages:
            text = words.value(_period(dosage))
            if dosage.batch:
                text += f" ({words['batch']} {words.value(dosage.batch)})"
            if dosage.course is not None:
                text = f"{words['course'].format(number=dosage.course)}: {text}"
            lines.append(text)
    return lines


__all__ = ["LABELS", "receipt_pdf"]
