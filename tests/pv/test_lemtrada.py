"""LEMTRADA's pre-filled facts: the premedications name the product given."""

from __future__ import annotations

import pytest

from e2b.codelists import DrugRole
from pv.lemtrada import PREMEDICATION_INDICATION, PREMEDICATIONS, Premedication
from pv.model import Drug
from pv.validation import validate_report
from tests.cases import TODAY, load_case


def test_premedications_are_products_in_the_guides_four_groups() -> None:
    purposes = {p.purpose for p in PREMEDICATIONS}
    assert purposes == {"corticosteroid", "antihistamine", "antipyretic", "antiviral prophylaxis"}
    keys = [p.key for p in PREMEDICATIONS]
    assert len(keys) == len(set(keys))
    for premedication in PREMEDICATIONS:
        assert "not specified" not in premedication.substance
        assert premedication.product_name.lower() == premedication.substance


@pytest.mark.parametrize("premedication", PREMEDICATIONS, ids=lambda p: p.key)
def test_each_premedication_is_a_valid_concomitant_drug(premedication: Premedication) -> None:
    data = load_case("itp_course2")
    data["drugs"] = [data["drugs"][0], premedication.drug("a3c1f1f4-3c52-4a43-9d3e-0e4c2b3f9c11")]
    result = validate_report(data, TODAY)
    assert result.ok, [f.line() for f in result.findings]
    assert result.report is not None
    drug: Drug = result.report.drugs[1]
    assert drug.role is DrugRole.CONCOMITANT
    assert drug.product_name == premedication.product_name
    assert drug.indications[0].text == f"{PREMEDICATION_INDICATION} ({premedication.purpose})"


def test_the_label_says_product_group_and_when() -> None:
    cetirizine = next(p for p in PREMEDICATIONS if p.key == "cetirizine")
    assert cetirizine.label == "Cetirizine (antihistamine): before the LEMTRADA infusion"
