"""ICH E2B(R3) cross-field rules on the ICSR model, each naming its field path and element.

`e2b.validation` runs them after the model has checked each value; warnings are things a
reader should look at that do not make the report unsendable. Rules an application asks of
its own users beyond ICH (e.g. a form's plausibility checks) belong to that application.
Sources: ICH E2B(R3) IG and the ICH core data-element table (shared/e2b-r3/REQUIREMENTS.md).

These are the rules about what the data MEANS (dates, pairs, one primary source, one MedDRA
version, consistency between sections); how a file is WRITTEN is `e2b.rules`. Each rule lives
in one of the two (`CHECKS` below, `e2b.checks`); a received file meets these through the
reader (`e2b.reader`, `e2b.validate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, date
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel

from e2b.checks import Check, Kind
from e2b.codelists import DrugRole, Outcome, ReportType, SenderType
from e2b.dates import PartialDate, Precision, is_before, precision
from e2b.elements import element as element_row
from e2b.findings import Finding, Severity
from e2b.model import ICSR, MeddraTerm, Null, TermId, value_of

Rule = Callable[[ICSR, date], Iterator[Finding]]


def owner_label(path: str) -> str:
    """'reactions[0].outcome' -> 'Reaction 1'; the part of the report a clinician recognises."""
    names = {
        "primary_sources": "Reporter",
        "reactions": "Reaction",
        "tests": "Test",
        "drugs": "Drug",
        "dosages": "dosage",
        "medical_history": "medical history",
        "drug_history": "past drug",
        "reported_causes": "cause of death",
        "autopsy_causes": "autopsy cause",
        "indications": "indication",
        "substances": "substance",
        "causality": "causality",
        "other_case_ids": "other case ID",
        "summaries": "case summary",
        "sender_diagnoses": "sender's diagnosis",
        "documents": "document",
        "linked_reports": "linked report",
        "additional_info_codes": "additional information",
        "registrations": "study registration",
    }
    singles = {
        "case": "Case",
        "sender": "Sender",
        "study": "Study",
        "patient": "Patient",
        "narrative": "Narrative",
        "parent": "parent",
        "death": "death",
    }
    labels: list[str] = []
    previous = ""
    for part in path.split("."):
        name, _, index = part.partition("[")
        under_patient, previous = previous == "patient", name
        if index:
            if name == "reactions" and labels and labels[-1].startswith("Drug"):
                labels.append(f"assessment {int(index.rstrip(']')) + 1}")
            else:
                labels.append(f"{names.get(name, name)} {int(index.rstrip(']')) + 1}")
        elif name in singles and (not labels or (under_patient and name in ("parent", "death"))):
            labels.append(singles[name])
    if not labels:
        return "Report"
    text = ", ".join(labels)
    return text[0].upper() + text[1:]


def finding(severity: Severity, element: str, path: str, text: str) -> Finding:
    """A finding whose message says who, what and which element, e.g. 'Reaction 1: ... (E.i.7)'."""
    return Finding(severity, element, path, f"{owner_label(path)}: {text} ({element})")


def _error(element: str, path: str, text: str) -> Finding:
    return finding("error", element, path, text)


def _warning(element: str, path: str, text: str) -> Finding:
    return finding("warning", element, path, text)


# ---------------------------------------------------------------- walking the model


@cache
def _date_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that hold partial dates (found once per class)."""
    marker = get_args(PartialDate)[1:]

    def is_date(annotation: Any) -> bool:
        args = get_args(annotation)
        if args and args[0] is str and all(m in args[1:] for m in marker):
            return True
        return any(is_date(arg) for arg in get_args(annotation) if arg is not type(None))

    return tuple(
        name
        for name, info in cls.model_fields.items()
        if any(m in marker for m in info.metadata) or is_date(info.annotation)
    )


@cache
def _branches(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that can hold a sub-model or a list of them (once per class):
    the walk skips the texts, codes and dates, which are most fields."""
    return tuple(n for n, info in cls.model_fields.items() if _model_in(info.annotation))


def _walk(model: BaseModel, path: str) -> Iterator[tuple[BaseModel, str]]:
    """Every sub-model with its field path (the report itself first)."""
    yield model, path
    for name in _branches(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        if isinstance(value, BaseModel):
            yield from _walk(value, f"{path}.{name}" if path else name)
        elif isinstance(value, list):
            here = f"{path}.{name}" if path else name
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{here}[{i}]")


# During one `check_icsr`, the report's sub-models, walked once for all the rules that visit
# them (a rule run on its own walks the report itself).
_walked: ContextVar[tuple[BaseModel, list[tuple[BaseModel, str]]] | None] = ContextVar(
    "e2b_model_rules_walk", default=None
)


def _nodes(report: BaseModel) -> list[tuple[BaseModel, str]]:
    """`_walk(report, "")`, from the walk of the running check when it is this report's."""
    walked = _walked.get()
    if walked is not None and walked[0] is report:
        return walked[1]
    return list(_walk(report, ""))


def element_of(model: BaseModel, field: str, path: str = "") -> str:
    """The E2B element of a field, qualified by where it sits (parent D.10, autopsy D.9.4)."""
    return _field_element(type(model), field, path)


def _field_element(cls: type[BaseModel], field: str, path: str) -> str:
    under_parent = ".parent" in path or path.startswith("patient.parent")
    return _element_in(cls, field, under_parent, "autopsy_causes" in path)


@cache
def _element_in(cls: type[BaseModel], field: str, under_parent: bool, autopsy: bool) -> str:
    """A field's element where it sits (looked up once per class, field and place)."""
    extra = cls.model_fields[field].json_schema_extra
    element = str(extra.get("e2b") if isinstance(extra, dict) else "") or ""
    path = ("patient.parent." if under_parent else "") + ("autopsy_causes" if autopsy else "")
    return contextual_element(element, path)


def contextual_element(element: str, path: str) -> str:
    """D.7/D.8 blocks under the parent are D.10.7/D.10.8; autopsy causes are D.9.4.r."""
    if ".parent" in path or path.startswith("patient.parent"):
        for plain, parent in (("D.7.", "D.10.7."), ("D.8.", "D.10.8.")):
            if element.startswith(plain):
                return parent + element[len(plain) :]
    if "autopsy_causes" in path and element.startswith("D.9.2."):
        return "D.9.4." + element[len("D.9.2.") :]
    return element


# ---------------------------------------------------------------- the rules


def _dates(report: ICSR, today: date) -> Iterator[Finding]:
    """No date may lie in the future; C.1.4/C.1.5 need the day; ends are not before starts."""
    from e2b.dates import bounds

    # in_future and is_before of e2b.dates, with each date's bounds worked out once per report.
    spans: dict[str, tuple[Any, Any]] = {}

    def span(value: str) -> tuple[Any, Any]:
        found = spans.get(value)
        if found is None:
            found = spans[value] = bounds(value)
        return found

    for model, path in _nodes(report):
        fields = _date_fields(type(model))
        if not fields:
            continue
        values = vars(model)
        for name in fields:
            value = values[name]
            if not isinstance(value, str):  # absent, or a nullFlavor
                continue
            if span(value)[0].date() > today:  # in_future(value, today)
                field_path = f"{path}.{name}" if path else name
                element = element_of(model, name, field_path)
                yield _error(element, field_path, f"{_title(model, name)} {value} is in the future")
        start, end = values.get("start"), values.get("end")
        # not is_before(start, end)
        if isinstance(start, str) and isinstance(end, str) and span(end)[1] < span(start)[0]:
            field_path = f"{path}.end" if path else "end"
            yield _error(
                element_of(model, "end", field_path),
                field_path,
                f"end date {end} is before the start date {start}",
            )
    case = report.case
    for name in ("first_received", "most_recent"):
        if precision(getattr(case, name)) < Precision.DAY:
            yield _error(
                element_of(case, name),
                f"case.{name}",
                f"{_title(case, name)} needs at least a full date (day, month and year)",
            )
    if span(case.most_recent)[1] < span(case.first_received)[0]:  # not is_before(...)
        yield _error(
            "C.1.5",
            "case.most_recent",
            "date of most recent information is before the date the report was first received",
        )
    created = case.created_at
    if (created.astimezone(UTC) if created.tzinfo else created).date() > today:
        yield _error("C.1.2", "case.created_at", "date of creation is in the future")


def _title(model: BaseModel, name: str) -> str:
    return str(type(model).model_fields[name].title or name)


def _case(report: ICSR, today: date) -> Iterator[Finding]:
    case = report.case
    if case.nullification is not None and not case.nullification_reason:
        yield _error(
            "C.1.11.2",
            "case.nullification_reason",
            "a reason is required when the report is nullified or amended",
        )
    if case.nullification_reason and case.nullification is None:
        yield _error(
            "C.1.11.1",
            "case.nullification",
            "say whether this is a nullification or an amendment, or remove the reason",
        )
    if case.additional_documents and not case.documents:
        yield _error(
            "C.1.6.1.r.1",
            "case.documents",
            "list the documents held when additional documents are available",
        )
    if case.documents and not case.additional_documents:
        yield _error(
            "C.1.6.1",
            "case.additional_documents",
            "documents are listed, so 'additional documents available' must be yes",
        )
    previous = case.other_case_ids_in_previous
    if previous is False:
        yield _error(
            "C.1.9.1",
            "case.other_case_ids_in_previous",
            "other case identifiers in previous transmissions is sent as yes or as "
            "nullFlavor NI, never as no",
        )
    elif previous is True and not case.other_case_ids:
        yield _error(
            "C.1.9.1.r",
            "case.other_case_ids",
            "other case identifiers in previous transmissions is yes: list them",
        )
    elif isinstance(previous, Null) and case.other_case_ids:
        yield _error(
            "C.1.9.1",
            "case.other_case_ids_in_previous",
            "other case identifiers are listed, so 'other case identifiers in previous "
            "transmissions' must be yes",
        )
    if case.report_type is ReportType.STUDY and (
        report.study is None or report.study.study_type is None
    ):
        yield _error(
            "C.5.4",
            "study.study_type",
            "a report from a study (C.1.3 = 2) must say the study type",
        )
    if case.sender_report_id.split("-", 1)[0] != case.worldwide_case_id.split("-", 1)[0]:
        yield _warning(
            "C.1.8.1",
            "case.worldwide_case_id",
            "worldwide case ID and sender's report ID name different countries",
        )


def _primary_sources(report: ICSR, today: date) -> Iterator[Finding]:
    flagged = [i for i, s in enumerate(report.primary_sources) if s.primary_for_regulatory]
    if len(flagged) != 1:
        where = f"primary_sources[{flagged[1]}]" if len(flagged) > 1 else "primary_sources[0]"
        yield _error(
            "C.2.r.5",
            f"{where}.primary_for_regulatory",
            "exactly one reporter must be the primary source for regulatory purposes "
            f"(found {len(flagged)})",
        )
    for i, source in enumerate(report.primary_sources):
        path = f"primary_sources[{i}]"
        identifying = (
            source.given_name,
            source.family_name,
            source.organisation,
            source.phone,
            source.email,
            source.qualification,
            source.street,
            source.city,
        )
        if not any(value_of(part) for part in identifying):  # a masked name identifies no one
            yield _error(
                "C.2.r",
                path,
                "the reporter must be identifiable: give a name, organisation, contact or "
                "qualification",
            )
        if source.primary_for_regulatory and source.country is None:
            yield _error(
                "C.2.r.3", f"{path}.country", "country is required for the primary reporter"
            )


def _sender(report: ICSR, today: date) -> Iterator[Finding]:
    sender = report.sender
    if sender.sender_type is not SenderType.PATIENT and not sender.organisation:
        yield _error("C.3.2", "sender.organisation", "sender's organisation is required")


def _patient(report: ICSR, today: date) -> Iterator[Finding]:
    patient = report.patient
    identifying = (
        patient.initials,
        patient.birth_date,
        patient.age,
        patient.age_group,
        patient.sex,
        patient.weight_kg,
        patient.height_cm,
        patient.gestation_at_onset,
    )
    # Initials withheld (MSK) are known to the sender: they identify; ASKU / NASK do not, nor
    # does a sex sent as a nullFlavor.
    withheld = isinstance(patient.initials, Null) and patient.initials.null_flavor == "MSK"
    if not withheld and not any(x is not None and not isinstance(x, Null) for x in identifying):
        yield _error(
            "D.1",
            "patient.initials",
            "the patient must be identifiable: give initials, age, age group, date of birth or sex",
        )
    parent = patient.parent
    if parent is not None and parent.sex is None:
        # ICH: D.10.6 is required whenever any parent information is sent.
        yield _error("D.10.6", "patient.parent.sex", "the parent's sex is required")


@cache
def _term_fields(cls: type[BaseModel]) -> tuple[tuple[str, ...], bool]:
    """(the fields holding a TermId, whether the class has both MPID and PhPID), once per class."""
    terms = tuple(n for n, f in cls.model_fields.items() if _model_in(f.annotation) is TermId)
    return terms, {"mpid", "phpid"} <= cls.model_fields.keys()


def _product_ids(report: ICSR, today: date) -> Iterator[Finding]:
    """ICH: a drug entry has an MPID or a PhPID, not both (G.k.2.1.1/2, D.8.r.2/3, D.10.8.r.2/3);
    a TermID fits its element's length (TermId holds the longest, an MPID's 1,000)."""
    for model, path in _nodes(report):
        terms, product = _term_fields(type(model))
        for name in terms:
            value = getattr(model, name)
            if not isinstance(value, TermId):
                continue
            field_path = f"{path}.{name}" if path else name
            element = element_of(model, name, field_path)
            for part, half, what in (("code", "b", ""), ("version", "a", " version")):
                text = getattr(value, part)
                limit = element_row(element + half).max_length
                if text is not None and limit is not None and len(text) > limit:
                    yield _error(
                        element + half,
                        f"{field_path}.{part}",
                        f"{_title(model, name)}{what} is too long (at most {limit} characters)",
                    )
        if product and model.mpid is not None and model.phpid is not None:  # type: ignore[attr-defined]
            field_path = f"{path}.phpid" if path else "phpid"
            yield _error(
                element_of(model, "phpid", field_path),
                field_path,
                "give the MPID or the PhPID of the product, not both",
            )


def _death(report: ICSR, today: date) -> Iterator[Finding]:
    fatal = [i for i, r in enumerate(report.reactions) if r.outcome is Outcome.FATAL]
    died = [i for i, r in enumerate(report.reactions) if r.seriousness.death]
    for i in fatal:
        if not report.reactions[i].seriousness.death:
            yield _error(
                "E.i.3.2a",
                f"reactions[{i}].seriousness.death",
                "the outcome is fatal, so 'results in death' must be ticked",
            )
    if died and not fatal:
        yield _warning(
            "E.i.7",
            f"reactions[{died[0]}].outcome",
            "'results in death' is ticked but no reaction has a fatal outcome",
        )
    death = report.patient.death
    if death is not None:
        if not (
            death.date or death.reported_causes or death.autopsy is not None or death.autopsy_causes
        ):
            yield _error(
                "D.9.1",
                "patient.death.date",
                "give the date of death, a reported cause or whether an autopsy was done",
            )
        if death.autopsy_causes and death.autopsy is not True:
            yield _error(
                "D.9.3",
                "patient.death.autopsy",
                "autopsy-determined causes are given, so 'autopsy done' must be yes",
            )
    for group, path in (
        (death.reported_causes if death else [], "reported_causes"),
        (death.autopsy_causes if death else [], "autopsy_causes"),
    ):
        for j, cause in enumerate(group):
            if cause.term is None and not cause.text:
                element = "D.9.2.r" if path == "reported_causes" else "D.9.4.r"
                yield _error(
                    element,
                    f"patient.death.{path}[{j}]",
                    "give the cause of death as a MedDRA code or as text",
                )


def _reactions(report: ICSR, today: date) -> Iterator[Finding]:
    for i, reaction in enumerate(report.reactions):
        path = f"reactions[{i}]"
        if (
            reaction.outcome is Outcome.RECOVERED
            and reaction.end is None
            and reaction.duration is None
        ):
            yield _warning(
                "E.i.5", f"{path}.end", "the reaction has resolved: give the end date if known"
            )
        if value_of(reaction.end) and reaction.outcome in (
            Outcome.NOT_RECOVERED,
            Outcome.RECOVERING,
        ):
            yield _warning(
                "E.i.7",
                f"{path}.outcome",
                "an end date is given but the outcome says the reaction is ongoing",
            )


def _tests(report: ICSR, today: date) -> Iterator[Finding]:
    for i, test in enumerate(report.tests):
        path = f"tests[{i}]"
        if not test.name and test.test is None:
            yield _error("F.r.2", f"{path}.name", "give the test name (as text or MedDRA code)")
        if test.result_code is None and test.result is None and not test.result_text:
            yield _error(
                "F.r.3",
                f"{path}.result",
                "give the result: a value with its unit, a coded result or a text",
            )


def _drugs(report: ICSR, today: date) -> Iterator[Finding]:
    if not any(
        d.role in (DrugRole.SUSPECT, DrugRole.INTERACTING, DrugRole.NOT_ADMINISTERED)
        for d in report.drugs
    ):
        yield _error(
            "G.k.1",
            "drugs[0].role",
            "at least one drug must be suspect, interacting or not administered",
        )
    reaction_ids = {r.id: i for i, r in enumerate(report.reactions)}
    drug_ids: set[str] = set()
    for k, drug in enumerate(report.drugs):
        path = f"drugs[{k}]"
        if drug.id in drug_ids:
            yield _error("G.k", f"{path}.id", "two drugs share the same internal ID")
        drug_ids.add(drug.id)
        if drug.authorisation_number and drug.authorisation_country is None:
            yield _error(
                "G.k.3.2",
                f"{path}.authorisation_country",
                "the country of authorisation is required with an authorisation number",
            )
        for r, dosage in enumerate(drug.dosages):
            if (dosage.interval_count is None) != (dosage.interval_unit is None):
                missing = "G.k.4.r.3" if dosage.interval_unit is None else "G.k.4.r.2"
                name = "interval_unit" if dosage.interval_unit is None else "interval_count"
                yield _error(
                    missing,
                    f"{path}.dosages[{r}].{name}",
                    "the number of units and the interval unit go together",
                )
        seen: set[str] = set()
        for j, link in enumerate(drug.reactions):
            if link.reaction_id not in reaction_ids:
                yield _error(
                    "G.k.9.i.1",
                    f"{path}.reactions[{j}].reaction_id",
                    "the assessed reaction is not one of this report's reactions",
                )
            if not (
                link.causality or link.time_to_onset or link.time_since_last_dose or link.recurrence
            ):
                yield _error(
                    "G.k.9.i",
                    f"{path}.reactions[{j}]",
                    "an assessment needs a causality result, a time to onset or a recurrence",
                )
            for c, causality in enumerate(link.causality):
                if not (causality.source or causality.method or causality.result):
                    yield _error(
                        "G.k.9.i.2.r.3",
                        f"{path}.reactions[{j}].causality[{c}].result",
                        "give the result of the causality assessment",
                    )
            if link.reaction_id in seen:
                yield _error(
                    "G.k.9.i.1",
                    f"{path}.reactions[{j}].reaction_id",
                    "the same reaction is assessed twice for this drug",
                )
            seen.add(link.reaction_id)
        if drug.role is DrugRole.SUSPECT:
            first_doses = [start for d in drug.dosages if (start := value_of(d.start))]
            for i, reaction in enumerate(report.reactions):
                onset = value_of(reaction.start)
                if (
                    onset
                    and first_doses
                    and all(not is_before(start, onset) for start in first_doses)
                ):
                    yield _warning(
                        "E.i.4",
                        f"reactions[{i}].start",
                        f"the reaction started before the first dose of {drug.product_name}",
                    )
    ids = [r.id for r in report.reactions]
    if len(set(ids)) != len(ids):
        yield _error("E.i", "reactions", "two reactions share the same internal ID")


def _meddra_versions(report: ICSR, today: date) -> Iterator[Finding]:
    """ICH IG: only one MedDRA version per ICSR (E.i.2.1a, D.7.1.r.1a, G.k.7.r.2a ...).

    The reactions' version is the report's version; only terms that differ from it are flagged.
    """
    version = report.reactions[0].term.version
    for model, path in _nodes(report):
        if not isinstance(model, MeddraTerm) or model.version == version:
            continue
        owner_path, _, last = path.rpartition(".")
        field = last.split("[")[0]
        element = _element_at(report, owner_path, field, path)
        yield _error(
            element if element.endswith("a") else element + "a",
            f"{path}.version",
            f"MedDRA version {model.version} differs from version {version} of the reactions; "
            "one report uses one MedDRA version",
        )


@cache
def _null_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that may hold a nullFlavor (found once per class)."""

    def holds_null(annotation: Any) -> bool:
        return annotation is Null or any(holds_null(arg) for arg in get_args(annotation))

    return tuple(n for n, info in cls.model_fields.items() if holds_null(info.annotation))


def _null_flavors(report: ICSR, today: date) -> Iterator[Finding]:
    """A value sent as a nullFlavor uses one the IG allows for its element (the element table)."""
    for model, path in _nodes(report):
        for name in _null_fields(type(model)):
            value = getattr(model, name)
            if not isinstance(value, Null):
                continue
            field_path = f"{path}.{name}" if path else name
            element = element_of(model, name, field_path)
            allowed = element_row(element).null_flavors
            if value.null_flavor not in allowed:
                yield _error(
                    element,
                    field_path,
                    f"{_title(model, name)} cannot be sent as nullFlavor {value.null_flavor} "
                    f"(allowed: {', '.join(sorted(allowed)) or 'none'})",
                )


def _text_lengths(report: ICSR, today: date) -> Iterator[Finding]:
    """A three-state text fits its element's maximum length (the element table's: a union of
    text and Null cannot carry the length on the field)."""
    for model, path in _nodes(report):
        for name in _null_fields(type(model)):
            value = getattr(model, name)
            if value.__class__ is not str:
                continue
            field_path = f"{path}.{name}" if path else name
            element = element_of(model, name, field_path)
            limit = element_row(element).max_length
            if limit is not None and len(value) > limit:
                yield _error(
                    element,
                    field_path,
                    f"{_title(model, name)} is too long (at most {limit} characters)",
                )


def _element_at(report: ICSR, owner_path: str, field: str, path: str) -> str:
    """The element of `field` on the model at `owner_path` (for messages about nested terms)."""
    for model, here in _nodes(report):
        if here == owner_path and field in type(model).model_fields:
            return element_of(model, field, path)
    return ""


RULES: tuple[Rule, ...] = (
    _dates,
    _case,
    _primary_sources,
    _sender,
    _patient,
    _death,
    _product_ids,
    _reactions,
    _tests,
    _drugs,
    _meddra_versions,
    _null_flavors,
    _text_lengths,
)


def check_icsr(report: ICSR, today: date | None = None) -> list[Finding]:
    """All ICH rule findings (errors and warnings) for a report the model accepted."""
    today = today or date.today()
    token = _walked.set((report, list(_walk(report, ""))))
    try:
        return [finding for rule in RULES for finding in rule(report, today)]
    finally:
        _walked.reset(token)


def as_warning(finding: Finding) -> Finding:
    """A rule problem in a received file: reported, not a reason to refuse the file."""
    if finding.severity == "warning":
        return finding
    return Finding("warning", finding.element, finding.path, f"As received: {finding.message}")


# ---------------------------------------------------------------- what each rule checks


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside `X`, `X | None` or `list[X]` annotations."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields(cls: type[BaseModel], path: str = "") -> Iterator[tuple[type[BaseModel], str, str]]:
    """(model class, field name, field path) of every field of the report, sub-models included."""
    for name, info in cls.model_fields.items():
        here = f"{path}.{name}" if path else name
        yield cls, name, here
        sub = _model_in(info.annotation)
        if sub is not None:
            yield from _fields(sub, here)


def _date_checks() -> tuple[Check, ...]:
    """`_dates`: every date not in the future, every end not before its start, C.1.4/C.1.5."""
    out: list[Check] = [("C.1.2", "future"), ("C.1.4", "precision"), ("C.1.5", "precision")]
    out.append(("C.1.5", "order"))
    for cls, name, path in _fields(ICSR):
        dates = _date_fields(cls)
        if name in dates:
            out.append((_field_element(cls, name, path), "future"))
            if name == "end" and "start" in dates:
                out.append((_field_element(cls, name, path), "order"))
    return tuple(dict.fromkeys(out))


def _meddra_checks() -> tuple[Check, ...]:
    """`_meddra_versions`: the version (the 'a' element) of every MedDRA term in the report."""
    out: list[Check] = []
    for cls, name, path in _fields(ICSR):
        if _model_in(cls.model_fields[name].annotation) is MeddraTerm:
            element = _field_element(cls, name, path)
            out.append((element if element.endswith("a") else element + "a", "version"))
    return tuple(dict.fromkeys(out))


def _product_checks() -> tuple[Check, ...]:
    """`_product_ids`: MPID or PhPID, not both; each TermID's code and version within length."""
    out: list[Check] = []
    for cls, name, path in _fields(ICSR):
        if _model_in(cls.model_fields[name].annotation) is TermId:
            element = _field_element(cls, name, path)
            out += [(element + "a", "length"), (element + "b", "length")]
        if name == "phpid":
            out.append((_field_element(cls, name, path), "consistent"))
    return tuple(dict.fromkeys(out))


def _three_state_checks(kind: Kind) -> tuple[Check, ...]:
    """`_null_flavors` and `_text_lengths`: every element whose field may hold a nullFlavor."""
    out = [
        (_field_element(cls, name, path), kind)
        for cls, name, path in _fields(ICSR)
        if name in _null_fields(cls)
    ]
    return tuple(dict.fromkeys(out))


# Each rule's checks as (element, kind) (`e2b.checks`); the XML layer's are `e2b.rules.CHECKS`.
CHECKS: dict[str, tuple[Check, ...]] = {
    "_dates": _date_checks(),
    "_case": (
        ("C.1.11.2", "conditional"),
        ("C.1.11.1", "conditional"),
        ("C.1.6.1.r.1", "conditional"),
        ("C.1.6.1", "conditional"),
        ("C.1.9.1", "consistent"),
        ("C.1.9.1.r", "conditional"),
        ("C.5.4", "conditional"),
        ("C.1.8.1", "consistent"),
    ),
    "_primary_sources": (("C.2.r.5", "count"), ("C.2.r", "content"), ("C.2.r.3", "conditional")),
    "_sender": (("C.3.2", "conditional"),),
    "_patient": (("D.1", "content"), ("D.1", "consistent"), ("D.10.6", "conditional")),
    "_death": (
        ("E.i.3.2a", "consistent"),
        ("E.i.7", "consistent"),
        ("D.9.1", "content"),
        ("D.9.3", "consistent"),
        ("D.9.2.r", "content"),
        ("D.9.4.r", "content"),
    ),
    "_reactions": (("E.i.5", "conditional"), ("E.i.7", "consistent")),
    "_tests": (("F.r.2", "content"), ("F.r.3", "content")),
    "_drugs": (
        ("G.k.1", "count"),
        ("G.k", "unique"),
        ("G.k.3.2", "conditional"),
        ("G.k.4.r.2", "paired"),
        ("G.k.4.r.3", "paired"),
        ("G.k.9.i.1", "reference"),
        ("G.k.9.i.1", "unique"),
        ("G.k.9.i", "content"),
        ("G.k.9.i.2.r.3", "content"),
        ("E.i.4", "order"),
        ("E.i", "unique"),
    ),
    "_meddra_versions": _meddra_checks(),
    "_product_ids": _product_checks(),
    "_null_flavors": _three_state_checks("null_flavor"),
    "_text_lengths": _three_state_checks("length"),
}
