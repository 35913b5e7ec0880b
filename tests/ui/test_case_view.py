"""ui.case_view through AppTest: a stored ITP case with a follow-up, read as an officer reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from pv.store import Store
from tests.pv.submissions import builder, make_submission

ARABIC = "بدأت الكدمات بعد الدورة الثانية.\n\nتحسنت الصفائح الدموية."
OFFERS = "test.offers"  # label -> (file name, key, make), recorded by the script's offer


def case_app(url: str, case_id: str) -> None:
    """The case view on its own, downloads recorded so the test can click them."""
    from collections.abc import Callable

    import streamlit as st

    from pv.store import Store
    from ui import case_view

    def offer(
        label: str, make: Callable[[], bytes], *, file_name: str, mime: str, key: str
    ) -> None:
        st.session_state.setdefault("test.offers", {})[label] = (file_name, key, mime, make)
        st.download_button(label, data=b"", file_name=file_name, key=key, on_click="ignore")

    store = Store.open(url)
    detail = store.get_case(case_id)
    case_view.render(
        detail,
        store.current_report(case_id),
        version_xml=lambda n: store.version_xml(case_id, n, user="officer1"),
        offer=offer,
    )


def _follow_up(data: dict[str, Any]) -> None:
    data["case"]["most_recent"] = "2026-11-20"
    data["reactions"][0]["outcome"] = "1"
    data["narrative"]["narrative"] = ARABIC
    data["tests"].insert(
        5,
        {
            "date": "2026-11-13",
            "name": "Platelet count",
            "test": {"version": "27.1", "code": "10035525"},
            "result": {"value": 182, "unit": "10*3/uL"},
        },
    )


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(database URL, case ID): the ITP case and its follow-up."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    store = Store.open(url)
    try:
        now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        case_id = store.submit(builder(validate=False), now=now).case_id
        follow_up = make_submission(case_id, validate=False, change=_follow_up)
        store.add_version(case_id, follow_up, user="officer1", now=now)
    finally:
        store.close()
    yield url, case_id


def _run(url: str, case_id: str) -> AppTest:
    at = AppTest.from_function(case_app, kwargs={"url": url, "case_id": case_id})
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def _frames(at: AppTest, column: str) -> list[Any]:
    """The tables (interactive, then static) that have this column, in page order."""
    return [d.value for d in [*at.dataframe, *at.table] if column in d.value.columns]


def _read(markdown: str) -> str:
    """Markdown as the page shows it: escapes, direction isolates and word joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).translate(dict.fromkeys([0x2060, 0x2068, 0x2069]))


def _text(at: AppTest) -> str:
    return "\n".join(_read(m.value) for m in at.markdown)


def test_the_case_reads_patient_reactions_drug_tests_and_reporter(
    stored: tuple[str, str],
) -> None:
    at = _run(*stored)
    headings = [h.value for h in at.subheader]
    assert headings == [
        "Patient",
        "Reactions",
        "Suspect drug and courses",
        "Tests and lab values",
        "Narrative",
        "Reporter",
        "Versions",
    ]
    text = _text(at)
    assert "**Age:** 34 years" in text and "**Sex:** Female" in text
    assert "**Institution:** Example Neuroscience Hospital" in text
    assert "**City:** Riyadh" in text and "**Profession:** Physician" in text
    reactions = _frames(at, "MedDRA term")[0]
    assert list(reactions["No."]) == [1, 2, 3]
    assert list(reactions["MedDRA term"]) == ["Immune thrombocytopenia", "Petechiae", "Epistaxis"]
    assert reactions["Outcome"].iloc[0] == "Recovered / resolved"  # the follow-up's
    assert reactions["Onset"].iloc[0] == "2026-10-03"
    assert "Serious: caused or prolonged hospitalisation" in text
    courses = _frames(at, "Batch")[0]
    assert list(courses["Batch"]) == ["SYN-LOT-0001", "SYN-LOT-0002"]
    assert list(courses["First administration"]) == ["2024-02-04", "2025-02-09"]


def test_serial_platelets_are_a_chart_with_a_labelled_table_beside_it(
    stored: tuple[str, str],
) -> None:
    at = _run(*stored)
    captions = [_read(c.value) for c in at.caption]
    assert "Chart: Platelet count over time (x10^3/µL)" in captions
    assert "Table: Platelet count, every value (the chart's text alternative)" in captions
    platelets, haemoglobin = _frames(at, "Result")
    assert list(platelets["Date"]) == [
        "2026-09-07",
        "2026-10-06",
        "2026-10-09",
        "2026-10-15",
        "2026-10-30",
        "2026-11-13",
    ]
    assert list(platelets["Result"])[1] == "9 x10^3/µL"
    assert list(haemoglobin["Result"]) == ["12.1 g/dL"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1  # haemoglobin has one value: a table only


def test_the_arabic_narrative_is_literal_and_runs_in_its_own_direction(
    stored: tuple[str, str],
) -> None:
    at = _run(*stored)
    bodies = [h.value for h in at.get("html")]
    assert bodies[0] == (
        '<p dir="auto" style="white-space: pre-wrap; margin: 0 0 0.8em">'
        "بدأت الكدمات بعد الدورة الثانية.</p>"
        '<p dir="auto" style="white-space: pre-wrap; margin: 0 0 0.8em">'
        "تحسنت الصفائح الدموية.</p>"
    )


def test_each_version_has_its_xml_to_read_and_an_audited_download(
    stored: tuple[str, str],
) -> None:
    url, case_id = stored
    at = _run(url, case_id)
    expanders = [e.label for e in at.expander]
    assert expanders == [
        "Read the XML of version 2",
        "What changed from version 1 to version 2",
        "Read the XML of version 1",
    ]
    [new_xml, old_xml] = [c.value for c in at.code]
    store = Store.open(url)
    try:
        stored_versions = store.get_case(case_id).versions
        assert [old_xml, new_xml] == [v.xml.decode() for v in stored_versions]
        offers = at.session_state[OFFERS]
        file_name, _key, mime, make = offers["Download the XML of version 1"]
        assert (file_name, mime) == (f"{case_id}-v1.xml", "application/xml")
        assert make() == stored_versions[0].xml  # made at the click, and audited
        [download] = store.audit_trail(case_id=case_id, action="download")
        assert download.user == "officer1" and download.detail["version"] == 1
    finally:
        store.close()


def test_the_difference_lists_the_changed_outcome_and_the_added_platelet_count(
    stored: tuple[str, str],
) -> None:
    at = _run(*stored)
    [diff] = _frames(at, "Before")
    rows = list(zip(diff["Field"], diff["Change"], diff["Before"], diff["After"], strict=True))
    assert (
        "Reaction 1 > outcome",
        "changed",
        "Recovering / resolving",
        "Recovered / resolved",
    ) in rows
    [added] = [r for r in rows if r[0] == "Tests and procedures, no. 6"]
    assert added[1] == "added" and "182" in added[3]
    assert "E2B element" not in diff.columns  # element numbers only in the expert view


def test_in_arabic_the_headings_and_columns_are_arabic(stored: tuple[str, str]) -> None:
    url, case_id = stored
    at = AppTest.from_function(case_app, kwargs={"url": url, "case_id": case_id})
    at.session_state["language"] = "ar"
    at.run(timeout=60)
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader][:2] == ["المريض", "الأعراض الجانبية"]
    text = _text(at)
    assert "المدينة" in text and "**الجنس:** أنثى" in text
    # each value keeps its own direction in an Arabic line: "34 years", not "years 34"
    assert any("\u206834 years\u2069" in m.value for m in at.markdown)
    assert _frames(at, "مصطلح MedDRA")
    assert "قراءة ملف XML للنسخة 2" in [e.label for e in at.expander]
