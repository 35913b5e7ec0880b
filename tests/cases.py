"""The golden report inputs in tests/fixtures/cases: synthetic LEMTRADA cases as plain JSON."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "fixtures" / "cases"

# The golden cases are dated up to 2026-11-20; every test validates them "as of" this day.
TODAY = date(2026, 11, 25)


def case_names() -> list[str]:
    """Names of the golden cases (file stems), sorted."""
    return sorted(path.stem for path in CASES_DIR.glob("*.json"))


def load_case(name: str) -> dict[str, Any]:
    """A fresh copy of one golden case as plain data, ready to mutate."""
    data: dict[str, Any] = json.loads((CASES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def as_icsr(data: dict[str, Any]) -> dict[str, Any]:
    """Report input of this tool as the ICSR that is sent (local fields left out, courses in the
    dosage text), for tests of the standalone E2B library."""
    from pv.model import Report

    return Report.model_validate(data).for_sending().model_dump(mode="json")


def load_icsr(name: str) -> dict[str, Any]:
    """A golden case as the ICSR that is sent."""
    return as_icsr(load_case(name))
