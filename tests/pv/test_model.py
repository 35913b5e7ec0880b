"""The report model itself: schema and element metadata, normalisation, derived properties."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import BaseModel, ValidationError

from e2b.codelists import (
    ALL_CODELISTS,
    DrugRole,
    TermHighlighted,
    codelist,
    codelist_names,
    codelist_oid,
)
from e2b.model import Null, NullFlavor
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.validation import _model_class
from e2b.writer import to_xml
from pv.model import (
    CaseIdentification,
    Dechallenge,
    Drug,
    Narrative,
    PrimarySource,
    Reaction,
    Report,
    Sender,
    Seriousness,
    TestResult,
)
from pv.validation import validate_report
from tests.cases import TODAY, load_case
from tests.pv.submissions import HEADER
from tests.strategies import SLOW_REPORTS, reports

ITP_TERM = {"version": "27.1", "code": "10083842"}


def _models(cls: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[type[BaseModel]]:
    """Every model class reachable from `cls` through its fields."""
    seen = set() if seen is None else seen
    if cls not in seen:
        seen.add(cls)
        for info in cls.model_fields.values():
            inner = _model_class(info.annotation)
            if inner is not None:
                _models(inner, seen)
    return seen


def report(name: str = "itp_course2", **changes: Any) -> Report:
    data = load_case(name)
    data.update(changes)
    return Report.model_validate(data, context={"today": TODAY})


# ---------------------------------------------------------------- schema and element numbers


def test_every_field_names_its_e2b_element() -> None:
    missing = [
        f"{cls.__name__}.{name}"
        for cls in _models(Report)
        for name, info in cls.model_fields.items()
        if not (isinstance(info.json_schema_extra, dict) and "e2b" in info.json_schema_extra)
    ]
    assert missing == []


def test_only_tool_local_fields_have_no_element() -> None:
    local = {
        f"{cls.__name__}.{name}"
        for cls in _models(Report)
        for name, info in cls.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra["e2b"] is None
    }
    # TermId.system/display: the HL7 codeSystem and displayName a TermID is sent with (kept so a
    # partner's term comes back as sent); no ICH element of their own.
    assert local == {
        "Reaction.id",
        "Reaction.guide_category",
        # The reporter's consent and request for a copy (pv.email copies them).
        "Report.reporter_consents_to_contact",
        "Report.copy_to_reporter",
        "Drug.id",
        "TermId.system",
        "TermId.display",
        # The parts of an HL7 ED (an included document) that make up one element.
        *(f"Attachment.{n}" for n in ("data", "media_type", "representation", "compression")),
        "Attachment.file_name",
        # The nullFlavor an element is sent with instead of a value: part of that element.
        "Null.null_flavor",
    }


def test_json_schema_carries_the_elements() -> None:
    schema = Report.model_json_schema()
    objects = [schema, *schema["$defs"].values()]
    assert {o["title"] for o in schema["$defs"].values()} >= {
        "CaseIdentification",
        "Reaction",
        "Drug",
        "TestResult",
        "Narrative",
        "Death",
        "Parent",
    }
    for obj in objects:
        for name, prop in obj.get("properties", {}).items():
            assert "e2b" in prop, f"{obj['title']}.{name}"
    assert schema["properties"]["reactions"]["e2b"] == "E.i"
    reaction = schema["$defs"]["Reaction"]["properties"]
    assert reaction["outcome"]["e2b"] == "E.i.7"
    # A partial date, or the nullFlavor sent in its place (or absent).
    date, null = reaction["start"]["anyOf"][0]["oneOf"]
    assert "2024-05-17T14:30" in date["examples"]
    assert null == {"$ref": "#/$defs/Null"}
    assert "outcome" in schema["$defs"]["Reaction"]["required"]


def test_json_schema_of_a_list_of_text_keeps_its_limit() -> None:
    linked = Report.model_json_schema()["$defs"]["CaseIdentification"]["properties"]
    assert linked["linked_reports"]["items"]["maxLength"] == 100


# ---------------------------------------------------------------- text normalisation


@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\u00a0\u3000"])
@pytest.mark.parametrize(
    ("cls", "field", "required"),
    [
        (PrimarySource, "given_name", {}),
        (PrimarySource, "phone", {}),
        (PrimarySource, "email", {}),
        (PrimarySource, "country", {}),
        (Sender, "organisation", {}),
        (Narrative, "reporter_comments", {"narrative": "n"}),
        (TestResult, "result_text", {}),
        (Reaction, "translation", {"term": ITP_TERM, "outcome": "1"}),
    ],
)
def test_blank_optional_text_becomes_none(
    cls: type[BaseModel], field: str, required: dict[str, Any], blank: str
) -> None:
    assert getattr(cls.model_validate({**required, field: blank}), field) is None


def test_optional_text_keeps_its_spaces() -> None:
    source = PrimarySource(given_name="  Huda ", country="SA")
    assert source.given_name == "  Huda "


@pytest.mark.parametrize("blank", ["", "   ", "\n"])
def test_required_text_must_not_be_blank(blank: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Narrative(narrative=blank)
    assert caught.value.errors()[0]["type"] == "blank"


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_text_refuses_what_xml_cannot_carry(char: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Narrative(narrative=f"before{char}after")
    assert caught.value.errors()[0]["type"] == "control_character"


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x85", "\u2028", "\U0001f48a", "\u202e"])
def test_text_keeps_what_xml_can_carry(char: str) -> None:
    assert Narrative(narrative=f"before{char}after").narrative == f"before{char}after"


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        PrimarySource.model_validate({"country": "SA", "familyname": "Al-Qahtani"})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


# ---------------------------------------------------------------- C.1.2 creation time


def _case(created_at: Any) -> CaseIdentification:
    return CaseIdentification(
        sender_report_id="SA-LEMTRADAPV-000001",
        created_at=created_at,
        first_received="2026-01-01",
        most_recent="2026-01-01",
        worldwide_case_id="SA-LEMTRADAPV-000001",
    )


@pytest.mark.parametrize(
    ("given", "expected", "offset"),
    [
        ("2026-01-01T10:00:00.654321+03:00", "2026-01-01T10:00:00+03:00", timedelta(hours=3)),
        ("2026-01-01T10:00:59.999999", "2026-01-01T10:00:59", None),
        ("2025-12-31T22:30:00-05:00", "2025-12-31T22:30:00-05:00", timedelta(hours=-5)),
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", timedelta(0)),
    ],
)
def test_creation_time_is_kept_to_the_second_at_the_offset_given(
    given: str, expected: str, offset: timedelta | None
) -> None:
    """C.1.2 keeps its time zone as sent (none if none was sent): the instant and how it was
    written both survive a round trip."""
    created = _case(given).created_at
    assert created.isoformat() == expected
    assert created.utcoffset() == offset


# ---------------------------------------------------------------- seriousness and E.i.3.1


def test_no_criterion_is_not_serious() -> None:
    assert not Seriousness().serious
    assert Seriousness().criteria() == []


@pytest.mark.parametrize("criterion", list(Seriousness.model_fields))
def test_each_criterion_alone_is_serious(criterion: str) -> None:
    seriousness = Seriousness(**{criterion: True})
    assert seriousness.serious
    assert seriousness.criteria() == [Seriousness.model_fields[criterion].title]


def test_criteria_are_listed_in_order() -> None:
    both = Seriousness(hospitalisation=True, death=True)
    assert both.criteria() == ["results in death", "caused or prolonged hospitalisation"]


@pytest.mark.parametrize(
    ("highlighted", "serious", "code"),
    [
        (True, True, TermHighlighted.HIGHLIGHTED_SERIOUS),
        (True, False, TermHighlighted.HIGHLIGHTED_NOT_SERIOUS),
        (False, True, TermHighlighted.NOT_HIGHLIGHTED_SERIOUS),
        (False, False, TermHighlighted.NOT_HIGHLIGHTED_NOT_SERIOUS),
        (None, True, None),
        (None, False, None),
    ],
)
def test_highlighted_code_combines_highlighting_and_seriousness(
    highlighted: bool | None, serious: bool, code: TermHighlighted | None
) -> None:
    reaction = Reaction(
        term=ITP_TERM,
        outcome="2",
        highlighted=highlighted,
        seriousness=Seriousness(hospitalisation=serious),
    )
    assert reaction.highlighted_code is code


def test_report_is_serious_when_any_reaction_is() -> None:
    assert report("itp_course2").serious
    assert report("pml_death").serious
    assert not report("thyroid_graves").serious
    assert not report("pregnancy_exposure").serious


# ---------------------------------------------------------------- code lists


def test_every_code_list_is_an_enum_and_back() -> None:
    assert sorted(codelist_names()) == sorted(cls.__name__ for cls in ALL_CODELISTS)


@pytest.mark.parametrize("cls", ALL_CODELISTS, ids=lambda cls: cls.__name__)
def test_enum_matches_the_data_file(cls: Any) -> None:
    assert {member.value for member in cls} == set(codelist(cls.__name__))
    for member in cls:
        assert member.label == codelist(cls.__name__)[member.value]
        assert member.label.strip()
    assert cls.oid() == codelist_oid(cls.__name__)
    assert cls.oid().startswith(("2.16.840.1.113883.3.989.2.1.1.", "1.0."))


# ---------------------------------------------------------------- derived properties


def test_suspect_drugs_are_suspect_or_interacting() -> None:
    data = load_case("itp_course2")
    data["drugs"][2]["role"] = DrugRole.INTERACTING.value
    built = Report.model_validate(data, context={"today": TODAY})
    assert [d.product_name for d in built.suspect_drugs] == ["LEMTRADA", "Aciclovir"]


def test_primary_source_is_the_flagged_reporter() -> None:
    data = load_case("mi_infusion_day")
    assert Report.model_validate(data, context={"today": TODAY}).primary_source.given_name == (
        "Faisal"
    )
    data["primary_sources"][0]["primary_for_regulatory"] = False
    data["primary_sources"][1]["primary_for_regulatory"] = True
    assert Report.model_validate(data, context={"today": TODAY}).primary_source.given_name == (
        "Reem"
    )


def test_display_name_falls_back_to_the_organisation() -> None:
    assert PrimarySource(title="Dr", given_name="Huda", family_name="Al-Qahtani").display_name == (
        "Dr Huda Al-Qahtani"
    )
    assert PrimarySource(organisation="Example Hospital").display_name == "Example Hospital"


def test_internal_ids_default_to_fresh_uuid4() -> None:
    first = Reaction(term=ITP_TERM, outcome="1")
    second = Reaction(term=ITP_TERM, outcome="1")
    drug = Drug(role="1", product_name="LEMTRADA")
    for value in (first.id, second.id, drug.id):
        assert uuid.UUID(value).version == 4 and value == value.lower()
    assert first.id != second.id


def test_warnings_do_not_stop_the_report() -> None:
    data = load_case("itp_course2")
    data["reactions"][1].pop("end")
    result = validate_report(data, TODAY)
    assert result.ok
    assert [(w.element, w.path) for w in result.findings] == [("E.i.5", "reactions[1].end")]


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW_REPORTS)
@given(reports())
def test_json_round_trip_is_identity(built: Report) -> None:
    again = Report.model_validate(built.model_dump(mode="json"), context={"today": TODAY})
    assert again == built


# ---------------------------------------------------------------- D.1: the form's tick box


def test_initials_withheld_tick_box_sends_d1_as_msk_and_comes_back_ticked() -> None:
    """The form's "initials known but withheld" is local to pv; D.1 itself is text or a
    nullFlavor (MSK when ticked without initials), and a received MSK ticks the box."""
    ticked = report(patient={**load_case("itp_course2")["patient"], "initials_withheld": True})
    ticked.patient.initials = None
    ticked = Report.model_validate(ticked.model_dump(mode="json"))
    sent = ticked.for_sending()
    assert sent.patient.initials == Null(null_flavor=NullFlavor.MSK)
    assert "initials_withheld" not in sent.patient.model_dump()
    assert Report.from_icsr(sent).patient.initials_withheld
    assert not Report.from_icsr(report().for_sending()).patient.initials_withheld


# ---------------------------------------------------------------- local facts inside ICH elements


def _facts_report() -> Report:
    data = load_case("itp_course2")
    data["reactions"][0].update(
        treatment="IVIG 1 g/kg on days 1-2,\nthen prednisolone 1 mg/kg/day",
        dechallenge=Dechallenge.NOT_APPLICABLE.value,
    )
    lemtrada = data["drugs"][0]
    lemtrada["dosages"][1].update(batch="B7Q42", batch_expiry="2027-03")
    lemtrada["additional_info"] = "Stored as labelled."
    return Report.model_validate(data, context={"today": TODAY})


def test_treatment_dechallenge_and_expiry_travel_in_h1_and_gk11_and_come_back() -> None:
    built = _facts_report()
    assert built.reactions[0].treatment == "IVIG 1 g/kg on days 1-2, then prednisolone 1 mg/kg/day"
    sent = built.for_sending()
    assert sent.narrative.narrative.endswith(
        "\n\nReported on the form:\n"
        "Treatment of reaction 1: IVIG 1 g/kg on days 1-2, then prednisolone 1 mg/kg/day\n"
        "Dechallenge, reaction 1: not applicable (LEMTRADA not stopped or reduced, or no "
        "infusion after onset)"
    )
    assert sent.drugs[0].additional_info == (
        "LEMTRADA course 2 batch B7Q42: expiry 2027-03\nStored as labelled."
    )
    xml = to_xml([sent], HEADER)
    assert validate_bytes(xml, TODAY) == []
    (read,) = read_bytes(xml).reports
    assert read.report is not None
    again = Report.from_icsr(read.report)
    assert again.reactions[0].treatment == built.reactions[0].treatment
    assert again.reactions[0].dechallenge is Dechallenge.NOT_APPLICABLE
    assert again.drugs[0].dosages[1].batch_expiry == "2027-03"
    assert again.drugs[0].additional_info == "Stored as labelled."
    assert again.narrative.narrative == built.narrative.narrative


def test_a_narrative_that_only_looks_like_the_facts_block_stays_whole() -> None:
    built = report()
    odd = built.narrative.narrative + "\n\nReported on the form:\nTreatment of reaction 9: x"
    built.narrative.narrative = odd
    assert Report.from_icsr(built.for_sending()).narrative.narrative == odd


@pytest.mark.parametrize("expiry", ["2027", "03/2027", "2027-13", "2027-02-30x"])
def test_batch_expiry_is_a_month_or_a_day(expiry: str) -> None:
    data = load_case("itp_course2")
    data["drugs"][0]["dosages"][0]["batch_expiry"] = expiry
    with pytest.raises(ValidationError) as caught:
        Report.model_validate(data)
    assert caught.value.errors()[0]["type"] == "expiry"


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW_REPORTS)
@given(reports())
def test_local_facts_survive_the_xml_round_trip(built: Report) -> None:
    xml = to_xml([built.for_sending()], HEADER)
    (read,) = read_bytes(xml).reports
    assert read.report is not None, read.findings
    again = Report.from_icsr(read.report)
    for mine, theirs in zip(built.reactions, again.reactions, strict=True):
        assert (theirs.treatment, theirs.dechallenge) == (mine.treatment, mine.dechallenge)
    for drug, back in zip(built.drugs, again.drugs, strict=True):
        assert [d.batch_expiry for d in back.dosages] == [d.batch_expiry for d in drug.dosages]
        assert back.additional_info == drug.additional_info
    assert again.narrative.narrative == built.narrative.narrative
