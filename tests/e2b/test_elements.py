"""The element table (e2b/data/elements.csv, read by `e2b.elements`).

It must list every ICH element once, from closed sets; its XPaths must compile, hang together
(an element sits inside its block, a relative path finds what the absolute one finds) and
account for every node of real ICSR files; and it is the yardstick of the report model: what the
model does not carry is pinned in MISSING_FROM_MODEL, so new coverage shows up as a failure
until the set shrinks.

The nodes of the files that no element accounts for are printed (`pytest -rP` shows them):
that list is the input of the reader's "unknown elements are kept and reported".
"""

from __future__ import annotations

import ast
import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pydantic import BaseModel

from e2b import elements as table
from e2b.elements import (
    CARDINALITIES,
    CONFORMANCES,
    JOIN_KEYS,
    KINDS,
    MESSAGE,
    NULL_FLAVORS,
    PREFIXES,
    SECTIONS,
    Element,
    branches,
    carrier,
    children,
    compiled,
    element,
    elements,
    format_cardinality,
    is_marker,
    null_path,
    query,
    relative_path,
    step_parts,
    steps,
)
from e2b.mapping import HL7, XSI
from e2b.model import ICSR
from e2b.reader import ReadBatch
from e2b.tools import build_elements
from e2b.validation import describe
from e2b.writer import BatchHeader
from e2b.xmlsafe import parse_file

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
REFERENCE = build_elements.DEFAULT_REFERENCE
CSV = REPO / "e2b" / "data" / "elements.csv"

FILES = sorted(
    [
        *(TESTS / "golden").glob("*.xml"),
        *(TESTS / "e2b" / "data" / "foreign").glob("*.xml"),
        *(TESTS / "e2b" / "data" / "published").rglob("*.xml"),  # fda/, ich/
    ]
)
GOLDEN = frozenset(path for path in FILES if path.parent.name == "golden")


def file_id(path: Path) -> str:
    return str(path.relative_to(TESTS))


needs_reference = pytest.mark.skipif(
    not (REFERENCE / build_elements.ICH_FILE).exists(),
    reason=f"the ICH/FDA element lists are not at {REFERENCE}",
)


def data_rows() -> list[Element]:
    return [row for row in elements() if not row.is_header]


# ---------------------------------------------------------------- (a) coverage and closed sets


@needs_reference
def test_every_ich_data_element_has_exactly_one_row() -> None:
    """Read apart from the generator: an ICH row with a number and a conformance is an element
    (headings and separators have "-" there)."""
    with (REFERENCE / build_elements.ICH_FILE).open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[2:]
    ich = [
        row[2].strip()
        for row in rows
        if row[0].strip() == "ICH"
        and row[2].strip() not in ("", "-")
        and row[7].strip() not in ("", "-")
    ]
    conformance = Counter(row.conformance for row in data_rows())
    assert conformance == {
        "Mandatory": 32,
        "Required": 2,
        "Conditional-Mandatory": 72,
        "Optional": 117,
    }
    assert len(ich) == len(set(ich)) == 223
    assert [row.element for row in data_rows()] == ich


@needs_reference
def test_the_checked_in_table_is_what_the_sources_give() -> None:
    rebuilt = build_elements.render(build_elements.build(REFERENCE))
    assert CSV.read_text(encoding="utf-8") == rebuilt, "run python -m e2b.tools.build_elements"


def test_rows_are_unique_and_from_the_closed_sets() -> None:
    numbers = Counter(row.element for row in elements())
    assert [n for n, count in numbers.items() if count > 1] == []
    assert {row.kind for row in elements()} == KINDS  # every kind is used, none is unknown
    for row in elements():
        assert format_cardinality(row.cardinality) in CARDINALITIES, row
        assert row.conformance in CONFORMANCES and (row.conformance == "") == row.is_header, row
        assert row.section in SECTIONS and row.element.split(".")[0] == row.section, row
        assert row.null_flavors <= NULL_FLAVORS, row
        assert row.xpath_source in ({"fda", "ours"} if row.xpath else {""}), row
        assert row.name, row


def test_headers_are_the_repeating_blocks_and_every_context_has_one() -> None:
    headers = {row.element for row in elements() if row.is_header}
    assert {row.context for row in elements()} - {""} == headers
    for number in headers:
        assert number.split(".")[-1] in ("r", "i", "k"), number
        assert element(number).repeats


def test_cardinality_follows_conformance_and_repeat_markers() -> None:
    for row in data_rows():
        low = 1 if row.conformance in ("Mandatory", "Required") else 0
        high = None if row.element.split(".")[-1] in ("r", "i", "k") else 1
        assert row.cardinality == (low, high), row.element
    required = {row.element for row in elements() if row.is_header and row.required}
    assert required == {"N.2.r", "C.2.r", "E.i", "G.k"}  # ICH's minimum ICSR: 1..n


def test_lookups() -> None:
    outcome = element("E.i.7")
    assert (outcome.kind, outcome.context, outcome.cardinality) == ("code", "E.i", (1, 1))
    assert outcome.code_system_oid == "2.16.840.1.113883.3.989.2.1.1.11"
    assert element("E.i.3.2a").null_flavors == frozenset({"NI"})
    assert element("C.1.10.r").cardinality == (0, None)
    assert element("E.i.2.1b").kind == "coded_meddra" and element("E.i.2.1a").kind == "version"
    assert "E.i.7" in {row.element for row in children("E.i")}
    assert {row.element for row in children("G.k") if row.is_header} == {
        "G.k.2.3.r",
        "G.k.4.r",
        "G.k.7.r",
        "G.k.9.i",
    }
    assert elements() is elements()  # read once
    with pytest.raises(KeyError):
        element("E.i.99")


def test_code_lists_agree_with_the_paths() -> None:
    """Where a path asks a code system of the value's node, the table names that one."""
    for row in data_rows():
        if not row.xpath or row.kind not in ("code", "coded_meddra", "id"):
            continue
        _head, predicates = step_parts(steps(carrier(branches(row.xpath)[0]))[-1])
        asked = [re.fullmatch(r"@(?:codeSystem|root)='([\d.]+)'", p) for p in predicates]
        for found in filter(None, asked):
            assert row.code_system_oid == found.group(1), row.element


def test_e2b_modules_of_the_table_import_nothing_of_pv() -> None:
    for path in (REPO / "e2b" / "elements.py", REPO / "e2b" / "tools" / "build_elements.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] in ("pv", "ui")], path


# ---------------------------------------------------------------- (b) the XPaths


def test_every_xpath_compiles() -> None:
    paths = [p for row in elements() for p in (row.xpath, *branches(row.xpath)) if p]
    for row in data_rows():
        paths += [null_path(branch) for branch in branches(row.xpath)]
    for path in paths:
        etree.XPath(path, namespaces={"xsi": XSI})  # as written (the FDA notation)
        etree.XPath(query(path), namespaces=dict(PREFIXES))  # as lxml evaluates it
        assert set(re.findall(r"\$(\w+)", path)) <= set(JOIN_KEYS), path
    assert len([row for row in elements() if not row.xpath]) == 1  # G.k.9.i has no node


def test_query_prefixes_names_and_drops_markers() -> None:
    path = "/a[r]/b[c/@d='1'][@xsi:type='CE'][1]/e[@root=$k]/text()"
    assert query(path) == (
        "/hl7:a/hl7:b[hl7:c/@d='1'][(@xsi:type='CE' or substring-after(@xsi:type,':')='CE')][1]"
        "/hl7:e[@root=$k]/text()"
    )
    assert query("starts-with(@value,'tel:') and x") == "starts-with(@value,'tel:') and hl7:x"


# Found by reference, not inside their block: kept beside the drug (G.k.1) or in the causality
# assessments of the drug-reaction pair (G.k.9.i).
BY_REFERENCE = frozenset({"G.k.1", "G.k.9.i.1", "G.k.9.i.2.r"})


def test_elements_sit_inside_their_block() -> None:
    outside = set()
    for row in elements():
        block = element(row.context) if row.context else None
        while block is not None and not block.xpath:
            block = element(block.context) if block.context else None
        base = block.xpath if block else MESSAGE
        if any(
            not (b + "/").startswith(base + "/")
            for b in branches(row.xpath)
            if b.startswith(MESSAGE)
        ):
            outside.add(row.element)
    assert outside == BY_REFERENCE


def test_relative_paths() -> None:
    assert relative_path(element("N.1.2")) == (
        "id[@root='2.16.840.1.113883.3.989.2.1.3.22']/@extension"
    )
    assert relative_path(element("C.1.1")).startswith("controlActProcess[")
    assert relative_path(element("G.k.4.r.1a")) == (
        "substanceAdministration[@classCode='SBADM'][@moodCode='EVN']/doseQuantity/@value"
    )
    assert relative_path(element("E.i.7")).startswith("observation[@classCode='OBS']")
    assert relative_path(element("G.k.1")).startswith("../../../../../component[")
    assert " | " in relative_path(element("E.i.4"))


# ---------------------------------------------------------------- evaluating on real files


def evaluate(node: Any, path: str, variables: dict[str, str]) -> list[Any]:
    result = compiled(path)(node, **variables)
    return result if isinstance(result, list) else []


def found(node: Any, path: str, values: dict[str, list[str]]) -> set[Any]:
    """What `path` selects from `node` under every binding of its $k/$i: elements, or
    (element, attribute name) / (element, "#text") for values."""
    out: set[Any] = set()
    for variables in bindings(path, values):
        for item in evaluate(node, path, variables):
            if isinstance(item, etree._Element):
                out.add(item)
            else:
                out.add((item.getparent(), item.attrname if item.is_attribute else "#text"))
    return out


def bindings(path: str, values: dict[str, list[str]]) -> Iterator[dict[str, str]]:
    names = sorted(set(re.findall(r"\$(\w+)", path)))
    for combination in product(*(values[name] for name in names)):
        yield dict(zip(names, combination, strict=True))


def within(item: Any, message: Any) -> bool:
    node = item if isinstance(item, etree._Element) else item[0]
    return node is message or any(a is message for a in node.iterancestors())


def join_values(message: Any) -> dict[str, list[str]]:
    """Per join variable ($k, $i), the ids of its block (drugs, reactions) in this message."""
    out = {}
    for variable, (block, id_path) in JOIN_KEYS.items():
        nodes = [
            n for n in found(message.getroottree(), element(block).xpath, {}) if within(n, message)
        ]
        out[variable] = sorted({str(v) for n in nodes for v in evaluate(n, id_path, {})})
    return out


def messages(root: Any) -> list[Any]:
    return list(root.iterchildren(f"{{{HL7}}}PORR_IN049016UV"))


def block_nodes(row: Element, message: Any, values: dict[str, list[str]]) -> set[Any]:
    """The nodes `relative_path(row)` starts from in this message."""
    block = element(row.context) if row.context else None
    while block is not None and not block.xpath:
        block = element(block.context) if block.context else None
    if block is None:
        return {message} if row.xpath.startswith(MESSAGE + "/") else {message.getparent()}
    return {n for n in found(message.getroottree(), block.xpath, values) if within(n, message)}


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_relative_paths_find_what_absolute_paths_find(path: Path) -> None:
    """Walking each block and picking its children by relative path gives the same nodes."""
    for message in messages(parse_file(path).getroot()):
        values = join_values(message)
        for row in elements():
            if not row.xpath or not branches(row.xpath)[0].startswith(MESSAGE):
                continue
            absolute = {
                n for n in found(message.getroottree(), row.xpath, values) if within(n, message)
            }
            relative = set()
            for base in block_nodes(row, message, values):
                relative |= found(base, relative_path(row), values)
            relative = {n for n in relative if within(n, message)}
            assert relative == absolute, row.element


# ---------------------------------------------------------------- (c) every node of a file


def walk(
    nodes: list[Any], path: list[str], variables: dict[str, str], marks: set[Any], absolute: bool
) -> list[Any]:
    """Follow `path` step by step from `nodes`, marking what it touches: the value it selects,
    the attributes its predicates test and the nodes its predicate paths reach. Returns the
    nodes of the last element step (the value's carriers)."""
    for index, step in enumerate(path):
        if step.startswith("@") or step == "text()":
            key = "#text" if step == "text()" else attribute_key(step[1:])
            marks.update((n, key) for n in nodes if key == "#text" or key in n.attrib)
            return nodes
        expression = f"/{step}" if absolute and index == 0 else step
        reached: dict[int, Any] = {}
        for node in nodes:
            for item in evaluate(node, expression, variables):
                if isinstance(item, etree._Element):
                    reached[id(item)] = item
        nodes = list(reached.values())
        for predicate in step_parts(step)[1]:
            mark_predicate(nodes, predicate.strip(), variables, marks)
    return nodes


def mark_predicate(
    nodes: list[Any], predicate: str, variables: dict[str, str], marks: set[Any]
) -> None:
    if is_marker(predicate) or predicate.isdigit():
        return
    left = table.split_top(predicate, "=")[0].strip()
    if re.match(r"[A-Za-z_][\w.-]*(?:\[|/|$)", left):  # a path: walk it from each node
        for node in nodes:
            walk([node], steps(left), variables, marks, absolute=False)
    else:  # @a='v', starts-with(@a, ...): the attributes it tests
        for name in re.findall(r"@([\w:-]+)", left):
            key = attribute_key(name)
            marks.update((n, key) for n in nodes if key in n.attrib)


def attribute_key(name: str) -> str:
    return f"{{{XSI}}}{name[4:]}" if name.startswith("xsi:") else name


# Nodes a value's kind brings along on the value's own node (a PQ's unit, a document's type).
COMPANIONS = {
    "quantity": ("unit",),
    "binary": ("mediaType", "representation", "compression"),
    "term_id": ("codeSystem",),  # a TermID's code system is open (EDQM, NCI, UNII, NDC ...)
    "text": ("mediaType",),  # ED text/plain
}


def attributed(message: Any) -> set[Any]:
    """(element, attribute name or "#text") of every value and structure the table accounts for."""
    marks: set[Any] = set()
    values = join_values(message)
    doc = message.getroottree()
    for row in elements():
        for branch in branches(row.xpath):
            paths = [branch] if row.is_header else [branch, null_path(branch)]
            for path, variables in ((p, v) for p in paths for v in bindings(p, values)):
                carriers = walk([doc], steps(path), variables, marks, absolute=True)
                for name in COMPANIONS.get(row.kind, ()):
                    marks.update((n, name) for n in carriers if name in n.attrib)
    for block, id_path in JOIN_KEYS.values():
        for node in found(doc, element(block).xpath, {}):
            walk([node], steps(id_path), {}, marks, absolute=False)
    return marks


IE = "/MCCI_IN200100UV01/PORR_IN049016UV/controlActProcess/subject/investigationEvent"
ABBREVIATIONS = (
    (IE + "/component/adverseEventAssessment/subject1/primaryRole", "PR"),
    (IE + "/component/adverseEventAssessment", "AEA"),
    (IE, "IE"),
)
# HL7 message syntax with fixed values, not E2B elements (the writer writes them as constants).
WRAPPER = frozenset(
    {
        "/MCCI_IN200100UV01/@ITSVersion",
        "/MCCI_IN200100UV01/@xsi:schemaLocation",
        "/MCCI_IN200100UV01/responseModeCode/@code",
        "/MCCI_IN200100UV01/interactionId/@root",
        "/MCCI_IN200100UV01/interactionId/@extension",
        "/MCCI_IN200100UV01/PORR_IN049016UV/interactionId/@root",
        "/MCCI_IN200100UV01/PORR_IN049016UV/interactionId/@extension",
        "/MCCI_IN200100UV01/PORR_IN049016UV/processingCode/@code",
        "/MCCI_IN200100UV01/PORR_IN049016UV/processingModeCode/@code",
        "/MCCI_IN200100UV01/PORR_IN049016UV/acceptAckCode/@code",
        "/MCCI_IN200100UV01/PORR_IN049016UV/controlActProcess/code/@code",
        "/MCCI_IN200100UV01/PORR_IN049016UV/controlActProcess/code/@codeSystem",
        "IE/code/@code",
        "IE/code/@codeSystem",
        "IE/statusCode/@code",
        # the schema wants an id beside G.k.4.r.7's lot number
        "PR/subjectOf2/organizer/component/substanceAdministration/outboundRelationship2"
        "/substanceAdministration/consumable/instanceOfKind/productInstanceInstance/id/@nullFlavor",
    }
)
# What our writer sends beyond ICH: the reporter's e-mail is FDA.C.2.r.2.8 (pv.model calls it
# "C.2.r.2.8"), a telecom beside C.2.r.2.7's.
GOLDEN_NOT_ICH = frozenset(
    {
        "IE/outboundRelationship/relatedInvestigation/subjectOf2/controlActEvent/author/assignedEntity/telecom/@value"
    }
)
# Attributes that describe a code rather than carry data (its label, the version of an ICH list),
# and SXPR_TS's operator, which says how the parts of a time combine.
METADATA = frozenset({"@displayName", "@codeSystemVersion", "@codeSystemName", "@operator"})


def general_path(node: Any, key: str) -> str:
    names = [etree.QName(n).localname for n in reversed([node, *node.iterancestors()])]
    leaf = "text()" if key == "#text" else "@" + key.replace(f"{{{XSI}}}", "xsi:")
    path = "/" + "/".join([*names, leaf])
    for long, short in ABBREVIATIONS:
        if path.startswith(long + "/"):
            return short + path[len(long) :]
    return path


def unattributed(path: Path) -> tuple[Counter[str], Counter[str]]:
    """(paths no element accounts for, paths of wrapper and code metadata), with counts."""
    unknown: Counter[str] = Counter()
    known: Counter[str] = Counter()
    root = parse_file(path).getroot()
    marks: set[Any] = set()
    for message in messages(root):
        marks |= attributed(message)
    for node in root.iter(etree.Element):
        keys = [*node.attrib.keys()]
        if node.text and node.text.strip():
            keys.append("#text")
        for key in keys:
            if (node, key) in marks:
                continue
            general = general_path(node, key)
            leaf = general.rsplit("/", 1)[-1]
            (known if general in WRAPPER or leaf in METADATA else unknown)[general] += 1
    return unknown, known


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_every_node_of_a_file_is_accounted_for(path: Path) -> None:
    unknown, known = unattributed(path)
    print(
        f"\n{file_id(path)}: {sum(unknown.values())} nodes no element accounts"
        f" for, {sum(known.values())} wrapper / code metadata"
    )
    for general, count in sorted(unknown.items()):
        print(f"  {count:3} {general}")
    if path in GOLDEN:  # our writer sends ICH elements only, and the reporter's e-mail
        assert set(unknown) <= GOLDEN_NOT_ICH


# ---------------------------------------------------------------- (d) the report model's ratchet

# ICH elements pv.model does not carry. Adding one to the model fails the ratchet test until
# it leaves this set: the set only shrinks.
MISSING_FROM_MODEL = frozenset(
    {
    }
)
# Numbers pv.model gives fields that are not ICH elements; each should become one.
MODEL_NOT_ICH = frozenset(
    {
        "C.2.r.2.8",  # reporter e-mail: FDA regional FDA.C.2.r.2.8
    }
)


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside X, X | None, list[X] or Annotated[X, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        inner = model_in(arg)
        if inner is not None:
            return inner
    return None


def _numbered(cls: type[BaseModel]) -> bool:
    """Whether any field of a sub-model has an element number of its own."""
    return any(
        isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("e2b")
        for info in cls.model_fields.values()
    )


def model_numbers() -> tuple[set[str], set[str]]:
    """(numbers of the model's value fields, numbers of its sub-model fields), as pv names them
    (pairs joined "E.i.2.1" + "a", D.7 under the parent as D.10.7, ...)."""
    values: set[str] = set()
    groups: set[str] = set()

    def visit(cls: type[BaseModel], loc: tuple[str, ...]) -> None:
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("e2b") is None:
                continue  # local to the tool (ids, guide category)
            number = describe((*loc, name))[0]
            sub = model_in(info.annotation)
            if sub is None or not _numbered(sub):  # e.g. an ED attachment: one value
                values.add(number)
            else:
                groups.add(number)
                visit(sub, (*loc, name))

    visit(ICSR, ())
    return values, groups


def batch_header_numbers() -> set[str]:
    """N.1: not the report's but the batch's, carried by the writer's `BatchHeader` and read
    into the reader's `ReadBatch`; each field names its element in its metadata, and both
    must name the same ones."""
    written = {f.metadata["e2b"] for f in fields(BatchHeader) if "e2b" in f.metadata}
    read = {f.metadata["e2b"] for f in fields(ReadBatch) if "e2b" in f.metadata}
    assert written == read
    return written


def test_every_element_the_model_names_is_in_the_table() -> None:
    values, groups = model_numbers()
    values |= batch_header_numbers()
    numbers = {row.element for row in elements()}
    assert values - numbers == MODEL_NOT_ICH
    for group in groups:  # C.1, D.9, E.i.2.1 (a pair), G.k.4.r (a block) ...
        assert group in numbers or any(
            n.startswith(group + ".") or n in (group + "a", group + "b") for n in numbers
        ), group


def test_the_model_coverage_ratchet() -> None:
    values, _groups = model_numbers()
    values |= batch_header_numbers()
    missing = {row.element for row in data_rows()} - values
    assert missing == MISSING_FROM_MODEL, (
        f"now carried, remove from MISSING_FROM_MODEL: {sorted(MISSING_FROM_MODEL - missing)}; "
        f"no longer carried: {sorted(missing - MISSING_FROM_MODEL)}"
    )
    assert len(data_rows()) - len(missing) == 223
