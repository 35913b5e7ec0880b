"""The audit trail's HMAC keys: where they live, their ids, and rotation.

Whoever can rewrite the database but does not hold the key cannot forge an audit row, so the key
lives outside the database: in PV_AUDIT_KEY (deployments; earlier values in PV_AUDIT_OLD_KEYS)
or in a keyring file created 0600 on first use, by default in the user's config folder
(PV_AUDIT_KEY_FILE elsewhere). A key's id is the first 8 hex digits of its sha256.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from pv.config import APP_NAME

ENV_KEY = "PV_AUDIT_KEY"
ENV_OLD_KEYS = "PV_AUDIT_OLD_KEYS"
ENV_KEY_FILE = "PV_AUDIT_KEY_FILE"
KEY_FILE_NAME = "audit-keys.json"
MIN_KEY_BYTES = 32
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


class AuditKeyError(RuntimeError):
    """No usable audit key (bad value, unreadable or damaged file); one sentence for the user."""


@dataclass(frozen=True)
class AuditKey:
    """One HMAC-SHA-256 key; the secret never shows in a repr or a log line."""

    id: str
    secret: bytes = field(repr=False)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Keyring:
    """The keys that may have signed rows, oldest first; the last one signs new rows."""

    keys: tuple[AuditKey, ...]
    source: str  # where they came from, for messages: the env variable or the file's path

    @property
    def current(self) -> AuditKey:
        if not self.keys:
            raise AuditKeyError(f"There is no audit key in {self.source}.")
        return self.keys[-1]

    def get(self, key_id: str) -> AuditKey | None:
        return next((k for k in self.keys if k.id == key_id), None)


def key_id(secret: bytes) -> str:
    """A key's public name: the first 8 hex digits of its sha256."""
    return hashlib.sha256(secret).hexdigest()[:8]


def parse_key(value: str, name: str) -> bytes:
    """A key given as hex or base64 (standard or URL-safe), at least 32 bytes long."""
    text = value.strip()
    try:
        if _HEX.fullmatch(text):
            secret = bytes.fromhex(text)
        else:
            secret = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (ValueError, binascii.Error):
        raise AuditKeyError(f"{name} is neither hex nor base64.") from None
    if len(secret) < MIN_KEY_BYTES:
        raise AuditKeyError(
            f"{name} holds {len(secret)} bytes; an audit key needs at least {MIN_KEY_BYTES} "
            "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return secret


def key_file() -> Path:
    """Where the keyring file is (or will be created): PV_AUDIT_KEY_FILE or the config folder."""
    configured = os.environ.get(ENV_KEY_FILE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / KEY_FILE_NAME


def current() -> AuditKey:
    """The key that signs new rows; creates the key file on first use when no env key is set."""
    return keyring().current


@functools.cache
def keyring() -> Keyring:
    """The process's keyring, read once (creating the key file if needed)."""
    return _load(create=True)


def known_keys() -> Keyring:
    """Every key as configured right now, for verification: re-read, never created.

    Re-reading picks up a rotation made by another process since this one cached its keyring.
    """
    reset_cache()
    if os.environ.get(ENV_KEY, "").strip() or key_file().exists():
        return keyring()
    return Keyring((), f"{key_file()} (missing) and no {ENV_KEY}")


def reset_cache() -> None:
    """Forget the cached keyring (tests, and after a rotation)."""
    keyring.cache_clear()


def rotate(now: datetime | None = None) -> str:
    """Add a new key to the key file and make it current; returns its id.

    Old keys stay in the file: rows they signed must still verify. Refused when PV_AUDIT_KEY is
    set, since the operator then owns the key: they set a new value and keep the old one in
    PV_AUDIT_OLD_KEYS.
    """
    if os.environ.get(ENV_KEY, "").strip():
        raise AuditKeyError(
            f"{ENV_KEY} is set, so the audit key is not kept in a file: set {ENV_KEY} to a new "
            f"key and add the old value to {ENV_OLD_KEYS} (comma-separated) so older rows still "
            "verify."
        )
    path = key_file()
    ring = _load(create=True)
    new = _new_key(now)
    _write(path, (*ring.keys, new), replace=True)
    reset_cache()
    return new.id


# ---------------------------------------------------------------------- loading and writing


def _load(*, create: bool) -> Keyring:
    env = os.environ.get(ENV_KEY, "").strip()
    if env:
        old = [v for v in os.environ.get(ENV_OLD_KEYS, "").split(",") if v.strip()]
        values = [parse_key(v, ENV_OLD_KEYS) for v in old] + [parse_key(env, ENV_KEY)]
        return Keyring(tuple(AuditKey(key_id(v), v) for v in values), f"{ENV_KEY} / {ENV_OLD_KEYS}")
    path = key_file()
    if not path.exists():
        if not create:
            return Keyring((), str(path))
        _write(path, (_new_key(None),), replace=False)
    return Keyring(_read(path), str(path))


def _read(path: Path) -> tuple[AuditKey, ...]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditKeyError(f"Cannot read the audit key file {path}: {exc.strerror}.") from exc
    except ValueError as exc:
        raise AuditKeyError(f"The audit key file {path} is not valid JSON.") from exc
    if not isinstance(entries, list) or not entries:
        raise AuditKeyError(f"The audit key file {path} holds no list of keys.")
    keys: list[AuditKey] = []
    for n, entry in enumerate(entries, 1):
        try:
            secret = bytes.fromhex(entry["key"])
            created = datetime.fromisoformat(entry["created_at"])
            stated = entry["id"]
        except (TypeError, KeyError, ValueError):
            raise AuditKeyError(f"Key {n} in the audit key file {path} is damaged.") from None
        if stated != key_id(secret) or len(secret) < MIN_KEY_BYTES:
            raise AuditKeyError(f"Key {n} in the audit key file {path} is damaged.")
        keys.append(AuditKey(stated, secret, created))
    return tuple(keys)


def _new_key(now: datetime | None) -> AuditKey:
    secret = secrets.token_bytes(MIN_KEY_BYTES)
    return AuditKey(key_id(secret), secret, (now or datetime.now(UTC)).astimezone(UTC))


def _write(path: Path, keys: tuple[AuditKey, ...], *, replace: bool) -> None:
    """Write the keyring to a fresh 0600 file, then publish it in one step.

    A new file is published with a hard link, which fails if another process got there first
    (then its keys win and ours is dropped): no reader ever sees a half-written file.
    """
    text = json.dumps(
        [{"id": k.id, "key": k.secret.hex(), "created_at": _iso(k.created_at)} for k in keys],
        indent=2,
    )
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # mode only when created
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temp, path)
        else:
            # If another process created it a moment ago, its keys are the ones to use.
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
    except OSError as exc:
        raise AuditKeyError(
            f"Cannot write the audit key file {path}: {exc.strerror} "
            f"(set {ENV_KEY_FILE} to a writable place, or {ENV_KEY})."
        ) from exc
    finally:
        temp.unlink(missing_ok=True)


def _iso(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).isoformat()
