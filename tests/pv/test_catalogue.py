"""The guide catalogue as shipped in pv/data: every category, its group, terms and labs."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

import pytest

from pv.catalogue import GuideCategory, GuideTerm, load_catalogue

# The guide's categories and groups (shared/guide/categories.csv), written out so drift shows.
EXPECTED_GROUPS = {
    "serious_infection": "infections",
    "pml": "infections",
    "myocardial_ischaemia_infarction": "infusion_associated",
    "pulmonary_alveolar_haemorrhage": "infusion_associated",
    "haemorrhagic_stroke": "infusion_associated",
    "cervicocephalic_arterial_dissection": "infusion_associated",
    "thrombocytopenia_infusion": "infusion_associated",
    "thyroid_disorder": "delayed_autoimmune",
    "itp": "delayed_autoimmune",
    "nephropathy_anti_gbm": "delayed_autoimmune",
    "autoimmune_hepatitis": "delayed_autoimmune",
    "hlh": "delayed_autoimmune",
    "acquired_haemophilia_a": "delayed_autoimmune",
    "ttp": "delayed_autoimmune",
    "aosd": "delayed_autoimmune",
    "autoimmune_encephalitis": "delayed_autoimmune",
    "pregnancy_exposure": "pregnancy",
    "breastfeeding_exposure": "pregnancy",
    "infusion_reaction": "infusion_associated",
    "other": "other",
}
EXPECTED_GROUP_NAMES = [
    ("infections", "Serious infections"),
    ("infusion_associated", "Infusion-associated (within 1-3 days)"),
    ("delayed_autoimmune", "Delayed autoimmune"),
    ("pregnancy", "Pregnancy and breastfeeding"),
    ("other", "Other"),
]


def _data_rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("pv") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _all_terms() -> list[GuideTerm]:
    catalogue = load_catalogue()
    terms = [t for c in catalogue.categories() for t in c.terms]
    return (
        terms
        + catalogue.symptom_terms()
        + catalogue.lab_test_terms()
        + catalogue.lab_result_terms()
    )


def test_every_guide_category_is_present_with_its_group() -> None:
    catalogue = load_catalogue()
    assert {c.id: c.group_id for c in catalogue.categories()} == EXPECTED_GROUPS
    assert catalogue.groups() == EXPECTED_GROUP_NAMES
    names = dict(EXPECTED_GROUP_NAMES)
    assert all(c.group_name == names[c.group_id] for c in catalogue.categories())


def test_categories_keep_the_guides_wording() -> None:
    itp = load_catalogue().category("itp")
    assert itp.name == "Immune thrombocytopenic purpura (ITP)"
    assert itp.frequency == "common (<1/10)"
    assert itp.monitoring == "CBC with differential at baseline and monthly for >=48 months"
    assert itp.management == "prompt intervention; immediate haematologist referral"


def test_itp_offers_immune_thrombocytopenia_and_a_platelet_count() -> None:
    itp = load_catalogue().category("itp")
    assert "10083842" in [t.code for t in itp.terms]
    platelets = [lab for lab in itp.labs if lab.loinc in ("777-3", "26515-7")]
    assert platelets and platelets[0].name == "Platelet count"
    assert platelets[0].unit == "10*3/uL"
    assert platelets[0].meddra_code == "10035525"  # Platelet count, a lab_test_name_F.r.2.2b row


def test_every_shipped_term_has_an_8_digit_code() -> None:
    terms = _all_terms()
    assert len(terms) == len(_data_rows("meddra_guide_terms.csv"))
    bad = [t for t in terms if not re.fullmatch(r"[0-9]{8}", t.code)]
    assert bad == []
    assert {t.level for t in terms} <= {"PT", "LLT"}


def test_each_category_with_labs_in_the_guide_has_labs() -> None:
    catalogue = load_catalogue()
    for row in _data_rows("guide_categories.csv"):
        labs = catalogue.category(row["id"]).labs
        assert bool(labs) == bool(row["labs_to_capture"].strip()), row["id"]


def test_bracketed_lab_lists_stay_one_guide_lab() -> None:
    # "urinalysis (protein; blood)" is one lab in the guide, not "urinalysis (protein" and "blood)".
    labs = load_catalogue().category("nephropathy_anti_gbm").labs
    assert [lab.name for lab in labs] == [
        "Serum creatinine",
        "Urine protein (dipstick)",
        "Urine blood (dipstick)",
        "Urine red blood cells (microscopy)",
    ]


def test_lab_codes_come_only_from_the_sourced_tables() -> None:
    catalogue = load_catalogue()
    loinc = {row["loinc_code"] for row in _data_rows("loinc_labs.csv")}
    test_names = {t.code for t in catalogue.lab_test_terms()}
    labs = [lab for c in catalogue.categories() for lab in c.labs]
    assert all(lab.loinc is None or lab.loinc in loinc for lab in labs)
    assert all(lab.meddra_code is None or lab.meddra_code in test_names for lab in labs)
    ecg = catalogue.category("myocardial_ischaemia_infarction").labs[0]
    assert (ecg.name, ecg.loinc, ecg.meddra_code) == ("ECG", None, None)


def test_other_exists_as_its_own_group() -> None:
    catalogue = load_catalogue()
    other = catalogue.category("other")
    assert isinstance(other, GuideCategory)
    assert catalogue.in_group("other") == [other]


def test_in_group_keeps_the_guides_order() -> None:
    ids = [c.id for c in load_catalogue().in_group("pregnancy")]
    assert ids == ["pregnancy_exposure", "breastfeeding_exposure"]


def test_unknown_ids_raise_a_clear_key_error() -> None:
    catalogue = load_catalogue()
    with pytest.raises(KeyError, match="Unknown guide category 'no_such'"):
        catalogue.category("no_such")
    with pytest.raises(KeyError, match="Unknown guide group 'no_such'"):
        catalogue.in_group("no_such")


def test_codes_resolve_to_terms_and_categories() -> None:
    catalogue = load_catalogue()
    term = catalogue.term_by_code("10043554")
    assert term is not None and term.term == "Thrombocytopenia"
    assert catalogue.categories_for_code("10043554") == ["thrombocytopenia_infusion"]
    assert catalogue.term_by_code("99999999") is None
    assert catalogue.categories_for_code("99999999") == []


def test_term_lists_are_offered_but_are_not_categories() -> None:
    catalogue = load_catalogue()
    ids = {c.id for c in catalogue.categories()}
    assert {"symptom_sign", "lab_test_name_F.r.2.2b", "lab_result_abnormal"}.isdisjoint(ids)
    assert "Petechiae" in [t.term for t in catalogue.symptom_terms()]
    assert all(t.category_id == "lab_test_name_F.r.2.2b" for t in catalogue.lab_test_terms())
    assert "10005833" in [t.code for t in catalogue.lab_result_terms()]
    platelet_test = catalogue.term_by_code("10035525")
    assert platelet_test is not None and platelet_test.category_id == "lab_test_name_F.r.2.2b"
    assert catalogue.categories_for_code("10035525") == []


def test_catalogue_is_read_once() -> None:
    assert load_catalogue() is load_catalogue()


def test_returned_lists_do_not_change_the_catalogue() -> None:
    catalogue = load_catalogue()
    catalogue.categories().clear()
    catalogue.symptom_terms().clear()
    assert len(catalogue.categories()) == len(EXPECTED_GROUPS)
    assert catalogue.symptom_terms()
