"""Compiled, namespaced XPath lookups shared by the reader and the rule layer."""

from __future__ import annotations

from functools import cache

from lxml import etree

from e2b.mapping import NS, OID_AUTHOR_ROLE, OID_OBSERVATION, OID_VALUE_GROUP

E = etree._Element


@cache
def compiled(path: str) -> etree.XPath:
    """One compiled XPath per expression, for the life of the process."""
    return etree.XPath(path, namespaces=NS)


def find_all(node: E | None, path: str) -> list[E]:
    """Elements matching `path` under `node` (none when node is None)."""
    if node is None:
        return []
    result = compiled(path)(node)
    return [n for n in result if isinstance(n, etree._Element)] if isinstance(result, list) else []


def find_one(node: E | None, path: str) -> E | None:
    """The first element matching `path`, or None."""
    found = find_all(node, path)
    return found[0] if found else None


def obs(code: str) -> str:
    """Predicate: the element's code is `code` in the ICH observation list (.19)."""
    return f"[h:code[@code='{code}'][@codeSystem='{OID_OBSERVATION}']]"


def group(code: str) -> str:
    """Predicate: an organizer of the ICH value-grouping list (.20)."""
    return f"[h:code[@code='{code}'][@codeSystem='{OID_VALUE_GROUP}']]"


def author(code: str) -> str:
    """Predicate: authored by the ICH role `code` (list .21)."""
    return f"[h:author/h:assignedEntity/h:code[@code='{code}'][@codeSystem='{OID_AUTHOR_ROLE}']]"
