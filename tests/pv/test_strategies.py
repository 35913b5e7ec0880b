"""The test strategies keep their promises: valid reports, and hostile text XML 1.0 can carry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings

from e2b.dates import precision
from e2b.validation import validate
from pv.entry_rules import PLAUSIBILITY
from pv.model import Report
from tests.cases import TODAY
from tests.strategies import (
    HOSTILE_PIECES,
    SLOW_REPORTS,
    XML_FORBIDDEN,
    hostile_text,
    report_data,
    reports,
)


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW_REPORTS)
@given(reports())
def test_generated_reports_validate_without_errors(report: Report) -> None:
    """Valid ICSRs and plausible; partial dates of birth are drawn too (a partner may send
    them), which the form alone refuses."""
    result = validate(report, Report, TODAY, rules=PLAUSIBILITY)
    assert result.ok, [f.line() for f in result.findings if f.severity == "error"]


@settings(max_examples=200)
@given(hostile_text(40))
def test_hostile_text_is_xml_safe_and_within_size(text: str) -> None:
    assert len(text) <= 40
    assert not set(text) & set(XML_FORBIDDEN)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def test_hostile_pieces_are_xml_safe() -> None:
    for piece in HOSTILE_PIECES:
        assert not set(piece) & set(XML_FORBIDDEN), repr(piece)


def _found(strategy: Any, condition: Callable[[Any], bool]) -> None:
    """Fails when `condition` never holds in a few hundred generated examples (a fixed seed, so
    the test is as fast and as repeatable as any other)."""
    find(
        strategy,
        condition,
        settings=settings(
            max_examples=400, phases=[Phase.generate], database=None, derandomize=True
        ),
    )


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(lambda t: "]]>" in t, id="cdata-end"),
        pytest.param(lambda t: "<script>" in t, id="script"),
        pytest.param(lambda t: any(ord(c) > 0xFFFF for c in t), id="astral-emoji"),
        pytest.param(lambda t: "\u200f" in t or "\u202e" in t, id="rtl-mark"),
        pytest.param(lambda t: any(0x0600 <= ord(c) <= 0x06FF for c in t), id="arabic"),
        pytest.param(lambda t: "\u0301" in t or "\u0308" in t, id="combining"),
        pytest.param(lambda t: "\r" in t, id="carriage-return"),
        pytest.param(lambda t: t[:1] == " " or t[-1:] == " ", id="edge-space"),
        pytest.param(lambda t: t.strip() == "" and t != "", id="blank"),
    ],
)
def test_hostile_text_reaches(condition: Callable[[str], bool]) -> None:
    _found(hostile_text(60), condition)


def _dates_in(data: Any) -> list[str]:
    if isinstance(data, dict):
        keys = ("start", "end", "date", "birth_date", "last_menstrual_period")
        own = [v for k, v in data.items() if k in keys and isinstance(v, str)]
        return own + [d for v in data.values() for d in _dates_in(v)]
    if isinstance(data, list):
        return [d for item in data for d in _dates_in(item)]
    return []


def _has_precision(wanted: int) -> Callable[[dict[str, Any]], bool]:
    return lambda data: any(precision(x) == wanted for x in _dates_in(data))


REPORTS_REACH: dict[str, Callable[[dict[str, Any]], bool]] = {
    **{f"date-precision-{p}": _has_precision(p) for p in (1, 2, 3, 5, 6)},
    "fatal-with-death-block": lambda d: (
        any(r["outcome"] == "5" for r in d["reactions"]) and d["patient"].get("death") is not None
    ),
    "parent": lambda d: d["patient"].get("parent") is not None,
    "pregnancy": lambda d: any(
        r.get("guide_category") == "pregnancy_exposure" for r in d["reactions"]
    ),
    "three-reactions": lambda d: len(d["reactions"]) == 3,
    "three-drugs": lambda d: len(d["drugs"]) == 3,
    "assessment": lambda d: any(drug.get("reactions") for drug in d["drugs"]),
    "created-with-offset": lambda d: d["case"]["created_at"].tzinfo is not None,
    "explicit-null": lambda d: "nullification" in d["case"] and d["case"]["nullification"] is None,
    "absent-key": lambda d: "expedited" not in d["case"],
}


def test_report_data_reaches_every_corner() -> None:
    seen: set[str] = set()

    # Derandomised, yet Hypothesis also draws on constants from every imported module, so what
    # 60 examples reach depends on the rest of the suite; 200 leave no corner to chance.
    @settings(
        max_examples=200,
        phases=[Phase.generate],
        database=None,
        derandomize=True,
        suppress_health_check=SLOW_REPORTS,
    )
    @given(report_data())
    def record(data: dict[str, Any]) -> None:
        seen.update(name for name, holds in REPORTS_REACH.items() if holds(data))

    record()
    assert set(REPORTS_REACH) - seen == set()
