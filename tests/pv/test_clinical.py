"""pv.clinical: units as clinicians write them, messages without element numbers."""

from __future__ import annotations

import re

import pytest

from pv.catalogue import load_catalogue
from pv.clinical import clinical_unit, ucum_unit, without_elements

ELEMENT = re.compile(r"\(?[A-H]\.\d|N\.\d")


@pytest.mark.parametrize(
    ("ucum", "clinical"),
    [("10*3/uL", "x10^3/µL"), ("mm[Hg]", "mmHg"), ("/[HPF]", "/HPF"), ("m[IU]/L", "mIU/L")],
)
def test_units_show_clinically_and_go_back_to_ucum(ucum: str, clinical: str) -> None:
    assert clinical_unit(ucum) == clinical
    assert ucum_unit(clinical) == ucum
    assert ucum_unit(f" {clinical.upper()} ") == ucum  # case and spaces do not matter


def test_an_unknown_unit_passes_as_typed() -> None:
    assert clinical_unit("furlong") == "furlong"
    assert ucum_unit(" cells per field ") == "cells per field"


def test_every_monitored_lab_unit_has_a_clinical_notation_that_round_trips() -> None:
    units = {lab.unit for c in load_catalogue().categories() for lab in c.labs if lab.unit}
    assert units
    for unit in units:
        assert ucum_unit(clinical_unit(unit)) == unit


@pytest.mark.parametrize(
    "message",
    [
        "Reaction 1: outcome is required (E.i.7)",
        "Reporter 1: e-mail is not a valid e-mail address (name@example.org) (C.2.r.2.8)",
        "Case: a report from a study (C.1.3 = 2) must say the study type (C.5.4)",
        "Drug 2: the parent's details (D.10) are needed (G.k.10.r 'drug taken by the father')",
        "Report: drugs is required (G.k)",
        "the message holds 2 reports (N.1)",
    ],
)
def test_messages_lose_their_element_numbers_and_keep_their_words(message: str) -> None:
    plain = without_elements(message)
    assert not ELEMENT.search(plain), plain
    assert plain.split(":")[0] == message.split(":")[0].replace(" (N.1)", "")
    assert "(name@example.org)" in plain or "name@" not in message


def test_a_test_result_message_loses_its_element_too() -> None:
    message = "Test 2: give the result: a value with its unit, a coded result or a text (F.r.3)"
    assert without_elements(message) == (
        "Test 2: give the result: a value with its unit, a coded result or a text"
    )
