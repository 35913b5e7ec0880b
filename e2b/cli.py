"""`python -m e2b build|validate|read|ack|schema`: the E2B(R3) engine from a terminal.

Results go to stdout (XML, JSON, or one line per finding), problems to stderr in one sentence.
Exit codes: 0 valid, 1 findings, 2 unusable input or usage. Each subcommand imports what it
needs when it runs, so `--help` and a usage error cost only the interpreter's start.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lxml import etree

    from e2b.findings import Finding
    from e2b.writer import BatchHeader

OK, FINDINGS, UNUSABLE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line, as the other commands do."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(UNUSABLE, f"{self.prog}: {message}\n")


def _reason(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("a rejection needs a reason")
    return text


def batch_header(report_ids: Sequence[str], sender_id: str, receiver_id: str) -> BatchHeader:
    """N.1 header; the batch number is derived from the first report and the time."""
    from datetime import UTC, datetime

    from e2b.writer import BatchHeader

    now = datetime.now(UTC).replace(microsecond=0)
    first = report_ids[0] if report_ids else "EMPTY"
    return BatchHeader(
        batch_id=f"{first}-{now:%Y%m%d%H%M%S}",
        sender_id=sender_id,
        receiver_id=receiver_id,
        created_at=now,
    )


def _print_findings(findings: list[Finding], source: str) -> None:
    for finding in findings:
        print(finding.line(source))


def _build(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from e2b.findings import has_errors
    from e2b.model import ICSR
    from e2b.validate import validate_tree
    from e2b.validation import validate_icsr
    from e2b.writer import build_batch, to_xml

    try:
        data = json.loads(Path(args.report).read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"cannot read {args.report}: {exc.strerror}", file=sys.stderr)
        return UNUSABLE
    except json.JSONDecodeError as exc:
        print(f"{args.report} is not JSON: {exc.msg} at line {exc.lineno}", file=sys.stderr)
        return UNUSABLE
    items = data if isinstance(data, list) else [data]
    reports: list[ICSR] = []
    problems: list[Finding] = []
    for item in items:
        if not isinstance(item, dict):
            print(f"{args.report}: each report must be a JSON object", file=sys.stderr)
            return UNUSABLE
        result = validate_icsr(item)
        problems.extend(result.findings)
        if result.report is not None:
            reports.append(result.report)
    _print_findings(problems, args.report)
    if has_errors(problems):
        return FINDINGS
    header = batch_header(
        [r.case.sender_report_id for r in reports], args.sender_id, args.receiver_id
    )
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
    from e2b.ack import check_ack, is_acknowledgement
    from e2b.findings import has_errors
    from e2b.validate import validate_tree
    from e2b.xmlsafe import UnusableXMLError, parse_file

    status = OK
    for name in args.files:
        try:
            tree = parse_file(name)
        except UnusableXMLError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = UNUSABLE
            continue
        if is_acknowledgement(tree.getroot()):
            # An ACK has its own schema (MCCI_IN200101UV01) and none of the ICSR rules.
            ack_findings = check_ack(tree)
            for ack_finding in ack_findings:
                print(ack_finding.line(name))
            failed = any(f.severity == "error" for f in ack_findings)
        else:
            findings = validate_tree(tree)
            _print_findings(findings, name)
            failed = has_errors(findings)
        if failed and status == OK:
            status = FINDINGS
    return status


def _read(args: argparse.Namespace) -> int:
    import json

    from e2b.ack import is_acknowledgement
    from e2b.fidelity import not_kept
    from e2b.findings import has_errors
    from e2b.reader import read_tree
    from e2b.xmlsafe import UnusableXMLError, parse_file

    try:
        root = parse_file(args.file).getroot()
        if is_acknowledgement(root):
            return _read_ack(args.file, root)
        batch = read_tree(root)
    except UnusableXMLError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return UNUSABLE
    documents = []
    status = OK
    for item, unkept in zip(batch.reports, not_kept(root, batch), strict=True):
        if item.report is not None:
            documents.append(item.report.model_dump(mode="json", exclude_none=True))
        else:
            documents.append(item.data)
        for finding in [*item.findings, *unkept]:
            print(finding.line(args.file), file=sys.stderr)
        if has_errors(item.findings):
            status = FINDINGS
    output = documents[0] if len(documents) == 1 else documents
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return status


def _read_ack(name: str, root: etree._Element) -> int:
    """An acknowledgement (MCCI_IN200101UV01) as JSON; what cannot be read goes to stderr."""
    import json

    from e2b.ack import AckFormatError, ack_from_tree, to_json

    try:
        ack = ack_from_tree(root)
    except AckFormatError as exc:
        for finding in exc.findings:
            print(finding.line(name), file=sys.stderr)
        return FINDINGS
    print(json.dumps(to_json(ack), indent=2, ensure_ascii=False))
    return OK


def _ack(args: argparse.Namespace) -> int:
    """The acknowledgement of a received batch; exit 0 for AA, 1 for AE or AR."""
    from datetime import UTC, datetime
    from pathlib import Path

    from e2b.ack import AckWriteError, acknowledge, write_ack
    from e2b.xmlsafe import UnusableXMLError

    try:
        data = Path(args.batch).read_bytes()
    except OSError as exc:
        print(f"{args.batch}: cannot read it: {exc.strerror or exc}", file=sys.stderr)
        return UNUSABLE
    try:
        ack = acknowledge(data, now=datetime.now(UTC), sender_id=args.sender_id, reject=args.reject)
    except UnusableXMLError as exc:
        print(f"{args.batch}: {exc}", file=sys.stderr)
        return UNUSABLE
    try:
        xml = write_ack(ack)
    except AckWriteError as exc:  # e.g. a --sender-id with characters XML cannot carry
        print(f"{args.batch}: {exc}", file=sys.stderr)
        return UNUSABLE
    if args.output in (None, "-"):
        sys.stdout.buffer.write(xml)
    else:
        Path(args.output).write_bytes(xml)
    # What the sender must act on, as findings on stderr (stdout may hold the XML).
    if ack.code == "AR":
        print(f"{args.batch}: error ACK.A.4 /: batch rejected (AR): {ack.text}", file=sys.stderr)
    for r, message in enumerate(ack.messages, start=1):
        if message.code == "CR" and ack.code != "AR":
            number = message.message_id.extension if message.message_id else "?"
            print(
                f"{args.batch}: error ACK.B.r.6 PORR_IN049016UV[{r}]: "
                f"ICSR {number} rejected (CR): {message.text}",
                file=sys.stderr,
            )
    return OK if ack.code == "AA" else FINDINGS


def _schema(args: argparse.Namespace) -> int:
    import json

    from e2b.model import ICSR

    print(json.dumps(ICSR.model_json_schema(), indent=2, ensure_ascii=False))
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m e2b", description="ICH E2B(R3) ICSR tools")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    build = commands.add_parser("build", help="report JSON -> E2B(R3) XML batch")
    build.add_argument("report", help="a report (or a list of reports) as JSON")
    build.add_argument("-o", "--output", help="XML file to write (default: stdout)")
    build.add_argument(
        "--sender-id",
        default=os.environ.get("E2B_SENDER_ID", "SENDER"),
        help="batch sender identifier, N.1.3 (default: $E2B_SENDER_ID or SENDER)",
    )
    build.add_argument(
        "--receiver-id",
        default=os.environ.get("E2B_RECEIVER_ID", "RECEIVER"),
        help="batch receiver identifier, N.1.4 (default: $E2B_RECEIVER_ID or RECEIVER)",
    )
    build.set_defaults(run=_build)
    validate = commands.add_parser("validate", help="check files against the XSD and ICH rules")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(run=_validate)
    read = commands.add_parser(
        "read", help="E2B(R3) XML -> report JSON (an acknowledgement -> its JSON) on stdout"
    )
    read.add_argument("file")
    read.set_defaults(run=_read)
    ack = commands.add_parser(
        "ack", help="the E2B(R3) acknowledgement (MCCI_IN200101UV01) of a received batch"
    )
    ack.add_argument("batch", help="the received ICSR batch (MCCI_IN200100UV01)")
    ack.add_argument("-o", "--output", help="ACK file to write (default: stdout)")
    ack.add_argument(
        "--reject",
        metavar="REASON",
        type=_reason,
        help="reject the whole batch (ACK.A.4 AR) for this reason (ACK.A.5)",
    )
    ack.add_argument(
        "--sender-id",
        metavar="ID",
        help="the ACK's sender (ACK.M.2; default: the batch's receiver, N.1.4)",
    )
    ack.set_defaults(run=_ack)
    schema = commands.add_parser("schema", help="the report JSON schema")
    schema.set_defaults(run=_schema)
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status
