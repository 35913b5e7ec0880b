"""Audit keys: a 0600 key file outside the database folder, env keys, rotation, wrong keys."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
import pytest

from pv import auditkey
from pv.auditkey import AuditKeyError
from pv.config import load_settings
from pv.store import Store
from tests.pv.submissions import builder
from tests.pv.test_cli_pv import pv

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
KEY_A = "a1" * 32
KEY_B = "b2" * 32


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_key_file_is_created_0600_on_first_use_outside_the_database_folder(
    sqlite_url: str, audit_key_file: Path
) -> None:
    store = Store.open(sqlite_url)
    try:
        assert not audit_key_file.exists()  # opening and migrating need no key
        store.submit(builder(validate=False), now=NOW)
        assert store.verify_audit() == []
        [row] = store.audit_trail()
    finally:
        store.close()
    assert _mode(audit_key_file) == 0o600
    assert _mode(audit_key_file.parent) == 0o700
    database_folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    assert database_folder not in audit_key_file.parents
    [entry] = json.loads(audit_key_file.read_text())
    secret = bytes.fromhex(entry["key"])
    assert len(secret) == 32
    assert entry["id"] == hashlib.sha256(secret).hexdigest()[:8] == row.key_id
    assert [p.name for p in audit_key_file.parent.iterdir()] == [audit_key_file.name]


def test_the_default_key_file_is_in_the_config_folder_not_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(auditkey.ENV_KEY_FILE)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = Path(platformdirs.user_config_dir("lemtrada-pv")) / "audit-keys.json"
    assert auditkey.key_file() == expected == tmp_path / "config/lemtrada-pv/audit-keys.json"
    database = Path(load_settings().database_url.removeprefix("sqlite:///"))
    assert database.parent not in expected.parents
    key = auditkey.current()
    assert expected.exists() and _mode(expected) == 0o600
    assert json.loads(expected.read_text())[0]["id"] == key.id


def test_processes_racing_to_create_the_key_file_all_use_one_key(audit_key_file: Path) -> None:
    barrier = threading.Barrier(8)
    ids: list[str] = []

    def first_use() -> None:
        barrier.wait()
        ids.append(auditkey._load(create=True).current.id)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ids) == 8 and len(set(ids)) == 1
    assert [p.name for p in audit_key_file.parent.iterdir()] == [audit_key_file.name]


def test_an_env_key_in_hex_or_base64_wins_over_the_file(
    monkeypatch: pytest.MonkeyPatch, audit_key_file: Path
) -> None:
    secret = bytes.fromhex(KEY_A)
    for value in (KEY_A, base64.b64encode(secret).decode(), base64.urlsafe_b64encode(secret).decode()):
        monkeypatch.setenv(auditkey.ENV_KEY, value)
        auditkey.reset_cache()
        key = auditkey.current()
        assert (key.id, key.secret) == (hashlib.sha256(secret).hexdigest()[:8], secret)
    assert not audit_key_file.exists()
    assert "a1a1" not in repr(key)


@pytest.mark.parametrize(
    ("value", "words"),
    [("ab" * 31, "holds 31 bytes"), ("not a key!", "neither hex nor base64"), ("abc", "neither")],
)
def test_an_unusable_env_key_is_one_clear_sentence(
    monkeypatch: pytest.MonkeyPatch, value: str, words: str
) -> None:
    monkeypatch.setenv(auditkey.ENV_KEY, value)
    with pytest.raises(AuditKeyError, match=words):
        auditkey.current()


def test_a_damaged_key_file_is_refused(audit_key_file: Path) -> None:
    audit_key_file.parent.mkdir(mode=0o700)
    audit_key_file.write_text('[{"id": "00000000", "key": "' + KEY_A + '", "created_at": "2026-01-01T00:00:00+00:00"}]')
    with pytest.raises(AuditKeyError, match=r"Key 1 in the audit key file .* is damaged"):
        auditkey.current()
    audit_key_file.write_text("{")
    with pytest.raises(AuditKeyError, match="not valid JSON"):
        auditkey.known_keys()


def test_rotation_keeps_old_rows_verifiable(db_url: str, audit_key_file: Path) -> None:
    store = Store.open(db_url)
    try:
        case_id = store.submit(builder(validate=False), now=NOW).case_id
        first = auditkey.current().id
        second = auditkey.rotate(NOW)
        assert second != first and auditkey.current().id == second
        store.add_note(case_id, "after rotation", user="o1", now=NOW)
        assert [a.key_id for a in store.audit_trail()] == [first, second]
        assert store.verify_audit() == []
        assert [k["id"] for k in json.loads(audit_key_file.read_text())] == [first, second]
        assert _mode(audit_key_file) == 0o600
    finally:
        store.close()


def test_rotation_is_refused_while_the_key_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(auditkey.ENV_KEY, KEY_A)
    with pytest.raises(AuditKeyError, match="PV_AUDIT_OLD_KEYS"):
        auditkey.rotate()


def test_env_rotation_needs_the_old_key_in_pv_audit_old_keys(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(auditkey.ENV_KEY, KEY_A)
    auditkey.reset_cache()
    store = Store.open(sqlite_url)
    try:
        store.record("login", user="amal", now=NOW)
        monkeypatch.setenv(auditkey.ENV_KEY, KEY_B)
        auditkey.reset_cache()
        store.record("login", user="badr", now=NOW)
        old_id = hashlib.sha256(bytes.fromhex(KEY_A)).hexdigest()[:8]
        [finding] = store.verify_audit()
        assert finding.path == "audit_log[1]"
        assert f"signed with key {old_id}, which is not in the audit keyring" in finding.message
        monkeypatch.setenv(auditkey.ENV_OLD_KEYS, f"{base64.b64encode(b'x' * 32).decode()},{KEY_A}")
        assert store.verify_audit() == []
    finally:
        store.close()


def test_a_wrong_key_file_makes_every_row_a_finding(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = Store.open(sqlite_url)
    try:
        for name in ("amal", "badr", "carl"):
            store.record("login", user=name, now=NOW)
        monkeypatch.setenv(auditkey.ENV_KEY_FILE, str(tmp_path / "other" / "keys.json"))
        findings = store.verify_audit()
        assert [f.path for f in findings] == ["audit_log[1]", "audit_head"]
        assert "cannot be verified. The same holds for rows 2-3." in findings[0].message
        assert "(missing)" in findings[0].message  # verification never creates a key
        assert not (tmp_path / "other").exists()
        auditkey.current()  # a new, different key
        assert [f.path for f in store.verify_audit()] == ["audit_log[1]", "audit_head"]
    finally:
        store.close()


def test_rotate_key_from_the_command_line(sqlite_url: str, audit_key_file: Path) -> None:
    store = Store.open(sqlite_url)
    try:
        store.record("login", user="amal", now=NOW)
        first = auditkey.current().id
    finally:
        store.close()
    result = pv(sqlite_url, "audit", "rotate-key")
    assert result.returncode == 0, result.stderr
    new = json.loads(audit_key_file.read_text())[-1]["id"]
    assert result.stdout.startswith(f"new audit key {new} signs from now on (previous {first})")
    assert str(audit_key_file) in result.stdout
    listed = pv(sqlite_url, "audit", "list", "--action", "audit_key_rotated")
    assert listed.stdout.rstrip().endswith(f"audit key rotated: new key {new}, previous key {first}")
    assert pv(sqlite_url, "audit", "verify").stdout == "audit trail intact\n"


def test_cli_problems_with_the_key_are_one_line_and_exit_2(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(auditkey.ENV_KEY, KEY_A)
    refused = pv(sqlite_url, "audit", "rotate-key")
    assert refused.returncode == 2
    assert refused.stderr.startswith("pv: PV_AUDIT_KEY is set") and refused.stderr.count("\n") == 1
    monkeypatch.setenv(auditkey.ENV_KEY, "short")
    bad = pv(sqlite_url, "users", "add", "amal", "--password-stdin", stdin="a long password\n")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("pv: PV_AUDIT_KEY ")
