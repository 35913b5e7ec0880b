"""Partial dates at the edge of the calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pv.dates import bounds, from_user_text, in_future


@pytest.mark.parametrize("value", ["9999", "9999-12", "9999-12-31", "9999-12-31T23:59"])
def test_year_9999_placeholders_have_bounds_and_are_in_the_future(value: str) -> None:
    start, end = bounds(value)
    assert start.year == 9999
    assert end == datetime.max
    assert in_future(value, date(2026, 11, 25))


def test_ordinary_month_bounds() -> None:
    assert bounds("2024-02") == (datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59, 999999))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14/03/2025", "2025-03-14"),
        ("3/2025", "2025-03"),
        ("31.12.2024", "2024-12-31"),
        (" 2025-03 ", "2025-03"),
        ("2025", "2025"),
        ("March 2025", "March 2025"),  # left for the model to explain
    ],
)
def test_dates_as_reporters_type_them(typed: str, expected: str) -> None:
    assert from_user_text(typed) == expected
