"""`read` takes E2B(R3) files written by other systems field by field, and refuses hostile input.

The files in data/foreign/ are synthetic and hand-written in other systems' styles (see the
README there). Each expected dict lists everything the report holds after reading, so a value
that lands in the wrong field, or a regional element that leaks into the report, fails a test.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from e2b.findings import Finding
from e2b.model import ICSR, Null, NullFlavor
from e2b.reader import NotAnIcsrError, ReadBatch, ReadReport, read_bytes, read_file
from e2b.schema import schema_findings
from e2b.xmlsafe import HostileXMLError, MalformedXMLError, XMLTooLargeError, parse_file

FOREIGN = Path(__file__).parent / "data" / "foreign"
FDA = FOREIGN / "fda_style.xml"
EDQM_ROUTES = "0.4.0.127.0.16.1.1.2.6"  # EDQM Standard Terms, routes of administration
EU = FOREIGN / "eu_style_two_messages.xml"
MINIMAL = FOREIGN / "minimal_other.xml"
NS = {"h": "urn:hl7-org:v3"}


def compact(value: Any) -> Any:
    """Drop None and empty lists, so an expected dict lists only what the file says."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def dump(report: ICSR | None) -> dict[str, Any]:
    assert report is not None
    result: dict[str, Any] = compact(report.model_dump(mode="json"))
    return result


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def only_report(batch: ReadBatch) -> ReadReport:
    [read] = batch.reports
    return read


def edit(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace one occurrence, and fail if the text is not there exactly once."""
    assert data.count(old) == 1, old
    return data.replace(old, new)


NOT_SERIOUS = {
    "death": False,
    "life_threatening": False,
    "hospitalisation": False,
    "disability": False,
    "congenital_anomaly": False,
    "other_medically_important": False,
}


# ---------------------------------------------------------------- the files themselves


@pytest.mark.parametrize("path", sorted(FOREIGN.glob("*.xml")), ids=lambda p: p.name)
def test_foreign_file_is_valid_against_the_ich_schema(path: Path) -> None:
    assert schema_findings(parse_file(path)) == []


def test_fda_file_really_carries_the_regional_elements_that_must_be_ignored() -> None:
    tree = parse_file(FDA)
    fda_list = "2.16.840.1.113883.3.989.5.1.2.2.1.3"
    nci = "2.16.840.1.113883.3.26.1.1"
    assert len(tree.xpath(f"//h:code[@codeSystem='{fda_list}']", namespaces=NS)) == 4
    assert len(tree.xpath(f"//h:raceCode[@codeSystem='{nci}']", namespaces=NS)) == 2
    assert tree.xpath(f"//h:observation/h:code[@code='C16564'][@codeSystem='{nci}']", namespaces=NS)
    assert tree.xpath("//h:receiver/h:device/h:id/@extension", namespaces=NS) == ["CDER", "ZZFDA"]


# ---------------------------------------------------------------- FDA style


@pytest.fixture(scope="module")
def fda() -> ReadBatch:
    return read_file(FDA)


def test_fda_batch_header(fda: ReadBatch) -> None:
    assert (fda.batch_id, fda.sender_id, fda.receiver_id, fda.created_at) == (
        "US-SYNTHPHARMA-B240611-01",
        "SYNTHPHARMA",
        "ZZFDA",
        "20240611143005-0400",
    )
    assert only_report(fda).message_id == "US-SYNTHPHARMA-2024US012345"


def test_fda_file_is_accepted_with_one_warning_about_the_qualified_result(fda: ReadBatch) -> None:
    read = only_report(fda)
    assert read.report is not None
    [warning] = read.findings
    assert (warning.severity, warning.element) == ("warning", "F.r.3.2")
    assert warning.path.endswith("/organizer/component[2]/observation/value")
    assert "'<5 mg/L'" in warning.message


def test_fda_case_reporters_and_sender(fda: ReadBatch) -> None:
    got = dump(only_report(fda).report)
    assert got["case"] == {
        "sender_report_id": "US-SYNTHPHARMA-2024US012345",
        "created_at": "2024-06-11T14:29:58-04:00",  # kept at the offset sent
        "report_type": "1",  # not the FDA.C.1.12 code 1 that comes first
        "first_received": "2024-06-04",
        "most_recent": "2024-06-07",
        "additional_documents": False,
        "expedited": True,
        "worldwide_case_id": "US-SYNTHPHARMA-2024US012345",
        "first_sender": "2",
    }
    assert got["primary_sources"] == [
        {
            "title": "Dr.",
            "given_name": "Alex",
            "middle_name": "B.",
            "family_name": "Example",
            "organisation": "Example Medical Center",
            "department": "Neurology",
            "street": "100 Example Avenue, Suite 4",
            "city": "Springfield",
            "state": "IL",
            "postcode": "62701",
            "phone": "+1-217-555-0100",
            "email": "reporter@example.com",
            "country": "US",
            "qualification": "1",
            "primary_for_regulatory": True,
        },
        {
            "given_name": "Sam",
            "country": "US",
            "qualification": "5",
            "primary_for_regulatory": False,
        },
    ]
    assert got["sender"] == {
        "sender_type": "1",
        "organisation": "Synthetic Pharma Inc.",
        "department": "Global Pharmacovigilance",
        "title": "Ms.",
        "given_name": "Pat",
        "family_name": "Safety",
        "street": "1 Synthetic Way",
        "city": "Cambridge",
        "state": "MA",
        "postcode": "02142",
        "country": "US",
        "phone": "+1-617-555-0199",
        "fax": "+1-617-555-0198",
        "email": "drug.safety@example.com",
    }


def test_fda_patient_gets_nothing_from_race_ethnicity_or_required_intervention(
    fda: ReadBatch,
) -> None:
    # FDA.E.i.3.2h is observation code 7 of an FDA list; ICH code 7 is the body weight (D.3).
    assert dump(only_report(fda).report)["patient"] == {
        "initials": "J.Q.",
        "age": {"value": "47", "unit": "a"},
        "sex": "2",
        "concomitant_therapies": False,
    }


def test_fda_reactions(fda: ReadBatch) -> None:
    assert dump(only_report(fda).report)["reactions"] == [
        {
            "id": "6f1c3b4e-2a5d-4c8b-9e7f-1a2b3c4d5e6f",  # sent in upper case
            "verbatim": "Immune thrombocytopenia  (ITP)",
            "language": "eng",
            "term": {"version": "26.1", "code": "10083842"},
            "highlighted": True,
            "seriousness": {
                **NOT_SERIOUS,
                "hospitalisation": True,
                "other_medically_important": True,
            },
            "start": "2024-03-05",
            "end": "2024-03-19",
            "duration": {"value": "15", "unit": "d"},
            "outcome": "1",
            "medically_confirmed": True,
            "country": "US",
        },
        {
            "id": "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a",
            "verbatim": "fatigue",
            "language": "eng",
            "term": {"version": "26.1", "code": "10016256"},
            "seriousness": NOT_SERIOUS,  # all six sent as nullFlavor NI
            "start": "2024-03",  # 202403: the month, no day invented
            "outcome": "2",
        },
    ]


def test_fda_tests_keep_the_qualifier_as_text(fda: ReadBatch) -> None:
    assert dump(only_report(fda).report)["tests"] == [
        {
            "date": "2024-03-06",
            "name": "Platelet count",
            "test": {"version": "26.1", "code": "10035528"},
            "result_code": "2",
            "result": {"value": "9", "unit": "10*3/uL"},  # IVL_PQ <center>
            "normal_low": "150",
            "normal_high": "450",
            "more_information": False,
        },
        {
            "date": "2024-03-06T11:30",
            "name": "C-reactive protein",
            "test": {"version": "26.1", "code": "10006824"},
            "result_text": "<5 mg/L",  # <high value="5" inclusive="false">, not "5 mg/L"
            "comments": "Below the limit of quantification.",
        },
    ]


def test_fda_drugs(fda: ReadBatch) -> None:
    report = only_report(fda).report
    itp = "6f1c3b4e-2a5d-4c8b-9e7f-1a2b3c4d5e6f"
    assert dump(report)["drugs"] == [
        {
            "id": "c0ffee00-1234-4abc-8def-00112233aa01",
            "role": "1",
            # G.k.2.1.1 MPID: an NDC, as FDA sends it
            "mpid": {"version": "2024", "code": "58468-0200-1", "system": "2.16.840.1.113883.6.69"},
            "product_name": "LEMTRADA (alemtuzumab) injection, 12 mg/1.2 mL",
            "substances": [
                {
                    "name": "ALEMTUZUMAB",
                    # G.k.2.3.r.2: a UNII
                    "term": {
                        "version": "2024",
                        "code": "3A189DH42V",
                        "system": "2.16.840.1.113883.4.9",
                    },
                    "strength": {"value": "10", "unit": "mg/mL"},
                }
            ],
            "obtained_country": "US",
            "blinded": False,
            "authorisation_number": "BLA103948",
            "authorisation_country": "US",
            "authorisation_holder": "Synthetic Pharma Inc.",
            "dosages": [
                {
                    "dose": {"value": "12", "unit": "mg"},
                    "interval_count": "1",
                    "interval_unit": "d",
                    "start": "2024-01-08",
                    "end": "2024-01-12",
                    "batch": "SYN4711A",
                    "text": "12 mg IV once daily x 5 days (first treatment course)",
                    "dose_form": "Injection, solution, concentrate",
                    "dose_form_term": {
                        "code": "C42945",
                        "version": "2024",
                        "system": "2.16.840.1.113883.3.26.1.1",
                    },
                    "route": "Intravenous drip",  # originalText, not the EDQM display name
                    "route_term": {
                        "code": "20045000",
                        "version": "2024-04",
                        "system": EDQM_ROUTES,
                        "display": "Intravenous use",
                    },
                }
            ],
            "cumulative_dose": {"value": "60", "unit": "mg"},
            "indications": [
                {
                    "text": "Relapsing multiple sclerosis",
                    "term": {"version": "26.1", "code": "10063399"},
                }
            ],
            "action_taken": "9",
            # One link: the recurrence refers to the same UUID in lower case.
            "reactions": [
                {
                    "reaction_id": itp,
                    "causality": [
                        {
                            "source": "Primary source reporter",  # displayName of code PSR
                            "method": "Global Introspection",  # originalText wins
                            "result": "Related",
                        }
                    ],
                    "time_to_onset": {"value": "57", "unit": "d"},
                    "time_since_last_dose": {"value": "8", "unit": "wk"},
                    "recurrence": "4",
                }
            ],
            "additional_info": "Premedicated with methylprednisolone 1 g on days 1-3.",
        },
        {
            "id": "c0ffee00-1234-4abc-8def-00112233aa02",
            "role": "2",
            "product_name": "ACYCLOVIR",
            "blinded": False,
            "dosages": [{"start": "2024-01-08", "text": "200 mg PO BID"}],
            "reactions": [
                {
                    "reaction_id": itp,
                    "causality": [
                        {
                            "source": "Company",
                            "method": "Global introspection",
                            "result": "Not related",
                        }
                    ],
                }
            ],
        },
    ]
    assert report is not None
    assert report.drugs[0].reactions[0].reaction_id == report.reactions[0].id


def test_fda_narrative_is_kept_exactly(fda: ReadBatch) -> None:
    assert dump(only_report(fda).report)["narrative"] == {
        "narrative": (
            "\n      SYNTHETIC CASE. A 47-year-old female patient with relapsing multiple sclerosis\n"
            "      received alemtuzumab 12 mg/day IV for 5 days (08-JAN-2024 to 12-JAN-2024).\n"
            "      On 05-MAR-2024 she developed immune thrombocytopenia  (platelets 9 x10^3/uL)\n"
            "      and was hospitalised; she recovered by 19-MAR-2024.\n    "
        ),
        "reporter_comments": "Known risk; see label section 5.2.",
        "summaries": [
            {
                "text": "Paciente de 47 años con trombocitopenia inmune tras alemtuzumab.",
                "language": "spa",
            }
        ],
    }


# ---------------------------------------------------------------- EU style, two messages


@pytest.fixture(scope="module")
def eu() -> ReadBatch:
    return read_file(EU)


def test_eu_batch_holds_both_cases_in_order(eu: ReadBatch) -> None:
    assert (eu.batch_id, eu.sender_id, eu.receiver_id) == (
        "SYNTHMAH-EU-20240702-0007",
        "SYNTHMAH-EU",
        "EVHUMAN",
    )
    assert [r.message_id for r in eu.reports] == [
        "DE-SYNTHMAH-2024-000101",
        "DE-SYNTHMAH-2024-000087",
    ]
    for read in eu.reports:
        assert read.report is not None, read.findings
        assert read.findings == []


def test_eu_root_and_extension_ids_link_drugs_to_their_reactions(eu: ReadBatch) -> None:
    child, adult = (read.report for read in eu.reports)
    assert child is not None and adult is not None
    assert child.drugs[0].reactions[0].reaction_id == child.reactions[0].id
    bleed, platelets = adult.reactions  # ids R1 and R2 under the same root
    drug = adult.drugs[0]  # id D1 under another root
    assert len({bleed.id, platelets.id, drug.id}) == 3
    for value in (bleed.id, platelets.id, drug.id):
        assert str(uuid.UUID(value)) == value
    # The G.k.9.i links, in the order of the reactions, each pointing at the right one.
    assert [link.reaction_id for link in drug.reactions] == [bleed.id, platelets.id]
    to_bleed, to_platelets = drug.reactions
    assert (to_bleed.recurrence, len(to_bleed.causality)) == ("4", 2)
    assert to_bleed.time_to_onset is not None
    assert (to_platelets.recurrence, to_platelets.causality) == ("3", [])
    # Stable: reading the file again gives the same internal ids.
    again = read_file(EU).reports[1].report
    assert again is not None
    assert [r.id for r in again.reactions] == [bleed.id, platelets.id]
    assert again.drugs[0].id == drug.id


def test_eu_parent_child_case(eu: ReadBatch) -> None:
    got = dump(eu.reports[0].report)
    reaction_id = got["reactions"][0]["id"]
    assert got["case"] == {
        "sender_report_id": "DE-SYNTHMAH-2024-000101",
        "created_at": "2024-07-02T10:10:00+02:00",
        "report_type": "1",
        "first_received": "2024-04-15",
        "most_recent": "2024-06-28",
        "additional_documents": False,
        "expedited": True,
        "worldwide_case_id": "DE-SYNTHMAH-2024-000101",
        "first_sender": "2",
        "linked_reports": ["DE-SYNTHMAH-2024-000100"],
    }
    assert got["primary_sources"] == [
        {
            "title": "Dr. med.",
            "given_name": "Erika",
            "family_name": "Musterfrau",
            "organisation": "Klinikum Musterstadt",
            "department": "Kinderklinik",
            "city": "Musterstadt",
            "postcode": "12345",
            "country": "DE",
            "qualification": "1",
            "primary_for_regulatory": True,
        }
    ]
    assert got["sender"] == {"sender_type": "1", "organisation": "Synthetic MAH Europe GmbH"}
    assert got["patient"] == {
        "initials": "BB",
        "birth_date": "2024-04-10",
        "age_group": "1",
        "weight_kg": "3.25",
        "sex": "1",
        "concomitant_therapies": False,
        "parent": {
            "identification": "MP",
            "age": {"value": "31", "unit": "a"},
            "last_menstrual_period": "2023-07",
            "sex": "2",
            "medical_history": [
                {
                    "condition": {"version": "27.0", "code": "10063399"},
                    "start": "2016",
                    "continuing": True,
                }
            ],
        },
    }
    assert got["reactions"] == [
        {
            "id": reaction_id,
            "verbatim": "Neugeborenenikterus",
            "language": "ger",
            "translation": "Neonatal jaundice",
            "term": {"version": "27.0", "code": "10028792"},
            "seriousness": {**NOT_SERIOUS, "hospitalisation": True},
            "start": "2024-04-12",
            "end": "2024-04-20",
            "outcome": "1",
            "country": "DE",
        }
    ]
    assert got["drugs"] == [
        {
            "id": got["drugs"][0]["id"],
            "role": "1",
            "product_name": "Lemtrada 12 mg Konzentrat zur Herstellung einer Infusionslösung",
            "blinded": False,
            "substances": [{"name": "ALEMTUZUMAB"}],
            "dosages": [
                {
                    "dose": {"value": "12", "unit": "mg"},
                    "interval_count": "1",
                    "interval_unit": "d",
                    "start": "2023-06-12",
                    "end": "2023-06-14",
                    "text": "12 mg/Tag an 3 aufeinanderfolgenden Tagen (Mutter)",
                    "route": "Transplacental use",
                    "route_term": {"code": "20053000", "version": "2.2", "system": EDQM_ROUTES},
                    "parent_route": "Intravenous use",
                    "parent_route_term": {
                        "code": "20045000",
                        "version": "2.2",
                        "system": EDQM_ROUTES,
                    },
                }
            ],
            "reactions": [
                {
                    "reaction_id": reaction_id,
                    "causality": [
                        {
                            "source": "Primary source reporter",
                            "method": "Global introspection",
                            "result": "possible",
                        }
                    ],
                }
            ],
        }
    ]
    assert got["narrative"] == {
        "narrative": (
            "Synthetic parent-child case. The mother received alemtuzumab (second course) in "
            "June 2023; her last menstrual period was in July 2023. The baby boy, born on "
            "10 April 2024, developed neonatal jaundice on day 2 and needed phototherapy; "
            "he recovered."
        ),
        "sender_comments": "Linked to the mother's case DE-SYNTHMAH-2024-000100.",
        "summaries": [
            {
                "text": "Neugeborenenikterus am 2. Lebenstag, Phototherapie, vollständig erholt.",
                "language": "ger",
            }
        ],
    }


def test_eu_fatal_amended_case(eu: ReadBatch) -> None:
    got = dump(eu.reports[1].report)
    bleed, platelets = (r["id"] for r in got["reactions"])
    assert got["case"] == {
        "sender_report_id": "DE-SYNTHMAH-2024-000087",
        "created_at": "2024-07-02T10:12:00+02:00",
        "report_type": "1",
        "first_received": "2024-05-21",
        "most_recent": "2024-05-21",
        "additional_documents": False,
        "expedited": True,
        "worldwide_case_id": "DE-BFARM-24123456",
        "first_sender": "1",
        "other_case_ids": [
            {"source": "BfArM", "case_id": "DE-BFARM-24123456"},
            {"source": "Synthetic Partner GmbH", "case_id": "SPG-2024-0042"},
        ],
        "nullification": "2",
        "nullification_reason": (
            "Date of death corrected after receipt of the hospital discharge letter."
        ),
    }
    assert got["primary_sources"] == [
        {
            "given_name": "Max",
            "middle_name": "Otto",  # the second <given>
            "family_name": "Mustermann",
            "phone": "+49 30 5550123",
            "country": "DE",
            "qualification": "3",
            "primary_for_regulatory": True,
        }
    ]
    assert got["patient"] == {
        "initials": "KM",
        "age": {"value": "52", "unit": "a"},
        "weight_kg": "81.5",
        "height_cm": "182",
        "sex": "1",
        "medical_history": [
            {
                # D.7.1.r.3 continuing as nullFlavor UNK: kept as sent
                "condition": {"version": "27.0", "code": "10020772"},
                "start": "2010",
                "continuing": {"null_flavor": "UNK"},
                "comments": "Treated with amlodipine.",
                "family_history": False,
            }
        ],
        "medical_history_text": "Relapsing MS since 2012. Non-smoker.",
        "concomitant_therapies": True,
        "drug_history": [
            {
                "name": "Interferon beta-1a",
                "start": "2013",
                "end": "2019-11",
                "indication": {"version": "27.0", "code": "10063399"},
                "reaction": {"version": "27.0", "code": "10016558"},
            }
        ],
        "death": {
            "date": "2024-05-20",
            "reported_causes": [
                {"term": {"version": "27.0", "code": "10022763"}, "text": "Hirnblutung"}
            ],
            "autopsy": True,
            "autopsy_causes": [
                {"term": {"version": "27.0", "code": "10042316"}, "text": "Subarachnoidalblutung"}
            ],
        },
    }
    assert got["reactions"] == [
        {
            "id": bleed,
            "verbatim": "Hirnblutung",
            "language": "ger",
            "term": {"version": "27.0", "code": "10022763"},
            "seriousness": {
                **NOT_SERIOUS,
                "death": True,
                "life_threatening": True,
                "hospitalisation": True,
            },
            "start": "2024-05-14T10:30",  # 202405141030
            "end": "2024-05-20",
            "outcome": "5",
        },
        {
            "id": platelets,
            "verbatim": "Thrombozytopenie",
            "language": "ger",
            "term": {"version": "27.0", "code": "10043554"},
            "seriousness": {**NOT_SERIOUS, "other_medically_important": True},
            "start": "2024-05-14",
            "outcome": "0",
        },
    ]
    course = {"dose": {"value": "12", "unit": "mg"}, "interval_count": "1", "interval_unit": "d"}
    assert got["drugs"] == [
        {
            "id": got["drugs"][0]["id"],
            "role": "1",
            "product_name": "LEMTRADA",
            "blinded": False,
            "authorisation_number": "EU/1/13/869/001",
            "authorisation_country": "EU",
            "dosages": [
                {
                    **course,
                    "start": "2022-06-06",
                    "end": "2022-06-10",
                    "batch": "EU-SYN-22A",
                    "text": "12 mg/Tag i.v. an 5 Tagen",
                    "route": "Intravenous use",
                    "route_term": {"code": "20045000", "version": "2.2", "system": EDQM_ROUTES},
                },
                {
                    **course,
                    "start": "2023-06-05",
                    "end": "2023-06-07",
                    "batch": "EU-SYN-23B",
                    "text": "12 mg/Tag i.v. an 3 Tagen",
                    "route": "Intravenous use",
                    "route_term": {"code": "20045000", "version": "2.2", "system": EDQM_ROUTES},
                },
            ],
            "indications": [
                {
                    "text": "schubförmig remittierende MS",
                    "term": {"version": "27.0", "code": "10063399"},
                }
            ],
            "action_taken": "0",
            "reactions": [
                {
                    "reaction_id": bleed,
                    "causality": [
                        {"source": "Reporter", "method": "WHO-UMC", "result": "probable"},
                        {"source": "MAH", "method": "Company algorithm", "result": "possible"},
                    ],
                    "time_to_onset": {"value": "23", "unit": "mo"},
                    "recurrence": "4",
                },
                {"reaction_id": platelets, "recurrence": "3"},
            ],
            "additional_info_codes": ["5", "11"],
        }
    ]
    assert got["narrative"] == {
        "narrative": (
            "Synthetic case. A 52-year-old man with relapsing MS received two alemtuzumab "
            "courses (2022, 2023).\n"
            "On 14 May 2024 at 10:30 he collapsed with an intracranial haemorrhage and died on "
            "20 May 2024.\n"
            "Autopsy confirmed a subarachnoid haemorrhage."
        ),
        "sender_diagnoses": [{"version": "27.0", "code": "10042316"}],
    }


# ---------------------------------------------------------------- the ICH technical minimum


def test_minimal_file_values_land_in_their_fields() -> None:
    batch = read_file(MINIMAL)
    assert (batch.batch_id, batch.sender_id, batch.receiver_id) == (
        "MINSYS-000042",
        "MINSYS",
        "SYNTHRECEIVER",
    )
    data = only_report(batch).data
    assert data["case"] == {
        "sender_report_id": "GB-MINSYS-000042",
        "created_at": "2024-10-03T08:59:59",  # no offset sent: none is added
        "report_type": "4",
        "first_received": "2024-10-01",
        "most_recent": "2024-10-01",
        "additional_documents": False,
        # C.1.7 nullFlavor NI: no "expedited" at all
        "worldwide_case_id": "GB-MINSYS-000042",
        "first_sender": "2",
    }
    # C.2.r.4 nullFlavor UNK: no qualification.
    assert data["primary_sources"] == [
        {"family_name": "Smith", "country": "GB", "primary_for_regulatory": True}
    ]
    assert data["sender"] == {"sender_type": "6", "organisation": "Minimal Systems Ltd"}
    assert data["patient"] == {"initials": {"null_flavor": "MSK"}}  # D.1 nullFlavor MSK
    assert data["reactions"] == [
        {
            "id": "3b241101-e2bb-4255-8caf-4136c566a962",
            "language": "eng",
            "term": {"version": "27.1", "code": "10019211"},
            "seriousness": NOT_SERIOUS,
            "outcome": "0",
        }
    ]
    assert data["drugs"] == [
        {"id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "role": "1", "product_name": "Lemtrada"}
    ]
    assert data["narrative"] == {"narrative": "Headache after an infusion. No further information."}


def test_minimal_file_is_accepted() -> None:
    """ICH minimum: no E.i.1.1a, D.1 nullFlavor MSK (initials known, withheld), C.2.r.4 UNK."""
    read = only_report(read_file(MINIMAL))
    assert read.report is not None, read.findings
    assert read.report.patient.initials == Null(null_flavor=NullFlavor.MSK)
    assert read.report.reactions[0].verbatim is None
    assert read.report.primary_sources[0].qualification is None


# ---------------------------------------------------------------- values the model cannot take


@pytest.mark.parametrize(
    ("old", "new", "element", "where"),
    [
        (
            b'<low value="20240305"/>',
            b'<low value="20241345"/>',
            "E.i.4",
            "/observation/effectiveTime/comp[1]/low",
        ),
        (
            b'<effectiveTime value="20240611142958-0400"/>',
            b'<effectiveTime value="20241311142958-0400"/>',
            "C.1.2",
            "/PORR_IN049016UV/controlActProcess/effectiveTime",
        ),
        (
            b'<effectiveTime value="20240306"/>',
            b'<effectiveTime value="2024-03-06"/>',
            "F.r.1",
            "/organizer/component[1]/observation/effectiveTime",
        ),
    ],
    ids=["reaction start month 13", "creation time month 13", "test date in ISO form"],
)
def test_a_malformed_date_is_a_finding_at_its_element(
    old: bytes, new: bytes, element: str, where: str
) -> None:
    read = only_report(read_bytes(edit(FDA.read_bytes(), old, new)))
    assert read.report is None
    # The reader's finding is located by XPath (a required element also gets the model's
    # "is required", since the value could not be taken over).
    [finding] = [f for f in errors(read.findings) if f.path.startswith("/")]
    assert finding.element == element
    assert finding.path.endswith(where)
    bad = new.split(b'"')[1].decode()
    assert f"'{bad}'" in finding.message
    assert finding.message.startswith("line ")
    # The rest of the message is still read.
    assert read.data["patient"]["initials"] == "J.Q."
    assert len(read.data["drugs"]) == 2


def test_a_malformed_date_of_death_in_the_second_message_leaves_the_first_alone() -> None:
    data = edit(
        EU.read_bytes(),
        b'<hl7:deceasedTime value="20240520"/>',
        b'<hl7:deceasedTime value="20240231"/>',
    )
    first, second = read_bytes(data).reports
    assert first.report is not None
    assert second.report is None
    assert [f.element for f in errors(second.findings)] == ["D.9.1"]


def test_an_outcome_outside_the_ich_list_is_an_error_naming_e_i_7() -> None:
    data = edit(
        FDA.read_bytes(),
        b'code="1" codeSystem="2.16.840.1.113883.3.989.2.1.1.11"',
        b'code="9" codeSystem="2.16.840.1.113883.3.989.2.1.1.11"',
    )
    read = only_report(read_bytes(data))
    assert read.report is None
    [finding] = errors(read.findings)
    assert (finding.element, finding.path) == ("E.i.7", "reactions[0].outcome")
    assert "(E.i.7)" in finding.message


def test_a_term_highlighted_code_outside_the_ich_list_is_an_error_not_a_no() -> None:
    data = edit(
        FDA.read_bytes(),
        b'code="3" codeSystem="2.16.840.1.113883.3.989.2.1.1.10"',
        b'code="7" codeSystem="2.16.840.1.113883.3.989.2.1.1.10"',
    )
    read = only_report(read_bytes(data))
    assert read.report is None
    [finding] = errors(read.findings)
    assert finding.element == "E.i.3.1"
    assert "'7'" in finding.message


def test_a_primary_source_flagged_by_the_real_number_1_0_is_primary() -> None:
    # priorityNumber is an HL7 REAL, so "1.0" is as good as "1" (C.2.r.5).
    data = edit(FDA.read_bytes(), b'<priorityNumber value="1"/>', b'<priorityNumber value="1.0"/>')
    read = only_report(read_bytes(data))
    assert read.report is not None, read.findings
    assert [s.primary_for_regulatory for s in read.report.primary_sources] == [True, False]


def test_dosage_text_is_read_as_sent() -> None:
    """G.k.4.r.8 is text: e2b gives it whole (pv reads its own course prefix off it)."""
    text = b"12 mg IV once daily x 5 days (first treatment course)"
    data = edit(FDA.read_bytes(), text, b"Course 2: 2 vials")
    read = only_report(read_bytes(data))
    assert read.report is not None, read.findings
    assert read.report.drugs[0].dosages[0].text == "Course 2: 2 vials"


# ---------------------------------------------------------------- unusable and hostile input


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"<html><body>hello</body></html>", "html"),
        (
            b'<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3" ITSVersion="XML_1.0"/>',
            "MCCI_IN200101UV01",
        ),
        (b'<MCCI_IN200100UV01 ITSVersion="XML_1.0"/>', "MCCI_IN200100UV01 in no namespace"),
    ],
    ids=["html", "acknowledgement", "batch without namespace"],
)
def test_a_file_that_is_not_an_icsr_is_refused(data: bytes, named: str) -> None:
    with pytest.raises(NotAnIcsrError) as caught:
        read_bytes(data)
    assert f"the root element is {named}," in str(caught.value)


def test_an_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = FDA.read_bytes().replace(
        b"<MCCI_IN200100UV01 ",
        b'<!DOCTYPE MCCI_IN200100UV01 [<!ENTITY x SYSTEM "' + secret.as_uri().encode() + b'">]>\n'
        b"<MCCI_IN200100UV01 ",
        1,
    )
    data = edit(data, b"<name>J.Q.</name>", b"<name>&x;</name>")
    path = tmp_path / "xxe.xml"
    path.write_bytes(data)
    with pytest.raises(HostileXMLError) as from_bytes:
        read_bytes(data)
    with pytest.raises(HostileXMLError) as from_file:
        read_file(path)
    for caught in (from_bytes, from_file):
        assert "TOP-SECRET-VALUE" not in str(caught.value)
        assert "DOCTYPE" in str(caught.value)


def test_billion_laughs_is_refused() -> None:
    entities = b"".join(
        b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    data = (
        b'<?xml version="1.0"?><!DOCTYPE MCCI_IN200100UV01 [<!ENTITY lol0 "lol">'
        + entities
        + b']><MCCI_IN200100UV01 xmlns="urn:hl7-org:v3">&lol9;</MCCI_IN200100UV01>'
    )
    with pytest.raises(HostileXMLError):
        read_bytes(data)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_doctype_after_a_long_prolog_is_refused_before_parsing(encoding: str) -> None:
    # The prolog scan reads the first kilobytes; a prolog longer than that is read to its end.
    # A billion-laughs subset must be refused by the scan: libxml2 itself would only report a
    # misleading syntax error for it.
    entities = "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    text = (
        '<?xml version="1.0"?>\n<!-- '
        + "a long licence header " * 1000
        + '-->\n<?pi x?>\n<!DOCTYPE MCCI_IN200100UV01 [<!ENTITY lol0 "lol">'
        + entities
        + ']><MCCI_IN200100UV01 xmlns="urn:hl7-org:v3">&lol9;</MCCI_IN200100UV01>'
    )
    data = text.encode(encoding)
    assert len(data) > 20_000
    with pytest.raises(HostileXMLError):
        read_bytes(data)


def test_a_file_over_the_size_limit_is_refused_before_parsing() -> None:
    data = FDA.read_bytes()
    with pytest.raises(XMLTooLargeError):
        read_bytes(data, max_bytes=len(data) - 1)
    with pytest.raises(XMLTooLargeError):
        read_file(FDA, max_bytes=1024)
    assert only_report(read_bytes(data, max_bytes=len(data))).report is not None


def test_a_truncated_file_is_malformed_xml() -> None:
    data = FDA.read_bytes()
    with pytest.raises(MalformedXMLError):
        read_bytes(data[: len(data) // 2])


GOLDEN_DIR = Path(__file__).parents[1] / "golden"


def test_implausible_partner_data_is_read_as_sent() -> None:
    """Another system's LMP on a male patient is no ICH error: read and kept (pv's form refuses
    it, and pv names it as a warning on import: tests/pv/test_entry_rules.py)."""
    xml = edit(
        (GOLDEN_DIR / "pregnancy_exposure.xml").read_bytes(),
        b'<administrativeGenderCode code="2" codeSystem="1.0.5218"/>',
        b'<administrativeGenderCode code="1" codeSystem="1.0.5218"/>',
    )
    read = only_report(read_bytes(xml))
    assert read.report is not None, read.findings
    assert errors(read.findings) == []
    assert read.report.patient.last_menstrual_period is not None


def test_dose_form_and_route_term_ids_round_trip() -> None:
    """G.k.4.r.9.2, 10.2 and 11.2: code, version, system and display come back as sent."""
    from e2b.validate import validate_bytes
    from tests.cases import TODAY
    from tests.pv.submissions import make_submission

    route = {
        "code": "20045000",
        "version": "2014.10.30",
        "system": "0.4.0.127.0.16.1.1.2.6",
        "display": "Intravenous use",
    }
    form = {
        "code": "11210000",
        "version": "2014.10.30",
        "system": "0.4.0.127.0.16.1.1.2.1",
        "display": "Concentrate for solution for infusion",
    }

    def with_terms(data: dict[str, Any]) -> None:
        dosage = data["drugs"][0]["dosages"][0]
        dosage.update(route_term=route, dose_form_term=form, parent_route_term=route)

    xml = make_submission("SA-LEMTRADAPV-000078", change=with_terms, validate=False).xml
    assert [f for f in validate_bytes(xml, TODAY) if f.severity == "error"] == []
    assert b'code="20045000" codeSystem="0.4.0.127.0.16.1.1.2.6"' in xml
    [read] = read_bytes(xml).reports
    assert read.report is not None
    dosage = read.report.drugs[0].dosages[0]
    assert dosage.route_term is not None and dosage.route_term.model_dump() == route
    assert dosage.dose_form_term is not None and dosage.dose_form_term.model_dump() == form
    assert dosage.parent_route_term == dosage.route_term


def test_two_drugs_sharing_an_id_are_both_read_and_the_assessments_once() -> None:
    """FDA FAERS 2022 scenario 5-3 gives drugs 1 and 2 one id and drug 1's role another one."""
    published = Path(__file__).parent / "data" / "published" / "fda" / "FAERS2022Scenario5-3.xml"
    [read] = read_bytes(published.read_bytes()).reports
    assert read.report is not None
    assert errors(read.findings) == []
    first, second, _ = read.report.drugs
    assert first.id == second.id
    assert [len(link.causality) for link in first.reactions if link.causality] != []
    assert all(not link.causality for link in second.reactions)
    said = {(f.element, f.message.split(": ", 1)[1]) for f in read.findings if f.severity == "warning"}
    assert (
        "G.k",
        "drug 2 has the same id as an earlier drug; the causality assessments that name it are "
        "read with the first (G.k)",
    ) in said
    assert any(e == "G.k.1" and "68d6f5ce" in m and "not read" in m for e, m in said)
