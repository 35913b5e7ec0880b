"""The one finding type for everything a user or officer must act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """A problem in a report: where (model path or XPath), which E2B element, what to do."""

    severity: Severity
    element: str  # E2B(R3) element number, e.g. "E.i.7"
    path: str  # "reactions[0].outcome" for the model, an XPath for XML
    message: str  # "Reaction 1: outcome is required (E.i.7)"

    def line(self, source: str = "") -> str:
        """One line for a terminal: `FILE: severity element path: message`."""
        prefix = f"{source}: " if source else ""
        return f"{prefix}{self.severity} {self.element} {self.path}: {self.message}"


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding blocks submission."""
    return any(f.severity == "error" for f in findings)
