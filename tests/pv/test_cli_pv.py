"""`python -m pv` as an administrator runs it: accounts, audit verify, db upgrade, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from pv.store import Store

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


def test_audit_verify_exit_codes(db_url: str) -> None:
    pv(db_url, "users", "add", "amal", "--password-stdin", stdin="a long password\n")
    pv(db_url, "users", "deactivate", "amal")
    ok = pv(db_url, "audit", "verify")
    assert (ok.returncode, ok.stdout) == (0, "audit trail intact\n")
    store = Store.open(db_url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 1"))
    store.close()
    broken = pv(db_url, "audit", "verify")
    assert broken.returncode == 1
    assert (
        broken.stdout
        == "audit: error audit audit_log[1]: Audit row 1 was changed after it was written.\n"
    )


def test_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = pv("postgresql+psycopg://pv:secret@127.0.0.1:1/nowhere", "audit", "verify")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "secret" not in result.stderr
    upgrade = pv(f"sqlite:///{tmp_path / 'new' / 'log.db'}", "db", "upgrade")
    assert upgrade.returncode == 0 and (tmp_path / "new" / "log.db").exists()
