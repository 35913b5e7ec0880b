"""Dates as a reporter types them into the form (the E2B date grammar is e2b.dates)."""

from __future__ import annotations

import re

_DAY_FIRST = re.compile(r"^\s*(?:(\d{1,2})[/.\-])?(\d{1,2})[/.\-](\d{4})\s*$")


def from_user_text(text: str) -> str:
    """A date as a reporter types it -> PartialDate text: 14/03/2025 and 03/2025 (day first, as
    written in Saudi Arabia and the UK) become 2025-03-14 and 2025-03; ISO text passes through.

    Anything else is returned stripped, so the model's own check explains what is wrong.
    """
    match = _DAY_FIRST.match(text)
    if match is None:
        return text.strip()
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
