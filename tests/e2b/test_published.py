"""Acceptance corpus (issue 10): E2B(R3) files published by regulators, read, rebuilt, compared.

Every ICSR batch in data/published/ (provenance in SOURCE.md there) goes through four stages:

- ``schema``:  parsed by the hardened parser, valid against the ICH XSD (`e2b.schema`);
- ``read``:    `e2b.reader.read_bytes` reads every message with no error finding;
- ``rebuild``: the reports read, written again by `e2b.writer.to_xml`, are valid against the XSD;
- ``same``:    PyPI `e2br3` (a test-only reader written by others) extracts the same ICSR content
  from the original and from the rebuilt file (`content` says what is compared).

Acknowledgement files (``*.ack``) go through ``schema`` only, against the ICH ACK schema.

Each stage records its first error as one line. What fails today is listed in KNOWN_GAPS with
that line, and is a strict xfail: a fix that makes a case pass turns the suite red until its
line is removed, and a change of the first error turns it red until the line says the new one.
GAPS.md beside the corpus explains the causes. The outcome table is printed at the end of the
module, and by `python -m tests.e2b.test_published`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import e2br3
import pytest
from lxml import etree

from e2b.findings import Finding
from e2b.model import ICSR
from e2b.reader import read_bytes
from e2b.schema import SCHEMA_DIR, schema_findings
from e2b.writer import BatchHeader, to_xml
from e2b.xmlsafe import parse_bytes, parse_file

CORPUS = Path(__file__).parent / "data" / "published"
ICSR_FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.xml"))
ACK_FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.ack"))
STAGES = ("schema", "read", "rebuild", "same")

# A stage after a failed one cannot run; it fails with one of these.
NOT_REBUILT = "not rebuilt: the reader gave no report (see stage read)"
NOT_COMPARED = "not compared: nothing was rebuilt (see stage rebuild)"


# What fails today, (file, stage) -> the stage's first error exactly as `outcome` words it.
# Remove a line when its case passes; GAPS.md says why each one fails.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------- e2br3's view of an ICSR

MEDDRA = "2.16.840.1.113883.6.163"


def _plain(value: Any) -> Any:
    """e2br3's value as comparable data: a nullFlavor stays apart from a value and from absent."""
    if isinstance(value, e2br3.Null):
        return {"nullFlavor": value.null_flavor.value}
    if isinstance(value, e2br3.TS):
        moment = value.value
        if isinstance(moment, datetime) and moment.tzinfo is not None:
            moment = moment.astimezone(UTC)  # the same instant, whatever offset it is sent in
        shown = moment.isoformat() if isinstance(moment, date) else value.raw
        return {"date": shown, "precision": value.precision}
    if isinstance(value, e2br3.Coded):
        coded = {"code": value.code, "system": value.code_system, "text": value.original_text}
        if value.code_system == MEDDRA:  # E.i.2.1a and its kin: the version is content
            coded["version"] = value.code_system_version
        return coded  # displayName and ICH list versions are labels, not content
    if isinstance(value, e2br3.Quantity):
        number = format(value.value.normalize(), "f") if isinstance(value.value, Decimal) else None
        return {"value": number, "unit": value.unit}
    if isinstance(value, e2br3.Attachment):
        return {"media_type": value.media_type, "data": value.data}
    return value


def content(icsr: e2br3.ICSR) -> dict[str, Any]:
    """Everything e2br3 0.1.0 extracts from one ICSR (the investigationEvent), made comparable.

    Left out on purpose: internal reaction and drug ids (the drug-reaction links are compared
    by reaction position instead), and `regional` (FDA/EU regional elements: the report model
    carries ICH content only, README "regional extensions are ignored"). N.1/N.2.r headers are
    transmission data, not the ICSR, and are not compared either.
    """
    patient = icsr.patient
    return {
        "C.1.1": _plain(icsr.safety_report_id),
        "C.1.2": _plain(icsr.creation_date),
        "C.1.3": _plain(icsr.report_type),
        "C.1.4": _plain(icsr.first_received_date),
        "C.1.5": _plain(icsr.most_recent_date),
        "C.1.8.1": _plain(icsr.worldwide_case_id),
        "C.1.11.1": _plain(icsr.nullification_amendment),
        "C.1.11.2": _plain(icsr.nullification_reason),
        "C.2.r": [
            {"C.2.r.3": _plain(s.country), "C.2.r.4": _plain(s.qualification)}
            for s in icsr.primary_sources
        ],
        "C.4.r": [
            {"C.4.r.1": _plain(r.reference), "C.4.r.2": _plain(r.document)} for r in icsr.literature
        ],
        "D": None
        if patient is None
        else {
            "D.1": _plain(patient.name),
            "D.2.2": _plain(patient.age),
            "D.5": _plain(patient.sex),
        },
        "E.i": [
            {
                "E.i.1.1a": _plain(r.native_term),
                "E.i.1.1b": r.native_language,
                "E.i.1.2": _plain(r.translated_term),
                "E.i.2.1": _plain(r.meddra),
                "E.i.3.2a": _plain(r.results_in_death),
                "E.i.3.2b": _plain(r.life_threatening),
                "E.i.3.2c": _plain(r.hospitalisation),
                "E.i.3.2d": _plain(r.disabling),
                "E.i.3.2e": _plain(r.congenital_anomaly),
                "E.i.3.2f": _plain(r.other_medically_important),
                "E.i.4": _plain(r.start_date),
                "E.i.5": _plain(r.end_date),
                "E.i.7": _plain(r.outcome),
            }
            for r in icsr.reactions
        ],
        "G.k": [
            {
                "G.k.1": _plain(d.role),
                "G.k.2.2": _plain(d.product_name),
                "G.k.2.3.r.1": [_plain(s) for s in d.substances],
                "G.k.4.r": [
                    {
                        "G.k.4.r.8": _plain(g.text),
                        "G.k.4.r.10.1": _plain(g.route_text),
                        "G.k.4.r.10.2": _plain(g.route),
                    }
                    for g in d.dosages
                ],
                "G.k.8": _plain(d.action_taken),
                "G.k.9.i": sorted(
                    (
                        {
                            "reaction": link.reaction_index,
                            "G.k.9.i.2.r": sorted(
                                (
                                    {
                                        "source": _plain(a.source),
                                        "method": _plain(a.method),
                                        "result": _plain(a.result),
                                    }
                                    for a in link.assessments
                                ),
                                key=repr,
                            ),
                        }
                        for link in d.relatedness
                    ),
                    key=repr,
                ),
            }
            for d in icsr.drugs
        ],
        "H.1": _plain(icsr.narrative),
    }


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_difference(original: Any, rebuilt: Any, path: str = "") -> str | None:
    """Where two content trees first differ, as one line; None when they are the same."""
    if isinstance(original, dict) and isinstance(rebuilt, dict):
        # In the original's order (E2B element order), so the same difference is always first.
        for key in [*original, *(k for k in rebuilt if k not in original)]:
            if original.get(key) != rebuilt.get(key):
                return first_difference(original.get(key), rebuilt.get(key), f"{path}.{key}")
        return None
    if isinstance(original, list) and isinstance(rebuilt, list):
        if len(original) != len(rebuilt):
            return f"{path.lstrip('.')}: {len(original)} in the original, {len(rebuilt)} rebuilt"
        for i, (a, b) in enumerate(zip(original, rebuilt, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
        return None
    if original == rebuilt:
        return None
    return f"{path.lstrip('.')}: original {_short(original)}, rebuilt {_short(rebuilt)}"


# ---------------------------------------------------------------- the stages


def one_line(text: str, limit: int = 220) -> str:
    """A finding or exception as the single line KNOWN_GAPS quotes."""
    line = re.sub(r"\s+", " ", text).strip()
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _finding(finding: Finding) -> str:
    return one_line(f"{finding.element} {finding.path}: {finding.message}")


@cache
def _ack_schema() -> etree.XMLSchema:
    return etree.XMLSchema(parse_file(SCHEMA_DIR / "multicacheschemas" / "MCCI_IN200101UV01.xsd"))


# The transmission header of a rebuilt batch; N.1 is not ICSR content, so it is fixed.
REBUILT_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Outcome:
    """Each stage's first error for one file (None: the stage passed)."""

    problems: dict[str, str | None]


def _stage(run: Callable[[], str | None]) -> str | None:
    """Run one stage; an exception from the engine under test is that stage's first error."""
    try:
        return run()
    except Exception as exc:  # the harness records every failure of the engine, never hides it
        return one_line(f"{type(exc).__name__}: {exc}")


@cache
def outcome(name: str) -> Outcome:
    """Run every stage on one corpus file, once per process."""
    data = (CORPUS / name).read_bytes()
    problems: dict[str, str | None] = {}
    if name.endswith(".ack"):
        schema = _ack_schema()

        def ack_schema() -> str | None:
            valid = schema.validate(parse_bytes(data))
            return None if valid else one_line(str(schema.error_log[0]))

        problems["schema"] = _stage(ack_schema)
        return Outcome(problems)

    def xsd() -> str | None:
        findings = schema_findings(parse_bytes(data))
        return _finding(findings[0]) if findings else None

    reports: list[ICSR] = []
    header: list[BatchHeader] = []

    def read() -> str | None:
        batch = read_bytes(data)
        header.append(
            BatchHeader(
                batch.batch_id or "PUBLISHED",
                batch.sender_id or "PUBLISHED",
                batch.receiver_id or "PUBLISHED",
                REBUILT_AT,
            )
        )
        for message in batch.reports:
            errors = [f for f in message.findings if f.severity == "error"]
            if errors:
                return _finding(errors[0])
            assert message.report is not None
            reports.append(message.report)
        return None

    rebuilt: list[bytes] = []

    def rebuild() -> str | None:
        if problems["read"] is not None:
            return NOT_REBUILT
        rebuilt.append(to_xml(reports, header[0]))
        findings = schema_findings(parse_bytes(rebuilt[0]))
        return _finding(findings[0]) if findings else None

    def same() -> str | None:
        if not rebuilt:
            return NOT_COMPARED
        before = [content(icsr) for icsr in e2br3.parse(data).icsrs]
        after = [content(icsr) for icsr in e2br3.parse(rebuilt[0]).icsrs]
        if len(before) != len(after):
            return f"{len(before)} ICSRs in the original, {len(after)} rebuilt"
        for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
            difference = first_difference(old, new)
            if difference is not None:
                return f"ICSR {number}: {difference}"
        return None

    problems["schema"] = _stage(xsd)
    problems["read"] = _stage(read)
    problems["rebuild"] = _stage(rebuild)
    problems["same"] = _stage(same)
    return Outcome(problems)


def cases() -> list[Any]:
    """(file, stage) parameters; a known gap carries its strict xfail."""
    pairs = [(name, stage) for name in ICSR_FILES for stage in STAGES]
    pairs += [(name, "schema") for name in ACK_FILES]
    return [
        pytest.param(
            name,
            stage,
            id=f"{name}-{stage}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[name, stage])]
            if (name, stage) in KNOWN_GAPS
            else [],
        )
        for name, stage in pairs
    ]


def summary() -> str:
    """How many files pass each stage, and which fail at which stage first."""
    lines = ["published E2B(R3) corpus: files passing each stage"]
    for stage in STAGES:
        names = ICSR_FILES + (ACK_FILES if stage == "schema" else [])
        passed = sum(outcome(n).problems[stage] is None for n in names)
        lines.append(f"  {stage:<8} {passed:>2} / {len(names)}")
    for name in ICSR_FILES:
        failed = [s for s in STAGES if outcome(name).problems[s] is not None]
        if failed:
            lines.append(
                f"  {name}: first fails at {failed[0]}: {outcome(name).problems[failed[0]]}"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------- tests


@pytest.fixture(scope="module", autouse=True)
def print_summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module, the outcome table on the terminal (not captured)."""
    yield
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in summary().splitlines():
            reporter.write_line(line)


@pytest.mark.parametrize(("name", "stage"), cases())
def test_published_file_passes_stage(name: str, stage: str) -> None:
    assert outcome(name).problems[stage] is None, outcome(name).problems[stage]


def test_the_corpus_has_ten_icsr_files_from_two_sources() -> None:
    sources = {name.split("/")[0] for name in ICSR_FILES}
    assert len(ICSR_FILES) >= 10
    assert len(sources) >= 2


def test_every_known_gap_names_a_case_and_its_current_first_error() -> None:
    for (name, stage), reason in KNOWN_GAPS.items():
        assert name in ICSR_FILES + ACK_FILES, name
        assert outcome(name).problems[stage] == reason, (name, stage)


def test_every_corpus_file_is_listed_in_source_md_with_its_sha256() -> None:
    """The files are kept byte for byte: SOURCE.md names each one with the hash of its bytes."""
    lines = (CORPUS / "SOURCE.md").read_text(encoding="utf-8").splitlines()
    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix != ".md"]
    for path in files:
        name = path.relative_to(CORPUS).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert any(f"`{name}`" in line and digest in line for line in lines), name


if __name__ == "__main__":
    print(summary())
