"""`python -m e2b build|validate|read|schema`: the E2B(R3) engine from a terminal.

Results go to stdout (XML, JSON, or one line per finding), problems to stderr in one sentence.
Exit codes: 0 valid, 1 findings, 2 unusable input or usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from e2b.reader import read_file
from e2b.validate import validate_file, validate_tree
from e2b.writer import BatchHeader, build_batch, to_xml
from e2b.xmlsafe import UnusableXMLError
from pv.config import load_settings
from pv.findings import Finding, has_errors
from pv.model import Report
from pv.validation import validate_report

OK, FINDINGS, UNUSABLE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line, as the other commands do."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(UNUSABLE, f"{self.prog}: {message}\n")


def batch_header(report_ids: Sequence[str]) -> BatchHeader:
    """N.1 header from configuration; the batch number is derived from the first report."""
    settings = load_settings()
    now = datetime.now(UTC).replace(microsecond=0)
    first = report_ids[0] if report_ids else "EMPTY"
    return BatchHeader(
        batch_id=f"{first}-{now:%Y%m%d%H%M%S}",
        sender_id=settings.sender_id,
        receiver_id=settings.receiver_id,
        created_at=now,
    )


def _print_findings(findings: list[Finding], source: str) -> None:
    for finding in findings:
        print(finding.line(source))


def _build(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.report).read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"cannot read {args.report}: {exc.strerror}", file=sys.stderr)
        return UNUSABLE
    except json.JSONDecodeError as exc:
        print(f"{args.report} is not JSON: {exc.msg} at line {exc.lineno}", file=sys.stderr)
        return UNUSABLE
    items = data if isinstance(data, list) else [data]
    reports: list[Report] = []
    problems: list[Finding] = []
    for item in items:
        if not isinstance(item, dict):
            print(f"{args.report}: each report must be a JSON object", file=sys.stderr)
            return UNUSABLE
        result = validate_report(item)
        problems.extend(result.findings)
        if result.report is not None:
            reports.append(result.report)
    _print_findings(problems, args.report)
    if has_errors(problems):
        return FINDINGS
    header = batch_header([r.case.sender_report_id for r in reports])
    xml_findings = validate_tree(build_batch(reports, header))
    if has_errors(xml_findings):
        _print_findings(xml_findings, "generated XML")
        return FINDINGS
    xml = to_xml(reports, header)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(xml)
    else:
        Path(args.output).write_bytes(xml)
    return OK


def _validate(args: argparse.Namespace) -> int:
    status = OK
    for name in args.files:
        try:
            findings = validate_file(name)
        except UnusableXMLError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = UNUSABLE
            continue
        _print_findings(findings, name)
        if has_errors(findings) and status == OK:
            status = FINDINGS
    return status


def _read(args: argparse.Namespace) -> int:
    try:
        batch = read_file(args.file)
    except UnusableXMLError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return UNUSABLE
    documents = []
    status = OK
    for item in batch.reports:
        if item.report is not None:
            documents.append(item.report.model_dump(mode="json", exclude_none=True))
        else:
            documents.append(item.data)
        for finding in item.findings:
            print(finding.line(args.file), file=sys.stderr)
        if has_errors(item.findings):
            status = FINDINGS
    output = documents[0] if len(documents) == 1 else documents
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return status


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(Report.model_json_schema(), indent=2, ensure_ascii=False))
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m e2b", description="ICH E2B(R3) ICSR tools")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    build = commands.add_parser("build", help="report JSON -> E2B(R3) XML batch")
    build.add_argument("report", help="a report (or a list of reports) as JSON")
    build.add_argument("-o", "--output", help="XML file to write (default: stdout)")
    build.set_defaults(run=_build)
    validate = commands.add_parser("validate", help="check files against the XSD and ICH rules")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(run=_validate)
    read = commands.add_parser("read", help="E2B(R3) XML -> report JSON on stdout")
    read.add_argument("file")
    read.set_defaults(run=_read)
    schema = commands.add_parser("schema", help="the report JSON schema")
    schema.set_defaults(run=_schema)
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status
