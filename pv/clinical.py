"""Clinical wording for what the model keeps in codes: lab units as clinicians write them (the
UCUM code stays in the report), and messages without E2B element numbers.

The unit table is data (pv/data/units.csv), read once.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

# An E2B element number as the messages write it: "E.i.7", "C.2.r.2.8", "D.2.2a", "G.k", "N.1",
# "F.r.3".
_ELEMENT = r"\b[A-HN]\.(?:\d+|i|k|r)(?:\.(?:\d+|[a-z]))*[a-z]?\b"
# "... is required (E.i.7)", "the parent's details (D.10) when", "(C.1.3 = 2)", "(G.k.10.r '...')"
_IN_BRACKETS = re.compile(rf"\s*\([^()]*{_ELEMENT}[^()]*\)")
_BARE = re.compile(rf"\s*(?:E2B\(R3\)\s*)?{_ELEMENT}")


@cache
def _units() -> tuple[dict[str, str], dict[str, str]]:
    text = (resources.files("pv") / "data" / "units.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    to_clinical = {row["ucum"]: row["clinical"] for row in rows}
    to_ucum = {_key(row["clinical"]): row["ucum"] for row in rows}
    to_ucum.update({_key(row["ucum"]): row["ucum"] for row in rows})
    return to_clinical, to_ucum


def _key(unit: str) -> str:
    """A unit as looked up: case, the micro sign and the times sign do not matter."""
    return unit.strip().replace("\u00d7", "x").casefold()


def clinical_unit(ucum: str) -> str:
    """'10*3/uL' -> 'x10^3/µL'; a unit the table does not know is shown as it is."""
    return _units()[0].get(ucum, ucum)


def ucum_unit(text: str) -> str:
    """What a clinician typed ('x10^3/µL', 'mmHg') -> the UCUM code the report sends; text the
    table does not know is passed on as typed (F.r.3.3 is free text in E2B)."""
    return _units()[1].get(_key(text), text.strip())


def without_elements(message: str) -> str:
    """A finding's message without the E2B element numbers an officer, not a clinician, needs:
    'Reaction 1: outcome is required (E.i.7)' -> 'Reaction 1: outcome is required'."""
    return _BARE.sub("", _IN_BRACKETS.sub("", message)).strip()
