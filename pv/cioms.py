"""The CIOMS I form ("Suspect adverse reaction report") as a PDF, filled from the report: one
page of numbered boxes, and continuation pages for every box whose text the page cannot hold."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from fpdf.enums import Align, MethodReturnValue, WrapMode, XPos, YPos

from e2b.codelists import ActionTaken, DrugRole, Qualification, Recurrence, ReportType
from e2b.model import Null
from pv import lemtrada
from pv.catalogue import load_catalogue
from pv.config import Settings, load_settings
from pv.email import NULL_WORDS
from pv.model import (
    Dechallenge,
    Dosage,
    Drug,
    Interval,
    MeddraTerm,
    Quantity,
    Reaction,
    Report,
    TestResult,
)
from pv.pdf import MIN_ADVANCE, PT, PdfDocument, clean, direction_of, one_line

# Sizes in points; the first page's budget is checked by a test with every box overflowing.
TITLE_SIZE = 13.0
SECTION_SIZE = 9.0
LABEL_SIZE = 6.5
VALUE_SIZE = 8.0
HEADING_SIZE = 10.0
FOOTER_SIZE = 7.0
PAD = 1.0  # millimetres between a box's frame and its text
FOOTER_SPACE = 6.0  # millimetres above the bottom margin kept for "Page N of M"
CHECKED, UNCHECKED = "[X]", "[ ]"

# The form's boxes: each label as the CIOMS I form prints it, and the lines of text the box has
# on page 1 (its text in full goes on a continuation page when that is not enough).
BOXES: dict[str, tuple[str, int]] = {
    "top": ("", 2),
    "1": ("1. PATIENT INITIALS", 2),
    "1a": ("1a. COUNTRY", 2),
    "2": ("2. DATE OF BIRTH", 2),
    "2a": ("2a. AGE", 2),
    "3": ("3. SEX", 2),
    "4-6": ("4-6. REACTION ONSET", 2),
    "7+13": ("7 + 13. DESCRIBE REACTION(S) (including relevant tests / lab data)", 14),
    "8-12": ("8-12. CHECK ALL APPROPRIATE TO ADVERSE REACTION", 12),
    "14": ("14. SUSPECT DRUG(S) (include generic name)", 3),
    "15": ("15. DAILY DOSE(S)", 3),
    "16": ("16. ROUTE(S) OF ADMINISTRATION", 2),
    "17": ("17. INDICATION(S) FOR USE", 2),
    "18": ("18. THERAPY DATES (from / to)", 3),
    "19": ("19. THERAPY DURATION", 3),
    "20": ("20. DID REACTION ABATE AFTER STOPPING DRUG?", 3),
    "21": ("21. DID REACTION REAPPEAR AFTER REINTRODUCTION?", 3),
    "22": (
        "22. CONCOMITANT DRUG(S) AND DATES OF ADMINISTRATION (exclude those used to treat "
        "reaction)",
        3,
    ),
    "23": (
        "23. OTHER RELEVANT HISTORY (e.g. diagnostics, allergies, pregnancy with last month of "
        "period, etc.)",
        4,
    ),
    "24a": ("24a. NAME AND ADDRESS OF MANUFACTURER", 3),
    "24b": ("24b. MFR CONTROL NO.", 3),
    "24c": ("24c. DATE RECEIVED BY MANUFACTURER", 2),
    "24d": ("24d. REPORT SOURCE", 5),
    "date": ("DATE OF THIS REPORT", 2),
    "25a": ("25a. REPORT TYPE", 3),
}

_DosageWords = Callable[[Dosage], str]
_ReactionAnswer = Callable[[Report, Reaction], str]

_DECHALLENGE_ANSWERS = {
    Dechallenge.ABATED: "Yes",
    Dechallenge.NOT_ABATED: "No",
    Dechallenge.NOT_APPLICABLE: "Not applicable",
    Dechallenge.UNKNOWN: "Unknown",
}
_RECURRENCE_ANSWERS = {
    Recurrence.RECURRED: "Yes",
    Recurrence.DID_NOT_RECUR: "No",
    Recurrence.RECHALLENGE_OUTCOME_UNKNOWN: "Unknown",
    Recurrence.NO_RECHALLENGE: "Not applicable",
}
_HEALTH_PROFESSIONALS = (
    Qualification.PHYSICIAN,
    Qualification.PHARMACIST,
    Qualification.OTHER_HEALTH_PROFESSIONAL,
)


@dataclass(frozen=True)
class Box:
    """One numbered box of the form: its label, its text and the lines it has on page 1."""

    key: str
    label: str
    text: str
    lines: int = 2


def cioms_pdf(
    report: Report,
    *,
    case_id: str,
    version: int = 1,
    follow_up: bool = False,
    settings: Settings | None = None,
    language: str = "en",
) -> bytes:
    """The CIOMS I form of the report as a PDF: page 1 holds the boxes, continuation pages the
    complete text of each box that page 1 cuts ("continued on page N")."""
    if language != "en":
        raise ValueError(f"No CIOMS I wording for language {language!r}; known: en.")
    settings = settings if settings is not None else load_settings()
    boxes = _boxes(report, case_id=case_id, version=version, follow_up=follow_up, s=settings)
    title = f"CIOMS I form, case {one_line(case_id)}, version {version}"
    layout = _Layout(_Form(title))
    layout.draw(boxes)
    return layout.doc.to_bytes()


class _Form(PdfDocument):
    """The form's pages, the case named again at the top of each continuation page."""

    def __init__(self, title: str) -> None:
        super().__init__(language="en")
        self.form_title = title
        self.set_title(title)
        # The body stops FOOTER_SPACE above the bottom margin; the footer line sits there.
        self.footer_y = self.h - self.b_margin - self.line_height(FOOTER_SIZE)
        self.set_auto_page_break(True, self.b_margin + FOOTER_SPACE)

    def header(self) -> None:
        if self.page > 1:
            shaping = self.text_shaping
            self.text_block(f"{self.form_title}: continuation", size=FOOTER_SIZE, max_lines=1)
            self.gap(2)
            self.text_shaping = shaping

    def on_page(
        self,
        page: int,
        x: float,
        y: float,
        text: str,
        *,
        width: float = 0,
        size: float,
        bold: bool = False,
        max_lines: int = 1,
    ) -> None:
        """Text added to an earlier page at (x, y), e.g. once the page count is known; drawing
        then goes on where it was."""
        last, position, trigger = self.page, (self.x, self.y), self.page_break_trigger
        self.page = page
        self.current_font_is_set_on_page = False  # the page's stream ended in another font
        self.page_break_trigger = self.h  # the line may sit in the footer's strip
        self.set_xy(x, y)
        self.text_block(text, width=width, size=size, bold=bold, max_lines=max_lines)
        self.page, self.page_break_trigger = last, trigger
        self.current_font_is_set_on_page = False
        self.set_xy(*position)


NOTE = "(continued on page {page})"


@dataclass(frozen=True)
class _Note:
    """Where page 1 keeps room to say on which page a cut box continues."""

    key: str
    x: float
    y: float
    width: float


@dataclass
class _Layout:
    doc: _Form
    found: dict[str, int] = field(default_factory=dict)  # box key -> page it continues on
    overflow: list[Box] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)

    def draw(self, boxes: dict[str, Box]) -> None:
        doc = self.doc
        doc.add_page()
        doc.text_block("CIOMS FORM", size=FOOTER_SIZE, bold=True, max_lines=1)
        doc.text_block("SUSPECT ADVERSE REACTION REPORT", size=TITLE_SIZE, bold=True, max_lines=1)
        doc.text_block(boxes["top"].text, size=VALUE_SIZE, max_lines=2)
        doc.gap(1.5)
        width = doc.epw
        self.section("I. REACTION INFORMATION")
        self.row([(boxes[k], width * share) for k, share in _ROW_PATIENT])
        self.row([(boxes["7+13"], width * 0.70), (boxes["8-12"], width * 0.30)])
        self.section("II. SUSPECT DRUG(S) INFORMATION")
        self.row([(boxes["14"], width * 0.6), (boxes["15"], width * 0.4)])
        self.row([(boxes["16"], width * 0.3), (boxes["17"], width * 0.7)])
        self.row([(boxes["18"], width * 0.6), (boxes["19"], width * 0.4)])
        self.row([(boxes["20"], width * 0.5), (boxes["21"], width * 0.5)])
        self.section("III. CONCOMITANT DRUG(S) AND HISTORY")
        self.row([(boxes["22"], width)])
        self.row([(boxes["23"], width)])
        self.section("IV. MANUFACTURER INFORMATION")
        self.row([(boxes["24a"], width * 0.6), (boxes["24b"], width * 0.4)])
        self.row([(boxes[k], width * share) for k, share in _ROW_REPORT])
        self.continuations()
        for note in self.notes:
            text = NOTE.format(page=self.found[note.key])
            doc.on_page(
                1, note.x, note.y, text, width=note.width, size=VALUE_SIZE, bold=True, max_lines=2
            )
        pages = doc.page
        for page in range(1, pages + 1):
            y = doc.footer_y
            footer = f"{doc.form_title}. Page {page} of {pages}"
            doc.on_page(page, doc.l_margin, y, footer, size=FOOTER_SIZE)

    def section(self, title: str) -> None:
        doc = self.doc
        doc.gap(1)
        doc.set_fill_color(225)
        doc.rect(doc.l_margin, doc.y, doc.epw, doc.line_height(SECTION_SIZE), style="F")
        doc.text_block(title, size=SECTION_SIZE, bold=True, max_lines=1)

    def row(self, cells: list[tuple[Box, float]]) -> None:
        """Boxes side by side, framed, as tall as the tallest."""
        doc = self.doc
        top = bottom = doc.y
        x = doc.l_margin
        for box, width in cells:
            inner = width - 2 * PAD
            doc.set_xy(x + PAD, top + PAD)
            doc.text_block(box.label, width=inner, size=LABEL_SIZE, bold=True, max_lines=2)
            doc.set_x(x + PAD)
            self.value(box, inner)
            bottom = max(bottom, doc.y + PAD)
            x += width
        doc.set_draw_color(0)
        doc.set_line_width(0.2)
        x = doc.l_margin
        for _, width in cells:
            doc.rect(x, top, width, bottom - top)
            x += width
        doc.set_xy(doc.l_margin, bottom)

    def value(self, box: Box, width: float) -> None:
        """The box's text, or its start and where the rest continues."""
        doc = self.doc
        if _fits(doc, box.text, width, VALUE_SIZE, box.lines):
            doc.text_block(box.text, width=width, size=VALUE_SIZE, max_lines=box.lines)
            return
        left = doc.x
        # Room for the note saying where the rest is (one line, or two in a narrow box),
        # written once the continuation pages are laid out.
        widest = NOTE.format(page=999)
        note_lines = 1 if _fits(doc, widest, width, VALUE_SIZE, 1, bold=True) else 2
        shown = max(1, box.lines - note_lines)
        doc.text_block(box.text, width=width, size=VALUE_SIZE, max_lines=shown)
        self.notes.append(_Note(box.key, left, doc.y, width))
        doc.gap(note_lines * doc.line_height(VALUE_SIZE))
        self.overflow.append(box)

    def continuations(self) -> None:
        """Each cut box in full, from its beginning, on the pages after the first."""
        doc = self.doc
        for index, box in enumerate(self.overflow):
            heading = f"{box.label.split(' (')[0]} (continued from page 1)"
            if index == 0 or not doc.heading(heading, size=HEADING_SIZE, keep_with=VALUE_SIZE):
                doc.add_page()
                doc.heading(heading, size=HEADING_SIZE, keep_with=VALUE_SIZE)
            self.found[box.key] = doc.page
            _flow(doc, box.text, size=VALUE_SIZE)
            doc.gap(3)


_ROW_PATIENT = [("1", 0.14), ("1a", 0.12), ("2", 0.16), ("2a", 0.16), ("3", 0.12), ("4-6", 0.30)]
_ROW_REPORT = [("24c", 0.2), ("24d", 0.4), ("date", 0.2), ("25a", 0.2)]


def _fits(
    doc: PdfDocument, text: str, width: float, size: float, lines: int, *, bold: bool = False
) -> bool:
    """Whether the text takes at most `lines` lines of this width; only a page's worth of text
    is ever measured."""
    paragraphs = [p.strip() for p in doc.normalize_text(text).split("\n")]
    paragraphs = [p for p in paragraphs if p]
    most = int(width / (MIN_ADVANCE * size * PT)) * lines  # no more characters can fit
    if len(paragraphs) > lines or sum(len(p) for p in paragraphs) > most:
        return False
    used = 0
    with doc.style(size=size, bold=bold):
        for paragraph in paragraphs:
            doc.set_text_shaping(True, direction=direction_of(paragraph, doc.direction))
            wrapped = doc.multi_cell(
                width,
                doc.line_height(size),
                paragraph,
                dry_run=True,
                output=MethodReturnValue.LINES,
                wrapmode=WrapMode.WORD,
            )
            assert isinstance(wrapped, list)  # output=LINES alone returns the list
            used += len(wrapped)
        doc.set_text_shaping(True, direction=doc.direction)
    return used <= lines


def _flow(doc: PdfDocument, text: str, *, size: float) -> None:
    """Text across as many pages as it needs, each paragraph in its own direction."""
    with doc.style(size=size):
        for paragraph in clean(text).split("\n"):
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            direction = direction_of(paragraph, doc.direction)
            doc.set_text_shaping(True, direction=direction)
            doc.set_x(doc.l_margin)
            doc.multi_cell(
                doc.epw,
                doc.line_height(size),
                paragraph,
                align=Align.R if direction == "rtl" else Align.L,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                wrapmode=WrapMode.WORD,
            )
        doc.set_text_shaping(True, direction=doc.direction)


# ---------------------------------------------------------------- the boxes' text


def _boxes(
    report: Report, *, case_id: str, version: int, follow_up: bool, s: Settings
) -> dict[str, Box]:
    patient = report.patient
    kind = "Follow-up" if follow_up else "Initial"
    texts = {
        "top": (
            f"Case {one_line(case_id)} \u00b7 {kind} report, version {version} \u00b7 "
            f"Suspect product {lemtrada.PRODUCT} ({lemtrada.SUBSTANCE})"
        ),
        "1": _initials(report),
        "1a": _country(report),
        "2": _date(patient.birth_date),
        "2a": _age(report),
        "3": _sex(report),
        "4-6": _onsets(report),
        "7+13": _describe(report),
        "8-12": _serious(report),
        "14": _suspects(report),
        "15": _per_dosage(report, _dose),
        "16": _routes(report),
        "17": _indications(report),
        "18": _per_dosage(report, _period),
        "19": _durations(report),
        "20": _per_reaction(report, _dechallenge),
        "21": _per_reaction(report, _rechallenge),
        "22": _concomitants(report),
        "23": _history(report),
        "24a": _manufacturer(report, s),
        "24b": _control_numbers(report, case_id),
        "24c": _date(report.case.first_received),
        "24d": _source(report),
        "date": _date(report.case.most_recent),
        "25a": _report_type(follow_up, version),
    }
    return {key: Box(key, BOXES[key][0], text, BOXES[key][1]) for key, text in texts.items()}


def _text(value: str | Null | None, missing: str = "not given") -> str:
    """A value, a null in words ("withheld", "unknown") or `missing`."""
    if isinstance(value, Null):
        return NULL_WORDS[value.null_flavor]
    return one_line(value) if value else missing


_date = _text


def _number(value: Decimal) -> str:
    """Plain notation without trailing zeros: 34, 1.5."""
    return format(value.normalize(), "f")


def _quantity(value: Quantity) -> str:
    return f"{_number(value.value)} {value.unit}"


def _interval(value: Interval) -> str:
    return f"{_number(value.value)} {value.unit.label.lower()}"


def _term(term: MeddraTerm) -> str:
    known = load_catalogue().term_by_code(term.code)
    return known.term if known is not None else f"MedDRA term {term.code}"


def _reaction_name(reaction: Reaction) -> str:
    known = load_catalogue().term_by_code(reaction.term.code)
    if known is not None:
        return known.term
    return one_line(reaction.translation or reaction.verbatim or _term(reaction.term))


def _numbered(lines: list[str], *, missing: str = "none reported") -> str:
    if not lines:
        return missing
    if len(lines) == 1:
        return lines[0]
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))


def _initials(report: Report) -> str:
    return _text(report.patient.initials)


def _country(report: Report) -> str:
    countries = [r.country for r in report.reactions if r.country]
    if not countries:
        countries = [
            s.country for s in report.primary_sources if isinstance(s.country, str) and s.country
        ]
    return ", ".join(dict.fromkeys(countries)) or "not given"


def _age(report: Report) -> str:
    patient = report.patient
    parts = []
    if patient.age is not None:
        parts.append(f"{_number(patient.age.value)} {patient.age.unit.label.lower()}")
    elif patient.age_group is not None:
        parts.append(patient.age_group.label.lower())
    if patient.gestation_at_onset is not None:
        gestation = patient.gestation_at_onset
        parts.append(f"gestation {_number(gestation.value)} {gestation.unit.label.lower()}")
    return ", ".join(parts) or "not given"


def _sex(report: Report) -> str:
    sex = report.patient.sex
    if isinstance(sex, Null):
        return NULL_WORDS[sex.null_flavor]
    return sex.label if sex is not None else "not given"


def _onsets(report: Report) -> str:
    starts = [_date(r.start) for r in report.reactions]
    if len(set(starts)) == 1:
        return starts[0]
    return "; ".join(f"{n}: {start}" for n, start in enumerate(starts, 1))


def _describe(report: Report) -> str:
    """Each reaction in clinical words, the tests, the narrative and the comments."""
    paragraphs = []
    for n, reaction in enumerate(report.reactions, 1):
        name = _reaction_name(reaction)
        text = f"Reaction {n}: {name}"
        verbatim = one_line(reaction.verbatim or "")
        if verbatim and verbatim.casefold() != name.casefold():
            text += f" (reported as \u201c{verbatim}\u201d)"
        criteria = reaction.seriousness.criteria()
        details = [
            f"onset {_date(reaction.start)}",
            *([f"end {_date(reaction.end)}"] if reaction.end is not None else []),
            *([f"duration {_interval(reaction.duration)}"] if reaction.duration else []),
            f"outcome {reaction.outcome.label.lower()}",
            f"serious ({', '.join(criteria).lower()})" if criteria else "not serious",
        ]
        if reaction.medically_confirmed:
            details.append("medically confirmed")
        if reaction.treatment:
            details.append(f"treatment: {one_line(reaction.treatment)}")
        paragraphs.append(f"{text}; {'; '.join(details)}.")
    if report.tests:
        paragraphs.append("Relevant tests / lab data:")
        paragraphs.extend(_test(test) for test in report.tests)
    # Headings on lines of their own: each paragraph of the text below takes its own direction
    # (an Arabic narrative runs right to left, from the box's right edge).
    paragraphs.extend(["Narrative:", report.narrative.narrative])
    diagnoses = [_term(term) for term in report.narrative.sender_diagnoses]
    if diagnoses:
        paragraphs.append(f"Sender's diagnosis: {', '.join(diagnoses)}.")
    if report.narrative.reporter_comments:
        paragraphs.extend(["Reporter's comments:", report.narrative.reporter_comments])
    if report.narrative.sender_comments:
        paragraphs.extend(["Sender's comments:", report.narrative.sender_comments])
    return "\n".join(paragraphs)


def _test(test: TestResult) -> str:
    name = one_line(test.name or "") or (_term(test.test) if test.test else "test")
    results = []
    if test.result_code is not None:
        results.append(test.result_code.label.lower())
    if test.result is not None:
        value = test.result.value
        results.append(
            f"{_text(value) if isinstance(value, Null) else _number(value)} {test.result.unit}"
        )
    if test.result_text:
        results.append(one_line(test.result_text))
    if test.normal_low is not None or test.normal_high is not None:
        low = _number(test.normal_low) if test.normal_low is not None else ""
        high = _number(test.normal_high) if test.normal_high is not None else ""
        results.append(f"normal range {low}-{high}")
    if test.comments:
        results.append(one_line(test.comments))
    date = f"{test.date}: " if test.date else ""
    return f"{date}{name}: {'; '.join(results) or 'result not given'}"


def _serious(report: Report) -> str:
    def any_reaction(criterion: str) -> bool:
        return any(getattr(r.seriousness, criterion) for r in report.reactions)

    boxes = [
        ("death", "Patient died"),
        ("hospitalisation", "Involved or prolonged inpatient hospitalisation"),
        ("disability", "Involved persistent or significant disability or incapacity"),
        ("life_threatening", "Life threatening"),
        ("congenital_anomaly", "Congenital anomaly / birth defect"),
        ("other_medically_important", "Other medically important condition"),
    ]
    return "\n".join(
        f"{CHECKED if any_reaction(name) else UNCHECKED} {label}" for name, label in boxes
    )


def _drug_name(drug: Drug) -> str:
    substances = ", ".join(
        one_line(s.name) + (f" {_quantity(s.strength)}" if s.strength else "")
        for s in drug.substances
    )
    name = one_line(drug.product_name)
    return f"{name} ({substances})" if substances else name


def _suspects(report: Report) -> str:
    lines = []
    for drug in report.suspect_drugs:
        parts = [_drug_name(drug)]
        if drug.role is DrugRole.INTERACTING:
            parts.append("interacting")
        batches = [one_line(d.batch) for d in drug.dosages if d.batch]
        if batches:
            parts.append(f"batch {', '.join(dict.fromkeys(batches))}")
        if drug.authorisation_holder:
            parts.append(f"marketing authorisation holder {one_line(drug.authorisation_holder)}")
        if drug.action_taken is not None and drug.action_taken is not ActionTaken.NOT_APPLICABLE:
            parts.append(f"action taken: {drug.action_taken.label.lower()}")
        if drug.additional_info:
            parts.append(one_line(drug.additional_info))
        lines.append("; ".join(parts))
    return _numbered(lines)


def _course(dosage: Dosage) -> str:
    return f"Course {dosage.course}: " if dosage.course is not None else ""


def _dose(dosage: Dosage) -> str:
    if dosage.dose is None:
        return one_line(dosage.text or "") or "not given"
    text = _quantity(dosage.dose)
    if dosage.interval_count is not None and dosage.interval_unit is not None:
        unit = dosage.interval_unit.label.lower()
        if dosage.interval_count == 1:
            text += f" every {unit.removesuffix('s')}"
        else:
            text += f" every {_number(dosage.interval_count)} {unit}"
    return text


def _period(dosage: Dosage) -> str:
    return f"{_date(dosage.start)} to {_date(dosage.end)}"


def _per_dosage(report: Report, describe: _DosageWords) -> str:
    lines: list[str] = []
    several = len(report.suspect_drugs) > 1
    for drug in report.suspect_drugs:
        prefix = f"{one_line(drug.product_name)}: " if several else ""
        lines.extend(f"{prefix}{_course(d)}{describe(d)}" for d in drug.dosages)
    return "\n".join(lines) or "not given"


def _routes(report: Report) -> str:
    routes = [_text(d.route) for drug in report.suspect_drugs for d in drug.dosages if d.route]
    return ", ".join(dict.fromkeys(routes)) or "not given"


def _indications(report: Report) -> str:
    found = [
        _text(i.text) if i.text else (_term(i.term) if i.term else "not given")
        for drug in report.suspect_drugs
        for i in drug.indications
    ]
    return "; ".join(dict.fromkeys(found)) or "not given"


def _durations(report: Report) -> str:
    text = _per_dosage(
        report, lambda d: _interval(d.duration) if d.duration is not None else "not given"
    )
    totals = [
        f"cumulative dose {_quantity(d.cumulative_dose)}"
        for d in report.suspect_drugs
        if d.cumulative_dose is not None
    ]
    return "\n".join([text, *totals])


def _per_reaction(report: Report, answer: _ReactionAnswer) -> str:
    return "\n".join(
        f"Reaction {n} ({_reaction_name(r)}): {answer(report, r)}"
        for n, r in enumerate(report.reactions, 1)
    )


def _dechallenge(report: Report, reaction: Reaction) -> str:
    if reaction.dechallenge is None:
        return "not given"
    answer = _DECHALLENGE_ANSWERS[reaction.dechallenge]
    return f"{answer} ({reaction.dechallenge.label})"


def _rechallenge(report: Report, reaction: Reaction) -> str:
    found = [
        (drug, link.recurrence)
        for drug in report.suspect_drugs
        for link in drug.reactions
        if link.reaction_id == reaction.id and link.recurrence is not None
    ]
    if not found:
        return "not given"
    several = len(report.suspect_drugs) > 1
    return "; ".join(
        (f"{one_line(drug.product_name)}: " if several else "")
        + f"{_RECURRENCE_ANSWERS[recurrence]} ({recurrence.label.lower()})"
        for drug, recurrence in found
    )


def _concomitants(report: Report) -> str:
    lines = []
    for drug in report.drugs:
        if drug.role not in (DrugRole.CONCOMITANT, DrugRole.NOT_ADMINISTERED):
            continue
        parts = [_drug_name(drug)]
        if drug.role is DrugRole.NOT_ADMINISTERED:
            parts.append("not administered")
        parts.extend(f"{_dose(d)}, {_period(d)}" for d in drug.dosages)
        parts.extend(_text(i.text) for i in drug.indications if i.text)
        lines.append("; ".join(parts))
    return _numbered(lines)


def _history(report: Report) -> str:
    patient = report.patient
    lines = []
    for entry in patient.medical_history:
        text = _term(entry.condition)
        details = [
            *([f"from {_date(entry.start)}"] if entry.start is not None else []),
            *([f"to {_date(entry.end)}"] if entry.end is not None else []),
            *(["continuing"] if entry.continuing is True else []),
            *(["family history"] if entry.family_history else []),
            *([one_line(entry.comments)] if entry.comments else []),
        ]
        lines.append(f"{text} ({', '.join(details)})" if details else text)
    if patient.medical_history_text:
        lines.append(_text(patient.medical_history_text))
    for past in patient.drug_history:
        dates = [f"from {_date(past.start)}" if past.start else "", f"to {_date(past.end)}"]
        span = " ".join(d for d in dates if d and not d.endswith("not given"))
        lines.append(f"Previous drug: {_text(past.name)}{f' ({span})' if span else ''}")
    if patient.last_menstrual_period is not None:
        lines.append(f"Last menstrual period: {_date(patient.last_menstrual_period)}")
    if patient.weight_kg is not None or patient.height_cm is not None:
        sizes = [
            *([f"weight {_number(patient.weight_kg)} kg"] if patient.weight_kg else []),
            *([f"height {_number(patient.height_cm)} cm"] if patient.height_cm else []),
        ]
        lines.append(", ".join(sizes).capitalize())
    death = patient.death
    if death is not None:
        causes = [c.text or (_term(c.term) if c.term else "") for c in death.reported_causes]
        text = f"Died {_date(death.date)}"
        if any(causes):
            text += f"; reported cause: {', '.join(one_line(c) for c in causes if c)}"
        if death.autopsy is not None:
            text += f"; autopsy {'done' if death.autopsy is True else _autopsy(death.autopsy)}"
        lines.append(text)
    if patient.parent is not None:
        lines.append("Parent-child report: see the parent's details in the E2B(R3) file")
    return "\n".join(lines) or "none reported"


def _autopsy(value: bool | Null) -> str:
    return NULL_WORDS[value.null_flavor] if isinstance(value, Null) else "not done"


def _joined(parts: Iterable[str | Null | None]) -> str:
    return ", ".join(one_line(p) for p in parts if isinstance(p, str) and one_line(p))


def _manufacturer(report: Report, settings: Settings) -> str:
    sender = report.sender
    person = _joined([sender.title, sender.given_name, sender.middle_name, sender.family_name])
    lines = [
        _joined([sender.organisation or settings.sender_organisation, sender.department]),
        person.replace(", ", " "),
        _joined([sender.street, sender.city, sender.state, sender.postcode, sender.country]),
        _joined([sender.phone, sender.email]),
    ]
    return "\n".join(line for line in lines if line) or "not given"


def _control_numbers(report: Report, case_id: str) -> str:
    numbers = [one_line(case_id)]
    for label, value in (
        ("sender's report ID", report.case.sender_report_id),
        ("worldwide case ID", report.case.worldwide_case_id),
    ):
        if one_line(value) not in numbers:
            numbers.append(f"{label} {one_line(value)}")
    return "\n".join(dict.fromkeys(numbers))


def _source(report: Report) -> str:
    study = report.case.report_type is ReportType.STUDY or report.study is not None
    literature = bool(report.literature)
    professional = any(s.qualification in _HEALTH_PROFESSIONALS for s in report.primary_sources)
    checks = [
        f"{CHECKED if study else UNCHECKED} Study",
        f"{CHECKED if literature else UNCHECKED} Literature",
        f"{CHECKED if professional else UNCHECKED} Health professional",
        f"{CHECKED if not professional else UNCHECKED} Other",
    ]
    lines = ["  ".join(checks)]
    for source in report.primary_sources:
        name = _joined([source.title, source.given_name, source.middle_name, source.family_name])
        where = _joined([source.organisation, source.department, source.city, source.country])
        role = source.qualification.label.lower() if source.qualification else ""
        lines.append(
            "Reporter: " + "; ".join(p for p in (name.replace(", ", " "), role, where) if p)
        )
    lines.extend(f"Literature: {_text(item.reference)}" for item in report.literature)
    if report.study is not None and isinstance(report.study.name, str):
        lines.append(f"Study: {one_line(report.study.name)}")
    return "\n".join(lines)


def _report_type(follow_up: bool, version: int) -> str:
    return (
        f"{UNCHECKED if follow_up else CHECKED} Initial\n"
        f"{CHECKED if follow_up else UNCHECKED} Follow-up\n"
        f"Version {version}"
    )


__all__ = ["BOXES", "CHECKED", "UNCHECKED", "Box", "cioms_pdf"]
