"""Partial dates at the edge of the calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from e2b.dates import bounds, in_future


@pytest.mark.parametrize("value", ["9999", "9999-12", "9999-12-31", "9999-12-31T23:59"])
def test_year_9999_placeholders_have_bounds_and_are_in_the_future(value: str) -> None:
    start, end = bounds(value)
    assert start.year == 9999
    assert end == datetime.max
    assert in_future(value, date(2026, 11, 25))


def test_ordinary_month_bounds() -> None:
    assert bounds("2024-02") == (datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59, 999999))
