"""Namespaced lookups on HL7 v3 trees: compiled paths without predicates, codes tested in Python.

A path is XPath with the "h:" prefix left out ("subjectOf2/observation", ".//low", "a | b").
libxml2 walks such steps cheaply, but it evaluates a predicate on attribute values once per
candidate node, and every evaluation has a fixed cost of about a microsecond. So codes are tested
in Python, and `Coded` and `Parts` answer many questions about one node from a single lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import cast

from lxml import etree

from e2b.mapping import HL7

E = etree._Element

_CODE = f"{{{HL7}}}code"
_VALUE = f"{{{HL7}}}value"
_LOCAL = len(HL7) + 2  # "{urn:hl7-org:v3}name"[_LOCAL:] == "name"


@cache
def compiled(expression: str) -> etree.XPath:
    """An XPath compiled once, with only the HL7 prefix "h" and no regular-expression functions.

    Each evaluation registers the namespaces and extensions again: keeping them to one prefix
    and none makes a short lookup ~30% cheaper.
    """
    return etree.XPath(expression, namespaces={"h": HL7}, regexp=False)


@cache
def _selector(path: str) -> Callable[[E], list[E]]:
    def prefixed(step: str) -> str:
        return step if step in ("", ".") else f"h:{step}"

    branches = ("/".join(map(prefixed, branch.strip().split("/"))) for branch in path.split("|"))
    # Steps without predicates select elements only.
    return cast("Callable[[E], list[E]]", compiled(" | ".join(branches)))


def select(node: E | None, path: str) -> list[E]:
    """The elements `path` selects under `node`, in document order (none when node is None)."""
    return [] if node is None else _selector(path)(node)


def select_one(node: E | None, path: str) -> E | None:
    """The first element `path` selects under `node`, or None."""
    found = [] if node is None else _selector(path)(node)
    return found[0] if found else None


def first(nodes: Iterable[E]) -> E | None:
    """The first of `nodes`, or None."""
    return next(iter(nodes), None)


def where(nodes: Iterable[E], attribute: str, value: str) -> list[E]:
    """The nodes whose `attribute` is `value`: XPath [@attribute='value']."""
    return [n for n in nodes if n.get(attribute) == value]


def has_code(node: E, code: str | None = None, system: str | None = None) -> bool:
    """Some <code> child has `code` (if given) in `system` (if given): XPath [h:code[...]]."""
    for c in node.iterchildren(_CODE):
        if (code is None or c.get("code") == code) and (
            system is None or c.get("codeSystem") == system
        ):
            return True
    return False


def text_of(node: E) -> str:
    """All text inside `node`, as "".join(node.itertext()), without walking a node that has none."""
    if len(node) == 0:  # no child elements, comments or PIs: .text is all of it
        return node.text or ""
    return "".join(node.itertext())


class Parts:
    """The elements a union path selects under one node, by local name: one lookup for many.

    Parts(drug, "id | consumable/instanceOfKind/kindOfProduct/name").first("name") is the first
    element of that branch, provided each local name comes from one branch of the path only.
    """

    def __init__(self, node: E | None, path: str) -> None:
        self._by_name: dict[str, list[E]] = {}
        for element in select(node, path):
            self._by_name.setdefault(str(element.tag)[_LOCAL:], []).append(element)

    def all(self, name: str) -> list[E]:
        """The elements named `name`, in document order."""
        return self._by_name.get(name, [])

    def first(self, name: str) -> E | None:
        """The first element named `name`, or None."""
        found = self._by_name.get(name)
        return found[0] if found else None


class Coded:
    """The elements at a path, by their code in one code system, and each one's <value>s.

    Stands for XPath path[h:code[@code=c][@codeSystem=s]] (and .../h:value) for every code c,
    from one lookup. Lists are in document order and hold an element once.
    """

    def __init__(self, node: E | None, path: str, system: str) -> None:
        self._owners: dict[str, list[E]] = {}
        self._values: dict[E, list[E]] = {}
        for part in select(node, f"{path}/code | {path}/value"):
            owner = part.getparent()
            if owner is None:
                continue
            if part.tag == _VALUE:
                self._values.setdefault(owner, []).append(part)
                continue
            code = part.get("code")
            if code is None or part.get("codeSystem") != system:
                continue
            owners = self._owners.setdefault(code, [])
            # An element's codes come together, so a repeat can only be the last entry.
            if not owners or owners[-1] is not owner:
                owners.append(owner)

    def of(self, code: str) -> list[E]:
        """The elements coded `code`."""
        return self._owners.get(code, [])

    def values(self, code: str) -> list[E]:
        """The <value> children of the elements coded `code`."""
        return [v for owner in self.of(code) for v in self._values.get(owner, [])]

    def value(self, code: str) -> E | None:
        """The first <value> of the elements coded `code`, or None."""
        for owner in self.of(code):
            found = self._values.get(owner)
            if found:
                return found[0]
        return None

    def values_of(self, element: E) -> list[E]:
        """The <value> children of one element of the index."""
        return self._values.get(element, [])
