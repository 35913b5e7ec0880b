"""Dates as reporters type them (day first, as written in Saudi Arabia and the UK)."""

from __future__ import annotations

import pytest

from pv.dates import from_user_text


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
