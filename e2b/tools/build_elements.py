"""Builds `e2b/data/elements.csv`, the element table, from the ICH and FDA element lists.

    python -m e2b.tools.build_elements [REFERENCE_DIR] [--output CSV] [--check]

REFERENCE_DIR holds `ich-core-data-elements-v1.csv` (the ICH element list) and
`fda-core-regional-data-elements-v1.csv` (the FDA list, whose ICH rows carry an XPath per
element); it defaults to `e2b/tools/reference/` (copies, provenance in its SOURCE.md). The tool
is run once and the CSV checked in: the code reads the CSV, never these sources. `--check`
exits 1 when the checked-in table is not what the sources give.

Rows: every ICH data element (a row of the ICH list with a number and a conformance; group
headings are not elements), plus a header row per repeating block. FDA regional elements (FDA.x)
are left out. How each column is derived:

- context: the number up to its last repeat marker (.r, .i, .k) that is not its last part:
  E.i.2.1b -> E.i, G.k.9.i.2.r.1 -> G.k.9.i.2.r, G.k.10.r -> G.k (it repeats itself).
- cardinality, per instance of the context: at least 1 when ICH conformance is Mandatory or
  Required, else 0; at most n when the number ends in a repeat marker (C.1.10.r, G.k.10.r),
  else 1. A block is 1..n when it holds a Mandatory or Required element (N.2.r, C.2.r, E.i,
  G.k: ICH's minimum ICSR), else 0..n.
- kind (see `e2b.elements`): from ICH's data type (Boolean, Date/Time and whether its rule asks
  for the second), the names (MedDRA version, TermID version date; their "b" partners) and the
  last step of the XPath (@unit, @value of a number, @extension, telecom, @code); KINDS below
  settles the few these do not.
- code_system_oid: the code system (or id root) the XPath asks of the value's node, else the
  first OID of ICH's column that is not structural (observation or organizer lists, ...).
- xpath: the FDA XPath with mechanical clean-ups only (whitespace, straight quotes, the root
  and its ITSVersion/schemaLocation predicates, `substring(P, n)` -> P, `code@x` -> `code/@x`,
  "UUID of k-th drug" -> $k), source "fda"; where FDA has none or one that misses what ICH
  allows, ours (OURS, REWRITES: each says why), source "ours". A block's header takes the
  prefix its elements share, up to the block's repeat marker.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from e2b.elements import COLUMNS, MESSAGE, branches, format_cardinality, step_parts, steps

REPO = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE = Path(__file__).resolve().parent / "reference"  # provenance: its SOURCE.md
DEFAULT_OUTPUT = REPO / "e2b" / "data" / "elements.csv"
ICH_FILE = "ich-core-data-elements-v1.csv"
FDA_FILE = "fda-core-regional-data-elements-v1.csv"

REPEAT = frozenset({"r", "i", "k"})
NULL_ORDER = ("NI", "MSK", "UNK", "NA", "ASKU", "NASK", "NINF", "PINF")  # ICH columns 11-18

# ---------------------------------------------------------------- path pieces, as FDA spells them

OBS = "2.16.840.1.113883.3.989.2.1.1.19"  # observation codes
GROUP = "2.16.840.1.113883.3.989.2.1.1.20"  # organizer codes
MEDDRA = "2.16.840.1.113883.6.163"
IE = (
    MESSAGE + "/controlActProcess[@classCode='CACT'][@moodCode='EVN']/subject[@typeCode='SUBJ'][1]"
    "/investigationEvent[@classCode='INVSTG'][@moodCode='EVN']"
)
AEA = (
    IE + "/component[@typeCode='COMP'][adverseEventAssessment][1]"
    "/adverseEventAssessment[@classCode='INVSTG'][@moodCode='EVN']"
)
PR = AEA + "/subject1[@typeCode='SBJ'][1]/primaryRole[@classCode='INVSBJ']"
OBSERVATION = "observation[@classCode='OBS'][@moodCode='EVN']"
REACTION = (
    PR + f"/subjectOf2[@typeCode='SBJ'][observation[id][code[@code='29'][@codeSystem='{OBS}']]][i]"
    f"/{OBSERVATION}"
)
TESTS = (
    PR + f"/subjectOf2[@typeCode='SBJ'][organizer/code[@code='3'][@codeSystem='{GROUP}']][1]"
    "/organizer[@classCode='CATEGORY'][@moodCode='EVN']"
)
TEST_FDA = TESTS + f"/component[@typeCode='COMP'][observation/code[@codeSystem='{MEDDRA}']][r]"
TEST = TESTS + "/component[@typeCode='COMP'][observation][r]"
DRUG = (
    PR + f"/subjectOf2[@typeCode='SBJ'][organizer/code[@code='4'][@codeSystem='{GROUP}']][1]"
    "/organizer[@classCode='CATEGORY'][@moodCode='EVN']"
    "/component[@typeCode='COMP'][substanceAdministration/id][k]"
)
DRUG_FDA_MATRIX = (  # how FDA spells the drug block in G.k.9.i.3 and G.k.9.i.4
    PR + "/subjectOf2[@typeCode='SBJ']/organizer[@classCode='CATEGORY'][@moodCode='EVN']"
    f"[code[@code='4'][@codeSystem='{GROUP}']][1]"
    "/component[@typeCode='COMP'][substanceAdministration/id][k]"
)
DRUG_SA = DRUG + "/substanceAdministration[@classCode='SBADM'][@moodCode='EVN']"
DOSAGE_SA = (
    DRUG_SA + "/outboundRelationship2[@typeCode='COMP'][substanceAdministration][r]"
    "/substanceAdministration[@classCode='SBADM'][@moodCode='EVN']"
)
PARENT = (
    PR + "/player1[@classCode='PSN'][@determinerCode='INSTANCE']/role[@classCode='PRS']"
    "[code[@code='PRN'][@codeSystem='2.16.840.1.113883.5.111']][1]"
    "/associatedPerson[@classCode='PSN'][@determinerCode='INSTANCE']"
)
ASSESSMENT = (
    AEA + "/component[@typeCode='COMP']"
    f"[causalityAssessment[code[@code='39'][@codeSystem='{OBS}']]"
    "[subject1[@typeCode='SUBJ']/adverseEffectReference[@classCode='OBS'][@moodCode='EVN']"
    "/id[@root=$i]][subject2[@typeCode='SUBJ']/productUseReference[@classCode='SBADM']"
    "[@moodCode='EVN']/id[@root=$k]]][r]"
)
ASSESSMENT_CA = ASSESSMENT + "/causalityAssessment[@classCode='OBS'][@moodCode='EVN']"
REFERENCE = "actReference[@classCode='OBS'][@moodCode='EVN']"


def either(*alternatives: str) -> str:
    """A union: the first alternative is the one a writer uses."""
    return " | ".join(alternatives)


def timing(block: str, part: str, kind: str = "IVL_TS") -> str:
    """A part of an effectiveTime that is the whole (one IVL_TS) or a comp of an SXPR_TS."""
    return either(
        f"{block}/effectiveTime[@xsi:type='{kind}']/{part}",
        f"{block}/effectiveTime[@xsi:type='SXPR_TS']/comp[@xsi:type='{kind}']/{part}",
    )


def test_result(attribute: str) -> str:
    """F.r.3.2 / F.r.3.3: a value (center) or a qualified bound (low / high, as in "<5")."""
    return either(
        *(
            f"{TEST}/{OBSERVATION}/value[@xsi:type='IVL_PQ'][1]/{end}/@{attribute}"
            for end in ("center", "low", "high")
        )
    )


def interval(typecode: str, attribute: str) -> str:
    """G.k.9.i.3.1 (SAS: start after start) / G.k.9.i.3.2 (SAE: start after end)."""
    return (
        DRUG_SA + f"/outboundRelationship1[@typeCode='{typecode}'][{REFERENCE}/id[@root=$i]]"
        f"/pauseQuantity/@{attribute}"
    )


NO_FDA = "FDA gives none"
LONE_IVL = "FDA reads only one of the two encodings ICH allows"
FIRST_R = "FDA counts [r] over all assessments before it picks the drug and reaction"
SAME_PATH = "FDA gives 3.1 and 3.2 the same path; SAS/SAE tell them apart"

# XPaths we write: element -> (xpath, why FDA's does not do).
OURS: dict[str, tuple[str, str]] = {
    "D.10.1": (
        PARENT + "/name[1]/text()",
        NO_FDA + "; the PRN role code (D.10.1's code system) marks the parent",
    ),
    "E.i.4": (timing(REACTION, "low/@value"), LONE_IVL),
    "E.i.5": (timing(REACTION, "high/@value"), LONE_IVL),
    "E.i.6a": (timing(REACTION, "width/@value"), LONE_IVL),
    "E.i.6b": (timing(REACTION, "width/@unit"), LONE_IVL),
    "F.r.3.2": (test_result("value"), NO_FDA),
    "F.r.3.3": (test_result("unit"), NO_FDA),
    "G.k.4.r.1a": (DOSAGE_SA + "/doseQuantity/@value", NO_FDA),
    "G.k.4.r.1b": (DOSAGE_SA + "/doseQuantity/@unit", NO_FDA),
    "G.k.4.r.2": (timing(DOSAGE_SA, "period/@value", "PIVL_TS"), NO_FDA),
    "G.k.4.r.3": (timing(DOSAGE_SA, "period/@unit", "PIVL_TS"), NO_FDA),
    "G.k.4.r.4": (timing(DOSAGE_SA, "low/@value"), NO_FDA),
    "G.k.4.r.5": (timing(DOSAGE_SA, "high/@value"), NO_FDA),
    "G.k.4.r.6a": (timing(DOSAGE_SA, "width/@value"), NO_FDA),
    "G.k.4.r.6b": (timing(DOSAGE_SA, "width/@unit"), NO_FDA),
    "G.k.11": (
        DRUG_SA + f"/outboundRelationship2[@typeCode='REFR'][observation/code[@code='2']"
        f"[@codeSystem='{OBS}']][1]/{OBSERVATION}/value[@xsi:type='ST'][1]/text()",
        NO_FDA,
    ),
    "G.k.9.i.1": (
        either(
            ASSESSMENT_CA + "/subject1[@typeCode='SUBJ']/adverseEffectReference"
            "[@classCode='OBS'][@moodCode='EVN']/id/@root",
            DRUG_SA + f"/outboundRelationship1/{REFERENCE}/id/@root",
            DRUG_SA + f"/outboundRelationship2[@typeCode='PERT'][observation/code[@code='31']"
            f"[@codeSystem='{OBS}']]/{OBSERVATION}/outboundRelationship1[@typeCode='REFR']"
            f"/{REFERENCE}/id/@root",
        ),
        "FDA gives a block, not a value: the reaction's id where the matrix refers to it",
    ),
    "G.k.9.i.2.r.1": (
        ASSESSMENT_CA + "/author[@typeCode='AUT'][1]/assignedEntity[@classCode='ASSIGNED']"
        "/code/originalText/text()",
        FIRST_R,
    ),
    "G.k.9.i.2.r.2": (ASSESSMENT_CA + "/methodCode[1]/originalText/text()", FIRST_R),
    "G.k.9.i.2.r.3": (ASSESSMENT_CA + "/value[@xsi:type='ST']/text()", FIRST_R),
    "G.k.9.i.3.1a": (interval("SAS", "value"), SAME_PATH),
    "G.k.9.i.3.1b": (interval("SAS", "unit"), SAME_PATH),
    "G.k.9.i.3.2a": (interval("SAE", "value"), SAME_PATH),
    "G.k.9.i.3.2b": (interval("SAE", "unit"), SAME_PATH),
}

# Changes to FDA paths that change what they find: (elements, old, new, why). All that match an
# element apply, in order.
REWRITES: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (
        ("F.r.1", "F.r.2.1", "F.r.2.2a", "F.r.2.2b", "F.r.3.1", "F.r.3.4"),
        TEST_FDA,
        TEST,
        "a test named in free text only (F.r.2.1) has no MedDRA code",
    ),
    (
        ("F.r.4", "F.r.5", "F.r.6", "F.r.7"),
        TEST_FDA,
        TEST,
        "a test named in free text only (F.r.2.1) has no MedDRA code",
    ),
    (
        ("F.r.2.2a", "F.r.2.2b"),
        f"{OBSERVATION}/code/@",
        f"{OBSERVATION}/code[@codeSystem='{MEDDRA}']/@",
        "the test's code is MedDRA (F.r.2.1 alone is its originalText)",
    ),
    (
        ("C.1.9.1.r.1", "C.1.9.1.r.2"),
        "][r]/controlActEvent/id[",
        "][r]/controlActEvent[@classCode='CACT'][@moodCode='EVN']/id[",
        "the control act spelled as for C.3",
    ),
    (
        ("D.9.2.r.2", "D.9.4.r.2", "G.k.7.r.1"),
        f"[@xsi:type='CE'][@codeSystem='{MEDDRA}'][1]/originalText",
        "[@xsi:type='CE'][1]/originalText",
        "the free text may come without a MedDRA code",
    ),
    (
        ("G.k.4.r.9.1", "G.k.4.r.9.2a", "G.k.4.r.9.2b"),
        "formCode[@codeSystem='TBD-DoseForm']",
        "formCode",
        "ICH left the dose-form code system open (EDQM; FDA also takes NCI)",
    ),
    (
        ("G.k.4.r.10.1", "G.k.4.r.10.2a", "G.k.4.r.10.2b"),
        "routeCode[@codeSystem='2.16.840.1.113883.3.989.2.1.1.14']",
        "routeCode",
        "routes come as EDQM TermIDs (or the old E2B(R2) list)",
    ),
    (
        ("G.k.4.r.11.1", "G.k.4.r.11.2a", "G.k.4.r.11.2b"),
        "[@xsi:type='CE'][@codeSystem='2.16.840.1.113883.3.989.2.1.1.14'][1]",
        "[@xsi:type='CE'][1]",
        "routes come as EDQM TermIDs (or the old E2B(R2) list)",
    ),
    (
        ("G.k.2.3.r.2b",),
        "code[@codeSystem='TBD-Substance']",
        "code",
        "ICH left the substance code system open",
    ),
    (("G.k.9.i.4",), DRUG_FDA_MATRIX, DRUG, "the drug block spelled as everywhere else"),
)

# Blocks whose header path is ours: G.k.9.i has no node of its own (it lives in its drug, told
# apart by $i); the others differ from the prefix FDA's elements share, for the reasons above.
HEADER_PATHS: dict[str, str] = {"G.k.9.i": "", "G.k.9.i.2.r": ASSESSMENT, "F.r": TEST, "G.k": DRUG}
HEADER_NAMES: dict[str, str] = {"E.i": "Reaction(s) / Event(s) (repeat as necessary)"}

# OIDs ICH lists beside a value that say where it sits, not what it may be.
STRUCTURAL_OIDS = frozenset(
    {
        OBS,
        GROUP,
        "2.16.840.1.113883.3.989.2.1.1.4",  # D.1.1.x record source: fixed per element
        "2.16.840.1.113883.3.989.2.1.1.23",  # investigationCharacteristic codes
        "2.16.840.1.113883.3.989.2.1.1.27",  # document kinds (C.1.6.1.r / C.4.r)
        "2.16.840.1.113883.5.4",  # ActCode of the investigationEvent (H.1)
        "2.16.840.1.113883.5.111",  # RoleCode PRN (D.10.1)
        "2.16.840.1.113883.5.83",  # L/H of reference ranges (F.r.4, F.r.5)
    }
)
# ICH's list names E2B(R3) OIDs .1.28/.1.29 for the EDQM lists; senders and FDA use EDQM's own
# (OIDS.md section 5).
CODE_SYSTEMS: dict[str, str] = {
    "G.k.4.r.9.2b": "0.4.0.127.0.16.1.1.2.1",
    "G.k.4.r.10.2b": "0.4.0.127.0.16.1.1.2.6",
    "G.k.4.r.11.2b": "0.4.0.127.0.16.1.1.2.6",
}
KINDS: dict[str, str] = {
    "C.1.6.1.r.2": "binary",
    "C.4.r.2": "binary",
    "C.1.9.1.r.1": "text",  # the source's name, in the II's @assigningAuthorityName
    "C.2.r.5": "integer",  # priorityNumber
    "G.k.2.4": "code",  # ISO 3166, as the text of addr/country
    "G.k.9.i.1": "id",  # the reaction's UUID
}


@dataclass(frozen=True)
class Source:
    """One ICH data element as the ICH list gives it."""

    number: str
    name: str
    data_type: str
    max_length: str
    values_allowed: str
    conformance: str
    rule: str
    null_flavors: tuple[str, ...]
    oids: str


@dataclass(frozen=True)
class Row:
    """A row of the table as written."""

    element: str
    name: str
    context: str
    cardinality: tuple[int, int | None]
    kind: str
    xpath: str
    xpath_source: str
    max_length: str = ""
    values_allowed: str = ""
    code_system_oid: str = ""
    conformance: str = ""
    null_flavors: tuple[str, ...] = ()

    def record(self) -> dict[str, str]:
        return {
            "element": self.element,
            "name": self.name,
            "section": self.element.split(".")[0],
            "context": self.context,
            "cardinality": format_cardinality(self.cardinality),
            "kind": self.kind,
            "max_length": self.max_length,
            "values_allowed": self.values_allowed,
            "code_system_oid": self.code_system_oid,
            "conformance": self.conformance,
            "null_flavors": " ".join(self.null_flavors),
            "xpath": self.xpath,
            "xpath_source": self.xpath_source,
        }


def clean(text: str) -> str:
    """One line, single spaces, straight quotes."""
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", " ", text).strip()


def read_rows(path: Path) -> list[list[str]]:
    """A reference CSV (UTF-8 with BOM, two header rows, cells over several lines)."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))[2:]


def read_ich(path: Path) -> list[Source]:
    """The ICH data elements, in ICH order: rows with source ICH, a number and a conformance."""
    out = []
    for cells in read_rows(path):
        row = cells + [""] * (20 - len(cells))
        number, conformance = clean(row[2]), clean(row[7])
        if clean(row[0]) != "ICH" or number in ("", "-") or conformance in ("", "-"):
            continue  # group headings, separators
        yes = [clean(cell) == "Yes" for cell in row[11:19]]
        out.append(
            Source(
                number=number,
                name=clean(row[3]),
                data_type=clean(row[5]),
                max_length=row[4],
                values_allowed=clean(row[6]),
                conformance=conformance,
                rule=clean(row[8]),
                null_flavors=tuple(n for n, flag in zip(NULL_ORDER, yes, strict=True) if flag),
                oids=row[19],
            )
        )
    return out


def normalise(xpath: str) -> str:
    """FDA's XPath with the mechanical clean-ups only (see the module docstring)."""
    path = clean(xpath).replace(" ", "")
    path = re.sub(r"^substring\((.*),\d+\)$", r"\1", path)
    path = re.sub(
        r"^(/MCCI_IN200100UV01)\[@ITSVersion=[^\]]*\]\[@xsi:schemaLocation=[^\]]*\]", r"\1", path
    )
    if path.startswith("PORR_IN049016UV"):
        path = "/MCCI_IN200100UV01/" + path
    path = re.sub(r"(\w)@(\w+)$", r"\1/@\2", path)
    path = re.sub(r"'UUIDofk-thdr(?:ug|ag)'", "$k", path)
    return re.sub(r"'UUIDofi-threaction'", "$i", path)


def read_fda(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """ICH rows of the FDA list: element -> XPath, and block -> (name, XPath) of its headers."""
    paths: dict[str, str] = {}
    headers: dict[str, tuple[str, str]] = {}
    for row in read_rows(path):
        if len(row) < 33 or clean(row[0]) != "ICH":
            continue
        number, xpath = clean(row[2]), row[32]
        usable = bool(xpath.strip()) and "See X-Path" not in xpath
        if number == "(Header)":
            headers[clean(row[1]).rstrip(".")] = (clean(row[3]), normalise(xpath) if usable else "")
        elif usable:
            paths[number] = normalise(xpath)
    return paths, headers


def context_of(number: str) -> str:
    """The number up to its last repeat marker that is not its last part ("" if none)."""
    parts = number.split(".")
    marks = [i for i, part in enumerate(parts[:-1]) if part in REPEAT]
    return ".".join(parts[: marks[-1] + 1]) if marks else ""


def contexts_of(number: str) -> list[str]:
    """The blocks around an element, outermost first: G.k.4.r.1a -> [G.k, G.k.4.r]."""
    chain = []
    context = context_of(number)
    while context:
        chain.append(context)
        context = context_of(context)
    return chain[::-1]


def max_length(text: str) -> str:
    """ "250" -> "250"; "4* E2B(R2) 10* E2B(R3)" -> "10"; "-" -> ""."""
    r3 = re.search(r"(\d+)\*\s*E2B\(R3\)", text)
    if r3:
        return r3.group(1)
    text = clean(text)
    return text if text.isdigit() else ""


def code_system(source: Source, xpath: str) -> str:
    """The code system (or id root) of the element's value (see the module docstring)."""
    if source.number in CODE_SYSTEMS:
        return CODE_SYSTEMS[source.number]
    if xpath:
        for predicate in step_parts(steps(branches(xpath)[0])[-2])[1]:
            asked = re.fullmatch(r"@(?:codeSystem|root)='([\d.]+)'", predicate.strip())
            if asked:
                return asked.group(1)
    oids = re.findall(r"\d+(?:\.\d+)+", source.oids)
    return next((oid for oid in oids if oid not in STRUCTURAL_OIDS), "")


def kind_of(source: Source, xpath: str, versions: dict[str, str]) -> str:
    """The element's kind (see `e2b.elements`)."""
    if source.number in KINDS:
        return KINDS[source.number]
    *_, owner, last = steps(branches(xpath)[0])
    partner = versions.get(source.number[:-1] + "a", "") if source.number.endswith("b") else ""
    if source.data_type == "Boolean":
        return "boolean"
    if source.data_type == "Date/Time":
        return "datetime" if "to the second" in source.rule else "date"
    if "MedDRA Version" in source.name or "Version Date" in source.name:
        return "version"
    if partner:
        return "coded_meddra" if "MedDRA" in partner else "term_id"
    if last == "@unit":
        return "unit"
    if last == "@value" and (source.data_type == "N" or "PQ" in owner):
        return "quantity"
    if last in ("@extension", "@root"):
        return "id"
    if owner.startswith("telecom"):
        return "telecom"
    if last in ("@code", "@language"):
        return "code"
    return "text"


def element_path(number: str, fda: dict[str, str]) -> tuple[str, str]:
    """(xpath, xpath_source) of one element."""
    if number in OURS:
        return OURS[number][0], "ours"
    if number not in fda:
        raise SystemExit(f"{number}: FDA gives no XPath and OURS has none")
    path, origin = fda[number], "fda"
    for numbers, old, new, _why in REWRITES:
        if number in numbers:
            if old not in path:
                raise SystemExit(f"{number}: {old!r} is not in FDA's path any more")
            path, origin = path.replace(old, new), "ours"
    return path, origin


def block_path(
    block: str, members: Sequence[Row], fda: dict[str, tuple[str, str]]
) -> tuple[str, str]:
    """(xpath, xpath_source) of a block: ours if listed, else the prefix its members share."""
    if block in HEADER_PATHS:
        return HEADER_PATHS[block], "ours" if HEADER_PATHS[block] else ""
    # Markers before the block's own: its outer blocks, and the message for sections C to H.
    depth = len(contexts_of(block + ".x")) + (0 if block.startswith("N") else 1)
    prefixes = set()
    for row in members:
        parts = steps(branches(row.xpath)[0])
        marked = [i for i, step in enumerate(parts) if re.search(r"\[[rik]\]$", step)]
        prefixes.add("/" + "/".join(parts[: marked[depth - 1] + 1]))
    if len(prefixes) != 1:
        raise SystemExit(f"{block}: its elements disagree on the block's path: {sorted(prefixes)}")
    [path] = prefixes
    fda_path = fda.get(block, ("", ""))[1]
    return path, "fda" if fda_path and path == fda_path + path[path.rindex("[") :] else "ours"


def build(reference: Path) -> list[Row]:
    """The table: ICH's elements in ICH order, each block's header before its first member."""
    sources = read_ich(reference / ICH_FILE)
    fda, fda_headers = read_fda(reference / FDA_FILE)
    versions = {s.number: s.name for s in sources if "Version" in s.name}
    rows = []
    for source in sources:
        path, origin = element_path(source.number, fda)
        low = 1 if source.conformance in ("Mandatory", "Required") else 0
        high = None if source.number.split(".")[-1] in REPEAT else 1
        rows.append(
            Row(
                element=source.number,
                name=source.name,
                context=context_of(source.number),
                cardinality=(low, high),
                kind=kind_of(source, path, versions),
                xpath=path,
                xpath_source=origin,
                max_length=max_length(source.max_length),
                values_allowed=source.values_allowed,
                code_system_oid=code_system(source, path),
                conformance=source.conformance,
                null_flavors=source.null_flavors,
            )
        )
    headers: dict[str, Row] = {}
    blocks = {block for row in rows for block in contexts_of(row.element)}
    for block in sorted(blocks, key=lambda b: -b.count(".")):  # inner blocks first
        members = [r for r in [*rows, *headers.values()] if r.context == block and r.xpath]
        path, origin = block_path(block, members, fda_headers)
        required = any(r.cardinality[0] for r in rows if r.context == block)
        headers[block] = Row(
            element=block,
            name=HEADER_NAMES.get(block) or fda_headers[block][0],
            context=context_of(block),
            cardinality=(1 if required else 0, None),
            kind="header",
            xpath=path,
            xpath_source=origin,
        )
    out: list[Row] = []
    for row in rows:
        out += [headers.pop(block) for block in contexts_of(row.element) if block in headers]
        out.append(row)
    return out


def render(rows: Iterable[Row]) -> str:
    """The CSV text of the table."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.record() for row in rows)
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build e2b/data/elements.csv.")
    parser.add_argument("reference", nargs="?", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is stale")
    args = parser.parse_args(argv)
    try:
        text = render(build(args.reference))
    except FileNotFoundError as error:
        print(f"cannot read the element lists: {error}", file=sys.stderr)
        return 2
    if args.check:
        if not args.output.exists() or args.output.read_text(encoding="utf-8") != text:
            print(
                f"{args.output} is stale: run python -m e2b.tools.build_elements", file=sys.stderr
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
