"""The log's text search (CaseQuery.text) over what a case page shows: narrative, reporter's
institution, department and city, verbatim terms; on SQLite (FTS5 trigram) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from pv.store import CaseQuery, Store
from tests.cases import TODAY
from tests.pv.submissions import builder, make_submission

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _reporter(**values: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["primary_sources"][0].update(values)

    return change


def _narrative(text: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["narrative"]["narrative"] = text

    return change


def _verbatim(text: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["reactions"][1]["verbatim"] = text

    return change


def _comments(text: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["narrative"]["reporter_comments"] = text

    return change


def _second_reporter(data: dict[str, Any]) -> None:
    data["primary_sources"].append(
        {"given_name": "Omar", "city": "Tabuk", "primary_for_regulatory": False}
    )


# (what the case says, a piece of it to search for): each found in the one case that says it.
FIELDS = {
    "narrative": (_narrative("Platelets fell after a dengue-like illness in Abha."), "DENGUE-LIKE"),
    "narrative in Arabic": (_narrative("انخفضت الصفائح الدموية بعد حمى."), "الصفائح"),
    "institution": (_reporter(organisation="King Fahad Medical City"), "fahad medical"),
    "department": (_reporter(department="Haematology day unit"), "haematology day"),
    "city": (_reporter(city="Al-Khobar"), "al-khobar"),
    "city, short": (_reporter(city="Ula"), "ula"),  # under a trigram: scanned on SQLite
    "verbatim term": (_verbatim("Purple spots on the shins"), "purple spots"),
    "reporter comments": (_comments("Bone marrow aspirate pending."), "marrow aspirate"),
    "second reporter's city": (_second_reporter, "tabuk"),
}


@pytest.mark.parametrize("field", list(FIELDS))
def test_the_search_finds_a_case_by(store: Store, field: str) -> None:
    change, needle = FIELDS[field]
    plain = store.submit(builder(validate=False), now=NOW).case_id
    marked = store.submit(builder(validate=False, change=change), now=NOW).case_id
    found = [r.case_id for r in store.list_cases(CaseQuery(text=needle), today=TODAY).rows]
    assert found == [marked]
    assert plain not in found


def test_a_follow_up_replaces_what_the_search_finds(store: Store) -> None:
    case_id = store.submit(builder(validate=False, change=_reporter(city="Hail")), now=NOW).case_id
    assert [r.case_id for r in store.list_cases(CaseQuery(text="hail")).rows] == [case_id]
    follow_up = make_submission(case_id, validate=False, change=_reporter(city="Najran"))
    store.add_version(case_id, follow_up, user="o", now=NOW)
    assert store.list_cases(CaseQuery(text="hail")).rows == []
    assert [r.case_id for r in store.list_cases(CaseQuery(text="najran")).rows] == [case_id]
