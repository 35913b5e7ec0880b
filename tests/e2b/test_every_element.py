"""Acceptance (issue 10): an 'every element' ICSR round-trips.

data/every_element.json is one synthetic ICSR (plain JSON of `e2b.model.ICSR`) that sets every
field of every model class reachable from ICSR, with two of each repeatable block, partial dates
of every precision the model takes, times at non-UTC offsets, and text in Arabic and English.
This module proves:

- the fixture really sets everything (a new model field fails the coverage test until the fixture
  sets it, or the field is listed in NOT_SET with a reason);
- model -> XML -> model is the identity, and the reader finds nothing to complain about;
- XML -> model -> XML gives the same XML after exclusive C14N;
- the XML passes the ICH XSD and the XML rule layer;
- PyPI `e2br3`, a reader written by others, reads the XML and sees what the model says.

nullFlavors: each case sits in the fixture next to the values of its kind (a repeated block
holds one as a value, another as a nullFlavor), and NULL_FLAVOR_CASES lists them so the coverage
test can check each one is present. Elements held once per report (D.1, D.5, D.9.3, D.10.1 ...)
keep their values here; tests/e2b/test_null_flavors.py round-trips each of their flavors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import e2br3
from lxml import etree
from pydantic import BaseModel

from e2b.dates import bounds, precision
from e2b.findings import Finding
from e2b.model import ICSR, MeddraTerm, Null
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, to_xml
from e2b.xmlsafe import parse_bytes
from tests.e2b.test_published import content, first_difference

FIXTURE = Path(__file__).parent / "data" / "every_element.json"
TODAY = date(2026, 11, 25)
HEADER = BatchHeader(
    "EVERY-ELEMENT-BATCH-1", "EXAMPLEPHARMA", "SFDA-NPC", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
)

# Fields the fixture leaves at their default on purpose, "Class.field" -> why. The coverage test
# fails when a field listed here is set after all, so the list cannot go stale.
NOT_SET: dict[str, str] = {
    "MessageHeader.message_id": (
        "ICH: N.2.r.1 is C.1.1 (the XML rules warn otherwise), so the writer derives it; a "
        "partner's other id is kept (tests/e2b/test_c_section.py)"
    ),
    "MessageHeader.created_at": (
        "ICH: N.2.r.4 is C.1.2 (the XML rules warn otherwise), so the writer derives it; a "
        "partner's other time is kept (tests/e2b/test_c_section.py)"
    ),
    "CaseIdentification.other_case_ids_in_previous": (
        "None sends C.1.9.1 as C.1.9.1.r says (true here); a value is kept only where a received "
        "file disagrees, which the rules refuse; tests/e2b/test_c_section.py covers it"
    ),
}

# nullFlavor cases the fixture holds, "Class.field" -> flavors (each somewhere in the fixture).
NULL_FLAVOR_CASES: dict[str, tuple[str, ...]] = {
    "Reaction.end": ("ASKU",),
    "Dosage.start": ("NASK",),
    "MedicalHistory.end": ("MSK",),
    "ParentMedicalHistory.start": ("NASK",),  # D.10.7.1.r.2
    "PastDrug.start": ("ASKU",),
    "PastDrug.end": ("MSK",),  # the parent's (D.10.8.r.5)
    "Parent.last_menstrual_period": ("ASKU",),
    "StudyRegistration.number": ("ASKU",),
    "StudyRegistration.country": ("NASK",),
    "Study.sponsor_number": ("NASK",),
    "PrimarySource.middle_name": ("MSK",),
    "PrimarySource.postcode": ("NASK",),
    "PrimarySource.country": ("UNK",),
    "Literature.reference": ("ASKU",),
    "Patient.investigation_number": ("MSK",),  # D.1.1.4
    "ParentMedicalHistory.continuing": ("UNK",),  # D.10.7.1.r.3
    "PastDrug.name": ("UNK",),  # the patient's (D.8.r.1; the parent's D.10.8.r.1 allows none)
    "ResultValue.value": ("NINF",),  # F.r.3.2
    "Dosage.dose_form": ("ASKU",),
    "Dosage.route": ("NASK",),
    "Dosage.parent_route": ("UNK",),
    "Indication.text": ("ASKU",),
}


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def fixture() -> ICSR:
    return ICSR.model_validate(load())


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


# ---------------------------------------------------------------- walking the model


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside X, X | None, list[X] or Annotated[X, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        inner = model_in(arg)
        if inner is not None:
            return inner
    return None


def model_classes(root: type[BaseModel] = ICSR) -> list[type[BaseModel]]:
    """Every model class reachable from `root` through its fields, `root` first."""
    found: list[type[BaseModel]] = []

    def visit(cls: type[BaseModel]) -> None:
        if cls in found:
            return
        found.append(cls)
        for info in cls.model_fields.values():
            sub = model_in(info.annotation)
            if sub is not None:
                visit(sub)

    visit(root)
    return found


def instances(model: BaseModel) -> Iterator[BaseModel]:
    """`model` and every sub-model in it."""
    yield model
    for value in vars(model).values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                yield from instances(item)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _default(cls: type[BaseModel], name: str) -> Any:
    info = cls.model_fields[name]
    if info.is_required():
        return None
    return info.get_default(call_default_factory=True)


def gaps(report: ICSR) -> dict[str, str]:
    """What the fixture lacks, "Class.field" -> why. A field is covered when some instance of
    its class holds a value that is not empty and differs from the field's default; a list holds
    two entries somewhere; a yes/no of a class that occurs more than once is both yes and no."""
    seen: dict[type[BaseModel], list[BaseModel]] = {}
    for item in instances(report):
        seen.setdefault(type(item), []).append(item)
    out: dict[str, str] = {}
    for cls in model_classes():
        items = seen.get(cls, [])
        for name, info in cls.model_fields.items():
            key = f"{cls.__name__}.{name}"
            values = [getattr(item, name) for item in items]
            default = _default(cls, name)
            set_values = [v for v in values if not _empty(v) and v != default]
            if not set_values:
                out[key] = "never set (or only to its default)"
            elif isinstance(default, list) and max(len(v) for v in set_values) < 2:
                out[key] = "a list with fewer than two entries everywhere"
            elif (
                len(items) > 1
                and info.annotation in (bool, bool | None)
                and {v for v in values if v is not None} != {True, False}
            ):
                out[key] = "a yes/no that is not both yes and no"
    return out


# ---------------------------------------------------------------- the fixture


def test_the_fixture_is_a_valid_icsr_without_error_findings() -> None:
    result = validate_icsr(load(), TODAY)
    assert errors(result.findings) == []
    assert result.ok


def test_the_fixture_sets_every_field_of_every_model_class() -> None:
    missing = gaps(fixture())
    known = {cls.__name__ + "." + name for cls in model_classes() for name in cls.model_fields}
    assert set(NOT_SET) <= known, "NOT_SET names a field the model no longer has"
    assert {k: v for k, v in missing.items() if k not in NOT_SET} == {}
    assert set(NOT_SET) <= set(missing), "a field in NOT_SET is set now: take it off the list"


def test_the_coverage_test_notices_a_field_the_fixture_leaves_out() -> None:
    data = load()
    for drug in data["drugs"]:
        drug.pop("cumulative_dose", None)
    data["narrative"]["summaries"] = data["narrative"]["summaries"][:1]
    missing = gaps(ICSR.model_validate(data))
    assert missing["Drug.cumulative_dose"] == "never set (or only to its default)"
    assert missing["Narrative.summaries"] == "a list with fewer than two entries everywhere"


def test_the_fixture_uses_one_meddra_version_and_several_date_precisions() -> None:
    report = fixture()
    versions = {item.version for item in instances(report) if isinstance(item, MeddraTerm)}
    assert versions == {"27.1"}
    text = FIXTURE.read_text(encoding="utf-8")
    for offset in ("+03:00", "-05:00"):
        assert offset in text
    dates = [
        getattr(item, name)
        for item in instances(report)
        for name in ("start", "end", "date", "birth_date", "last_menstrual_period")
        if isinstance(getattr(item, name, None), str)
    ]
    assert {precision(d).name for d in dates} >= {"YEAR", "MONTH", "DAY", "MINUTE", "SECOND"}
    assert {s.language for s in report.narrative.summaries} == {"ara", "eng"}


def test_null_flavor_cases_name_model_fields() -> None:
    known = {cls.__name__ + "." + name for cls in model_classes() for name in cls.model_fields}
    assert set(NULL_FLAVOR_CASES) <= known


def test_the_fixture_holds_every_null_flavor_case() -> None:
    found = {
        (type(item).__name__ + "." + name, value.null_flavor.value)
        for item in instances(fixture())
        for name in type(item).model_fields
        if isinstance(value := getattr(item, name), Null)
    }
    wanted = {(field, flavor) for field, flavors in NULL_FLAVOR_CASES.items() for flavor in flavors}
    assert found == wanted


# ---------------------------------------------------------------- round trips


def read_one(xml: bytes) -> ICSR:
    batch = read_bytes(xml)
    assert len(batch.reports) == 1
    message = batch.reports[0]
    assert errors(message.findings) == []
    assert message.report is not None
    return message.report


def test_model_to_xml_to_model_is_the_identity() -> None:
    """Exact, field by field. One order is the reader's: a drug's G.k.9.i links come back in the
    order of the reactions (E.i) they assess, as the XML spreads each link over three places
    (time intervals, recurrence, causality); the fixture lists them in that order."""
    report = fixture()
    read = read_one(to_xml([report], HEADER))
    assert read.model_dump(mode="json") == report.model_dump(mode="json")


def test_the_reader_finds_nothing_to_report() -> None:
    batch = read_bytes(to_xml([fixture()], HEADER))
    assert batch.reports[0].findings == []
    assert batch.batch_id == HEADER.batch_id
    assert (batch.sender_id, batch.receiver_id) == (HEADER.sender_id, HEADER.receiver_id)


# N.1.2 batch id and N.1.5 batch creation time: transmission data that changes with each send.
VOLATILE = (("h:id", "extension"), ("h:creationTime", "value"))


def canonical(xml: bytes, *, drop_volatile: bool = False) -> bytes:
    """Exclusive C14N; with `drop_volatile`, N.1.2 and N.1.5 of the batch are removed first."""
    root = parse_bytes(xml).getroot()
    if drop_volatile:
        for path, attribute in VOLATILE:
            for node in root.xpath(path, namespaces={"h": "urn:hl7-org:v3"}):
                del node.attrib[attribute]
    return bytes(etree.tostring(root, method="c14n", exclusive=True))


def test_xml_to_model_to_xml_is_equal_after_c14n() -> None:
    """Written with the same BatchHeader both times, nothing is volatile: nothing is removed."""
    xml = to_xml([fixture()], HEADER)
    again = to_xml([read_one(xml)], HEADER)
    assert canonical(again) == canonical(xml)


def test_only_the_batch_id_and_time_change_with_another_header() -> None:
    """Another send of the same report differs in N.1.2 and N.1.5 only (N.2.r.4 is C.1.2)."""
    xml = to_xml([fixture()], HEADER)
    sent_again = datetime(2026, 11, 21, 9, 45, 10, tzinfo=UTC)
    other = BatchHeader("EVERY-ELEMENT-BATCH-2", HEADER.sender_id, HEADER.receiver_id, sent_again)
    again = to_xml([read_one(xml)], other)
    assert canonical(again) != canonical(xml)
    assert canonical(again, drop_volatile=True) == canonical(xml, drop_volatile=True)


def test_the_xml_passes_the_xsd_and_the_ich_rules() -> None:
    assert validate_bytes(to_xml([fixture()], HEADER), TODAY) == []


def test_withheld_initials_round_trip() -> None:
    """D.1 as nullFlavor MSK: known to the sender, withheld."""
    data = load()
    data["patient"]["initials"] = {"null_flavor": "MSK"}
    report = ICSR.model_validate(data)
    assert validate_icsr(report, TODAY).ok
    xml = to_xml([report], HEADER)
    assert b'<name nullFlavor="MSK"/>' in xml
    assert read_one(xml).model_dump(mode="json") == report.model_dump(mode="json")
    assert validate_bytes(xml, TODAY) == []


# ---------------------------------------------------------------- the peer reader, e2br3


def _moment(value: str | Null) -> dict[str, str]:
    """A partial date as tests.e2b.test_published._plain shows e2br3's TS (UTC when offset),
    or its nullFlavor."""
    if isinstance(value, Null):
        return {"nullFlavor": value.null_flavor.value}
    level = precision(value)
    if level.name in ("YEAR", "MONTH", "DAY"):
        shown = bounds(value)[0].date().isoformat()
    else:
        moment = datetime.fromisoformat(value)
        shown = (moment.astimezone(UTC) if moment.tzinfo else moment).isoformat()
    return {"date": shown, "precision": level.name.lower()}


def _flavor(value: Any) -> Any:
    """A value as e2br3 shows it: a nullFlavor as {"nullFlavor": ...}, a code as its value."""
    if isinstance(value, Null):
        return {"nullFlavor": value.null_flavor.value}
    return getattr(value, "value", value)


def _blank(value: Any) -> Any:
    """e2br3 reads an empty element as "" where the model has nothing."""
    return None if value == "" else value


def expected_content(report: ICSR) -> dict[str, Any]:
    """What e2br3 should see (`content`'s keys), from the model; codes without their systems."""
    case, patient = report.case, report.patient
    order = {r.id: i for i, r in enumerate(report.reactions)}
    created = case.created_at.astimezone(UTC).isoformat()
    return {
        "C.1.1": case.sender_report_id,
        "C.1.2": {"date": created, "precision": "second"},
        "C.1.3": case.report_type.value,
        "C.1.4": _moment(case.first_received),
        "C.1.5": _moment(case.most_recent),
        "C.1.8.1": case.worldwide_case_id,
        "C.1.11.1": case.nullification.value if case.nullification else None,
        "C.1.11.2": case.nullification_reason,
        "C.2.r": [
            {
                "C.2.r.3": {"nullFlavor": s.country.null_flavor.value}
                if isinstance(s.country, Null)
                else s.country,
                "C.2.r.4": s.qualification and s.qualification.value,
            }
            for s in report.primary_sources
        ],
        "C.4.r": [
            {
                "C.4.r.1": {"nullFlavor": item.reference.null_flavor.value}
                if isinstance(item.reference, Null)
                else item.reference,
                "C.4.r.2": None
                if item.document is None
                else {"media_type": item.document.media_type, "data": item.document.data},
            }
            for item in report.literature
        ],
        "D": {
            "D.1": _flavor(patient.initials),
            "D.2.2": None
            if patient.age is None
            else {"value": format(patient.age.value.normalize(), "f"), "unit": patient.age.unit},
            "D.5": _flavor(patient.sex),
        },
        "E.i": [
            {
                "E.i.1.1a": r.verbatim,
                "E.i.1.1b": r.language if r.verbatim else None,
                "E.i.1.2": r.translation,
                "E.i.2.1": {"code": r.term.code, "version": r.term.version},
                **{
                    f"E.i.3.2{letter}": getattr(r.seriousness, name)
                    for letter, name in zip("abcdef", type(r.seriousness).model_fields, strict=True)
                },
                "E.i.4": r.start and _moment(r.start),
                "E.i.5": r.end and _moment(r.end),
                "E.i.7": r.outcome.value,
            }
            for r in report.reactions
        ],
        "G.k": [
            {
                "G.k.1": d.role.value,
                "G.k.2.2": d.product_name,
                "G.k.2.3.r.1": [s.name for s in d.substances],
                "G.k.4.r": [
                    {
                        "G.k.4.r.8": g.text,
                        "G.k.4.r.10.1": _flavor(g.route),
                        "G.k.4.r.10.2": g.route_term.code if g.route_term else None,
                    }
                    for g in d.dosages
                ],
                "G.k.8": d.action_taken and d.action_taken.value,
                # e2br3 0.1.0 builds G.k.9.i from causality assessments only.
                "G.k.9.i": sorted(
                    (
                        {
                            "reaction": order[link.reaction_id],
                            "G.k.9.i.2.r": sorted(
                                (
                                    {"source": c.source, "method": c.method, "result": c.result}
                                    for c in link.causality
                                ),
                                key=repr,
                            ),
                        }
                        for link in d.reactions
                        if link.causality
                    ),
                    key=repr,
                ),
            }
            for d in report.drugs
        ],
        "H.1": report.narrative.narrative,
    }


def seen_by_e2br3(seen: dict[str, Any]) -> dict[str, Any]:
    """`content`'s output in `expected_content`'s terms: codes only, "" as nothing."""

    def code(value: Any) -> Any:
        return value["code"] if isinstance(value, dict) and "code" in value else value

    def text(value: Any) -> Any:
        return _blank(value["text"] if isinstance(value, dict) else value)

    out = dict(seen)
    for key in ("C.1.3", "C.1.11.1"):
        out[key] = code(seen[key])
    out["C.2.r"] = [{k: code(v) for k, v in s.items()} for s in seen["C.2.r"]]
    out["D"] = {**seen["D"], "D.5": code(seen["D"]["D.5"])}
    out["E.i"] = [
        {
            **r,
            "E.i.2.1": {"code": r["E.i.2.1"]["code"], "version": r["E.i.2.1"]["version"]},
            # criteria not met are sent as nullFlavor NI (ICH IG); the model holds False
            **{k: v is True for k, v in r.items() if k.startswith("E.i.3.2")},
            "E.i.7": code(r["E.i.7"]),
        }
        for r in seen["E.i"]
    ]
    out["G.k"] = [
        {
            **d,
            "G.k.1": code(d["G.k.1"]),
            "G.k.4.r": [{**g, "G.k.4.r.10.2": code(g["G.k.4.r.10.2"])} for g in d["G.k.4.r"]],
            "G.k.8": code(d["G.k.8"]),
            "G.k.9.i": sorted(
                (
                    {
                        "reaction": link["reaction"],
                        "G.k.9.i.2.r": sorted(
                            (
                                {k: text(a[k]) for k in ("source", "method", "result")}
                                for a in link["G.k.9.i.2.r"]
                            ),
                            key=repr,
                        ),
                    }
                    for link in d["G.k.9.i"]
                ),
                key=repr,
            ),
        }
        for d in seen["G.k"]
    ]
    return out


def test_e2br3_reads_the_xml_and_sees_what_the_model_says() -> None:
    report = fixture()
    xml = to_xml([report], HEADER)
    batch = e2br3.parse(xml)
    assert len(batch.icsrs) == 1
    seen = seen_by_e2br3(content(batch.icsrs[0]))
    assert first_difference(expected_content(report), seen) is None


def test_e2br3_sees_the_same_content_in_the_rewritten_xml() -> None:
    xml = to_xml([fixture()], HEADER)
    again = to_xml([read_one(xml)], HEADER)
    before, after = (content(e2br3.parse(x).icsrs[0]) for x in (xml, again))
    assert first_difference(before, after) is None
