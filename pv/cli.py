"""`python -m pv users|audit|db|import|ack`: officer accounts, the audit trail, migrations,
importing partners' E2B(R3) files and reading the receivers' acknowledgements.

Results on stdout, problems on stderr in one sentence. Exit codes: 0 ok, 1 findings (a broken
audit trail), 2 unusable (database unreachable, no usable audit key, bad input, usage).
Passwords are read from standard input or a prompt, never from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from e2b.ack import AckFormatError, AckWriteError
from e2b.xmlsafe import UnusableXMLError
from pv import auditkey
from pv.acks import PROBLEMS, ack_for_import, apply_ack
from pv.audit import AuditRecord, describe, sha256_hex
from pv.auditkey import AuditKeyError
from pv.db import DatabaseUnavailable, unavailable
from pv.importing import ImportLine, import_file
from pv.store import Store
from pv.users import ROLES, UserError, add_user, deactivate, list_users, set_password

OK, FINDINGS, UNUSABLE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line, as the other commands do."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(UNUSABLE, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pv", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL or the SQLite file")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    users = commands.add_parser("users", help="officer accounts")
    user_commands = users.add_subparsers(dest="action", required=True, parser_class=_Parser)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="officer")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user_commands.add_parser("list", help="list accounts")
    passwd = user_commands.add_parser("passwd", help="set a new password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    off = user_commands.add_parser("deactivate", help="stop an account from logging in")
    off.add_argument("name")

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="action", required=True, parser_class=_Parser)
    audit_commands.add_parser(
        "verify", help="check the keyed chain, and the cases against it, for any change"
    )
    listing = audit_commands.add_parser("list", help="show audit rows, oldest first")
    listing.add_argument("--user", help="only rows by this user")
    listing.add_argument("--case", help="only rows about this case ID")
    listing.add_argument("--action", help="only this action (create, status, note, login ...)")
    listing.add_argument("--since", type=_day, help="only rows from this UTC day on (YYYY-MM-DD)")
    listing.add_argument(
        "--csv", action="store_true", help="CSV for a spreadsheet (the export is audited)"
    )
    audit_commands.add_parser(
        "rotate-key", help="sign new rows with a new key; old keys stay to verify old rows"
    )

    imports = commands.add_parser(
        "import", help="import E2B(R3) files: each ICSR a new case or the next version of its case"
    )
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imports.add_argument(
        "--ack-dir",
        type=Path,
        help="write an E2B(R3) acknowledgement (MCCI_IN200101UV01) of each file into this folder",
    )

    acks = commands.add_parser(
        "ack", help="record the receivers' acknowledgements (MCCI_IN200101UV01) of files sent"
    )
    acks.add_argument("files", nargs="+", type=Path, metavar="FILE")

    db = commands.add_parser("db", help="the database")
    db_commands = db.add_subparsers(dest="action", required=True, parser_class=_Parser)
    db_commands.add_parser("upgrade", help="migrate the schema to the newest revision")
    db_commands.add_parser(
        "reindex", help="recompute the search text and duplicate fingerprints of every case"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store: Store | None = None
    try:
        store = Store.open(args.database_url)
        return _run(store, args)
    except (DatabaseUnavailable, UserError, AuditKeyError) as exc:
        print(f"pv: {exc}", file=sys.stderr)
        return UNUSABLE
    except DBAPIError as exc:
        engine = store.engine if store is not None else None
        message = str(unavailable(engine, exc)) if engine is not None else str(exc.orig)
        print(f"pv: {message}", file=sys.stderr)
        return UNUSABLE
    finally:
        if store is not None:
            store.close()


def _run(store: Store, args: argparse.Namespace) -> int:
    by = f"cli:{getpass.getuser()}"
    if args.command == "db":
        print("database schema is at the newest revision")
        if args.action == "reindex":
            done = store.reindex()
            print(
                f"search text recomputed for {done.searched} cases; "
                f"{done.fingerprinted} cases fingerprinted for duplicate detection"
            )
        return OK
    if args.command == "audit":
        return _audit(store, args, by)
    if args.command == "import":
        return _import(store, args.files, by, args.ack_dir)
    if args.command == "ack":
        return _ack(store, args.files, by)
    if args.action == "add":
        user = add_user(store, args.name, _password(args.password_stdin), role=args.role, by=by)
        print(f"added {user.name} ({user.role})")
    elif args.action == "passwd":
        set_password(store, args.name, _password(args.password_stdin), by=by)
        print(f"password changed for {args.name}")
    elif args.action == "deactivate":
        deactivate(store, args.name, by=by)
        print(f"deactivated {args.name}")
    else:
        for user in list_users(store):
            state = "active" if user.active else "inactive"
            print(f"{user.name}\t{user.role}\t{state}\t{user.created_at:%Y-%m-%d}")
    return OK


def _audit(store: Store, args: argparse.Namespace, by: str) -> int:
    if args.action == "verify":
        findings = store.verify_audit()
        for finding in findings:
            print(finding.line("audit"))
        # Warnings (rows from before keyed audit) are shown but are no sign of tampering.
        if not any(f.severity == "error" for f in findings):
            print("audit trail intact" + (" (warnings above)" if findings else ""))
            return OK
        return FINDINGS
    if args.action == "rotate-key":
        previous = auditkey.current().id
        new = auditkey.rotate()
        store.record("audit_key_rotated", user=by, detail={"key_id": new, "previous": previous})
        print(
            f"new audit key {new} signs from now on (previous {previous}); all keys are in "
            f"{auditkey.key_file()}: back it up now, apart from the database"
        )
        return OK
    if not args.csv:
        rows = store.audit_trail(args.case, user=args.user, action=args.action, since=args.since)
        for row in rows:
            print(_printable(_line(row)))
        return OK
    data = store.export_audit_csv(
        by=by, case_id=args.case, user=args.user, action=args.action, since=args.since
    )
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return OK


def _import(store: Store, files: list[Path], by: str, ack_dir: Path | None = None) -> int:
    """One line per ICSR; exit 1 when any file or ICSR was refused (the others still land).
    With `ack_dir`, each file's acknowledgement is written there as `<file>.ack.xml`."""
    refused = False
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as error:
            print(_printable(f"{path}: refused ({error.strerror or error})"))
            refused = True
            continue
        lines = import_file(store, data, name=path.name, user=by)
        for line in lines:
            print(_printable(line.line()))
            refused = refused or line.outcome == "refused"
        if ack_dir is not None:
            written = _write_ack(store, data, lines, ack_dir / f"{path.name}.ack.xml", by)
            refused = refused or not written
    return FINDINGS if refused else OK


def _write_ack(store: Store, data: bytes, lines: list[ImportLine], target: Path, by: str) -> bool:
    try:
        ack = ack_for_import(data, lines, settings=store.settings)
        if ack is None:
            print(_printable(f"{target.name}: not written (the file is not an ICSR batch)"))
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(ack)
    except (AckWriteError, OSError, ValueError) as error:
        print(_printable(f"{target}: not written ({error})"))
        return False
    store.record(
        "ack_written", user=by, detail={"file": target.name, "ack_sha256": sha256_hex(ack)}
    )
    print(_printable(f"{target}: acknowledgement written"))
    return True


def _ack(store: Store, files: list[Path], by: str) -> int:
    """One line per acknowledged message; exit 1 when any is unmatched or conflicts, 2 when a
    file cannot be read as an acknowledgement (the others are still recorded)."""
    worst = OK
    for path in files:
        try:
            lines = apply_ack(store, path.read_bytes(), name=path.name, user=by)
        except OSError as error:
            print(_printable(f"{path}: unreadable ({error.strerror or error})"))
            worst = UNUSABLE
            continue
        except (UnusableXMLError, AckFormatError) as error:
            print(_printable(f"{path.name}: not an acknowledgement ({error})"))
            worst = UNUSABLE
            continue
        for line in lines:
            print(_printable(line.line()))
            if line.outcome in PROBLEMS:
                worst = max(worst, FINDINGS)
    return worst


def _line(row: AuditRecord) -> str:
    return (
        f"{row.id:>6}  {row.at:%Y-%m-%d %H:%M:%S}  {row.user}  {row.action}  "
        f"{row.case_id or '-'}  {describe(row)}"
    ).rstrip()


def _printable(text: str) -> str:
    """One terminal line: newlines, tabs and escape codes in user text shown, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def _password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("No terminal to ask for the password; use --password-stdin.")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise UserError("The two passwords differ.")
    return first
