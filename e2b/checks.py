"""What each ICH rule checks, so that every check lives in one layer only.

e2b has two rule layers. The XML layer (`e2b.rules`, run by `e2b.validate` on received files)
asks how a file is WRITTEN: code lists and code systems as encoded, nullFlavors, the form of a
date or an ID, references between XML blocks, what the reader cannot carry into the model. The
model layer (`e2b.model_rules`, run by `e2b.validation` on every ICSR, ours and received) asks
what the data MEANS: dates in order and not in the future, values required together, one
primary source, one MedDRA version, consistency between sections.

Each layer lists its rules' checks (`e2b.rules.CHECKS`, `e2b.model_rules.CHECKS`) as pairs of
an E2B element and the kind of question asked of it; a test holds that no pair is in both
(tests/e2b/test_rules.py), apart from the few in `SHARED`, each with its reason.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal[
    "sent",  # the element is there (or carries a permitted nullFlavor)
    "code",  # a code from its ICH list (or ISO list), sent under that list's OID
    "format",  # how a value is spelled: an HL7 date, to the second, an 8-digit code, an ID's form
    "reference",  # an item points at another one (a drug, a reaction)
    "paired",  # the two halves of one value (number and unit) go together
    "conditional",  # required, or forbidden, because of another value
    "count",  # how many: at least one, exactly one
    "content",  # an item says enough to mean something: a name or a code, a result, a cause
    "future",  # not after today
    "precision",  # precise enough (to the day)
    "order",  # not before another date
    "consistent",  # two values that must not contradict each other
    "unique",  # no two items share an ID
    "version",  # one MedDRA version in the report
    "null_flavor",  # a nullFlavor sent in place of a value is one the element allows
    "length",  # within the element's maximum length (where the field cannot carry it)
]
Check = tuple[str, Kind]

# Checks both layers make on purpose: each pair with what each layer sees that the other cannot.
SHARED: dict[Check, str] = {
    ("G.k.4.r.2", "paired"): (
        "a dosing interval sent as a unit without its number is left out by the reader, so only "
        "the XML layer sees it; a number without its unit (G.k.4.r.3) and any pair in data that "
        "did not come from XML are the model's"
    ),
}


def in_both(
    first: dict[str, tuple[Check, ...]], second: dict[str, tuple[Check, ...]]
) -> set[Check]:
    """The (element, kind) checks that two layers' tables both make."""
    a = {pair for pairs in first.values() for pair in pairs}
    b = {pair for pairs in second.values() for pair in pairs}
    return a & b
