"""`python -m pv` as an administrator runs it: accounts, the audit trail, db upgrade, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from pv.store import Store
from pv.workflow import CaseStatus
from tests.pv.submissions import builder

ROOT = Path(__file__).parents[2]


def pv(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "pv", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


# Each call starts a Python process (~1 s on the CI machine), so only the audit check runs on
# both databases; the account commands go through the same pv.users code tested on both.
def test_user_management_from_the_command_line(sqlite_url: str) -> None:
    db_url = sqlite_url
    added = pv(
        db_url,
        "users",
        "add",
        "amal",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert (added.returncode, added.stdout) == (0, "added amal (admin)\n")
    again = pv(db_url, "users", "add", "amal", "--password-stdin", stdin="a long password\n")
    assert again.returncode == 2
    assert again.stderr == "pv: There is already a user called amal.\n"
    assert (
        pv(
            db_url, "users", "passwd", "amal", "--password-stdin", stdin="another password\n"
        ).returncode
        == 0
    )
    assert pv(db_url, "users", "deactivate", "amal").returncode == 0
    listed = pv(db_url, "users", "list")
    assert listed.stdout.startswith("amal\tadmin\tinactive\t")


def test_password_is_never_taken_from_the_command_line(sqlite_url: str) -> None:
    db_url = sqlite_url
    result = pv(db_url, "users", "add", "amal", "--password", "secret123456")
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr
    no_tty = pv(db_url, "users", "add", "amal")
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr


def drop_audit_triggers(engine: Engine) -> None:
    """What a database owner could do before editing the trail: drop the append-only triggers."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))


def test_audit_verify_exit_codes(db_url: str) -> None:
    pv(db_url, "users", "add", "amal", "--password-stdin", stdin="a long password\n")
    pv(db_url, "users", "deactivate", "amal")
    ok = pv(db_url, "audit", "verify")
    assert (ok.returncode, ok.stdout) == (0, "audit trail intact\n")
    store = Store.open(db_url)
    drop_audit_triggers(store.engine)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 1"))
    store.close()
    broken = pv(db_url, "audit", "verify")
    assert broken.returncode == 1
    assert broken.stdout == (
        "audit: error audit audit_log[1]: Audit row 1 does not match its MAC: it was changed, "
        "inserted or moved by someone without the audit key.\n"
    )


NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _trail(url: str) -> str:
    """A case moved with a comment, two notes (one with a line break and an escape code), a
    later login by someone else: eight rows."""
    store = Store.open(url)
    try:
        case_id = store.submit(builder(validate=False), now=NOW).case_id
        store.change_status(
            case_id, CaseStatus.IN_REVIEW, user="o1", now=NOW, comment="sent by e-mail"
        )
        store.add_note(case_id, "line one\nline two \x1b[31mred", user="o1", now=NOW)
        store.add_note(case_id, '=HYPERLINK("http://evil.example")', user="@o2", now=NOW)
        store.record("login_failed", user="o3", detail={"reason": "wrong password"}, now=NOW)
        store.record("login", user="o1", now=NOW + timedelta(days=3))
    finally:
        store.close()
    return case_id


def test_audit_list_shows_readable_lines_and_filters(sqlite_url: str) -> None:
    case_id = _trail(sqlite_url)
    listed = pv(sqlite_url, "audit", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2", "3", "4", "5", "6"]
    assert lines[1] == (
        f"     2  2026-11-20 09:30:00  o1  status  {case_id}  "
        "Received → In review; comment: sent by e-mail"
    )
    assert lines[2].endswith("note added: line one\\nline two \\x1b[31mred")
    assert lines[4] == "     5  2026-11-20 09:30:00  o3  login_failed  -  login failed: wrong password"

    def ids(*args: str) -> list[str]:
        result = pv(sqlite_url, "audit", "list", *args)
        assert result.returncode == 0, result.stderr
        return [line.split()[0] for line in result.stdout.splitlines()]

    assert ids("--user", "o1") == ["2", "3", "6"]
    assert ids("--case", case_id, "--action", "note") == ["3", "4"]
    assert ids("--since", "2026-11-21") == ["6"]
    assert ids("--user", "nobody") == []
    bad = pv(sqlite_url, "audit", "list", "--since", "21/11/2026")
    assert bad.returncode == 2 and "is not a day (YYYY-MM-DD)" in bad.stderr


def test_audit_list_csv_is_formula_safe_and_the_export_is_audited(sqlite_url: str) -> None:
    case_id = _trail(sqlite_url)
    result = subprocess.run(
        [sys.executable, "-m", "pv", "audit", "list", "--csv", "--case", case_id],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": sqlite_url},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    planted = rows[3]
    assert planted["user"] == "'@o2"
    assert planted["description"] == """note added: =HYPERLINK("http://evil.example")"""
    assert json.loads(planted["detail"])["text"] == '=HYPERLINK("http://evil.example")'
    assert rows[2]["description"] == "note added: line one\nline two \x1b[31mred"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert rows[1]["at"] == "2026-11-20T09:30:00+00:00" and rows[1]["key_id"]
    store = Store.open(sqlite_url)
    try:
        [export] = store.audit_trail(action="audit_export")
        assert export.user.startswith("cli:")
        assert export.detail == {"format": "csv", "rows": 4, "filter": {"case": case_id}}
        assert store.verify_audit() == []
    finally:
        store.close()


def test_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = pv("postgresql+psycopg://pv:secret@127.0.0.1:1/nowhere", "audit", "verify")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "secret" not in result.stderr
    upgrade = pv(f"sqlite:///{tmp_path / 'new' / 'log.db'}", "db", "upgrade")
    assert upgrade.returncode == 0 and (tmp_path / "new" / "log.db").exists()
